//! `/webhooks`: endpoints that receive `appointment.cancelled` and `appointment.rescheduled` when a
//! customer acts, and the log of every delivery attempt.

use actix_web::{HttpResponse, delete, get, post, web};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use portal_api_types::{
    ErrorCode, Problem,
    webhooks::{
        CreateWebhookEndpoint, DeliveryStatus, WebhookAttempt, WebhookDelivery,
        WebhookDeliveryList, WebhookEndpoint, WebhookEndpointList,
    },
};
use portal_db::{api_keys::ApiScope, webhooks};
use rand::TryRngCore;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::auth::Integrator;
use crate::{
    error::{ApiError, ApiResult},
    extract::Json,
    state::AppState,
};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_endpoint)
        .service(list_endpoints)
        .service(delete_endpoint)
        .service(list_deliveries);
}

fn endpoint(e: webhooks::Endpoint, secret: Option<String>) -> WebhookEndpoint {
    WebhookEndpoint {
        id: e.id,
        url: e.url,
        events: e.events,
        active: e.active,
        created_at: e.created_at,
        secret,
    }
}

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::invalid_field(ErrorCode::ValidationFailed, field, message)
}

/// A URL the outbound guard allows: `https` to a public address (in development also loopback);
/// checked again at every delivery.
fn valid_url(state: &AppState, input: &str) -> ApiResult<url::Url> {
    let url = url::Url::parse(input).map_err(|_| invalid("url", "not a URL"))?;
    state.webhooks.guard().check(&url).map_err(|refused| {
        invalid(
            "url",
            &format!("{refused}: an https:// URL of a public host"),
        )
    })?;
    Ok(url)
}

/// Register a webhook endpoint
///
/// Deliveries are POSTs with a JSON body `{id, event, created_at, data}` and the headers
/// `X-Portal-Event`, `X-Portal-Delivery` and `X-Portal-Signature: t=<unix seconds>,v1=<hex>`, where
/// `v1` is HMAC-SHA256 with the endpoint's secret over `"<t>.<body>"`. Answer 2xx within 10 s;
/// anything else is retried with exponential backoff (30 s doubling, at most 1 h, 8 attempts), so
/// deduplicate by `id`. The secret is in this answer only.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("Idempotency-Key" = String, Header, description = "Unique per request")),
    request_body(content = CreateWebhookEndpoint, example = json!({"url": "https://booking.example.com/hooks/portal", "events": ["appointment.cancelled", "appointment.rescheduled"]})),
    responses(
        (status = 201, description = "Registered; the answer holds the secret", body = WebhookEndpoint,
            example = json!({"id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d17", "url": "https://booking.example.com/hooks/portal", "events": ["appointment.cancelled"], "active": true, "created_at": "2026-11-25T09:00:00Z", "secret": "whsec_vY3o0cJ7mWZ1kq2rT9x4bN8dL5aP6sQeH0uK3fG7jRw"})),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `webhooks` scope, or a branch-bound key", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid URL or unknown event", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks")]
#[tracing::instrument(skip_all)]
pub async fn create_endpoint(
    state: web::Data<AppState>,
    integrator: Integrator,
    body: Json<CreateWebhookEndpoint>,
) -> ApiResult<HttpResponse> {
    let scope = integrator.require_company_wide(ApiScope::Webhooks)?;
    let body = body.0;
    let url = valid_url(&state, &body.url)?;
    if body.events.is_empty() {
        return Err(invalid("events", "name at least one event"));
    }
    for (i, event) in body.events.iter().enumerate() {
        if !webhooks::EVENTS.contains(&event.as_str()) {
            return Err(invalid(
                &format!("events[{i}]"),
                &format!("one of {}", webhooks::EVENTS.join(", ")),
            ));
        }
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(ApiError::internal)?;
    let secret = format!("whsec_{}", URL_SAFE_NO_PAD.encode(bytes));
    let created = webhooks::create_endpoint(
        &state.db,
        scope.into(),
        url.as_str(),
        &body.events,
        &secret,
        state.clock.now(),
    )
    .await?;
    Ok(HttpResponse::Created().json(endpoint(created, Some(secret))))
}

/// List webhook endpoints
///
/// The company's endpoints (without their secrets).
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "Endpoints", body = WebhookEndpointList, example = json!({"items": []})),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `webhooks` scope, or a branch-bound key", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks")]
#[tracing::instrument(skip_all)]
pub async fn list_endpoints(
    state: web::Data<AppState>,
    integrator: Integrator,
) -> ApiResult<web::Json<WebhookEndpointList>> {
    let scope = integrator.require_company_wide(ApiScope::Webhooks)?;
    let items = webhooks::list_endpoints(&state.db, scope.into())
        .await?
        .into_iter()
        .map(|e| endpoint(e, None))
        .collect();
    Ok(web::Json(WebhookEndpointList { items }))
}

/// Remove a webhook endpoint
///
/// Stops deliveries to it and removes its delivery log.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "Endpoint id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `webhooks` scope, or a branch-bound key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:not_found", "title": "Not found", "status": 404, "detail": "The requested resource does not exist.", "code": "not_found"})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/webhooks/{id}")]
#[tracing::instrument(skip_all)]
pub async fn delete_endpoint(
    state: web::Data<AppState>,
    integrator: Integrator,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let scope = integrator.require_company_wide(ApiScope::Webhooks)?;
    if webhooks::delete_endpoint(&state.db, scope.into(), id.into_inner()).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found())
    }
}

/// Webhook delivery log
///
/// The latest 100 deliveries with every attempt: status received, transport error, time.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "Deliveries, newest first", body = WebhookDeliveryList,
            example = json!({"items": [{"id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d18", "endpoint_id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d17", "event": "appointment.cancelled", "status": "delivered",
                "attempts": [{"attempt": 1, "response_status": 500, "error": "HTTP 500", "at": "2026-11-25T09:00:00Z"}, {"attempt": 2, "response_status": 200, "error": null, "at": "2026-11-25T09:00:30Z"}], "created_at": "2026-11-25T09:00:00Z"}]})),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `webhooks` scope, or a branch-bound key", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks/deliveries")]
#[tracing::instrument(skip_all)]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    integrator: Integrator,
) -> ApiResult<web::Json<WebhookDeliveryList>> {
    let scope = integrator.require_company_wide(ApiScope::Webhooks)?;
    let items = webhooks::deliveries(&state.db, scope.into(), 100)
        .await?
        .into_iter()
        .map(|d| {
            Ok(WebhookDelivery {
                id: d.id,
                endpoint_id: d.endpoint_id,
                event: d.event,
                status: DeliveryStatus::parse(&d.status).ok_or_else(|| {
                    ApiError::internal(format!("webhook delivery {} status", d.id))
                })?,
                attempts: d
                    .attempts
                    .into_iter()
                    .map(|a| WebhookAttempt {
                        attempt: a.attempt,
                        response_status: a.response_status,
                        error: a.error,
                        at: a.at,
                    })
                    .collect(),
                created_at: d.created_at,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(web::Json(WebhookDeliveryList { items }))
}
