//! `/api/customer/appointments`: the customer's appointments — list, detail, cancel, free slots,
//! reschedule and confirmations.

use actix_web::{HttpResponse, delete, get, post, web};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use portal_api_types::{
    ErrorCode, Problem,
    appointments::{
        AppointmentDetail, AppointmentList, AppointmentResponse, CancelAppointment,
        RescheduleAppointment, Slot, SlotList, StaffSummary,
    },
};
use portal_db::{
    CustomerScope,
    appointments::{self as repo, Actor, Appointment, Effects, Period, WriteOutcome},
    availability,
    companies::Company,
};
use portal_domain::schedule::{self, ChangeDecision, Interval, SlotRequest};
use serde::Deserialize;
use serde_json::json;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{
    appointments::{
        Change, change_policy, confirmation, detail_response, local, queue_change_sms, response,
        zone,
    },
    error::{ApiError, ApiResult},
    extract::{Customer, Json},
    state::AppState,
};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_appointments)
        .service(get_appointment)
        .service(cancel_appointment)
        .service(list_slots)
        .service(reschedule_appointment)
        .service(confirmation_ics)
        .service(confirmation_pdf);
}

/// Query of the list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `upcoming` (default; not yet ended, soonest first), `past` (latest first) or `all`.
    scope: Option<String>,
    /// From the previous page's `next_cursor`.
    cursor: Option<String>,
    /// Page size, 1–100 (default 20).
    limit: Option<u64>,
}

/// The opaque keyset cursor after `a`.
pub(crate) fn encode_cursor(a: &Appointment) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{}", a.starts_at.timestamp_micros(), a.id))
}

/// Reads a cursor made by [`encode_cursor`].
pub(crate) fn decode_cursor(cursor: &str) -> Option<repo::After> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let (micros, id) = raw.split_once('|')?;
    Some((
        DateTime::from_timestamp_micros(micros.parse().ok()?)?,
        id.parse().ok()?,
    ))
}

async fn load(state: &AppState, scope: &CustomerScope, id: Uuid) -> ApiResult<Appointment> {
    repo::find_for_customer(&state.db, scope, id)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// List appointments
///
/// The signed-in customer's appointments, a page at a time. `upcoming` holds everything not yet
/// ended (cancelled ones too, marked), soonest first; `past` the rest, latest first. Each item says
/// whether it may be cancelled or moved online right now and until when.
#[utoipa::path(
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
    query: web::Query<ListQuery>,
) -> ApiResult<web::Json<AppointmentList>> {
    let period = match query.scope.as_deref() {
        None | Some("upcoming") => Period::Upcoming,
        Some("past") => Period::Past,
        Some("all") => Period::All,
        Some(_) => {
            return Err(ApiError::invalid_field(
                ErrorCode::ValidationFailed,
                "scope",
                "one of upcoming, past, all",
            ));
        }
    };
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid_field(
            ErrorCode::ValidationFailed,
            "limit",
            "between 1 and 100",
        ));
    }
    let after = match &query.cursor {
        Some(c) => Some(decode_cursor(c).ok_or_else(|| {
            ApiError::invalid_field(
                ErrorCode::ValidationFailed,
                "cursor",
                "not a cursor from this list",
            )
        })?),
        None => None,
    };
    let scope = &customer.0.scope;
    let now = state.clock.now();
    let mut page = repo::list_for_customer(&state.db, scope, period, after, limit + 1, now).await?;
    let next_cursor = if page.len() as u64 > limit {
        page.truncate(limit as usize);
        page.last().map(encode_cursor)
    } else {
        None
    };
    let company = &customer.1;
    let items = page
        .iter()
        .map(|a| response(a, company, now))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(web::Json(AppointmentList { items, next_cursor }))
}

/// Get an appointment
///
/// One appointment with its history: booked, rescheduled from → to, cancelled — by whom and when.
/// Someone else's appointment answers 404, exactly like a missing one.
#[utoipa::path(
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
    let scope = &customer.0.scope;
    let appointment = load(&state, scope, id.into_inner()).await?;
    let company = &customer.1;
    Ok(web::Json(
        detail_response(&state, &appointment, company).await?,
    ))
}

