//! `/api/customer/sessions`: the customer's signed-in devices.

use actix_web::{HttpResponse, delete, get, web};
use portal_api_types::{
    Problem,
    auth::{SessionList, SessionResponse},
};
use portal_db::sessions;
use portal_domain::SessionId;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{
    error::{ApiError, ApiResult},
    extract::Customer,
    state::AppState,
};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_sessions).service(delete_session);
}

/// List signed-in devices
///
/// Every live session of the signed-in customer, most recently used first, with the device's user
/// agent and whether it is the one making this request.
#[utoipa::path(
    tag = "Sessions",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Live sessions", body = SessionList,
            example = json!({"sessions": [{"id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13", "user_agent": "Mozilla/5.0 (iPhone)", "created_at": "2026-11-20T08:15:00Z", "last_used_at": "2026-11-25T09:00:00Z", "current": true}]})),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customer/sessions")]
#[tracing::instrument(skip_all)]
pub async fn list_sessions(
    state: web::Data<AppState>,
    customer: Customer,
) -> ApiResult<web::Json<SessionList>> {
    let current = customer.0.id;
    let list = sessions::list(&state.db, &customer.0.scope, state.clock.now()).await?;
    Ok(web::Json(SessionList {
        sessions: list
            .into_iter()
            .map(|s| SessionResponse {
                id: s.id.as_uuid(),
                user_agent: s.user_agent,
                created_at: s.created_at,
                last_used_at: s.last_used_at,
                current: s.id == current,
            })
            .collect(),
    }))
}

/// Sign out a device
///
/// Ends one of the customer's sessions (also the current one). Its access and refresh tokens stop
/// working at once. A session of someone else answers 404, exactly like a missing one.
#[utoipa::path(
    tag = "Sessions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id from the list")),
    responses(
        (status = 204, description = "Session ended"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such live session of this customer", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:not_found", "title": "Not found", "status": 404, "detail": "The requested resource does not exist.", "code": "not_found"})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/customer/sessions/{id}")]
#[tracing::instrument(skip_all)]
pub async fn delete_session(
    state: web::Data<AppState>,
    customer: Customer,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let revoked = portal_usecases::sessions::end_session(
        &state.ctx(),
        &customer.0.scope,
        SessionId::from_uuid(id.into_inner()),
    )
    .await?;
    if revoked {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found())
    }
}
