//! The reminder scheduler: finds appointments whose reminder window opened and queues their
//! messages. The unique (appointment, offset) row in `reminder_log` makes each reminder happen once,
//! whatever the number of instances running this loop.

use crate::state::AppState;

/// Queues every due reminder once; returns how many reminders were queued.
pub async fn queue_due(state: &AppState) -> Result<usize, portal_usecases::Error> {
    portal_usecases::reminders::queue_due_reminders(&state.ctx()).await
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
