//! `/appointments`: what the AI phone assistant and booking systems book, move and cancel.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::Utc;
use portal_api_types::{
    ErrorCode, Problem,
    appointments::{
        BusinessCancel, CreateAppointment, IntegratorAppointment, IntegratorAppointmentList,
        SlotList, UpdateAppointment,
    },
};
use portal_db::api_keys::ApiScope;
use portal_usecases::{
    Actor,
    appointments::{self as uc, BookAppointment, CompanyListInput},
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::{auth::Integrator, query::QueryParams};
use crate::{
    error::{ApiError, ApiResult},
    extract::Json,
    state::AppState,
    views::integrator_record,
};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_appointment)
        .service(list_appointments)
        .service(get_appointment)
        .service(update_appointment)
        .service(cancel_appointment)
        .service(availability);
}

/// Find free times
///
/// Free start times for a service at a branch — with one staff member, or with everyone at the
/// branch who performs it — computed with the same rules as the customer's slot search: working
/// hours, time off, the service's buffers, other appointments and daylight-saving changes in the
/// branch's zone. From now (a booking by the business needs no notice) to the company's booking
/// horizon, at most 31 days per call, the earliest `limit` starts. Book one with `POST
/// /appointments` using its `starts_at` and `staff.id`. A branch key sees only its branch.
#[utoipa::path(
    operation_id = "integrator_find_availability",
    tag = "Integrations",
    security(("api_key" = [])),
    params(
        ("branch_id" = Uuid, Query, description = "The branch"),
        ("service_id" = Uuid, Query, description = "The service (its duration and buffers apply)"),
        ("staff_id" = Option<Uuid>, Query, description = "Only this staff member; default anyone at the branch who performs the service"),
        ("from" = Option<chrono::DateTime<chrono::Utc>>, Query, description = "Earliest start (RFC 3339); default now"),
        ("to" = Option<chrono::DateTime<chrono::Utc>>, Query, description = "Latest start, exclusive (RFC 3339); default 7 days after `from`, at most 31 days after it"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "At most this many starts, the earliest (default 50)"),
    ),
    responses(
        (status = 200, description = "Free starts, ascending by time, then staff name", body = SlotList,
            example = json!({"timezone": "Europe/Berlin", "slots": [{"starts_at": "2026-12-02T09:00:00+01:00", "ends_at": "2026-12-02T09:30:00+01:00", "staff": {"id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d15", "name": "Dr. Lena Weber"}}]})),
        (status = 403, description = "No `appointments` scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown branch, service or staff member, or an invalid range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/availability")]
#[tracing::instrument(skip_all)]
pub async fn availability(
    state: web::Data<AppState>,
    integrator: Integrator,
    req: HttpRequest,
) -> ApiResult<web::Json<SlotList>> {
    let scope = integrator.require(ApiScope::Appointments)?;
    let query = QueryParams::parse(
        &req,
        &["branch_id", "service_id", "staff_id", "from", "to", "limit"],
    )?;
    let required = |name: &str| {
        query
            .uuid(name)?
            .ok_or_else(|| ApiError::invalid_field(ErrorCode::ValidationFailed, name, "required"))
    };
    let limit = query.limit("limit")?.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid_field(
            ErrorCode::ValidationFailed,
            "limit",
            "between 1 and 100",
        ));
    }
    let search = uc::AvailabilitySearch {
        branch_id: required("branch_id")?,
        service_id: required("service_id")?,
        staff_id: query.uuid("staff_id")?,
        from: query.instant("from")?,
        to: query.instant("to")?,
        limit: usize::try_from(limit).unwrap_or(100),
    };
    let found = uc::find_availability(&state.ctx(), Actor::Integrator(scope), search).await?;
    Ok(web::Json(portal_usecases::views::slot_list(&found)))
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
    let input = BookAppointment {
        branch_id: body.branch_id,
        staff_id: body.staff_id,
        service_id: body.service_id,
        customer_id: body.customer_id,
        starts_at: body.starts_at.with_timezone(&Utc),
        status: body.status,
        source: body.source,
        external_ref: body.external_ref,
        notes: body.notes,
    };
    let booked = uc::book_appointment(&state.ctx(), Actor::Integrator(scope), input).await?;
    Ok(HttpResponse::Created().json(integrator_record(&booked)?))
}

/// List appointments
///
/// The company's appointments (a branch key: its branch's), by start, filtered by customer, branch,
/// staff member and start range, a page at a time.
#[utoipa::path(
    operation_id = "integrator_list_appointments",
    tag = "Integrations",
    security(("api_key" = [])),
    params(
        ("customer_id" = Option<Uuid>, Query, description = "Only this customer's"),
        ("branch_id" = Option<Uuid>, Query, description = "Only this branch's"),
        ("staff_id" = Option<Uuid>, Query, description = "Only this staff member's"),
        ("from" = Option<chrono::DateTime<chrono::Utc>>, Query, description = "Starting at or after (RFC 3339)"),
        ("to" = Option<chrono::DateTime<chrono::Utc>>, Query, description = "Starting before (RFC 3339)"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Page size, 1–100 (default 50)"),
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
    let input = CompanyListInput {
        customer_id: query.uuid("customer_id")?,
        branch_id: query.uuid("branch_id")?,
        staff_id: query.uuid("staff_id")?,
        from: query.instant("from")?,
        to: query.instant("to")?,
        cursor: query.text("cursor").map(str::to_owned),
        limit: query.limit("limit")?,
    };
    let page = uc::list_company_appointments(&state.ctx(), scope, input).await?;
    let items = page
        .items
        .iter()
        .map(integrator_record)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(web::Json(IntegratorAppointmentList {
        items,
        next_cursor: page.next_cursor,
    }))
}

/// Get an appointment
///
/// One appointment of the company (a branch key: of its branch; anything else is 404).
#[utoipa::path(
    operation_id = "integrator_get_appointment",
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
    let a = uc::get_appointment(&state.ctx(), Actor::Integrator(scope), id.into_inner()).await?;
    Ok(web::Json(integrator_record(&a)?))
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
    let input = uc::UpdateAppointment {
        version: body.version,
        starts_at: body.starts_at.map(|s| s.with_timezone(&Utc)),
        staff_id: body.staff_id,
        status: body.status,
        notes: body.notes,
        external_ref: body.external_ref,
    };
    let updated = uc::update_appointment(
        &state.ctx(),
        Actor::Integrator(scope),
        id.into_inner(),
        input,
    )
    .await?;
    Ok(web::Json(integrator_record(&updated)?))
}

/// Cancel an appointment
///
/// Cancels on the business's side: no notice rules apply. The reason is shown to the customer.
#[utoipa::path(
    operation_id = "integrator_cancel_appointment",
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
    let cancelled = uc::cancel_appointment(
        &state.ctx(),
        Actor::Integrator(scope),
        id.into_inner(),
        body.0.reason,
    )
    .await?;
    Ok(web::Json(integrator_record(&cancelled)?))
}