/// Maps a refusal of the policy to its problem; `window` is the code for a closed window.
fn refusal(decision: &ChangeDecision, a: &Appointment, window: ErrorCode) -> ApiResult<()> {
    let tz = zone(a)?;
    match decision {
        ChangeDecision::Allowed { .. } | ChangeDecision::AllowedInGrace { .. } => Ok(()),
        ChangeDecision::WindowClosed { deadline } => {
            let phone = a.branch.phone.clone();
            let call = phone
                .as_deref()
                .map(|p| format!(" Please call {p}."))
                .unwrap_or_default();
            Err(ApiError::new(
                window,
                format!(
                    "Changes online were possible until {}.{call}",
                    local(*deadline, tz)
                ),
            )
            .deadline(local(*deadline, tz))
            .phone(phone))
        }
        ChangeDecision::AlreadyCancelled => Err(ApiError::new(
            ErrorCode::AlreadyCancelled,
            "This appointment is already cancelled.",
        )),
        ChangeDecision::InPast => Err(ApiError::new(
            ErrorCode::AppointmentInPast,
            "This appointment has already started.",
        )),
        ChangeDecision::NotActive => Err(ApiError::new(
            ErrorCode::AppointmentNotActive,
            "This appointment can no longer be changed.",
        )),
    }
}

/// Cancel an appointment
///
/// Cancels the appointment if the company's rules allow it: until the notice period before the
/// start (default 24 hours; a service may set its own), and always within 10 minutes after booking.
/// Inside the notice period the answer is 409 `cancellation_window_closed` with the `deadline` and
/// the branch's `phone`. The business is told, and the customer gets a confirmation by SMS.
#[utoipa::path(
    tag = "Appointments",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Appointment id")),
    request_body(content = Option<CancelAppointment>, description = "Optional; a reason for the business", example = json!({"reason": "Ich bin krank."})),
    responses(
        (status = 200, description = "Cancelled; the updated appointment", body = AppointmentResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such appointment of this customer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`cancellation_window_closed` (with `deadline` and `phone`), `already_cancelled`, `appointment_in_past`, `appointment_not_active`, or `conflict` when it changed meanwhile", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:cancellation_window_closed", "title": "Too late to cancel online", "status": 409,
                "detail": "Changes online were possible until 2026-11-30T10:00:00+01:00. Please call +493012345670.", "code": "cancellation_window_closed",
                "deadline": "2026-11-30T10:00:00+01:00", "phone": "+493012345670"})),
        (status = 422, description = "Reason longer than 500 characters or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/customer/appointments/{id}")]
#[tracing::instrument(skip_all)]
pub async fn cancel_appointment(
    state: web::Data<AppState>,
    customer: Customer,
    id: web::Path<Uuid>,
    body: Option<Json<CancelAppointment>>,
) -> ApiResult<web::Json<AppointmentResponse>> {
    let reason = body
        .and_then(|b| b.0.reason)
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
        return Err(ApiError::invalid_field(
            ErrorCode::ValidationFailed,
            "reason",
            "at most 500 characters",
        ));
    }
    let scope = &customer.0.scope;
    let now = state.clock.now();
    let appointment = load(&state, scope, id.into_inner()).await?;
    let company = &customer.1;
    let decision = schedule::decide(
        appointment.status,
        appointment.starts_at,
        appointment.created_at,
        now,
        &change_policy(&appointment, company, Change::Cancel),
    );
    refusal(&decision, &appointment, ErrorCode::CancellationWindowClosed)?;
    let sms = queue_change_sms(&state, scope, company, &appointment, None).await?;
    let actor = Actor {
        name: "customer".into(),
        id: Some(scope.customer_id().to_string()),
    };
    let webhook = webhook_event(
        "appointment.cancelled",
        now,
        json!({
            "appointment_id": appointment.id,
            "customer_id": scope.customer_id(),
            "external_ref": appointment.external_ref,
            "starts_at": appointment.starts_at,
            "reason": reason,
            "cancelled_by": "customer",
        }),
    );
    let effects = Effects {
        sms,
        webhook: Some(webhook),
    };
    match repo::cancel(
        &state.db,
        company.id,
        Some(scope.customer_id()),
        appointment.id,
        appointment.version,
        reason.as_deref(),
        &actor,
        effects,
        now,
    )
    .await?
    {
        WriteOutcome::Done => {}
        WriteOutcome::SlotTaken | WriteOutcome::Stale => {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "The appointment changed meanwhile. Please reload it.",
            ));
        }
    }
    let updated = load(&state, scope, appointment.id).await?;
    Ok(web::Json(response(&updated, company, now)?))
}

