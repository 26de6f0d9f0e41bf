//! `/services`: what customers book. Services belong to the company, so branch-bound keys may read
//! them but not change them.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use portal_api_types::{
    ErrorCode, Problem,
    integrations::{CreateService, ServicePage, ServiceResponse, UpdateService},
};
use portal_db::{
    api_keys::ApiScope,
    catalog::{self, NewService, Service, ServicePatch},
};
use portal_domain::ids::ServiceId;
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

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_service)
        .service(list_services)
        .service(get_service)
        .service(update_service);
}

fn service_response(s: Service) -> ServiceResponse {
    ServiceResponse {
        id: s.id.as_uuid(),
        name: s.name,
        description: s.description,
        duration_minutes: s.duration_minutes,
        buffer_before_minutes: s.buffer_before_minutes,
        buffer_after_minutes: s.buffer_after_minutes,
        price_cents: s.price_cents,
        currency: s.currency,
        cancel_notice_minutes: s.cancel_notice_minutes,
        reschedule_notice_minutes: s.reschedule_notice_minutes,
        active: s.active,
        created_at: s.created_at,
        updated_at: s.updated_at,
    }
}

/// A published price needs its currency.
fn check_price(price: Option<u32>, currency: Option<&str>) -> ApiResult<()> {
    if price.is_some() && currency.is_none() {
        return Err(ApiError::invalid_field(
            ErrorCode::ValidationFailed,
            "currency",
            "required when price_cents is set",
        ));
    }
    Ok(())
}

/// Create a service
///
/// Adds something customers can book: its length (5–720 minutes), buffers blocked before and after
/// (0–240 minutes), an optional price and notice overrides of the company's cancellation and
/// reschedule rules. Needs a company-wide key.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("Idempotency-Key" = String, Header, description = "1–255 visible ASCII characters, unique per request; a repeat returns the first answer")),
    request_body(content = CreateService, example = json!({"name": "Erstuntersuchung", "duration_minutes": 30, "buffer_after_minutes": 10, "price_cents": 4500, "currency": "EUR", "cancel_notice_minutes": 2880})),
    responses(
        (status = 201, description = "Created", body = ServiceResponse,
            example = json!({"id": "0193a5b2-9e00-7f22-9b3c-4d5e6f7a8b9c", "name": "Erstuntersuchung", "description": null, "duration_minutes": 30, "buffer_before_minutes": 0, "buffer_after_minutes": 10, "price_cents": 4500, "currency": "EUR", "cancel_notice_minutes": 2880, "reschedule_notice_minutes": null, "active": true, "created_at": "2026-11-25T09:00:00Z", "updated_at": "2026-11-25T09:00:00Z"})),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `catalog` scope, or a branch-bound key", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same Idempotency-Key is still being processed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field, or reused Idempotency-Key", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:validation_failed", "title": "Invalid request", "status": 422, "detail": "duration_minutes: must be between 5 and 720 minutes", "code": "validation_failed", "errors": [{"field": "duration_minutes", "message": "must be between 5 and 720 minutes"}]})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/services")]
#[tracing::instrument(skip_all)]
pub async fn create_service(
    state: web::Data<AppState>,
    integrator: Integrator,
    body: Json<CreateService>,
) -> ApiResult<HttpResponse> {
    let scope = integrator.require_company_wide(ApiScope::Catalog)?;
    let body = body.0;
    check_price(body.price_cents, body.currency.as_ref().map(|c| c.as_str()))?;
    let service = catalog::create_service(
        &state.db,
        scope.into(),
        NewService {
            name: body.name.into(),
            description: body.description.map(Into::into),
            duration_minutes: body.duration_minutes.get(),
            buffer_before_minutes: body.buffer_before_minutes.map_or(0, |m| m.get()),
            buffer_after_minutes: body.buffer_after_minutes.map_or(0, |m| m.get()),
            price_cents: body.price_cents,
            currency: body.currency.map(Into::into),
            cancel_notice_minutes: body.cancel_notice_minutes.map(|m| m.get()),
            reschedule_notice_minutes: body.reschedule_notice_minutes.map(|m| m.get()),
            active: body.active.unwrap_or(true),
        },
        state.clock.now(),
    )
    .await?;
    Ok(HttpResponse::Created().json(service_response(service)))
}

