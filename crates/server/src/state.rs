//! What every handler can reach.

use portal_db::DatabaseConnection;
use portal_domain::Clock;
use portal_notify::{Mailer, SmsSender, WebPushSender, WebhookClient};
use std::sync::Arc;

use crate::{config::Settings, metrics::Metrics, secrets::Secrets, tokens::TokenService};

/// Shared application state (cheap to clone).
#[derive(Clone, Debug)]
pub struct AppState {
    /// Database pool.
    pub db: DatabaseConnection,
    /// "Now".
    pub clock: Arc<dyn Clock>,
    /// Access tokens.
    pub tokens: TokenService,
    /// Keys.
    pub secrets: Arc<Secrets>,
    /// SMS sender (Twilio or the development sender).
    pub sms: Arc<dyn SmsSender>,
    /// Webhook HTTP client.
    pub webhooks: WebhookClient,
    /// Configuration.
    pub settings: Arc<Settings>,
    /// Prometheus registry and instruments.
    pub metrics: Metrics,
    /// Email (SMTP, or `.eml` files in development).
    pub mailer: Arc<dyn Mailer>,
    /// Web Push sender with the VAPID key.
    pub push: WebPushSender,
    /// Live updates for SSE clients of this process.
    pub events: portal_usecases::EventHub,
    /// Failures tests inject into use cases (inert unless armed).
    pub faults: portal_usecases::Faults,
    /// Providers, keys and rules the use cases need.
    pub services: Arc<portal_usecases::Services>,
}

impl AppState {
    /// What the use cases work with, borrowed from this state.
    pub fn ctx(&self) -> portal_usecases::Ctx<'_> {
        portal_usecases::Ctx {
            db: &self.db,
            clock: &*self.clock,
            events: &self.events,
            faults: &self.faults,
            services: &self.services,
        }
    }
}
