//! `/api/customer/appointments`: the customer's appointments — list, detail, cancel, free slots,
//! reschedule and confirmations.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use portal_api_types::{
    Problem,
    appointments::{
        AppointmentDetail, AppointmentList, AppointmentResponse, AppointmentScope,
        CancelAppointment, RescheduleAppointment, SlotList,
    },
};
use portal_db::appointments::Period;
use portal_usecases::{
    Actor,
    appointments::{self as uc, SlotSearch},
};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{
    error::{ApiError, ApiResult},
    extract::{Customer, Json, NoBody, Query},
    state::AppState,
    views,
};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_appointments)
        .service(get_appointment)
        .service(cancel_appointment)
        .service(delete_appointment)
        .service(list_slots)
        .service(reschedule_appointment)
        .service(confirmation_ics)
        .service(confirmation_pdf);
}

/// Query of the list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `upcoming` (default; not yet ended, soonest first), `past` (latest first) or `all`.
    #[param(inline)]
    scope: Option<AppointmentScope>,
    /// From the previous page's `next_cursor`.
    cursor: Option<String>,
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u64>,
}

/// List appointments
///
/// The signed-in customer's appointments, a page at a time. `upcoming` holds everything not yet
/// ended (cancelled ones too, marked), soonest first; `past` the rest, latest first. Each item says
/// whether it may be cancelled or moved online right now and until when.
#[utoipa::path(
    operation_id = "customer_list_appointments",
    tag = "Appointments",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "A page of appointments", body = AppointmentList,
            example = json!({"items": [{"id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13", "reference": "7Q4K-M2XD", "status": "booked",
                "starts_at": "2026-12-01T10:00:00+01:00", "ends_at": "2026-12-01T10:30:00+01:00", "timezone": "Europe/Berlin",
                "service": {"id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d14", "name": "Kontrolluntersuchung", "duration_minutes": 30},
                "staff": {"id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d15", "name": "Dr. Weber"},
                "branch": {"id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d16", "name": "Praxis Mitte", "address": ["Friedrichstraße 12", "10117 Berlin"], "phone": "+493012345670", "timezone": "Europe/Berlin"},
                "can_cancel": {"allowed": true, "deadline": "2026-11-30T10:00:00+01:00"},
                "can_reschedule": {"allowed": true, "deadline": "2026-11-30T10:00:00+01:00"},
                "cancellation": null}], "next_cursor": null})),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown scope, bad cursor or limit", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customer/appointments")]
#[tracing::instrument(skip_all)]
pub async fn list_appointments(
    state: web::Data<AppState>,
    customer: Customer,
    Query(query): Query<ListQuery>,
) -> ApiResult<web::Json<AppointmentList>> {
    let period = match query.scope.unwrap_or(AppointmentScope::Upcoming) {
        AppointmentScope::Upcoming => Period::Upcoming,
        AppointmentScope::Past => Period::Past,
        AppointmentScope::All => Period::All,
    };
    let page = uc::list_customer_appointments(
        &state.ctx(),
        &customer.0.scope,
        period,
        query.cursor.as_deref(),
        query.limit,
    )
    .await?;
    let now = state.clock.now();
    let items = page
        .items
        .iter()
        .map(|a| views::customer_view(a, &customer.1, now))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(web::Json(AppointmentList {
        items,
        next_cursor: page.next_cursor,
    }))
}

/// Get an appointment
///
/// One appointment with its history: booked, rescheduled from → to, cancelled — by whom and when.
/// Someone else's appointment answers 404, exactly like a missing one.
#[utoipa::path(
    operation_id = "customer_get_appointment",
    tag = "Appointments",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Appointment id")),
    responses(
        (status = 200, description = "The appointment and its history", body = AppointmentDetail),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such appointment of this customer", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:not_found", "title": "Not found", "status": 404, "detail": "The requested resource does not exist.", "code": "not_found"})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customer/appointments/{id}")]
#[tracing::instrument(skip_all)]
pub async fn get_appointment(
    state: web::Data<AppState>,
    customer: Customer,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<AppointmentDetail>> {
    let history = uc::appointment_history(&state.ctx(), actor(&customer), id.into_inner()).await?;
    Ok(web::Json(views::customer_detail(
        &history,
        &customer.1,
        state.clock.now(),
    )?))
}

/// The signed-in customer as the use cases know them.
fn actor(customer: &Customer) -> Actor<'_> {
    Actor::Customer {
        scope: &customer.0.scope,
        company: &customer.1,
    }
}