/// List services
///
/// The company's services in creation order, a page at a time, inactive ones included (marked).
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Page size, 1–100 (default 50)"),
    ),
    responses(
        (status = 200, description = "A page of services", body = ServicePage,
            example = json!({"items": [{"id": "0193a5b2-9e00-7f22-9b3c-4d5e6f7a8b9c", "name": "Erstuntersuchung", "description": null, "duration_minutes": 30, "buffer_before_minutes": 0, "buffer_after_minutes": 10, "price_cents": 4500, "currency": "EUR", "cancel_notice_minutes": null, "reschedule_notice_minutes": null, "active": true, "created_at": "2026-11-25T09:00:00Z", "updated_at": "2026-11-25T09:00:00Z"}], "next_cursor": null})),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `catalog` scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid `cursor` or `limit`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/services")]
#[tracing::instrument(skip_all)]
pub async fn list_services(
    state: web::Data<AppState>,
    integrator: Integrator,
    req: HttpRequest,
) -> ApiResult<web::Json<ServicePage>> {
    let scope = integrator.require(ApiScope::Catalog)?;
    let page = QueryParams::parse(&req, &["cursor", "limit"])?.page()?;
    let page = catalog::list_services(&state.db, scope.into(), page).await?;
    Ok(web::Json(ServicePage {
        items: page.items.into_iter().map(service_response).collect(),
        next_cursor: next_cursor(page.next_after),
    }))
}

/// Get a service
///
/// One service of the company; a service of another company answers 404 exactly like a missing id.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "Service id")),
    responses(
        (status = 200, description = "The service", body = ServiceResponse),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `catalog` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:not_found", "title": "Not found", "status": 404, "detail": "The requested resource does not exist.", "code": "not_found"})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/services/{id}")]
#[tracing::instrument(skip_all)]
pub async fn get_service(
    state: web::Data<AppState>,
    integrator: Integrator,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<ServiceResponse>> {
    let scope = integrator.require(ApiScope::Catalog)?;
    let service = catalog::find_service(&state.db, scope.into(), ServiceId::from_uuid(*id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(web::Json(service_response(service)))
}

/// Update a service
///
/// Changes only the fields sent: length, buffers, price and currency, notice overrides (`null`
/// falls back to the company's rule) and `active`. Needs a company-wide key.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "Service id")),
    request_body(content = UpdateService, example = json!({"duration_minutes": 45, "price_cents": null, "cancel_notice_minutes": null})),
    responses(
        (status = 200, description = "The updated service", body = ServiceResponse),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `catalog` scope, or a branch-bound key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:validation_failed", "title": "Invalid request", "status": 422, "detail": "buffer_before_minutes: must be between 0 and 240 minutes", "code": "validation_failed", "errors": [{"field": "buffer_before_minutes", "message": "must be between 0 and 240 minutes"}]})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/services/{id}")]
#[tracing::instrument(skip_all)]
pub async fn update_service(
    state: web::Data<AppState>,
    integrator: Integrator,
    id: web::Path<Uuid>,
    body: Json<UpdateService>,
) -> ApiResult<web::Json<ServiceResponse>> {
    let scope = integrator.require_company_wide(ApiScope::Catalog)?;
    let body = body.0;
    let id = ServiceId::from_uuid(*id);
    let current = catalog::find_service(&state.db, scope.into(), id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let price = body.price_cents.unwrap_or(current.price_cents);
    let currency = match &body.currency {
        Some(c) => c.as_ref().map(|c| c.as_str()),
        None => current.currency.as_deref(),
    };
    check_price(price, currency)?;
    let patch = ServicePatch {
        name: body.name.map(Into::into),
        description: body.description.map(|d| d.map(Into::into)),
        duration_minutes: body.duration_minutes.map(|m| m.get()),
        buffer_before_minutes: body.buffer_before_minutes.map(|m| m.get()),
        buffer_after_minutes: body.buffer_after_minutes.map(|m| m.get()),
        price_cents: body.price_cents,
        currency: body.currency.map(|c| c.map(Into::into)),
        cancel_notice_minutes: body.cancel_notice_minutes.map(|m| m.map(|m| m.get())),
        reschedule_notice_minutes: body.reschedule_notice_minutes.map(|m| m.map(|m| m.get())),
        active: body.active,
    };
    let service = catalog::update_service(&state.db, scope.into(), id, patch, state.clock.now())
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(web::Json(service_response(service)))
}