/// A webhook body: `{event, created_at, data}` (the delivery adds its `id`).
fn webhook_event(
    event: &'static str,
    now: DateTime<Utc>,
    data: serde_json::Value,
) -> (&'static str, serde_json::Value) {
    (
        event,
        json!({"event": event, "created_at": now, "data": data}),
    )
}

/// Query of the slot search.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SlotQuery {
    /// Earliest start (RFC 3339); default now.
    from: Option<DateTime<chrono::FixedOffset>>,
    /// Latest start, exclusive (RFC 3339); default 7 days after `from`; at most 31 days after it.
    to: Option<DateTime<chrono::FixedOffset>>,
    /// Also offer other staff who perform the same service at the same branch.
    any_staff: Option<bool>,
}

/// Grid of offered start times.
const SLOT_STEP_MINUTES: i64 = 15;

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
    query: web::Query<SlotQuery>,
) -> ApiResult<web::Json<SlotList>> {
    let scope = &customer.0.scope;
    let now = state.clock.now();
    let appointment = load(&state, scope, id.into_inner()).await?;
    let company = &customer.1;
    let from = query.from.map_or(now, |f| f.with_timezone(&Utc));
    let to = query
        .to
        .map_or(from + Duration::days(7), |t| t.with_timezone(&Utc));
    if to <= from || to - from > Duration::days(31) {
        return Err(ApiError::invalid_field(
            ErrorCode::ValidationFailed,
            "to",
            "after `from` and at most 31 days later",
        ));
    }
    let tz = zone(&appointment)?;
    let staff = if query.any_staff.unwrap_or(false) {
        availability::staff_for_service(
            &state.db,
            company.id,
            appointment.branch.id,
            appointment.service.id,
        )
        .await?
    } else {
        vec![(appointment.staff_id, appointment.staff_name.clone())]
    };
    let mut slots = Vec::new();
    for (staff_id, staff_name) in staff {
        for start in free_starts(&state, &appointment, company, tz, staff_id, from, to, now).await?
        {
            slots.push(Slot {
                starts_at: local(start, tz),
                ends_at: local(start + duration(&appointment), tz),
                staff: StaffSummary {
                    id: staff_id,
                    name: staff_name.clone(),
                },
            });
        }
    }
    slots.sort_by(|a, b| (&a.starts_at, &a.staff.name).cmp(&(&b.starts_at, &b.staff.name)));
    Ok(web::Json(SlotList {
        timezone: tz.name().to_owned(),
        slots,
    }))
}

fn duration(a: &Appointment) -> Duration {
    Duration::minutes(a.service.duration_minutes.into())
}

