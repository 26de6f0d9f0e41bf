//! The route table: every module exposes `configure`, so the whole API reads in one place.

pub mod appointments;
pub mod auth;
pub mod events;
pub mod health;
pub mod medical;
pub mod notifications;
pub mod phone;
pub mod preferences;
pub mod privacy;
pub mod profile;
pub mod public;
pub mod push;
pub mod sessions;
pub mod spa;
pub mod support;
pub mod twilio;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every `/api` route.
pub fn configure_api(cfg: &mut ServiceConfig) {
    public::configure(cfg);
    auth::configure(cfg);
    sessions::configure(cfg);
    profile::configure(cfg);
    phone::configure(cfg);
    preferences::configure(cfg);
    medical::configure(cfg);
    privacy::configure(cfg);
    appointments::configure(cfg);
    notifications::configure(cfg);
    push::configure(cfg);
    support::configure(cfg);
    events::configure(cfg);
    twilio::configure(cfg);
    crate::integrations::configure(cfg);
}
