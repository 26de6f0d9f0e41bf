//! `/appointments`: what the AI phone assistant and booking systems book, move and cancel.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{Duration, Utc};
use portal_api_types::{
    ErrorCode, Problem,
    appointments::{
        AppointmentStatus as Status, BusinessCancel, CreateAppointment, IntegratorAppointment,
        IntegratorAppointmentList, UpdateAppointment,
    },
};
use portal_db::{
    api_keys::{ApiScope, IntegratorScope},
    appointments::{
        self as repo, Actor, Appointment, Effects, ListFilter, NewAppointment, WriteOutcome,
    },
    catalog,
};
use portal_domain::{
    CustomerId,
    ids::{BranchId, ServiceId, StaffId},
    schedule::AppointmentStatus,
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::{auth::Integrator, query::QueryParams};
use portal_notify::messages::AppointmentEvent;

use crate::{
    appointments::{local, reference, zone},
    error::{ApiError, ApiResult},
    extract::Json,
    messages,
    routes::appointments::{decode_cursor, encode_cursor},
    state::AppState,
};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_appointment)
        .service(list_appointments)
        .service(get_appointment)
        .service(update_appointment)
        .service(cancel_appointment);
}

fn domain_status(s: Status) -> AppointmentStatus {
    match s {
        Status::Booked => AppointmentStatus::Booked,
        Status::Confirmed => AppointmentStatus::Confirmed,
        Status::Cancelled => AppointmentStatus::Cancelled,
        Status::Completed => AppointmentStatus::Completed,
        Status::NoShow => AppointmentStatus::NoShow,
    }
}

fn record(a: &Appointment) -> ApiResult<IntegratorAppointment> {
    let tz = zone(a)?;
    let status = crate::appointments::api_status(a.status);
    Ok(IntegratorAppointment {
        id: a.id,
        reference: reference(a.id),
        branch_id: a.branch.id,
        staff_id: a.staff_id,
        service_id: a.service.id,
        customer_id: a.customer_id.as_uuid(),
        starts_at: local(a.starts_at, tz),
        ends_at: local(a.ends_at, tz),
        timezone: tz.name().to_owned(),
        status,
        source: a.source.clone(),
        external_ref: a.external_ref.clone(),
        cancellation: crate::appointments::cancellation(a, tz),
        version: a.version,
    })
}

fn actor(scope: &IntegratorScope) -> Actor {
    Actor {
        name: format!("integrator:{}", scope.key_prefix()),
        id: Some(scope.key_id().to_string()),
    }
}

fn only_branch(scope: &IntegratorScope) -> Option<Uuid> {
    scope.branch_id().map(BranchId::as_uuid)
}

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::invalid_field(ErrorCode::ValidationFailed, field, message)
}

fn text_field(field: &str, value: Option<String>, max: usize) -> ApiResult<Option<String>> {
    let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    if value.as_ref().is_some_and(|v| v.chars().count() > max) {
        return Err(invalid(field, &format!("at most {max} characters")));
    }
    Ok(value)
}

async fn load(state: &AppState, scope: &IntegratorScope, id: Uuid) -> ApiResult<Appointment> {
    repo::find(&state.db, scope.company_id(), only_branch(scope), id)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// Checks that `staff` (visible to the key) performs `service`.
async fn check_performer(
    state: &AppState,
    scope: &IntegratorScope,
    staff: Uuid,
    service: Uuid,
    field: &str,
) -> ApiResult<()> {
    let services = catalog::staff_services(
        &state.db,
        scope.company_id(),
        scope.branch_id(),
        StaffId::from_uuid(staff),
    )
    .await?
    .ok_or_else(|| invalid(field, "no such staff member"))?;
    if services.contains(&ServiceId::from_uuid(service)) {
        Ok(())
    } else {
        Err(invalid(
            field,
            "this staff member does not perform the service",
        ))
    }
}

/// Book an appointment
///
/// Books a service with a staff member at a branch for a customer. The end follows from the
/// service's duration. The staff member must perform the service and be free (no other active
/// appointment or time off overlapping): otherwise 409 `slot_unavailable`, checked in the same
/// transaction as the insert, so two bookings can never take the same time. Working hours are not
/// enforced here — the business may book outside them. Send an `Idempotency-Key`.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("Idempotency-Key" = String, Header, description = "Unique per booking attempt; a repeat returns the first answer")),
    request_body(content = CreateAppointment, example = json!({"branch_id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d16", "staff_id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d15",
        "service_id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d14", "customer_id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13", "starts_at": "2026-12-01T10:00:00+01:00", "external_ref": "call-4711"})),
    responses(
        (status = 201, description = "Booked", body = IntegratorAppointment),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `appointments` scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`slot_unavailable`: the staff member is busy then", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:slot_unavailable", "title": "Time no longer available", "status": 409, "detail": "The staff member is not free at that time.", "code": "slot_unavailable"})),
        (status = 422, description = "Unknown branch, staff, service or customer, or invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/appointments")]