/// Free starts of `staff` for `appointment`'s service at its branch between `from` and `to`.
#[allow(
    clippy::too_many_arguments,
    reason = "the slot question has this many parts"
)]
async fn free_starts(
    state: &AppState,
    appointment: &Appointment,
    company: &Company,
    tz: Tz,
    staff: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ApiResult<Vec<DateTime<Utc>>> {
    let hours =
        availability::working_hours(&state.db, company.id, staff, appointment.branch.id).await?;
    // Busy time is fetched with a margin for buffers reaching into the window.
    let margin = Duration::hours(12);
    let busy: Vec<Interval> = repo::busy_for_staff(
        &state.db,
        company.id,
        staff,
        from - margin,
        to + margin,
        Some(appointment.id),
    )
    .await?
    .into_iter()
    .map(|(start, end, before, after)| Interval {
        start: start - Duration::minutes(before.into()),
        end: end + Duration::minutes(after.into()),
    })
    .collect();
    let request = SlotRequest {
        zone: tz,
        from,
        to,
        duration: duration(appointment),
        buffer_before: Duration::minutes(appointment.service.buffer_before_minutes.into()),
        buffer_after: Duration::minutes(appointment.service.buffer_after_minutes.into()),
        step: Duration::minutes(SLOT_STEP_MINUTES),
        earliest: now + change_policy(appointment, company, Change::Reschedule).notice,
        latest: now + company.policy.horizon,
    };
    Ok(schedule::free_slots(&hours, &busy, &request))
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
    let scope = &customer.0.scope;
    let now = state.clock.now();
    let appointment = load(&state, scope, id.into_inner()).await?;
    let company = &customer.1;
    let decision = schedule::decide(
        appointment.status,
        appointment.starts_at,
        appointment.created_at,
        now,
        &change_policy(&appointment, company, Change::Reschedule),
    );
    refusal(&decision, &appointment, ErrorCode::RescheduleWindowClosed)?;

    let starts_at = body.0.starts_at.with_timezone(&Utc);
    let staff = body.0.staff_id.unwrap_or(appointment.staff_id);
    let unavailable = || {
        ApiError::new(
            ErrorCode::SlotUnavailable,
            "This time is not available. Please pick another one.",
        )
    };
    if staff != appointment.staff_id {
        let performers = availability::staff_for_service(
            &state.db,
            company.id,
            appointment.branch.id,
            appointment.service.id,
        )
        .await?;
        if !performers.iter().any(|(id, _)| *id == staff) {
            return Err(unavailable());
        }
    }
    // The requested start must be one the slot list offers (working hours, buffers, notice, horizon).
    let tz = zone(&appointment)?;
    let free = free_starts(
        &state,
        &appointment,
        company,
        tz,
        staff,
        starts_at,
        starts_at + Duration::seconds(1),
        now,
    )
    .await?;
    if !free.contains(&starts_at) {
        return Err(unavailable());
    }
    let ends_at = starts_at + duration(&appointment);
    let sms = queue_change_sms(&state, scope, company, &appointment, Some(starts_at)).await?;
    let actor = Actor {
        name: "customer".into(),
        id: Some(scope.customer_id().to_string()),
    };
    let webhook = webhook_event(
        "appointment.rescheduled",
        now,
        json!({
            "appointment_id": appointment.id,
            "customer_id": scope.customer_id(),
            "external_ref": appointment.external_ref,
            "previous_starts_at": appointment.starts_at,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "staff_id": staff,
            "rescheduled_by": "customer",
        }),
    );
    let effects = Effects {
        sms,
        webhook: Some(webhook),
    };
    let outcome = repo::reschedule(
        &state.db,
        company.id,
        Some(scope.customer_id()),
        appointment.id,
        appointment.version,
        staff,
        starts_at,
        ends_at,
        &actor,
        effects,
        now,
    )
    .await?;
    match outcome {
        WriteOutcome::Done => {}
        WriteOutcome::SlotTaken => return Err(unavailable()),
        WriteOutcome::Stale => {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "The appointment changed meanwhile. Please reload it.",
            ));
        }
    }
    let updated = load(&state, scope, appointment.id).await?;
    Ok(web::Json(response(&updated, company, now)?))
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
        (status = 200, description = "iCalendar file", content_type = "text/calendar", body = String,
            example = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n…\r\nEND:VCALENDAR\r\n"),
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
    let document = confirmation(&state, &customer.0.scope, &customer.1, id.into_inner()).await?;
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
        (status = 200, description = "PDF file", content_type = "application/pdf", body = Vec<u8>, example = "%PDF-1.7 …"),
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
    let document = confirmation(&state, &customer.0.scope, &customer.1, id.into_inner()).await?;
    let bytes = portal_documents::pdf(&document).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"termin-{}.pdf\"", document.reference),
        ))
        .body(bytes))
}
