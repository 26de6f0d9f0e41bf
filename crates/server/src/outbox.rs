//! Delivers queued SMS (appointment confirmations) and webhooks, with exponential backoff.
//! Claims are leased rows, so several server processes never send the same row at the same time.

use chrono::Duration;
use portal_db::notifications;
use portal_notify::{SmsError, SmsMessage};

use crate::state::AppState;

/// Attempts before a message is given up.
const MAX_ATTEMPTS: i32 = 8;
/// Messages claimed per round.
const BATCH: u64 = 20;

/// Delay before retry `attempt` (1-based): 30 s doubling, at most an hour.
pub fn backoff(attempt: i32) -> Duration {
    let exp = u32::try_from(attempt.clamp(1, 8) - 1).unwrap_or(0);
    Duration::seconds((30 * 2_i64.pow(exp)).min(3600))
}

/// Sends every due SMS once; returns how many were handed to the provider.
pub async fn deliver_due(state: &AppState) -> Result<usize, portal_db::DbError> {
    let now = state.clock.now();
    let due = notifications::claim_due(&state.db, "sms", BATCH, Duration::minutes(2), now).await?;
    let mut sent = 0;
    for message in due {
        let sms = SmsMessage {
            to: message.recipient.clone(),
            body: message.body_text.clone(),
        };
        match state.sms.send(&sms).await {
            Ok(receipt) => {
                notifications::mark_sent(
                    &state.db,
                    message.id,
                    &receipt.provider_id,
                    state.clock.now(),
                )
                .await?;
                sent += 1;
            }
            Err(err) => {
                let attempt = message.attempts + 1;
                // A refused recipient will not become valid by waiting.
                let retry = matches!(err, SmsError::Unavailable(_)) && attempt < MAX_ATTEMPTS;
                let retry_at = retry.then(|| state.clock.now() + backoff(attempt));
                tracing::warn!(notification = %message.id, attempt, retry, error = %err, "SMS delivery failed");
                notifications::mark_attempt_failed(
                    &state.db,
                    message.id,
                    &err.to_string(),
                    retry_at,
                )
                .await?;
            }
        }
    }
    Ok(sent)
}

/// Sends every due webhook delivery once, recording each attempt; returns how many were delivered.
pub async fn deliver_webhooks(state: &AppState) -> Result<usize, portal_db::DbError> {
    use portal_db::webhooks::{self, AttemptResult};
    let now = state.clock.now();
    let due = webhooks::claim_due(&state.db, BATCH, Duration::minutes(2), now).await?;
    let mut delivered = 0;
    for delivery in due {
        let secret = portal_domain::SecretString::new(delivery.secret.clone());
        let attempt = state
            .webhooks
            .send(
                &delivery.url,
                &secret,
                &delivery.event,
                &delivery.id.to_string(),
                &delivery.payload,
                now.timestamp(),
            )
            .await;
        let number = delivery.attempts + 1;
        let retry_at = (!attempt.delivered() && number < MAX_ATTEMPTS)
            .then(|| state.clock.now() + backoff(number));
        if attempt.delivered() {
            delivered += 1;
        } else {
            tracing::warn!(delivery = %delivery.id, attempt = number, status = ?attempt.status, error = ?attempt.error, "webhook delivery failed");
        }
        let result = AttemptResult {
            status: attempt.status,
            error: attempt.error,
            duration_ms: u32::try_from(attempt.duration.as_millis()).unwrap_or(u32::MAX),
        };
        webhooks::record_attempt(&state.db, &delivery, &result, retry_at, state.clock.now())
            .await?;
    }
    Ok(delivered)
}

/// Runs [`deliver_due`] and [`deliver_webhooks`] every `interval` until the process ends.
pub async fn run(state: AppState, interval: std::time::Duration) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if let Err(err) = deliver_due(&state).await {
            tracing::warn!(error = %err, "SMS outbox round failed");
        }
        if let Err(err) = deliver_webhooks(&state).await {
            tracing::warn!(error = %err, "webhook round failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(7), Duration::seconds(1920));
        assert_eq!(backoff(8), Duration::seconds(3600));
        assert_eq!(backoff(50), Duration::seconds(3600));
    }
}
