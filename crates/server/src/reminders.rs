//! The reminder scheduler: finds appointments whose reminder window opened and queues their
//! messages. The unique (appointment, offset) row in `reminder_log` makes each reminder happen once,
//! whatever the number of instances running this loop.

use portal_db::{appointments, companies::CompanyCache, reminders};
use portal_notify::messages::AppointmentEvent;

use crate::state::AppState;

/// Reminders handled per round.
const BATCH: u64 = 200;

/// Queues every due reminder once; returns how many reminders were queued.
pub async fn queue_due(state: &AppState) -> Result<usize, crate::error::ApiError> {
    let now = state.clock.now();
    let due = reminders::due(&state.db, now, BATCH).await?;
    let mut queued = 0;
    let mut companies = CompanyCache::default();
    for reminder in due {
        let Some(company) = companies.get(&state.db, reminder.company_id).await? else {
            continue;
        };
        let Some(appointment) =
            appointments::find(&state.db, company.id, None, reminder.appointment_id).await?
        else {
            continue;
        };
        let messages = crate::messages::for_appointment(
            state,
            company,
            &appointment,
            AppointmentEvent::Reminder,
            None,
        )
        .await?;
        if reminders::claim_and_queue(&state.db, &reminder, messages, now).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

/// Runs [`queue_due`] every `interval` until the process ends.
pub async fn run(state: AppState, interval: std::time::Duration) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if let Err(err) = queue_due(&state).await {
            tracing::warn!(error = %err, "reminder round failed");
        }
    }
}
