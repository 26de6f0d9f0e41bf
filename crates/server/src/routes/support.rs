//! `/api/customer/support/messages`: the customer's side of the support chat.

use actix_web::{HttpResponse, get, post, web};
use portal_api_types::{
    Problem,
    support::{NewSupportMessage, SupportMessageList},
};
use portal_usecases::{
    Actor,
    support::{self, message_view},
};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    error::ApiResult,
    extract::{Customer, Json},
    state::AppState,
};

/// The signed-in customer as the use cases know them.
fn actor(customer: &Customer) -> Actor<'_> {
    Actor::Customer {
        scope: &customer.0.scope,
        company: &customer.1,
    }
}

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_support_messages)
        .service(post_support_message);
}

/// Read the support chat
///
/// The conversation with the business, oldest first (the latest 200 messages). Reading marks the
/// staff's messages read.
#[utoipa::path(
    tag = "Support",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The conversation", body = SupportMessageList, example = json!({"items": [{"id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d22", "author": "staff", "author_name": "Frau Weber", "body": "Gern, rufen Sie uns einfach an.", "created_at": "2026-11-25T09:05:00Z", "read_at": null}]})),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customer/support/messages")]
#[tracing::instrument(skip_all)]
pub async fn list_support_messages(
    state: web::Data<AppState>,
    customer: Customer,
) -> ApiResult<web::Json<SupportMessageList>> {
    let items = support::support_conversation(&state.ctx(), actor(&customer), None).await?;
    Ok(web::Json(SupportMessageList {
        items: items.iter().map(message_view).collect(),
    }))
}

/// Write to support
///
/// Adds a message (1–2,000 characters) to the conversation; the business's integrators get the
/// `support.message_created` webhook. At most `support.messages_per_hour` (default 30) an hour.
#[utoipa::path(
    tag = "Support",
    security(("bearer" = [])),
    request_body(content = NewSupportMessage, example = json!({"body": "Kann ich meinen Termin auch telefonisch bestätigen?"})),
    responses(
        (status = 201, description = "Written", body = portal_api_types::support::SupportMessage),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty or longer than 2,000 characters", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many messages this hour", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/customer/support/messages")]
#[tracing::instrument(skip_all)]
pub async fn post_support_message(
    state: web::Data<AppState>,
    customer: Customer,
    payload: Json<NewSupportMessage>,
) -> ApiResult<HttpResponse> {
    let message =
        support::post_support_message(&state.ctx(), actor(&customer), None, &payload.0.body, None)
            .await?;
    Ok(HttpResponse::Created().json(message_view(&message)))
}
