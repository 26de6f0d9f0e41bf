//! `/branches`: where appointments happen.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use portal_api_types::{
    Problem,
    integrations::{BranchPage, BranchResponse, CreateBranch, UpdateBranch},
};
use portal_db::{
    api_keys::ApiScope,
    catalog::{self, Branch, BranchPatch, NewBranch},
};
use portal_domain::ids::BranchId;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::{
    any_phone,
    auth::Integrator,
    company_of,
    query::{QueryParams, next_cursor},
    timezone,
};
use crate::{
    error::{ApiError, ApiResult},
    extract::Json,
    state::AppState,
};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_branch)
        .service(list_branches)
        .service(get_branch)
        .service(update_branch);
}

/// The JSON of a branch.
pub fn branch_response(b: Branch) -> BranchResponse {
    BranchResponse {
        id: b.id.as_uuid(),
        name: b.name,
        street: b.street,
        postal_code: b.postal_code,
        city: b.city,
        country: b.country,
        phone: b.phone,
        timezone: b.timezone.name().to_owned(),
        active: b.active,
        created_at: b.created_at,
        updated_at: b.updated_at,
    }
}

/// Create a branch
///
/// Adds a place where appointments happen, with its IANA time zone (working hours and every message
/// use its local time). Needs a company-wide key with the `catalog` scope.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("Idempotency-Key" = String, Header, description = "1–255 visible ASCII characters, unique per request; a repeat returns the first answer")),
    request_body(content = CreateBranch, example = json!({"name": "Praxis Mitte", "street": "Torstraße 1", "postal_code": "10119", "city": "Berlin", "country": "DE", "phone": "030 1234567", "timezone": "Europe/Berlin"})),
    responses(
        (status = 201, description = "Created", body = BranchResponse,
            example = json!({"id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13", "name": "Praxis Mitte", "street": "Torstraße 1", "postal_code": "10119", "city": "Berlin", "country": "DE", "phone": "+49301234567", "timezone": "Europe/Berlin", "active": true, "created_at": "2026-11-25T09:00:00Z", "updated_at": "2026-11-25T09:00:00Z"})),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: no `catalog` scope, or a branch-bound key", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:forbidden", "title": "Not allowed", "status": 403, "detail": "This API key does not have the `catalog` scope.", "code": "forbidden"})),
        (status = 409, description = "The same Idempotency-Key is still being processed (`conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field (`validation_failed`, `invalid_phone`) or reused Idempotency-Key (`idempotency_key_reused`)", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:validation_failed", "title": "Invalid request", "status": 422, "detail": "timezone: not an IANA time zone such as Europe/Berlin", "code": "validation_failed", "errors": [{"field": "timezone", "message": "not an IANA time zone such as Europe/Berlin"}]})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/branches")]
#[tracing::instrument(skip_all)]
pub async fn create_branch(
    state: web::Data<AppState>,
    integrator: Integrator,
    body: Json<CreateBranch>,
) -> ApiResult<HttpResponse> {
    let scope = integrator.require_company_wide(ApiScope::Catalog)?;
    let body = body.0;
    let timezone = timezone("timezone", &body.timezone)?;
    let phone = match &body.phone {
        Some(input) => Some(any_phone(
            "phone",
            input,
            &company_of(&state, scope).await?,
        )?),
        None => None,
    };
    let branch = catalog::create_branch(
        &state.db,
        scope.into(),
        NewBranch {
            name: body.name.into(),
            street: body.street.map(Into::into),
            postal_code: body.postal_code.map(Into::into),
            city: body.city.map(Into::into),
            country: body.country.into(),
            phone: phone.map(Into::into),
            timezone,
        },
        state.clock.now(),
    )
    .await?;
    Ok(HttpResponse::Created().json(branch_response(branch)))
}