#[tracing::instrument(skip_all)]
pub async fn create_appointment(
    state: web::Data<AppState>,
    integrator: Integrator,
    body: Json<CreateAppointment>,
) -> ApiResult<HttpResponse> {
    let scope = integrator.require(ApiScope::Appointments)?;
    let body = body.0;
    let company = scope.company_id();
    catalog::find_branch(
        &state.db,
        company,
        scope.branch_id(),
        BranchId::from_uuid(body.branch_id),
    )
    .await?
    .ok_or_else(|| invalid("branch_id", "no such branch"))?;
    let service = catalog::find_service(&state.db, company, ServiceId::from_uuid(body.service_id))
        .await?
        .ok_or_else(|| invalid("service_id", "no such service"))?;
    check_performer(&state, scope, body.staff_id, body.service_id, "staff_id").await?;
    catalog::find_customer(&state.db, company, CustomerId::from_uuid(body.customer_id))
        .await?
        .ok_or_else(|| invalid("customer_id", "no such customer"))?;
    let status = match body.status.map(domain_status) {
        None => AppointmentStatus::Booked,
        Some(s @ (AppointmentStatus::Booked | AppointmentStatus::Confirmed)) => s,
        Some(_) => {
            return Err(invalid(
                "status",
                "a new appointment is booked or confirmed",
            ));
        }
    };
    let source = body.source.unwrap_or_else(|| "phone_assistant".into());
    if !["phone_assistant", "integrator", "staff"].contains(&source.as_str()) {
        return Err(invalid(
            "source",
            "one of phone_assistant, integrator, staff",
        ));
    }
    let starts_at = body.starts_at.with_timezone(&Utc);
    let new = NewAppointment {
        company_id: company,
        branch_id: body.branch_id,
        staff_id: body.staff_id,
        service_id: body.service_id,
        customer_id: CustomerId::from_uuid(body.customer_id),
        starts_at,
        ends_at: starts_at + Duration::minutes(service.duration_minutes.into()),
        status,
        source,
        external_ref: text_field("external_ref", body.external_ref, 200)?,
        notes: text_field("notes", body.notes, 2000)?,
    };
    let id = repo::create(&state.db, new, &actor(scope), state.clock.now())
        .await?
        .map_err(|_| {
            ApiError::new(
                ErrorCode::SlotUnavailable,
                "The staff member is not free at that time.",
            )
        })?;
    let booked = load(&state, scope, id).await?;
    // Queued after the booking committed: a crash in between loses this confirmation, not the
    // booking (repo::create takes no effects yet).
    let company_row = super::company_of(&state, scope).await?;
    for message in messages::for_appointment(
        &state,
        &company_row,
        &booked,
        AppointmentEvent::Booked,
        None,
    )
    .await?
    {
        portal_db::notifications::queue(&state.db, message, state.clock.now()).await?;
    }
    messages::appointment_changed(&state, &booked, "booked");
    Ok(HttpResponse::Created().json(record(&booked)?))
}

