//! `/api/customer/preferences` and `/api/customer/consents`: which channel may carry which kind of
//! message, and the register of every answer.

use actix_web::{get, put, web};
use portal_api_types::{
    Problem,
    preferences::{ConsentsResponse, PreferencesResponse, UpdatePreferences},
};
use portal_usecases::consents;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    error::ApiResult,
    extract::{Customer, Json},
    state::AppState,
};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_preferences)
        .service(update_preferences)
        .service(list_consents);
}

/// Get communication preferences
///
/// For each channel (`sms`, `email`, `push`) and purpose (`transactional`: confirmations of
/// bookings, changes and cancellations; `reminders`; `marketing`), whether such messages may be
/// sent. Until the customer answers, everything is on except marketing (opt-in).
#[utoipa::path(
    tag = "Preferences",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Nine answers: three channels × three purposes", body = PreferencesResponse,
            example = json!({"items": [{"channel": "sms", "purpose": "transactional", "granted": true}, {"channel": "sms", "purpose": "reminders", "granted": true}, {"channel": "sms", "purpose": "marketing", "granted": false}]})),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customer/preferences")]
#[tracing::instrument(skip_all)]
pub async fn get_preferences(
    state: web::Data<AppState>,
    customer: Customer,
) -> ApiResult<web::Json<PreferencesResponse>> {
    let items = consents::preferences(&state.ctx(), &customer.0.scope).await?;
    Ok(web::Json(PreferencesResponse { items }))
}

/// Change communication preferences
///
/// Sets the answers sent; the others keep their value. Every answer that changes is appended to
/// the consent register (source `portal`) and applies from the next message on.
///
/// What cannot be turned off: confirmations and changes (`transactional`) must stay on for at
/// least one of `sms` and `email` — turning both off is refused with 422
/// `transactional_required`, because a customer must learn when the business moves or cancels an
/// appointment. Push may be turned off entirely. Sign-in codes, phone-change codes and the notice
/// to the old number after a phone change are not preferences: they are always sent.
#[utoipa::path(
    tag = "Preferences",
    security(("bearer" = [])),
    request_body(content = UpdatePreferences, example = json!({"items": [{"channel": "email", "purpose": "marketing", "granted": true}, {"channel": "sms", "purpose": "reminders", "granted": false}]})),
    responses(
        (status = 200, description = "The preferences after the change", body = PreferencesResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`transactional_required`, or an invalid body (`validation_failed`: unknown channel or purpose, empty or repeated entries)", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:transactional_required", "title": "Confirmations cannot be turned off entirely", "status": 422, "detail": "Keep confirmations and changes on for SMS or email.", "code": "transactional_required"})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/customer/preferences")]
#[tracing::instrument(skip_all)]
pub async fn update_preferences(
    state: web::Data<AppState>,
    customer: Customer,
    body: Json<UpdatePreferences>,
) -> ApiResult<web::Json<PreferencesResponse>> {
    let items =
        consents::update_preferences(&state.ctx(), &customer.0.scope, &body.0.items).await?;
    Ok(web::Json(PreferencesResponse { items }))
}

/// List the consent register
///
/// Every answer the customer gave about being contacted, newest first: channel, purpose, granted
/// or withdrawn, when, and where (`portal`; `phone` or `integrator` when the business recorded it;
/// `sms` for STOP/START replies). Also when the customer consented to keeping a medical history
/// (healthcare businesses), if they did.
#[utoipa::path(
    tag = "Preferences",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The register", body = ConsentsResponse,
            example = json!({"items": [{"channel": "email", "purpose": "marketing", "granted": true, "source": "portal", "at": "2026-11-25T09:00:00Z"}], "medical_history_consent_at": null})),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customer/consents")]
#[tracing::instrument(skip_all)]
pub async fn list_consents(
    state: web::Data<AppState>,
    customer: Customer,
) -> ApiResult<web::Json<ConsentsResponse>> {
    let (items, medical_history_consent_at) =
        consents::consent_register(&state.ctx(), &customer.0.scope).await?;
    Ok(web::Json(ConsentsResponse {
        items,
        medical_history_consent_at,
    }))
}
