//! GDPR rights: `GET /api/customer/export`, `DELETE /api/customer`, `GET /api/customer/audit`.

use actix_web::{HttpResponse, delete, get, web};
use portal_api_types::{
    Problem,
    privacy::{AuditLog, DataExport, EraseAccount},
};
use portal_usecases::{Actor, privacy};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    error::ApiResult,
    extract::{Customer, NoBody, Query},
    state::AppState,
};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(export_data)
        .service(erase_account)
        .service(list_audit);
}

/// Export all personal data
///
/// One JSON document with everything the portal stores about the customer (GDPR Art. 15 and
/// 20): profile, appointments with their history, messages sent (SMS, email, push), support
/// messages, the consent register, devices (sessions and push subscriptions), every medical
/// history version (healthcare businesses) and the audit entries about the customer. Nothing
/// about anyone else. Needs a sign-in within the last 10 minutes (401 `reauth_required`); the
/// export itself is recorded in the audit log.
#[utoipa::path(
    tag = "Privacy",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The export", body = DataExport,
            example = json!({"exported_at": "2026-11-25T09:00:00Z", "profile": {"id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13", "phone": "+4915100000001", "name": "Anna Schmidt", "email": null, "email_verified": false, "pending_email": null, "language": "de", "address": null, "date_of_birth": null, "company": {"slug": "praxis-weber", "name": "Praxis Dr. Weber"}}, "appointments": [], "messages": [], "support_messages": [], "consents": [], "medical_history_consent_at": null, "medical_history": [], "devices": {"sessions": [], "push_subscriptions": []}, "audit": []})),
        (status = 401, description = "Not signed in, or `reauth_required`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customer/export")]
#[tracing::instrument(skip_all)]
pub async fn export_data(
    state: web::Data<AppState>,
    customer: Customer,
) -> ApiResult<HttpResponse> {
    let scope = customer.recently_signed_in(state.clock.now())?;
    let actor = Actor::Customer {
        scope,
        company: &customer.1,
    };
    let export = privacy::export_personal_data(&state.ctx(), actor).await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"personal-data.json\"",
        ))
        .json(export))
}

/// Erase the account
///
/// Deletes the customer's personal data for good (GDPR Art. 17). Send `?confirm=true`
/// (otherwise 422 `confirmation_required`); needs a sign-in within the last 10 minutes.
///
/// Removed: name, email, phone number, postal address, date of birth, the medical history, push
/// subscriptions, support chats, and the text and recipient of every message sent. Appointments
/// the business must keep (its record retention: by default 10 years for healthcare businesses,
/// none otherwise) stay without anything that identifies the customer; all other appointments
/// are deleted. Every session ends at once, and the business's systems receive a
/// `customer.erased` webhook. The phone number can afterwards sign up again as a new customer.
#[utoipa::path(
    tag = "Privacy",
    security(("bearer" = [])),
    params(EraseAccount),
    responses(
        (status = 204, description = "Erased; every token of the account stops working"),
        (status = 401, description = "Not signed in, or `reauth_required`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`confirmation_required`", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:confirmation_required", "title": "Confirmation required", "status": 422, "detail": "Send confirm=true to erase the account.", "code": "confirmation_required"})),
        (status = 503, description = "Database unavailable; nothing was erased", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/customer")]
#[tracing::instrument(skip_all)]
pub async fn erase_account(
    state: web::Data<AppState>,
    customer: Customer,
    _: NoBody,
    Query(query): Query<EraseAccount>,
) -> ApiResult<HttpResponse> {
    let scope = customer.recently_signed_in(state.clock.now())?;
    let actor = Actor::Customer {
        scope,
        company: &customer.1,
    };
    privacy::erase_account(&state.ctx(), actor, query.confirm).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Who accessed my data
///
/// The audit log about the customer, newest first: sign-ins, profile changes, every read and
/// write of the medical history — by the customer or by the business's staff through its
/// systems (`integrator:<key prefix>`) — exports and more, with time and, where known, address.
#[utoipa::path(
    tag = "Privacy",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The entries", body = AuditLog,
            example = json!({"items": [{"actor": "integrator:ab12cd34", "action": "medical_history.read", "target": "version 2", "ip": null, "at": "2026-11-25T10:00:00Z"}, {"actor": "customer", "action": "auth.sign_in", "target": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13", "ip": "203.0.113.9", "at": "2026-11-25T09:00:00Z"}]})),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customer/audit")]
#[tracing::instrument(skip_all)]
pub async fn list_audit(
    state: web::Data<AppState>,
    customer: Customer,
) -> ApiResult<web::Json<AuditLog>> {
    Ok(web::Json(AuditLog {
        items: privacy::access_log(&state.ctx(), &customer.0.scope).await?,
    }))
}
