//! `/api/integrations/v1`: the integrator API, authenticated with per-company API keys.
//!
//! Every request carries `Authorization: Bearer pk_…` ([`auth::Integrator`]); every `POST` also
//! carries an `Idempotency-Key` ([`idempotency`]), so a client that lost an answer can send the same
//! request again without doing it twice.

pub mod appointments;
pub mod auth;
pub mod branches;
pub mod customers;
pub mod idempotency;
pub mod medical;
pub mod query;
pub mod schedule;
pub mod services;
pub mod staff;
pub mod webhooks;

use actix_web::{middleware::from_fn, web};
use portal_api_types::ErrorCode;
use portal_db::catalog::CatalogError;
use utoipa_actix_web::{scope, service_config::ServiceConfig};

use crate::error::ApiError;

/// Registers the integrator routes under `/integrations/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        scope("/integrations/v1")
            .app_data(
                // A malformed id in the path is simply nothing that exists.
                web::PathConfig::default().error_handler(|_, _| ApiError::not_found().into()),
            )
            .configure(|cfg| {
                branches::configure(cfg);
                staff::configure(cfg);
                schedule::configure(cfg);
                services::configure(cfg);
                customers::configure(cfg);
                medical::configure(cfg);
                appointments::configure(cfg);
                webhooks::configure(cfg);
            })
            .wrap(from_fn(idempotency::middleware)),
    );
}

impl From<CatalogError> for ApiError {
    fn from(err: CatalogError) -> Self {
        match err {
            CatalogError::NotFound => Self::not_found(),
            CatalogError::Invalid { field, message } => {
                Self::invalid_field(ErrorCode::ValidationFailed, &field, message)
            }
            CatalogError::Db(err) => err.into(),
        }
    }
}

/// The company of the calling key (its region reads national phone numbers).
async fn company_of(
    state: &crate::state::AppState,
    scope: &portal_db::api_keys::IntegratorScope,
) -> Result<portal_db::companies::Company, ApiError> {
    portal_db::companies::find(&state.db, scope.company_id())
        .await?
        .ok_or_else(ApiError::unauthorized)
}

/// An IANA zone name from field `field`.
fn timezone(field: &str, name: &str) -> Result<chrono_tz::Tz, ApiError> {
    name.parse().map_err(|_| {
        ApiError::invalid_field(
            ErrorCode::ValidationFailed,
            field,
            "not an IANA time zone such as Europe/Berlin",
        )
    })
}

/// A phone number typed by an integrator, read in the company's country; any country is allowed
/// (the allow-list governs who may sign in, not what a business lists).
fn any_phone(
    field: &str,
    input: &str,
    company: &portal_db::companies::Company,
) -> Result<portal_domain::PhoneNumber, ApiError> {
    portal_domain::PhoneNumber::normalize(input, &company.region, &[])
        .map_err(|e| ApiError::invalid_field(ErrorCode::InvalidPhone, field, e.to_string()))
}
