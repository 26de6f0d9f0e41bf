//! `/staff/{id}/working-hours` and `/staff/{id}/time-off`: when a person can be booked.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use chrono::{Duration, NaiveTime};
use portal_api_types::{
    ErrorCode, Problem,
    integrations::{
        CreateTimeOff, IsoWeekday, SetWorkingHours, ShiftResponse, TimeOffPage, TimeOffResponse,
        WorkingHoursResponse,
    },
};
use portal_db::{
    api_keys::ApiScope,
    catalog::{self, NewTimeOff, Shift, TimeOff},
};
use portal_domain::ids::{BranchId, StaffId};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::{
    auth::Integrator,
    query::{QueryParams, next_cursor},
};
use crate::{
    error::{ApiError, ApiResult},
    extract::Json,
    state::AppState,
};

/// Most shifts in one weekly schedule.
const MAX_SHIFTS: usize = 200;
/// Longest single span of time off.
const MAX_TIME_OFF_DAYS: i64 = 366;

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_working_hours)
        .service(set_working_hours)
        .service(create_time_off)
        .service(list_time_off)
        .service(delete_time_off);
}

fn invalid(field: String, message: &str) -> ApiError {
    ApiError::invalid_field(ErrorCode::ValidationFailed, &field, message)
}

fn hours_response(shifts: Vec<Shift>) -> WorkingHoursResponse {
    WorkingHoursResponse {
        hours: shifts
            .into_iter()
            .map(|s| ShiftResponse {
                weekday: IsoWeekday::from(s.weekday).into(),
                start: s.start.format("%H:%M").to_string(),
                end: s.end.format("%H:%M").to_string(),
                branch_id: s.branch_id.as_uuid(),
                valid_from: s.valid_from,
                valid_until: s.valid_until,
            })
            .collect(),
    }
}

/// Get the weekly schedule
///
/// The person's weekly shifts by weekday and start, in the branch's wall-clock time. A branch-bound
/// key sees only the shifts at its branch.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "Staff id")),
    responses(
        (status = 200, description = "The schedule", body = WorkingHoursResponse,
            example = json!({"hours": [{"weekday": 1, "start": "08:00", "end": "12:30", "branch_id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13", "valid_from": null, "valid_until": null}]})),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `catalog` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such staff member (for this key)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff/{id}/working-hours")]
#[tracing::instrument(skip_all)]
pub async fn get_working_hours(
    state: web::Data<AppState>,
    integrator: Integrator,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<WorkingHoursResponse>> {
    let scope = integrator.require(ApiScope::Catalog)?;
    let shifts =
        catalog::working_hours(&state.db, scope.into(), StaffId::from_uuid(id.into_inner()))
            .await?
            .ok_or_else(ApiError::not_found)?;
    Ok(web::Json(hours_response(shifts)))
}

/// Replace the weekly schedule
///
/// Replaces every weekly shift of the person in one step (several per weekday make split shifts;
/// an end of `00:00` means midnight). Times are wall-clock times of the shift's branch, so a shift
/// stays at 08:00 across daylight-saving changes. A branch-bound key replaces only the shifts at its
/// branch and may not name another.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "Staff id")),
    request_body(content = SetWorkingHours, example = json!({"hours": [
        {"weekday": 1, "start": "08:00", "end": "12:30", "branch_id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13"},
        {"weekday": 1, "start": "13:30", "end": "18:00", "branch_id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13", "valid_from": "2027-01-01"}
    ]})),
    responses(
        (status = 200, description = "The new schedule", body = WorkingHoursResponse),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `catalog` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such staff member (for this key)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid shift or unknown branch", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:validation_failed", "title": "Invalid request", "status": 422, "detail": "hours[0].end: must be after the start", "code": "validation_failed", "errors": [{"field": "hours[0].end", "message": "must be after the start"}]})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/staff/{id}/working-hours")]
#[tracing::instrument(skip_all)]
pub async fn set_working_hours(
    state: web::Data<AppState>,
    integrator: Integrator,
    id: web::Path<Uuid>,
    body: Json<SetWorkingHours>,
) -> ApiResult<web::Json<WorkingHoursResponse>> {
    let scope = integrator.require(ApiScope::Catalog)?;
    let hours = body.0.hours;
    if hours.len() > MAX_SHIFTS {
        return Err(invalid("hours".into(), "at most 200 shifts"));
    }
    let mut shifts = Vec::with_capacity(hours.len());
    for (i, h) in hours.into_iter().enumerate() {
        let (start, end) = (h.start.time(), h.end.time());
        if end <= start && end != NaiveTime::MIN {
            return Err(invalid(
                format!("hours[{i}].end"),
                "must be after the start",
            ));
        }
        if h.valid_from
            .zip(h.valid_until)
            .is_some_and(|(from, until)| until < from)
        {
            return Err(invalid(
                format!("hours[{i}].valid_until"),
                "must not be before valid_from",
            ));
        }
        shifts.push(Shift {
            branch_id: BranchId::from_uuid(h.branch_id),
            weekday: h.weekday.weekday(),
            start,
            end,
            valid_from: h.valid_from,
            valid_until: h.valid_until,
        });
    }
    let shifts = catalog::set_working_hours(
        &state.db,
        scope.into(),
        StaffId::from_uuid(id.into_inner()),
        &shifts,
    )
    .await?;
    Ok(web::Json(hours_response(shifts)))
}

fn time_off_response(t: TimeOff) -> TimeOffResponse {
    TimeOffResponse {
        id: t.id,
        staff_id: t.staff_id.as_uuid(),
        starts_at: t.starts_at,
        ends_at: t.ends_at,
        reason: t.reason,
    }
}

/// Add time off
///
/// Blocks a span (holiday, sickness, training) in which the person cannot be booked. The reason is
/// for the business only and never shown to customers.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "Staff id"),
        ("Idempotency-Key" = String, Header, description = "1–255 visible ASCII characters, unique per request; a repeat returns the first answer"),
    ),
    request_body(content = CreateTimeOff, example = json!({"starts_at": "2026-12-24T00:00:00+01:00", "ends_at": "2027-01-02T00:00:00+01:00", "reason": "Holiday"})),
    responses(
        (status = 201, description = "Created", body = TimeOffResponse,
            example = json!({"id": "0193a5b2-af00-7a33-8c4d-5e6f7a8b9c0d", "staff_id": "0193a5b2-8d00-7e11-8a2b-3c4d5e6f7a8b", "starts_at": "2026-12-23T23:00:00Z", "ends_at": "2027-01-01T23:00:00Z", "reason": "Holiday"})),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `catalog` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such staff member (for this key)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same Idempotency-Key is still being processed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid span, or reused Idempotency-Key", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:validation_failed", "title": "Invalid request", "status": 422, "detail": "ends_at: must be after starts_at", "code": "validation_failed", "errors": [{"field": "ends_at", "message": "must be after starts_at"}]})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/staff/{id}/time-off")]
