//! `/staff`: the people who perform services, and which services each performs.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use portal_api_types::{
    ErrorCode, Problem,
    integrations::{
        CreateStaff, SetStaffServices, StaffPage, StaffResponse, StaffServicesResponse, UpdateStaff,
    },
};
use portal_db::{
    api_keys::ApiScope,
    catalog::{self, NewStaff, Staff, StaffPatch},
};
use portal_domain::ids::{BranchId, ServiceId, StaffId};
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

/// Most services one person can be set to perform in one request.
const MAX_SERVICES: usize = 500;

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_staff)
        .service(list_staff)
        .service(get_staff)
        .service(update_staff)
        .service(get_staff_services)
        .service(set_staff_services);
}

fn staff_response(s: Staff) -> StaffResponse {
    StaffResponse {
        id: s.id.as_uuid(),
        display_name: s.display_name,
        branch_id: s.branch_id.map(BranchId::as_uuid),
        active: s.active,
        created_at: s.created_at,
        updated_at: s.updated_at,
    }
}

/// Create a staff member
///
/// Adds a person who performs services, optionally tied to a home branch. A branch-bound key must
/// name its own branch (and may leave `branch_id` out to mean it).
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("Idempotency-Key" = String, Header, description = "1–255 visible ASCII characters, unique per request; a repeat returns the first answer")),
    request_body(content = CreateStaff, example = json!({"display_name": "Dr. Lena Weber", "branch_id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13"})),
    responses(
        (status = 201, description = "Created", body = StaffResponse,
            example = json!({"id": "0193a5b2-8d00-7e11-8a2b-3c4d5e6f7a8b", "display_name": "Dr. Lena Weber", "branch_id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13", "active": true, "created_at": "2026-11-25T09:00:00Z", "updated_at": "2026-11-25T09:00:00Z"})),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `catalog` scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same Idempotency-Key is still being processed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field, unknown branch, or reused Idempotency-Key", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:validation_failed", "title": "Invalid request", "status": 422, "detail": "branch_id: no such branch", "code": "validation_failed", "errors": [{"field": "branch_id", "message": "no such branch"}]})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/staff")]
#[tracing::instrument(skip_all)]
pub async fn create_staff(
    state: web::Data<AppState>,
    integrator: Integrator,
    body: Json<CreateStaff>,
) -> ApiResult<HttpResponse> {
    let scope = integrator.require(ApiScope::Catalog)?;
    let body = body.0;
    let branch_id = body
        .branch_id
        .map(BranchId::from_uuid)
        .or(scope.branch_id());
    let staff = catalog::create_staff(
        &state.db,
        scope.into(),
        NewStaff {
            branch_id,
            display_name: body.display_name.into(),
            active: body.active.unwrap_or(true),
        },
        state.clock.now(),
    )
    .await?;
    Ok(HttpResponse::Created().json(staff_response(staff)))
}

/// List staff
///
/// Staff in creation order, a page at a time; `branch_id` keeps only people whose home branch it
/// is. A branch-bound key sees only the staff of its branch.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(
        ("branch_id" = Option<Uuid>, Query, description = "Only staff with this home branch"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Page size, 1–100 (default 50)"),
    ),
    responses(
        (status = 200, description = "A page of staff", body = StaffPage,
            example = json!({"items": [{"id": "0193a5b2-8d00-7e11-8a2b-3c4d5e6f7a8b", "display_name": "Dr. Lena Weber", "branch_id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13", "active": true, "created_at": "2026-11-25T09:00:00Z", "updated_at": "2026-11-25T09:00:00Z"}], "next_cursor": null})),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `catalog` scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff")]
#[tracing::instrument(skip_all)]
pub async fn list_staff(
    state: web::Data<AppState>,
    integrator: Integrator,
    req: HttpRequest,
) -> ApiResult<web::Json<StaffPage>> {
    let scope = integrator.require(ApiScope::Catalog)?;
    let query = QueryParams::parse(&req, &["branch_id", "cursor", "limit"])?;
    let branch = query.uuid("branch_id")?.map(BranchId::from_uuid);
    let page = catalog::list_staff(&state.db, scope.into(), branch, query.page()?).await?;
    Ok(web::Json(StaffPage {
        items: page.items.into_iter().map(staff_response).collect(),
        next_cursor: next_cursor(page.next_after),
    }))
}

/// Get a staff member
///
/// One person of the company. Staff of another company, or of another branch for a branch-bound
/// key, answer 404 exactly like a missing id.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "Staff id")),
    responses(
        (status = 200, description = "The staff member", body = StaffResponse),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `catalog` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such staff member (for this key)", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:not_found", "title": "Not found", "status": 404, "detail": "The requested resource does not exist.", "code": "not_found"})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff/{id}")]