/// List appointments
///
/// The company's appointments (a branch key: its branch's), by start, filtered by customer, branch,
/// staff member and start range, a page at a time.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(
        ("customer_id" = Option<Uuid>, Query, description = "Only this customer's"),
        ("branch_id" = Option<Uuid>, Query, description = "Only this branch's"),
        ("staff_id" = Option<Uuid>, Query, description = "Only this staff member's"),
        ("from" = Option<String>, Query, description = "Starting at or after (RFC 3339)"),
        ("to" = Option<String>, Query, description = "Starting before (RFC 3339)"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("limit" = Option<u32>, Query, description = "Page size, 1–100 (default 50)"),
    ),
    responses(
        (status = 200, description = "A page of appointments", body = IntegratorAppointmentList,
            example = json!({"items": [], "next_cursor": null})),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `appointments` scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/appointments")]
#[tracing::instrument(skip_all)]
pub async fn list_appointments(
    state: web::Data<AppState>,
    integrator: Integrator,
    req: HttpRequest,
) -> ApiResult<web::Json<IntegratorAppointmentList>> {
    let scope = integrator.require(ApiScope::Appointments)?;
    let query = QueryParams::parse(
        &req,
        &[
            "customer_id",
            "branch_id",
            "staff_id",
            "from",
            "to",
            "cursor",
            "limit",
        ],
    )?;
    let requested_branch = query.uuid("branch_id")?;
    let branch = match (only_branch(scope), requested_branch) {
        (Some(own), Some(other)) if own != other => {
            return Ok(web::Json(IntegratorAppointmentList {
                items: vec![],
                next_cursor: None,
            }));
        }
        (Some(own), _) => Some(own),
        (None, requested) => requested,
    };
    let filter = ListFilter {
        customer: query.uuid("customer_id")?.map(CustomerId::from_uuid),
        branch,
        staff: query.uuid("staff_id")?,
        from: query.instant("from")?,
        to: query.instant("to")?,
    };
    let after = match query.text("cursor") {
        Some(c) => {
            Some(decode_cursor(c).ok_or_else(|| invalid("cursor", "not a cursor from this list"))?)
        }
        None => None,
    };
    let limit = match query.text("limit") {
        None => super::query::DEFAULT_LIMIT,
        Some(l) => l
            .parse()
            .ok()
            .filter(|l| (1..=super::query::MAX_LIMIT).contains(l))
            .ok_or_else(|| invalid("limit", "between 1 and 100"))?,
    };
    let mut page = repo::list(&state.db, scope.company_id(), &filter, after, limit + 1).await?;
    let next_cursor = if page.len() as u64 > limit {
        page.truncate(limit as usize);
        page.last().map(encode_cursor)
    } else {
        None
    };
    let items = page.iter().map(record).collect::<ApiResult<Vec<_>>>()?;
    Ok(web::Json(IntegratorAppointmentList { items, next_cursor }))
}

/// Get an appointment
///
/// One appointment of the company (a branch key: of its branch; anything else is 404).
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "Appointment id")),
    responses(
        (status = 200, description = "The appointment", body = IntegratorAppointment),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `appointments` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such appointment for this key", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:not_found", "title": "Not found", "status": 404, "detail": "The requested resource does not exist.", "code": "not_found"})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/appointments/{id}")]
#[tracing::instrument(skip_all)]
pub async fn get_appointment(
    state: web::Data<AppState>,
    integrator: Integrator,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<IntegratorAppointment>> {
    let scope = integrator.require(ApiScope::Appointments)?;
    Ok(web::Json(record(
        &load(&state, scope, id.into_inner()).await?,
    )?))
}

/// Update an appointment
///
/// Moves it (`starts_at`, `staff_id`; the staff member must be free — 409 `slot_unavailable`),
/// changes its status to `confirmed`, `completed` or `no_show`, or sets notes and your reference.
/// Send the `version` you read: if the appointment changed since (for example the customer moved
/// it), the answer is 409 `conflict` and nothing changes.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "Appointment id")),
    request_body(content = UpdateAppointment, example = json!({"version": 2, "status": "confirmed"})),
    responses(
        (status = 200, description = "Updated", body = IntegratorAppointment),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `appointments` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such appointment for this key", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`slot_unavailable`, `conflict` (stale version) or `already_cancelled`", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:conflict", "title": "Conflict", "status": 409, "detail": "The appointment changed since version 2; read it again.", "code": "conflict"})),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/appointments/{id}")]