#[tracing::instrument(skip_all)]
pub async fn create_time_off(
    state: web::Data<AppState>,
    integrator: Integrator,
    id: web::Path<Uuid>,
    body: Json<CreateTimeOff>,
) -> ApiResult<HttpResponse> {
    let scope = integrator.require(ApiScope::Catalog)?;
    let body = body.0;
    if body.ends_at <= body.starts_at {
        return Err(invalid("ends_at".into(), "must be after starts_at"));
    }
    if body.ends_at - body.starts_at > Duration::days(MAX_TIME_OFF_DAYS) {
        return Err(invalid(
            "ends_at".into(),
            "at most 366 days after starts_at",
        ));
    }
    let time_off = catalog::add_time_off(
        &state.db,
        scope.into(),
        StaffId::from_uuid(id.into_inner()),
        NewTimeOff {
            starts_at: body.starts_at,
            ends_at: body.ends_at,
            reason: body.reason.map(Into::into),
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(time_off_response(time_off)))
}

/// List time off
///
/// The person's time off overlapping `[from, to)` (either end may be left out), in creation
/// order, a page at a time.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "Staff id"),
        ("from" = Option<chrono::DateTime<chrono::Utc>>, Query, description = "RFC 3339; only spans ending after it"),
        ("to" = Option<chrono::DateTime<chrono::Utc>>, Query, description = "RFC 3339; only spans starting before it"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Page size, 1–100 (default 50)"),
    ),
    responses(
        (status = 200, description = "A page of time off", body = TimeOffPage,
            example = json!({"items": [{"id": "0193a5b2-af00-7a33-8c4d-5e6f7a8b9c0d", "staff_id": "0193a5b2-8d00-7e11-8a2b-3c4d5e6f7a8b", "starts_at": "2026-12-23T23:00:00Z", "ends_at": "2027-01-01T23:00:00Z", "reason": "Holiday"}], "next_cursor": null})),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `catalog` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such staff member (for this key)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff/{id}/time-off")]
#[tracing::instrument(skip_all)]
pub async fn list_time_off(
    state: web::Data<AppState>,
    integrator: Integrator,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> ApiResult<web::Json<TimeOffPage>> {
    let scope = integrator.require(ApiScope::Catalog)?;
    let query = QueryParams::parse(&req, &["from", "to", "cursor", "limit"])?;
    let (from, to) = (query.instant("from")?, query.instant("to")?);
    if from.zip(to).is_some_and(|(from, to)| to <= from) {
        return Err(invalid("to".into(), "must be after from"));
    }
    let page = catalog::list_time_off(
        &state.db,
        scope.into(),
        StaffId::from_uuid(id.into_inner()),
        from,
        to,
        query.page()?,
    )
    .await?
    .ok_or_else(ApiError::not_found)?;
    Ok(web::Json(TimeOffPage {
        items: page.items.into_iter().map(time_off_response).collect(),
        next_cursor: next_cursor(page.next_after),
    }))
}

/// Delete time off
///
/// Removes one span of time off; the person can be booked in it again. Time off of staff the key
/// cannot see answers 404 like a missing id.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(
        ("id" = Uuid, Path, description = "Staff id"),
        ("time_off_id" = Uuid, Path, description = "Time-off id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `catalog` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such time off (for this key)", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:not_found", "title": "Not found", "status": 404, "detail": "The requested resource does not exist.", "code": "not_found"})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/staff/{id}/time-off/{time_off_id}")]
#[tracing::instrument(skip_all)]
pub async fn delete_time_off(
    state: web::Data<AppState>,
    integrator: Integrator,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let scope = integrator.require(ApiScope::Catalog)?;
    let (staff, time_off) = path.into_inner();
    let deleted =
        catalog::delete_time_off(&state.db, scope.into(), StaffId::from_uuid(staff), time_off)
            .await?;
    if deleted {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found())
    }
}
