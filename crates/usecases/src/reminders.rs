//! The system queues the reminders whose window opened. The unique (appointment, offset) row in
//! `reminder_log` makes each reminder happen once, whatever the number of instances doing this.

use portal_db::{SystemScope, appointments, companies::CompanyCache, reminders};
use portal_notify::messages::AppointmentEvent;

use crate::{Ctx, Result, messages};

/// Reminders handled per round.
const BATCH: u64 = 200;

/// Queues every due reminder once; returns how many reminders were queued.
#[tracing::instrument(skip_all)]
pub async fn queue_due_reminders(ctx: &Ctx<'_>) -> Result<usize> {
    let now = ctx.clock.now();
    let due = reminders::due(ctx.db, now, BATCH).await?;
    let mut queued = 0;
    let mut companies = CompanyCache::default();
    for reminder in due {
        let Some(company) = companies.get(ctx.db, reminder.company_id).await? else {
            continue;
        };
        let system = SystemScope::for_company(company.id);
        let Some(appointment) =
            appointments::find(ctx.db, (&system).into(), reminder.appointment_id).await?
        else {
            continue;
        };
        let messages = messages::for_appointment(
            ctx.db,
            company,
            &appointment,
            AppointmentEvent::Reminder,
            None,
            now,
        )
        .await?;
        if reminders::claim_and_queue(ctx.db, &reminder, messages, now).await? {
            queued += 1;
        }
    }
    Ok(queued)
}
