//! Delivers queued SMS, email, push messages and webhooks, with exponential backoff and a cap.
//!
//! Every message is a row first (`portal_db::notifications`). A worker claims due rows with a lease,
//! sends, and records the outcome; a row already marked sent is never claimed again, and a worker
//! that dies between claim and send leaves a lease that simply expires, after which any worker
//! (this process after a restart, or another instance) sends it — once. On PostgreSQL the claim
//! uses `FOR UPDATE SKIP LOCKED`, so several instances never claim the same row.
//!
//! What no outbox can rule out is a crash after the provider accepted a message and before the row
//! says so: that message is sent again when the lease expires (at-least-once at that one point).

use chrono::Duration;
use portal_db::{
    companies::CompanyCache,
    customers,
    notifications::{self, Lane},
    push,
};
use portal_domain::Channel;
use portal_notify::{
    EmailError, EmailMessage, PushError, PushTarget, SmsError, SmsMessage, messages::mask_codes,
};
use serde_json::json;

use portal_usecases::events::Update;

use crate::state::AppState;

/// Attempts before a message is given up.
const MAX_ATTEMPTS: i32 = 8;
/// Messages sent per round and channel.
const BATCH: usize = 20;

/// Delay before retry `attempt` (1-based): 30 s doubling, at most an hour.
pub fn backoff(attempt: i32) -> Duration {
    let exp = u32::try_from(attempt.clamp(1, 8) - 1).unwrap_or(0);
    Duration::seconds((30 * 2_i64.pow(exp)).min(3600))
}

/// The outcome of one send.
enum Outcome {
    /// Handed over; the provider's id.
    Sent(String),
    /// Worth another try later.
    Retry(String),
    /// Will never work.
    Failed(String),
}

/// Sends every due message of every channel once; returns how many were handed to a provider.
pub async fn deliver_due(state: &AppState) -> Result<usize, portal_db::DbError> {
    let mut sent = 0;
    for channel in [Channel::Sms, Channel::Email, Channel::Push] {
        sent += deliver_channel(state, channel, Lane::All).await?;
    }
    Ok(sent)
}

/// Sends the due code messages (sign-in, phone change, email confirmation) once.
pub async fn deliver_codes(state: &AppState) -> Result<usize, portal_db::DbError> {
    Ok(deliver_channel(state, Channel::Sms, Lane::Codes).await?
        + deliver_channel(state, Channel::Email, Lane::Codes).await?)
}

