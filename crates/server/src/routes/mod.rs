//! The route table: every module exposes `configure`, so the whole API reads in one place.

pub mod appointments;
pub mod auth;
pub mod health;
pub mod medical;
pub mod phone;
pub mod preferences;
pub mod privacy;
pub mod profile;
pub mod public;
pub mod sessions;
pub mod spa;

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
    crate::integrations::configure(cfg);
}
