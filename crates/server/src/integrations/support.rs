//! `/customers/{id}/support/messages`: staff read and answer a customer's support chat.

use actix_web::{HttpResponse, get, post, web};
use portal_api_types::{
    Problem,
    support::{StaffReply, SupportMessageList},
};
use portal_db::api_keys::ApiScope;
use portal_usecases::{
    Actor,
    support::{self, message_view},
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::auth::Integrator;
use crate::{error::ApiResult, extract::Json, state::AppState};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_customer_support_messages)
        .service(reply_to_customer);
}

/// Read a customer's support chat
///
/// The conversation, oldest first (latest 200); reading marks the customer's messages read.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "Customer id")),
    responses(
        (status = 200, description = "The conversation", body = SupportMessageList, example = json!({"items": [{"id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d22", "author": "staff", "author_name": "Frau Weber", "body": "Gern, rufen Sie uns einfach an.", "created_at": "2026-11-25T09:05:00Z", "read_at": null}]})),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `customers` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customers/{id}/support/messages")]
#[tracing::instrument(skip_all)]
pub async fn list_customer_support_messages(
    state: web::Data<AppState>,
    integrator: Integrator,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<SupportMessageList>> {
    let scope = integrator.require(ApiScope::Customers)?;
    let actor = Actor::Integrator(scope);
    let items = support::support_conversation(&state.ctx(), actor, Some(*id)).await?;
    Ok(web::Json(SupportMessageList {
        items: items.iter().map(message_view).collect(),
    }))
}

/// Reply to a customer
///
/// Adds a staff message (1–2,000 characters); the customer's open portal shows it at once (server-
/// sent events), and subscribed endpoints get `support.message_created`.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "Customer id"), ("Idempotency-Key" = String, Header, description = "Unique per request")),
    request_body(content = StaffReply, example = json!({"body": "Gern, rufen Sie uns einfach an.", "author_name": "Frau Weber"})),
    responses(
        (status = 201, description = "Written", body = portal_api_types::support::SupportMessage),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `customers` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty or too long", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/customers/{id}/support/messages")]
#[tracing::instrument(skip_all)]
pub async fn reply_to_customer(
    state: web::Data<AppState>,
    integrator: Integrator,
    id: web::Path<Uuid>,
    payload: Json<StaffReply>,
) -> ApiResult<HttpResponse> {
    let scope = integrator.require(ApiScope::Customers)?;
    let reply = payload.0;
    let message = support::post_support_message(
        &state.ctx(),
        Actor::Integrator(scope),
        Some(*id),
        &reply.body,
        reply.author_name,
    )
    .await?;
    Ok(HttpResponse::Created().json(message_view(&message)))
}