/// Sends the due messages of one channel in `lane`.
pub async fn deliver_channel(
    state: &AppState,
    channel: Channel,
    lane: Lane,
) -> Result<usize, portal_db::DbError> {
    let lease = Duration::seconds(state.settings.outbox.lease_seconds.max(1).into());
    let mut sent = 0;
    let mut companies = CompanyCache::default();
    for _ in 0..BATCH {
        // One message per claim, its lease starting just before its own send: a slow provider
        // delays the next claim instead of running a batch's later messages past their lease
        // (where another worker would claim and send them again).
        let now = state.clock.now();
        let Some(message) = notifications::claim_due(&state.db, channel, lane, 1, lease, now)
            .await?
            .pop()
        else {
            break;
        };
        // A reminder for an appointment cancelled after it was queued is dropped, not sent.
        if message.kind == "appointment_reminder"
            && let Some(appointment) = message.appointment_id
            && !notifications::appointment_active(&state.db, appointment).await?
        {
            notifications::mark_skipped(&state.db, message.id, "appointment no longer active")
                .await?;
            continue;
        }
        let outcome = match message.channel {
            // The email code keeps the ordinary path (its code is in the stored text, masked after).
            Channel::Sms if notifications::CODE_KINDS.contains(&message.kind.as_str()) => {
                let Some(outcome) = send_code(state, &message).await? else {
                    notifications::delete(&state.db, message.id).await?;
                    continue;
                };
                outcome
            }
            Channel::Sms => send_sms(state, &message).await,
            Channel::Email => send_email(state, &message).await,
            Channel::Push => {
                let slug = companies
                    .get(&state.db, message.company_id)
                    .await?
                    .map(|c| c.slug.as_str());
                send_push(state, &message, slug).await?
            }
        };
        let attempt = message.attempts + 1;
        let last_attempt = !matches!(outcome, Outcome::Retry(_)) || attempt >= MAX_ATTEMPTS;
        match outcome {
            Outcome::Sent(provider_id) => {
                notifications::mark_sent(&state.db, message.id, &provider_id, state.clock.now())
                    .await?;
                sent += 1;
                if let Some(customer) = message.customer_id {
                    state.events.send(
                        message.company_id,
                        customer,
                        Update::Notification {
                            id: message.id,
                            channel: message.channel,
                            kind: Some(message.kind.clone()),
                            status: "sent",
                        },
                    );
                }
            }
            Outcome::Retry(error) | Outcome::Failed(error) if attempt >= MAX_ATTEMPTS => {
                tracing::warn!(notification = %message.id, attempt, %error, "delivery failed for good");
                notifications::mark_attempt_failed(&state.db, message.id, &error, None).await?;
            }
            Outcome::Retry(error) => {
                tracing::warn!(notification = %message.id, attempt, %error, "delivery failed; retrying");
                let retry_at = state.clock.now() + backoff(attempt);
                notifications::mark_attempt_failed(&state.db, message.id, &error, Some(retry_at))
                    .await?;
            }
            Outcome::Failed(error) => {
                tracing::warn!(notification = %message.id, attempt, %error, "delivery refused");
                notifications::mark_attempt_failed(&state.db, message.id, &error, None).await?;
            }
        }
        // A code is kept only while it may still be sent; the history shows it masked, like the
        // sign-in codes, which are never stored at all.
        if last_attempt && message.kind == customers::EMAIL_CODE_KIND {
            notifications::redact_body(&state.db, message.id, &mask_codes(&message.body_text))
                .await?;
        }
    }
    Ok(sent)
}

/// A sign-in or phone-change code: sent once or dropped, never retried — its customer is waiting
/// and can ask for a new code, which is better than an old one arriving late. `None` for a
/// stand-in, which is forgotten.
async fn send_code(
    state: &AppState,
    message: &notifications::Pending,
) -> Result<Option<Outcome>, portal_db::DbError> {
    use portal_usecases::{Error, auth::CodeDelivery};
    Ok(
        match portal_usecases::auth::deliver_code(&state.ctx(), message).await {
            Ok(CodeDelivery::Sent(provider_id)) => Some(Outcome::Sent(provider_id)),
            Ok(CodeDelivery::Dropped(reason)) => Some(Outcome::Failed(reason)),
            Ok(CodeDelivery::StandIn) => None,
            Err(Error::Db(err)) => return Err(err),
            Err(err) => Some(Outcome::Failed(err.to_string())),
        },
    )
}

async fn send_sms(state: &AppState, message: &notifications::Pending) -> Outcome {
    let sms = SmsMessage {
        to: message.recipient.clone(),
        body: message.body_text.clone(),
    };
    match state.sms.send(&sms).await {
        Ok(receipt) => Outcome::Sent(receipt.provider_id),
        // A refused recipient will not become valid by waiting.
        Err(err @ SmsError::Rejected { .. }) => Outcome::Failed(err.to_string()),
        Err(err) => Outcome::Retry(err.to_string()),
    }
}

async fn send_email(state: &AppState, message: &notifications::Pending) -> Outcome {
    let email = EmailMessage {
        to: message.recipient.clone(),
        subject: message.subject.clone().unwrap_or_default(),
        text: message.body_text.clone(),
        html: message.body_html.clone().unwrap_or_default(),
        ics: message.attachment.clone(),
    };
    match state.mailer.send(&email).await {
        Ok(id) => Outcome::Sent(id),
        Err(err @ EmailError::Rejected(_)) => Outcome::Failed(err.to_string()),
        Err(err) => Outcome::Retry(err.to_string()),
    }
}

