//! The retention job: purges expired sign-in challenges, ended sessions and old message bodies
//! (rules in `portal_db::retention`), periodically while the server runs.

use portal_db::retention::{self, Purged};

use crate::state::AppState;

/// One purge at the clock's "now".
pub async fn run_once(state: &AppState) -> Result<Purged, portal_db::DbError> {
    retention::purge(&state.db, state.clock.now()).await
}

/// Runs [`run_once`] every `interval` until the process ends.
pub async fn run(state: AppState, interval: std::time::Duration) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if let Err(err) = run_once(&state).await {
            tracing::warn!(error = %err, "retention purge failed");
        }
    }
}
