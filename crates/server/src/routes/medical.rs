//! `/api/customer/medical-history`: the customer's medical history at a healthcare business.
//!
//! DESIGN.md's "Health data" rules: sealed with AES-256-GCM before it reaches the database
//! (`portal_usecases::crypto`), every write a new version (earlier ones stay readable), every read and
//! write only after a sign-in within the last 10 minutes, and every access in the audit log.
//! Elsewhere than at healthcare businesses these paths answer 404.

use actix_web::{get, put, web};
use portal_api_types::{
    Problem,
    medical::{
        MedicalConsentResponse, MedicalHistory, MedicalHistoryCurrent, MedicalHistoryVersion,
        MedicalHistoryVersionList, MedicalHistoryVersionSummary, SetMedicalConsent,
    },
};
use portal_usecases::{
    Actor,
    medical::{self, require_healthcare},
};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    error::{ApiError, ApiResult},
    extract::{Customer, Json},
    state::AppState,
};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_medical_history)
        .service(put_medical_history)
        .service(list_medical_versions)
        .service(get_medical_version)
        .service(set_medical_consent);
}

/// Get the medical history
///
/// The newest version of the medical history (null before the first one) and whether the
/// customer consents to keeping one. Only at healthcare businesses (404 elsewhere). Needs a
/// sign-in within the last 10 minutes (401 `reauth_required`); every read is in the audit log.
#[utoipa::path(
    tag = "Medical history",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The current version and the consent", body = MedicalHistoryCurrent,
            example = json!({"consent": {"granted": true, "granted_at": "2026-11-25T09:00:00Z"}, "current": {"version": 2, "created_at": "2026-11-25T09:05:00Z", "written_by": "customer", "content": {"allergies": "Penicillin", "medications": null, "conditions": null, "insurance": {"provider": "AOK Nordost", "number": "A123456789"}, "emergency_contact": null, "notes": null}}})),
        (status = 401, description = "Not signed in, or `reauth_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a healthcare business", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customer/medical-history")]
#[tracing::instrument(skip_all)]
pub async fn get_medical_history(
    state: web::Data<AppState>,
    customer: Customer,
) -> ApiResult<web::Json<MedicalHistoryCurrent>> {
    require_healthcare(&customer.1)?;
    let scope = customer.recently_signed_in(state.clock.now())?;
    let actor = Actor::Customer {
        scope,
        company: &customer.1,
    };
    let (consent, current) = medical::current_medical_history(&state.ctx(), actor).await?;
    Ok(web::Json(MedicalHistoryCurrent { consent, current }))
}

/// Update the medical history
///
/// Writes a new version with the fields sent (fields left out are empty in the new version);
/// earlier versions stay readable, so a correction keeps the original visible. Needs the
/// customer's explicit consent first (GDPR Art. 9; 403 `consent_required`, give it with
/// `PUT /api/customer/medical-history/consent`) and a sign-in within the last 10 minutes.
/// Limits: allergies, medications and conditions 2000 characters each, notes 4000, insurer and
/// contact name 100, membership number 50, contact phone 32, relationship 50.
#[utoipa::path(
    tag = "Medical history",
    security(("bearer" = [])),
    request_body(content = MedicalHistory, example = json!({"allergies": "Penicillin", "medications": "Ramipril 5 mg morgens", "conditions": "Bluthochdruck", "insurance": {"provider": "AOK Nordost", "number": "A123456789"}, "emergency_contact": {"name": "Peter Schmidt", "phone": "+49 30 1234567", "relationship": "Ehemann"}, "notes": null})),
    responses(
        (status = 200, description = "The new version", body = MedicalHistoryVersion),
        (status = 401, description = "Not signed in, or `reauth_required`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`consent_required`", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:consent_required", "title": "Consent required", "status": 403, "detail": "Please consent to keeping your medical history first.", "code": "consent_required"})),
        (status = 404, description = "Not a healthcare business", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is too long, empty or unknown (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/customer/medical-history")]
#[tracing::instrument(skip_all)]
pub async fn put_medical_history(
    state: web::Data<AppState>,
    customer: Customer,
    body: Json<MedicalHistory>,
) -> ApiResult<web::Json<MedicalHistoryVersion>> {
    require_healthcare(&customer.1)?;
    let scope = customer.recently_signed_in(state.clock.now())?;
    let actor = Actor::Customer {
        scope,
        company: &customer.1,
    };
    let version = medical::save_medical_history(&state.ctx(), actor, None, &body.0).await?;
    Ok(web::Json(version))
}

/// List medical history versions
///
/// Every version with its number, time and author (`customer` or `practice`), newest first;
/// read any of them with `GET /api/customer/medical-history/versions/{version}`. Healthcare
/// businesses only; needs a sign-in within the last 10 minutes; audited.
#[utoipa::path(
    tag = "Medical history",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The versions", body = MedicalHistoryVersionList,
            example = json!({"items": [{"version": 2, "created_at": "2026-11-25T09:05:00Z", "written_by": "customer"}, {"version": 1, "created_at": "2026-11-20T08:00:00Z", "written_by": "practice"}]})),
        (status = 401, description = "Not signed in, or `reauth_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a healthcare business", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customer/medical-history/versions")]
#[tracing::instrument(skip_all)]
pub async fn list_medical_versions(
    state: web::Data<AppState>,
    customer: Customer,
) -> ApiResult<web::Json<MedicalHistoryVersionList>> {
    require_healthcare(&customer.1)?;
    let scope = customer.recently_signed_in(state.clock.now())?;
    let actor = Actor::Customer {
        scope,
        company: &customer.1,
    };
    let items = medical::medical_history_versions(&state.ctx(), actor, None)
        .await?
        .into_iter()
        .map(|(v, _)| MedicalHistoryVersionSummary {
            version: v.version,
            created_at: v.created_at,
            written_by: medical::written_by(&v.actor),
        })
        .collect();
    Ok(web::Json(MedicalHistoryVersionList { items }))
}

/// Read one medical history version
///
/// The content of an earlier (or the current) version, exactly as it was written. Healthcare
/// businesses only; needs a sign-in within the last 10 minutes; audited. An unknown version is 404.
#[utoipa::path(
    tag = "Medical history",
    security(("bearer" = [])),
    params(("version" = i32, Path, description = "Version number, from 1", example = 1)),
    responses(
        (status = 200, description = "The version", body = MedicalHistoryVersion,
            example = json!({"version": 1, "created_at": "2026-11-20T08:00:00Z", "written_by": "practice", "content": {"allergies": "Penicilin", "medications": null, "conditions": null, "insurance": null, "emergency_contact": null, "notes": null}})),
        (status = 401, description = "Not signed in, or `reauth_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such version, or not a healthcare business", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customer/medical-history/versions/{version}")]
#[tracing::instrument(skip_all)]
pub async fn get_medical_version(
    state: web::Data<AppState>,
    customer: Customer,
    version: web::Path<String>,
) -> ApiResult<web::Json<MedicalHistoryVersion>> {
    require_healthcare(&customer.1)?;
    let scope = customer.recently_signed_in(state.clock.now())?;
    let number: i32 = version.parse().map_err(|_| ApiError::not_found())?;
    let actor = Actor::Customer {
        scope,
        company: &customer.1,
    };
    Ok(web::Json(
        medical::medical_history_version(&state.ctx(), actor, number).await?,
    ))
}

/// Give or withdraw consent to the medical history
///
/// The explicit consent (GDPR Art. 9) needed before the customer can write a medical history.
/// Withdrawing stops further versions; to have the stored ones deleted, erase the account or ask
/// the practice (it may have to keep treatment records). Healthcare businesses only; audited.
#[utoipa::path(
    tag = "Medical history",
    security(("bearer" = [])),
    request_body(content = SetMedicalConsent, example = json!({"granted": true})),
    responses(
        (status = 200, description = "The consent now", body = MedicalConsentResponse,
            example = json!({"granted": true, "granted_at": "2026-11-25T09:00:00Z"})),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a healthcare business", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid body (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/customer/medical-history/consent")]
#[tracing::instrument(skip_all)]
pub async fn set_medical_consent(
    state: web::Data<AppState>,
    customer: Customer,
    body: Json<SetMedicalConsent>,
) -> ApiResult<web::Json<MedicalConsentResponse>> {
    let actor = Actor::Customer {
        scope: &customer.0.scope,
        company: &customer.1,
    };
    Ok(web::Json(
        medical::set_medical_consent(&state.ctx(), actor, body.0.granted).await?,
    ))
}
