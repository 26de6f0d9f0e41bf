//! GDPR rights: `GET /api/customer/export`, `DELETE /api/customer`, `GET /api/customer/audit`.

use actix_web::{HttpResponse, delete, get, web};
use portal_api_types::{
    ErrorCode, Problem,
    privacy::{
        AuditEntry, AuditLog, DataExport, EraseAccount, ExportAppointment, ExportAppointmentEvent,
        ExportDevices, ExportMessage, ExportPushSubscription, ExportSession, ExportSupportMessage,
    },
    webhooks::{CustomerErased, WebhookEvent, WebhookPayload},
};
use portal_db::{CustomerScope, audit, companies::Company, privacy, retention};
use portal_domain::Industry;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::extract::signed_in_customer;
use crate::{
    error::{ApiError, ApiResult},
    extract::{Customer, Json},
    medical,
    state::AppState,
    views::{consent_record, profile_response},
};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(export_data)
        .service(erase_account)
        .service(list_audit);
}

fn audit_entries(records: Vec<privacy::AuditRecord>) -> Vec<AuditEntry> {
    records
        .into_iter()
        .map(|r| AuditEntry {
            actor: r.actor,
            action: r.action,
            target: r.target,
            ip: r.ip,
            at: r.at,
        })
        .collect()
}

async fn build_export(
    state: &AppState,
    scope: &CustomerScope,
    company: &Company,
) -> ApiResult<DataExport> {
    let now = state.clock.now();
    let me = signed_in_customer(state, scope).await?;
    let consent_at = me.medical_consent_at;
    let medical_history = if company.industry == Industry::Healthcare {
        medical::all_versions(state, scope.company_id(), scope.customer_id()).await?
    } else {
        Vec::new()
    };
    let appointments = privacy::appointments(&state.db, scope)
        .await?
        .into_iter()
        .map(|a| ExportAppointment {
            id: a.id,
            branch: a.branch,
            staff: a.staff,
            service: a.service,
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            status: a.status,
            source: a.source,
            notes: a.notes,
            cancel_reason: a.cancel_reason,
            history: a
                .events
                .into_iter()
                .map(|e| ExportAppointmentEvent {
                    kind: e.kind,
                    actor: e.actor,
                    from_starts_at: e.from_starts_at,
                    to_starts_at: e.to_starts_at,
                    reason: e.reason,
                    at: e.at,
                })
                .collect(),
        })
        .collect();
    let messages = privacy::messages(&state.db, scope)
        .await?
        .into_iter()
        .map(|m| ExportMessage {
            id: m.id,
            channel: m.channel,
            kind: m.kind,
            recipient: m.recipient,
            subject: m.subject,
            body: m.body,
            status: m.status,
            created_at: m.created_at,
        })
        .collect();
    let support_messages = privacy::support_messages(&state.db, scope)
        .await?
        .into_iter()
        .map(|m| ExportSupportMessage {
            thread_id: m.thread_id,
            author: m.author,
            body: m.body,
            created_at: m.created_at,
        })
        .collect();
    let devices = ExportDevices {
        sessions: privacy::sessions(&state.db, scope)
            .await?
            .into_iter()
            .map(|s| ExportSession {
                id: s.id,
                user_agent: s.user_agent,
                ip: s.ip,
                created_at: s.created_at,
                last_used_at: s.last_used_at,
                ended_at: s.revoked_at,
            })
            .collect(),
        push_subscriptions: privacy::push_subscriptions(&state.db, scope)
            .await?
            .into_iter()
            .map(|p| ExportPushSubscription {
                endpoint: p.endpoint,
                user_agent: p.user_agent,
                created_at: p.created_at,
            })
            .collect(),
    };
    Ok(DataExport {
        exported_at: now,
        profile: profile_response(me, company),
        appointments,
        messages,
        support_messages,
        consents: portal_db::consents::history(&state.db, scope.company_id(), scope.customer_id())
            .await?
            .into_iter()
            .map(consent_record)
            .collect(),
        medical_history_consent_at: consent_at,
        medical_history,
        devices,
        audit: audit_entries(privacy::audit_entries(&state.db, scope).await?),
    })
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
    let scope = *customer.recently_signed_in(state.clock.now())?;
    let export = build_export(&state, &scope, &customer.1).await?;
    medical::audit_access(
        &state,
        scope.company_id(),
        scope.customer_id(),
        "customer",
        "privacy.export",
        None,
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"personal-data.json\"",
        ))
        .json(export))
}

/// Erase the account
///
/// Deletes the customer's personal data for good (GDPR Art. 17). Send `{"confirm": true}`
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
    request_body(content = EraseAccount, example = json!({"confirm": true})),
    responses(
        (status = 204, description = "Erased; every token of the account stops working"),
        (status = 401, description = "Not signed in, or `reauth_required`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`confirmation_required`", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:confirmation_required", "title": "Confirmation required", "status": 422, "detail": "Send {\"confirm\": true} to erase the account.", "code": "confirmation_required"})),
        (status = 503, description = "Database unavailable; nothing was erased", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/customer")]
#[tracing::instrument(skip_all)]
pub async fn erase_account(
    state: web::Data<AppState>,
    customer: Customer,
    body: Json<EraseAccount>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let scope = *customer.recently_signed_in(now)?;
    if !body.0.confirm {
        return Err(ApiError::new(
            ErrorCode::ConfirmationRequired,
            "Send {\"confirm\": true} to erase the account.",
        ));
    }
    let keep_since = retention::keep_appointments_since(&state.db, scope.company_id(), now).await?;
    let payload = serde_json::to_value(WebhookPayload {
        created_at: now,
        event: WebhookEvent::CustomerErased(CustomerErased {
            customer_id: scope.customer_id().as_uuid(),
        }),
    })
    .map_err(ApiError::internal)?;
    let erased = privacy::erase(
        &state.db,
        &scope,
        keep_since,
        ("customer.erased", &payload),
        now,
    )
    .await?
    .ok_or_else(ApiError::unauthorized)?;
    audit::record(
        &state.db,
        audit::AuditEntry {
            company_id: scope.company_id(),
            customer_id: Some(scope.customer_id()),
            actor: "customer",
            action: "privacy.erase",
            target: None,
            ip: None,
        },
        now,
    )
    .await?;
    tracing::info!(
        customer = %scope.customer_id(),
        kept = erased.appointments_kept,
        deleted = erased.appointments_deleted,
        sessions = erased.sessions_ended,
        "customer erased"
    );
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
        items: audit_entries(privacy::audit_entries(&state.db, &customer.0.scope).await?),
    }))
}