#[tracing::instrument(skip_all)]
pub async fn get_staff(
    state: web::Data<AppState>,
    integrator: Integrator,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<StaffResponse>> {
    let scope = integrator.require(ApiScope::Catalog)?;
    let staff = catalog::find_staff(&state.db, scope.into(), StaffId::from_uuid(id.into_inner()))
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(web::Json(staff_response(staff)))
}

/// Update a staff member
///
/// Changes only the fields sent: name, home branch (`null` for none, company-wide keys only) and
/// `active`. A branch-bound key can neither see nor move people of other branches.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "Staff id")),
    request_body(content = UpdateStaff, example = json!({"display_name": "Dr. Lena Weber-Hahn", "active": true})),
    responses(
        (status = 200, description = "The updated staff member", body = StaffResponse),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `catalog` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such staff member (for this key)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field or unknown branch", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:validation_failed", "title": "Invalid request", "status": 422, "detail": "display_name: must not be empty", "code": "validation_failed", "errors": [{"field": "display_name", "message": "must not be empty"}]})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/staff/{id}")]
#[tracing::instrument(skip_all)]
pub async fn update_staff(
    state: web::Data<AppState>,
    integrator: Integrator,
    id: web::Path<Uuid>,
    body: Json<UpdateStaff>,
) -> ApiResult<web::Json<StaffResponse>> {
    let scope = integrator.require(ApiScope::Catalog)?;
    let body = body.0;
    let staff = catalog::update_staff(
        &state.db,
        scope.into(),
        StaffId::from_uuid(id.into_inner()),
        StaffPatch {
            branch_id: body.branch_id.map(|b| b.map(BranchId::from_uuid)),
            display_name: body.display_name.map(Into::into),
            active: body.active,
        },
        state.clock.now(),
    )
    .await?;
    Ok(web::Json(staff_response(staff)))
}

fn services_response(ids: Vec<ServiceId>) -> StaffServicesResponse {
    StaffServicesResponse {
        service_ids: ids.into_iter().map(ServiceId::as_uuid).collect(),
    }
}

/// Services a staff member performs
///
/// The ids of every service the person can be booked for, sorted. Staff not visible to the key
/// answer 404 like a missing id.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "Staff id")),
    responses(
        (status = 200, description = "The services", body = StaffServicesResponse,
            example = json!({"service_ids": ["0193a5b2-9e00-7f22-9b3c-4d5e6f7a8b9c"]})),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `catalog` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such staff member (for this key)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/staff/{id}/services")]
#[tracing::instrument(skip_all)]
pub async fn get_staff_services(
    state: web::Data<AppState>,
    integrator: Integrator,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<StaffServicesResponse>> {
    let scope = integrator.require(ApiScope::Catalog)?;
    let ids = catalog::staff_services(&state.db, scope.into(), StaffId::from_uuid(id.into_inner()))
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(web::Json(services_response(ids)))
}

/// Set the services a staff member performs
///
/// Replaces the whole set in one step (an empty list: none). Every id must be a service of the
/// company; the first unknown one is named as `service_ids[i]`.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "Staff id")),
    request_body(content = SetStaffServices, example = json!({"service_ids": ["0193a5b2-9e00-7f22-9b3c-4d5e6f7a8b9c"]})),
    responses(
        (status = 200, description = "The new set", body = StaffServicesResponse),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `catalog` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such staff member (for this key)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown service", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:validation_failed", "title": "Invalid request", "status": 422, "detail": "service_ids[0]: no such service", "code": "validation_failed", "errors": [{"field": "service_ids[0]", "message": "no such service"}]})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/staff/{id}/services")]
#[tracing::instrument(skip_all)]
pub async fn set_staff_services(
    state: web::Data<AppState>,
    integrator: Integrator,
    id: web::Path<Uuid>,
    body: Json<SetStaffServices>,
) -> ApiResult<web::Json<StaffServicesResponse>> {
    let scope = integrator.require(ApiScope::Catalog)?;
    let ids: Vec<ServiceId> = body
        .0
        .service_ids
        .into_iter()
        .map(ServiceId::from_uuid)
        .collect();
    if ids.len() > MAX_SERVICES {
        return Err(ApiError::invalid_field(
            ErrorCode::ValidationFailed,
            "service_ids",
            format!("at most {MAX_SERVICES} services"),
        ));
    }
    let ids = catalog::set_staff_services(
        &state.db,
        scope.into(),
        StaffId::from_uuid(id.into_inner()),
        &ids,
    )
    .await?;
    Ok(web::Json(services_response(ids)))
}
