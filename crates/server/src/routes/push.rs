//! `/api/customer/push-subscriptions`: Web Push for the customer's browsers and devices.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use portal_api_types::{
    ErrorCode, Problem,
    notifications::{PushSubscriptionRequest, PushUnsubscribe, VapidPublicKey},
};
use portal_db::push as repo;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    error::{ApiError, ApiResult},
    extract::{Customer, Json, NoBody, Query, user_agent},
    state::AppState,
};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(vapid_public_key)
        .service(subscribe_push)
        .service(unsubscribe_push);
}

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::invalid_field(ErrorCode::ValidationFailed, field, message)
}

/// A base64url value of `len` bytes.
fn key(field: &str, value: &str, len: usize) -> ApiResult<()> {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    match URL_SAFE_NO_PAD.decode(value.trim_end_matches('=')) {
        Ok(bytes) if bytes.len() == len => Ok(()),
        _ => Err(invalid(field, &format!("base64url of {len} bytes"))),
    }
}

/// The VAPID public key
///
/// The server's `applicationServerKey` to pass to `pushManager.subscribe` before registering the
/// subscription with `POST /api/customer/push-subscriptions`.
#[utoipa::path(
    tag = "Messages",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The key", body = VapidPublicKey,
            example = json!({"public_key": "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U"})),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customer/push-subscriptions/vapid-public-key")]
#[tracing::instrument(skip_all)]
pub async fn vapid_public_key(
    state: web::Data<AppState>,
    _customer: Customer,
) -> ApiResult<web::Json<VapidPublicKey>> {
    let public_key =
        portal_notify::push::vapid_public_key(&state.secrets.vapid).map_err(ApiError::internal)?;
    Ok(web::Json(VapidPublicKey { public_key }))
}

/// Subscribe a device to push messages
///
/// Stores the browser's `PushSubscription` (an `https` endpoint with its keys). Subscribing the same
/// endpoint again replaces its keys.
#[utoipa::path(
    tag = "Messages",
    security(("bearer" = [])),
    request_body(content = PushSubscriptionRequest, example = json!({"endpoint": "https://fcm.googleapis.com/fcm/send/abc…", "keys": {"p256dh": "BLMbF9ffKBiWQLCKvTHb6LO8Nb6dcUh6TItC455vu2kElga6PQvUmaFyCdykxY2nOSSL3yKgfbmFLRTUaGv4yV8", "auth": "xS03Fi5ErfTNH_l9WHE9Ig"}})),
    responses(
        (status = 204, description = "Subscribed"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not an https endpoint or malformed keys", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/customer/push-subscriptions")]
#[tracing::instrument(skip_all)]
pub async fn subscribe_push(
    state: web::Data<AppState>,
    customer: Customer,
    req: HttpRequest,
    body: Json<PushSubscriptionRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.0;
    let endpoint = url::Url::parse(&body.endpoint).map_err(|_| invalid("endpoint", "not a URL"))?;
    // Plain http only for a push service on this machine (development and tests).
    let local = matches!(
        endpoint.host_str(),
        Some("127.0.0.1" | "localhost" | "[::1]")
    );
    if endpoint.scheme() != "https" && !(endpoint.scheme() == "http" && local) {
        return Err(invalid("endpoint", "must be an https URL"));
    }
    if body.endpoint.len() > 1000 {
        return Err(invalid("endpoint", "at most 1000 characters"));
    }
    key("keys.p256dh", &body.keys.p256dh, 65)?;
    key("keys.auth", &body.keys.auth, 16)?;
    repo::upsert(
        &state.db,
        &customer.0.scope,
        &body.endpoint,
        &body.keys.p256dh,
        &body.keys.auth,
        user_agent(&req),
        state.clock.now(),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Unsubscribe a device
///
/// Removes the subscription with this endpoint (call it after `PushSubscription.unsubscribe()`), so
/// the device gets no more push messages.
#[utoipa::path(
    tag = "Messages",
    security(("bearer" = [])),
    params(PushUnsubscribe),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of this customer", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/customer/push-subscriptions")]
#[tracing::instrument(skip_all)]
pub async fn unsubscribe_push(
    state: web::Data<AppState>,
    customer: Customer,
    _: NoBody,
    Query(query): Query<PushUnsubscribe>,
) -> ApiResult<HttpResponse> {
    if !repo::delete(&state.db, &customer.0.scope, &query.endpoint).await? {
        return Err(ApiError::not_found());
    }
    Ok(HttpResponse::NoContent().finish())
}