/// What the service worker shows: `title` and `body`, `url` (the appointment, else the message, in
/// the PWA) to open on a click, and `tag` so a newer message about the same appointment replaces
/// the older one.
fn push_payload(message: &notifications::Pending, slug: Option<&str>) -> serde_json::Value {
    let url = match (slug, message.appointment_id) {
        (Some(slug), Some(appointment)) => format!("/c/{slug}/appointments/{appointment}"),
        (Some(slug), None) => format!("/c/{slug}/messages/{}", message.id),
        (None, _) => "/".to_owned(),
    };
    let tag = message
        .appointment_id
        .map_or_else(|| message.id.to_string(), |a| format!("appointment-{a}"));
    json!({
        "id": message.id,
        "kind": message.kind,
        "title": message.subject,
        "body": message.body_text,
        "url": url,
        "tag": tag,
    })
}

/// Sends to every subscribed device of the customer; sent when at least one took it. Devices whose
/// subscription is gone are forgotten.
async fn send_push(
    state: &AppState,
    message: &notifications::Pending,
    slug: Option<&str>,
) -> Result<Outcome, portal_db::DbError> {
    let Some(customer) = message.customer_id else {
        return Ok(Outcome::Failed("push without a customer".into()));
    };
    let subscriptions = push::for_customer(&state.db, message.company_id, customer).await?;
    if subscriptions.is_empty() {
        return Ok(Outcome::Failed("no push subscription".into()));
    }
    let payload = push_payload(message, slug).to_string();
    let mut delivered = 0;
    let mut retry = None;
    for subscription in subscriptions {
        let target = PushTarget {
            endpoint: subscription.endpoint,
            p256dh: subscription.p256dh,
            auth: subscription.auth,
        };
        match state.push.send(&target, payload.as_bytes()).await {
            Ok(()) => delivered += 1,
            Err(PushError::Gone) => push::remove(&state.db, subscription.id).await?,
            Err(err @ PushError::Unavailable(_)) => retry = Some(err.to_string()),
            Err(err @ PushError::Rejected(_)) => {
                tracing::info!(error = %err, "push refused for one device");
            }
        }
    }
    Ok(match (delivered, retry) {
        (n, _) if n > 0 => Outcome::Sent(format!("push:{n}")),
        (_, Some(error)) => Outcome::Retry(error),
        _ => Outcome::Failed("no device accepted the message".into()),
    })
}

/// Sends every due webhook delivery once, recording each attempt; returns how many were delivered.
pub async fn deliver_webhooks(state: &AppState) -> Result<usize, portal_db::DbError> {
    use portal_db::webhooks::{self, AttemptResult};
    let mut delivered = 0;
    for _ in 0..BATCH {
        // One delivery per claim, as for messages: each lease covers only its own request.
        let now = state.clock.now();
        let Some(delivery) = webhooks::claim_due(&state.db, 1, Duration::minutes(2), now)
            .await?
            .pop()
        else {
            break;
        };
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
    tokio::spawn(run_code_lane(state.clone(), interval));
    // The first round one interval after the start, like every later one (an immediate first
    // tick would race whatever the process does right after starting).
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if let Err(err) = deliver_due(&state).await {
            tracing::warn!(error = %err, "outbox round failed");
        }
        if let Err(err) = deliver_webhooks(&state).await {
            tracing::warn!(error = %err, "webhook round failed");
        }
    }
}

/// The code lane: sends codes the moment a use case rings for them (and at every poll, for codes
/// queued by another instance), so a customer never waits behind reminders and confirmations.
async fn run_code_lane(state: AppState, interval: std::time::Duration) {
    loop {
        tokio::select! {
            () = state.services.codes.rung() => {}
            () = tokio::time::sleep(interval) => {}
        }
        if let Err(err) = deliver_codes(&state).await {
            tracing::warn!(error = %err, "code lane round failed");
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