/// List branches
///
/// The company's branches in creation order, a page at a time (`cursor`, `limit` ≤ 100). A
/// branch-bound key sees only its own branch.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Page size, 1–100 (default 50)"),
    ),
    responses(
        (status = 200, description = "A page of branches", body = BranchPage,
            example = json!({"items": [{"id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13", "name": "Praxis Mitte", "street": null, "postal_code": null, "city": "Berlin", "country": "DE", "phone": null, "timezone": "Europe/Berlin", "active": true, "created_at": "2026-11-25T09:00:00Z", "updated_at": "2026-11-25T09:00:00Z"}], "next_cursor": null})),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `catalog` scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid `cursor` or `limit`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/branches")]
#[tracing::instrument(skip_all)]
pub async fn list_branches(
    state: web::Data<AppState>,
    integrator: Integrator,
    req: HttpRequest,
) -> ApiResult<web::Json<BranchPage>> {
    let scope = integrator.require(ApiScope::Catalog)?;
    let page = QueryParams::parse(&req, &["cursor", "limit"])?.page()?;
    let page = catalog::list_branches(&state.db, scope.into(), page).await?;
    Ok(web::Json(BranchPage {
        items: page.items.into_iter().map(branch_response).collect(),
        next_cursor: next_cursor(page.next_after),
    }))
}

/// Get a branch
///
/// One branch of the company. A branch of another company, or another branch for a branch-bound
/// key, answers 404 exactly like a missing one.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "Branch id")),
    responses(
        (status = 200, description = "The branch", body = BranchResponse),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `catalog` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such branch (for this key)", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:not_found", "title": "Not found", "status": 404, "detail": "The requested resource does not exist.", "code": "not_found"})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/branches/{id}")]
#[tracing::instrument(skip_all)]
pub async fn get_branch(
    state: web::Data<AppState>,
    integrator: Integrator,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<BranchResponse>> {
    let scope = integrator.require(ApiScope::Catalog)?;
    let branch = catalog::find_branch(
        &state.db,
        scope.into(),
        BranchId::from_uuid(id.into_inner()),
    )
    .await?
    .ok_or_else(ApiError::not_found)?;
    Ok(web::Json(branch_response(branch)))
}

/// Update a branch
///
/// Changes only the fields sent; `null` clears an optional field, `"active": false` deactivates the
/// branch. A branch-bound key may change its own branch only.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "Branch id")),
    request_body(content = UpdateBranch, example = json!({"phone": "030 7654321", "active": false})),
    responses(
        (status = 200, description = "The updated branch", body = BranchResponse),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `catalog` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such branch (for this key)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:validation_failed", "title": "Invalid request", "status": 422, "detail": "country: must be 2 letters (ISO 3166-1 alpha-2)", "code": "validation_failed", "errors": [{"field": "country", "message": "must be 2 letters (ISO 3166-1 alpha-2)"}]})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/branches/{id}")]
#[tracing::instrument(skip_all)]
pub async fn update_branch(
    state: web::Data<AppState>,
    integrator: Integrator,
    id: web::Path<Uuid>,
    body: Json<UpdateBranch>,
) -> ApiResult<web::Json<BranchResponse>> {
    let scope = integrator.require(ApiScope::Catalog)?;
    let body = body.0;
    let timezone = body
        .timezone
        .as_deref()
        .map(|tz| timezone("timezone", tz))
        .transpose()?;
    let phone = match &body.phone {
        Some(Some(input)) => Some(Some(
            any_phone("phone", input, &company_of(&state, scope).await?)?.into(),
        )),
        Some(None) => Some(None),
        None => None,
    };
    let patch = BranchPatch {
        name: body.name.map(Into::into),
        street: body.street.map(|v| v.map(Into::into)),
        postal_code: body.postal_code.map(|v| v.map(Into::into)),
        city: body.city.map(|v| v.map(Into::into)),
        country: body.country.map(Into::into),
        phone,
        timezone,
        active: body.active,
    };
    let branch = catalog::update_branch(
        &state.db,
        scope.into(),
        BranchId::from_uuid(id.into_inner()),
        patch,
        state.clock.now(),
    )
    .await?
    .ok_or_else(ApiError::not_found)?;
    Ok(web::Json(branch_response(branch)))
}