/// Cancel an appointment
///
/// Cancels the appointment if the company's rules allow it: until the notice period before the
/// start (default 24 hours; a service may set its own), and always within 10 minutes after booking.
/// Inside the notice period the answer is 409 `cancellation_window_closed` with the `deadline` and
/// the branch's `phone`. The business is told, and the customer gets a confirmation by SMS. The
/// same as `DELETE /api/customer/appointments/{id}?reason=…`.
#[utoipa::path(
    operation_id = "customer_cancel_appointment",
    tag = "Appointments",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Appointment id")),
    request_body(content = CancelAppointment, description = "`{}`, or a reason for the business", example = json!({"reason": "Ich bin krank."})),
    responses(
        (status = 200, description = "Cancelled; the updated appointment", body = AppointmentResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such appointment of this customer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`cancellation_window_closed` (with `deadline` and `phone`), `already_cancelled`, `appointment_in_past`, `appointment_not_active`, or `conflict` when it changed meanwhile", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:cancellation_window_closed", "title": "Too late to cancel online", "status": 409,
                "detail": "Changes online were possible until 2026-11-30T10:00:00+01:00. Please call +493012345670.", "code": "cancellation_window_closed",
                "deadline": "2026-11-30T10:00:00+01:00", "phone": "+493012345670"})),
        (status = 422, description = "Reason longer than 500 characters or unknown fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/customer/appointments/{id}/cancel")]
#[tracing::instrument(skip_all)]
pub async fn cancel_appointment(
    state: web::Data<AppState>,
    customer: Customer,
    id: web::Path<Uuid>,
    body: Json<CancelAppointment>,
) -> ApiResult<web::Json<AppointmentResponse>> {
    cancel(&state, &customer, id.into_inner(), body.0.reason).await
}

/// Cancel an appointment (DELETE)
///
/// `POST /api/customer/appointments/{id}/cancel` as a DELETE: the optional reason is a query
/// parameter, and a body is refused (422) rather than ignored.
#[utoipa::path(
    operation_id = "customer_delete_appointment",
    tag = "Appointments",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Appointment id"), CancelQuery),
    responses(
        (status = 200, description = "Cancelled; the updated appointment", body = AppointmentResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such appointment of this customer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "As for `POST …/cancel`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Reason longer than 500 characters, or a body was sent", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/customer/appointments/{id}")]
#[tracing::instrument(skip_all)]
pub async fn delete_appointment(
    state: web::Data<AppState>,
    customer: Customer,
    id: web::Path<Uuid>,
    _: NoBody,
    Query(query): Query<CancelQuery>,
) -> ApiResult<web::Json<AppointmentResponse>> {
    cancel(&state, &customer, id.into_inner(), query.reason).await
}

/// The options of `DELETE /api/customer/appointments/{id}`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CancelQuery {
    /// Why (optional, up to 500 characters); shown to the business.
    #[param(max_length = 500, example = "Ich bin krank.")]
    reason: Option<String>,
}

async fn cancel(
    state: &AppState,
    customer: &Customer,
    id: Uuid,
    reason: Option<String>,
) -> ApiResult<web::Json<AppointmentResponse>> {
    let cancelled = uc::cancel_appointment(&state.ctx(), actor(customer), id, reason).await?;
    Ok(web::Json(views::customer_view(
        &cancelled,
        &customer.1,
        state.clock.now(),
    )?))
}

/// Query of the slot search.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotQuery {
    /// Earliest start (RFC 3339); default now.
    from: Option<DateTime<chrono::FixedOffset>>,
    /// Latest start, exclusive (RFC 3339); default 7 days after `from`; at most 31 days after it.
    to: Option<DateTime<chrono::FixedOffset>>,
    /// Also offer other staff who perform the same service at the same branch.
    any_staff: Option<bool>,
}