#[tracing::instrument(skip_all)]
pub async fn update_appointment(
    state: web::Data<AppState>,
    integrator: Integrator,
    id: web::Path<Uuid>,
    body: Json<UpdateAppointment>,
) -> ApiResult<web::Json<IntegratorAppointment>> {
    let scope = integrator.require(ApiScope::Appointments)?;
    let body = body.0;
    let now = state.clock.now();
    let appointment = load(&state, scope, id.into_inner()).await?;
    let stale = || {
        ApiError::new(
            ErrorCode::Conflict,
            format!(
                "The appointment changed since version {}; read it again.",
                body.version
            ),
        )
    };
    if appointment.version != body.version {
        return Err(stale());
    }
    if appointment.status == AppointmentStatus::Cancelled {
        return Err(ApiError::new(
            ErrorCode::AlreadyCancelled,
            "This appointment is cancelled.",
        ));
    }
    let mut version = body.version;
    if body.starts_at.is_some() || body.staff_id.is_some() {
        let staff = body.staff_id.unwrap_or(appointment.staff_id);
        if staff != appointment.staff_id {
            check_performer(&state, scope, staff, appointment.service.id, "staff_id").await?;
        }
        let starts_at = body
            .starts_at
            .map_or(appointment.starts_at, |s| s.with_timezone(&Utc));
        let ends_at = starts_at + (appointment.ends_at - appointment.starts_at);
        let company = super::company_of(&state, scope).await?;
        let queued = if starts_at == appointment.starts_at {
            Vec::new()
        } else {
            messages::for_appointment(
                &state,
                &company,
                &appointment,
                AppointmentEvent::Rescheduled,
                Some((starts_at, ends_at)),
            )
            .await?
        };
        let outcome = repo::reschedule(
            &state.db,
            scope.company_id(),
            None,
            appointment.id,
            version,
            staff,
            starts_at,
            ends_at,
            &actor(scope),
            Effects {
                messages: queued,
                webhook: None,
            },
            now,
        )
        .await?;
        match outcome {
            WriteOutcome::Done => version += 1,
            WriteOutcome::SlotTaken => {
                return Err(ApiError::new(
                    ErrorCode::SlotUnavailable,
                    "The staff member is not free at that time.",
                ));
            }
            WriteOutcome::Stale => return Err(stale()),
        }
    }
    let status = match body.status.map(domain_status) {
        None => None,
        Some(
            s @ (AppointmentStatus::Confirmed
            | AppointmentStatus::Completed
            | AppointmentStatus::NoShow),
        ) => Some(s),
        Some(_) => {
            return Err(invalid(
                "status",
                "one of confirmed, completed, no_show (cancel with the cancel operation)",
            ));
        }
    };
    let notes = body
        .notes
        .map(|n| text_field("notes", Some(n), 2000))
        .transpose()?;
    let external_ref = body
        .external_ref
        .map(|r| text_field("external_ref", Some(r), 200))
        .transpose()?;
    if status.is_some() || notes.is_some() || external_ref.is_some() {
        match repo::update_details(
            &state.db,
            scope.company_id(),
            appointment.id,
            version,
            status,
            notes,
            external_ref,
            &actor(scope),
            now,
        )
        .await?
        {
            WriteOutcome::Done => {}
            _ => return Err(stale()),
        }
    }
    let updated = load(&state, scope, appointment.id).await?;
    if updated.version != appointment.version {
        messages::appointment_changed(&state, &updated, "updated");
    }
    Ok(web::Json(record(&updated)?))
}

/// Cancel an appointment
///
/// Cancels on the business's side: no notice rules apply. The reason is shown to the customer.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "Appointment id"), ("Idempotency-Key" = String, Header, description = "Unique per request")),
    request_body(content = BusinessCancel, example = json!({"reason": "Die Praxis ist an diesem Tag geschlossen."})),
    responses(
        (status = 200, description = "Cancelled", body = IntegratorAppointment),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `appointments` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such appointment for this key", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already_cancelled`, or `appointment_not_active` for completed and missed ones", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:already_cancelled", "title": "Already cancelled", "status": 409, "detail": "This appointment is already cancelled.", "code": "already_cancelled"})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/appointments/{id}/cancel")]
#[tracing::instrument(skip_all)]
pub async fn cancel_appointment(
    state: web::Data<AppState>,
    integrator: Integrator,
    id: web::Path<Uuid>,
    body: Json<BusinessCancel>,
) -> ApiResult<web::Json<IntegratorAppointment>> {
    let scope = integrator.require(ApiScope::Appointments)?;
    let appointment = load(&state, scope, id.into_inner()).await?;
    match appointment.status {
        AppointmentStatus::Cancelled => {
            return Err(ApiError::new(
                ErrorCode::AlreadyCancelled,
                "This appointment is already cancelled.",
            ));
        }
        AppointmentStatus::Completed | AppointmentStatus::NoShow => {
            return Err(ApiError::new(
                ErrorCode::AppointmentNotActive,
                "This appointment can no longer be changed.",
            ));
        }
        AppointmentStatus::Booked | AppointmentStatus::Confirmed => {}
    }
    let reason = text_field("reason", body.0.reason, 500)?;
    let company = super::company_of(&state, scope).await?;
    let queued = messages::for_appointment(
        &state,
        &company,
        &appointment,
        AppointmentEvent::Cancelled,
        None,
    )
    .await?;
    let outcome = repo::cancel(
        &state.db,
        scope.company_id(),
        None,
        appointment.id,
        appointment.version,
        reason.as_deref(),
        &actor(scope),
        Effects {
            messages: queued,
            webhook: None,
        },
        state.clock.now(),
    )
    .await?;
    if outcome != WriteOutcome::Done {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "The appointment changed meanwhile; read it again.",
        ));
    }
    let cancelled = load(&state, scope, appointment.id).await?;
    messages::appointment_changed(&state, &cancelled, "cancelled");
    Ok(web::Json(record(&cancelled)?))
}
