//! `/customers/{id}/medical-history` and `/customers/{id}/consents`: what the business's staff
//! read and record through their systems. Medical history needs a key with the `medical` scope
//! and a healthcare company; every read and write is in the customer's audit log with the key's
//! prefix as actor, so the customer sees it under `GET /api/customer/audit`.

use actix_web::{HttpResponse, get, post, put, web};
use portal_api_types::{
    Problem,
    medical::{MedicalHistory, MedicalHistoryVersion, MedicalHistoryVersions},
    preferences::{ConsentRecord, RecordConsent},
};
use portal_db::api_keys::ApiScope;
use portal_usecases::{Actor, consents, medical};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::auth::Integrator;
use crate::{error::ApiResult, extract::Json, state::AppState};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_customer_medical_history)
        .service(put_customer_medical_history)
        .service(record_customer_consent);
}

/// Read a customer's medical history
///
/// Every version with its content, newest first (an empty list before the first). Needs the
/// `medical` scope and a healthcare company (404 otherwise, like an unknown customer). Each read
/// is recorded in the customer's audit log, which the customer can see.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "Customer id")),
    responses(
        (status = 200, description = "The versions", body = MedicalHistoryVersions,
            example = json!({"items": [{"version": 1, "created_at": "2026-11-25T09:05:00Z", "written_by": "customer", "content": {"allergies": "Penicillin", "medications": null, "conditions": null, "insurance": null, "emergency_contact": null, "notes": null}}]})),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `medical` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer, or not a healthcare company", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customers/{id}/medical-history")]
#[tracing::instrument(skip_all)]
pub async fn get_customer_medical_history(
    state: web::Data<AppState>,
    integrator: Integrator,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<MedicalHistoryVersions>> {
    let scope = integrator.require(ApiScope::Medical)?;
    let versions =
        medical::medical_history_versions(&state.ctx(), Actor::Integrator(scope), Some(*id))
            .await?;
    let items = versions
        .into_iter()
        .filter_map(|(_, opened)| opened)
        .collect();
    Ok(web::Json(MedicalHistoryVersions { items }))
}

/// Write a customer's medical history
///
/// Stores a new version (staff documenting or correcting; earlier versions stay readable). The
/// practice writes on its own legal basis (treatment), so the customer's portal consent is not
/// required here. Same limits as the customer's `PUT /api/customer/medical-history`. Needs the
/// `medical` scope; audited.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "Customer id")),
    request_body(content = MedicalHistory, example = json!({"allergies": "Penicillin, Latex", "medications": null, "conditions": null, "insurance": null, "emergency_contact": null, "notes": null})),
    responses(
        (status = 200, description = "The new version", body = MedicalHistoryVersion),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `medical` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer, or not a healthcare company", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is too long, empty or unknown", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/customers/{id}/medical-history")]
#[tracing::instrument(skip_all)]
pub async fn put_customer_medical_history(
    state: web::Data<AppState>,
    integrator: Integrator,
    id: web::Path<Uuid>,
    body: Json<MedicalHistory>,
) -> ApiResult<web::Json<MedicalHistoryVersion>> {
    let scope = integrator.require(ApiScope::Medical)?;
    let actor = Actor::Integrator(scope);
    let version = medical::save_medical_history(&state.ctx(), actor, Some(*id), &body.0).await?;
    Ok(web::Json(version))
}

/// Record a customer's consent answer
///
/// Appends an answer the customer gave the business (on the phone, or at the front desk) to the
/// consent register; it applies from the next message on and the customer sees it with its
/// source in `GET /api/customer/consents`. Needs the `customers` scope.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "Customer id"),
        ("Idempotency-Key" = String, Header, description = "Unique per request; a repeat returns the first answer"),
    ),
    request_body(content = RecordConsent, example = json!({"channel": "sms", "purpose": "marketing", "granted": false, "source": "phone"})),
    responses(
        (status = 201, description = "Recorded", body = ConsentRecord,
            example = json!({"channel": "sms", "purpose": "marketing", "granted": false, "source": "phone", "at": "2026-11-25T09:00:00Z"})),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `customers` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid body, or missing `Idempotency-Key`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/customers/{id}/consents")]
#[tracing::instrument(skip_all)]
pub async fn record_customer_consent(
    state: web::Data<AppState>,
    integrator: Integrator,
    id: web::Path<Uuid>,
    body: Json<RecordConsent>,
) -> ApiResult<HttpResponse> {
    let scope = integrator.require(ApiScope::Customers)?;
    let record: ConsentRecord = consents::record_consent(&state.ctx(), scope, *id, body.0).await?;
    Ok(HttpResponse::Created().json(record))
}