/// Free slots to move an appointment to
///
/// Free start times for the same service at the same branch — with the same person by default,
/// with anyone who performs it when `any_staff=true` — computed from working hours, time off,
/// other appointments and the service's buffers in the branch's time zone (correct across
/// daylight-saving changes), no earlier than the notice period and no later than the booking
/// horizon (default 60 days).
#[utoipa::path(
    tag = "Appointments",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Appointment id"), SlotQuery),
    responses(
        (status = 200, description = "Free slots, ascending", body = SlotList,
            example = json!({"timezone": "Europe/Berlin", "slots": [{"starts_at": "2026-12-02T09:15:00+01:00", "ends_at": "2026-12-02T09:45:00+01:00", "staff": {"id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d15", "name": "Dr. Weber"}}]})),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such appointment of this customer", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`to` before `from` or more than 31 days later", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customer/appointments/{id}/slots")]
#[tracing::instrument(skip_all)]
pub async fn list_slots(
    state: web::Data<AppState>,
    customer: Customer,
    id: web::Path<Uuid>,
    Query(query): Query<SlotQuery>,
) -> ApiResult<web::Json<SlotList>> {
    let search = SlotSearch {
        from: query.from.map(|f| f.with_timezone(&Utc)),
        to: query.to.map(|t| t.with_timezone(&Utc)),
        any_staff: query.any_staff.unwrap_or(false),
    };
    let found =
        uc::find_free_slots(&state.ctx(), actor(&customer), id.into_inner(), search).await?;
    Ok(web::Json(views::slot_list(&found)))
}

/// Reschedule an appointment
///
/// Moves the appointment to a free slot from the slot list (same service and branch; another staff
/// member with `staff_id`). The same notice rules as for cancelling apply (409
/// `reschedule_window_closed`). The move is one transaction that re-checks the slot, so two
/// customers can never get the same time: the loser gets 409 `slot_unavailable`. The customer gets
/// a confirmation by SMS and the history records from → to.
#[utoipa::path(
    tag = "Appointments",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Appointment id")),
    request_body(content = RescheduleAppointment, example = json!({"starts_at": "2026-12-02T09:15:00+01:00"})),
    responses(
        (status = 200, description = "Moved; the updated appointment", body = AppointmentResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such appointment of this customer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`slot_unavailable`, `reschedule_window_closed` (with `deadline` and `phone`), `already_cancelled`, `appointment_in_past`, `appointment_not_active` or `conflict`", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:slot_unavailable", "title": "Time no longer available", "status": 409, "detail": "This time is not available. Please pick another one.", "code": "slot_unavailable"})),
        (status = 422, description = "Invalid body", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/customer/appointments/{id}/reschedule")]
#[tracing::instrument(skip_all)]
pub async fn reschedule_appointment(
    state: web::Data<AppState>,
    customer: Customer,
    id: web::Path<Uuid>,
    body: Json<RescheduleAppointment>,
) -> ApiResult<web::Json<AppointmentResponse>> {
    let input = uc::RescheduleAppointment {
        starts_at: body.0.starts_at.with_timezone(&Utc),
        staff_id: body.0.staff_id,
    };
    let moved =
        uc::reschedule_appointment(&state.ctx(), actor(&customer), id.into_inner(), input).await?;
    Ok(web::Json(views::customer_view(
        &moved,
        &customer.1,
        state.clock.now(),
    )?))
}

/// Download the confirmation as iCalendar
///
/// An `.ics` file to add the appointment to any calendar: the branch's time zone with its
/// daylight-saving rules (`VTIMEZONE`), a stable `UID`, a `SEQUENCE` raised with every change, and
/// `METHOD:CANCEL` once the appointment is cancelled, so calendars update the entry they have.
#[utoipa::path(
    tag = "Appointments",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Appointment id")),
    responses(
        (status = 200, description = "iCalendar file (a download: `Content-Disposition: attachment`)", content_type = "text/calendar", body = inline(crate::openapi::Binary)),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such appointment of this customer", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:not_found", "title": "Not found", "status": 404, "detail": "The requested resource does not exist.", "code": "not_found"})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customer/appointments/{id}/confirmation.ics")]
#[tracing::instrument(skip_all)]
pub async fn confirmation_ics(
    state: web::Data<AppState>,
    customer: Customer,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let document =
        uc::confirmation_document(&state.ctx(), actor(&customer), id.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"termin-{}.ics\"", document.reference),
        ))
        .body(portal_documents::ics(&document)))
}

/// Download the confirmation as PDF
///
/// A one-page A4 confirmation with company, branch address, service, staff, the local date and
/// time in the branch's time zone, status and reference, in the customer's language.
#[utoipa::path(
    tag = "Appointments",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Appointment id")),
    responses(
        (status = 200, description = "PDF file (a download: `Content-Disposition: attachment`)", content_type = "application/pdf", body = inline(crate::openapi::Binary)),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such appointment of this customer", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:not_found", "title": "Not found", "status": 404, "detail": "The requested resource does not exist.", "code": "not_found"})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customer/appointments/{id}/confirmation.pdf")]
#[tracing::instrument(skip_all)]
pub async fn confirmation_pdf(
    state: web::Data<AppState>,
    customer: Customer,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let document =
        uc::confirmation_document(&state.ctx(), actor(&customer), id.into_inner()).await?;
    let bytes = portal_documents::pdf(&document).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"termin-{}.pdf\"", document.reference),
        ))
        .body(bytes))
}
