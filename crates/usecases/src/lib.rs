//! The use cases of the customer portal: one public function per thing a customer, an integrator
//! or the system does (`cancel_appointment`, `book_appointment`, …), shared by the customer API,
//! the integrator API, the CLI and the background jobs.
//!
//! A crate of its own, not a module of the server, so that "knows nothing of HTTP" is checked by
//! the compiler (`just check-deps` refuses actix-web here) rather than by review.
//!
//! Every write has one shape: parse everything the caller sent → decide with the domain rules →
//! build the effects (messages, webhook, live event) as typed values → write the change and its
//! effects in **one transaction** → publish the live event. Nothing is written before everything
//! was checked, and a change never commits without its effects (or the reverse).

pub mod actor;
pub mod appointments;
mod audit;
pub mod auth;
pub mod confirmation;
pub mod consents;
pub mod crypto;
pub mod effects;
pub mod error;
pub mod events;
pub mod medical;
pub mod messages;
pub mod privacy;
pub mod profile;
pub mod reminders;
pub mod sessions;
pub mod support;
pub mod views;

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
};

pub use actor::Actor;
pub use error::{Error, Result};
pub use events::EventHub;

use portal_db::DatabaseConnection;
use portal_domain::{Clock, SecretString};
use portal_notify::SmsSender;

/// What every use case works with; borrowed from the server's state, so making one costs nothing.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// Database pool.
    pub db: &'a DatabaseConnection,
    /// "Now".
    pub clock: &'a dyn Clock,
    /// Live updates of this process.
    pub events: &'a EventHub,
    /// Failures injected by tests; inert in production.
    pub faults: &'a Faults,
    /// Providers, keys and rules, built once at start-up.
    pub services: &'a Services,
}

/// What use cases need besides the database: providers, keys and rules from the configuration.
#[derive(Debug)]
pub struct Services {
    /// SMS sender (Twilio or the development sender).
    pub sms: Arc<dyn SmsSender>,
    /// Sign-in and phone-change code rules.
    pub otp: auth::OtpRules,
    /// Key of the HMAC under which codes are stored.
    pub otp_key: SecretString,
    /// The portal's host name, as sign-in texts name it (WebOTP's `@host #code` line).
    pub public_host: String,
    /// Keys that seal and open medical history.
    pub medical: crypto::MedicalKeys,
    /// Support messages a customer may write per hour.
    pub support_messages_per_hour: u32,
    /// Counters for operators.
    pub telemetry: Arc<dyn Telemetry>,
    /// Wakes the outbox's code lane when a code is queued.
    pub codes: CodeLane,
}

/// The outbox's code lane as the use cases see it: its bell, which a use case that queued a code
/// rings after its commit so the lane sends at once instead of at its next poll, and whether the
/// SMS provider took the last code (a stand-in for a code nobody gets fares like the last real one).
#[derive(Debug, Default)]
pub struct CodeLane {
    bell: tokio::sync::Notify,
    provider_failing: std::sync::atomic::AtomicBool,
}

impl CodeLane {
    /// Wakes the lane (or lets its next wait return at once).
    pub fn ring(&self) {
        self.bell.notify_one();
    }

    /// Waits for the bell.
    pub async fn rung(&self) {
        self.bell.notified().await;
    }

    fn record_provider(&self, failing: bool) {
        self.provider_failing
            .store(failing, std::sync::atomic::Ordering::Relaxed);
    }

    fn provider_failing(&self) -> bool {
        self.provider_failing
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// What use cases count for operators (the server exports them as metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// A code was texted.
    SmsSent,
    /// A code could not be texted (the provider failed, or the company's daily cap was reached).
    SmsFailed,
    /// A code was refused.
    CodeRefused,
    /// A customer signed in.
    SignedIn,
}

/// Receives what use cases count.
pub trait Telemetry: Send + Sync + std::fmt::Debug {
    /// Counts one `event`.
    fn count(&self, event: Counted);
}

impl std::fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx").finish_non_exhaustive()
    }
}

/// Named points inside a transaction where a test can make a use case fail, to prove that nothing
/// of a half-done change is committed. Empty (and so inert) unless a test arms one.
#[derive(Debug, Clone, Default)]
pub struct Faults(Option<Arc<Mutex<HashSet<&'static str>>>>);

impl Faults {
    /// Faults that tests can arm with [`Faults::arm`].
    pub fn armable() -> Self {
        Self(Some(Arc::default()))
    }

    /// Makes the point `name` fail from now on.
    pub fn arm(&self, name: &'static str) {
        if let Some(points) = &self.0 {
            points
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(name);
        }
    }

    /// Fails when `name` is armed.
    pub(crate) fn check(&self, name: &'static str) -> Result<()> {
        let armed = self.0.as_ref().is_some_and(|points| {
            points
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .contains(name)
        });
        if armed {
            Err(Error::Internal(format!("injected failure at {name}")))
        } else {
            Ok(())
        }
    }
}
