//! Liveness, readiness and metrics (outside `/api`, not in the OpenAPI document). Metrics are for
//! operators: a bearer token, or development only.

use actix_web::{HttpRequest, HttpResponse, get, http::header, web};
use serde_json::json;

use crate::{config::Environment, error::ApiError, state::AppState};

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(live).service(ready).service(metrics);
}

/// The process answers.
#[get("/health/live")]
async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// The process can serve: the database answers.
#[get("/health/ready")]
async fn ready(state: web::Data<AppState>) -> HttpResponse {
    match portal_db::ping(&state.db).await {
        Ok(()) => HttpResponse::Ok().json(json!({"status": "ok", "database": "ok"})),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            HttpResponse::ServiceUnavailable()
                .json(json!({"status": "unavailable", "database": "unavailable"}))
        }
    }
}

/// Whether `req` may read the metrics: with the configured bearer token (compared in constant
/// time); without one configured, only in development.
fn may_read_metrics(state: &AppState, req: &HttpRequest) -> bool {
    match &state.settings.metrics.token {
        Some(token) => req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| {
                subtle::ConstantTimeEq::ct_eq(given.as_bytes(), token.expose().as_bytes()).into()
            }),
        None => state.settings.environment == Environment::Development,
    }
}

/// Prometheus exposition.
#[get("/metrics")]
async fn metrics(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    if !may_read_metrics(&state, &req) {
        return Err(ApiError::not_found());
    }
    Ok(match state.metrics.render() {
        Ok(text) => HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4")
            .body(text),
        Err(err) => {
            tracing::error!(error = %err, "rendering metrics failed");
            HttpResponse::InternalServerError().finish()
        }
    })
}
