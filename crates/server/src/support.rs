//! Support chat shared by the customer routes and the integrator API: validation, the DTO, and
//! what a new message sets off (live update, webhook).

use chrono::SecondsFormat;
use portal_api_types::{
    ErrorCode,
    support::{SupportMessage, SupportMessageList},
};
use portal_db::support::{self as repo, Author, SupportMessage as Row};
use portal_domain::{CompanyId, CustomerId};

use crate::{
    error::{ApiError, ApiResult},
    state::AppState,
};

/// How many of the latest messages a conversation shows.
const CONVERSATION_LIMIT: u64 = 200;

/// The latest messages of a customer's conversation; what the other side wrote counts as read by
/// `reader` from now on.
pub async fn conversation(
    state: &AppState,
    company: CompanyId,
    customer: CustomerId,
    reader: Author,
) -> ApiResult<SupportMessageList> {
    let items = repo::messages(&state.db, company, customer, CONVERSATION_LIMIT).await?;
    repo::mark_read_by(&state.db, company, customer, reader, state.clock.now()).await?;
    Ok(SupportMessageList {
        items: items.iter().map(dto).collect(),
    })
}

/// Longest message, in characters.
pub const MAX_CHARS: usize = 2000;

/// A message body trimmed and checked: 1–2,000 characters.
pub fn body(text: &str) -> ApiResult<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(ApiError::invalid_field(
            ErrorCode::ValidationFailed,
            "body",
            "must not be empty",
        ));
    }
    if trimmed.chars().count() > MAX_CHARS {
        return Err(ApiError::invalid_field(
            ErrorCode::ValidationFailed,
            "body",
            "at most 2000 characters",
        ));
    }
    Ok(trimmed.to_owned())
}

/// The API form.
pub fn dto(m: &Row) -> SupportMessage {
    SupportMessage {
        id: m.id,
        author: m.author.clone(),
        author_name: m.author_name.clone(),
        body: m.body.clone(),
        created_at: m.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        read_at: m
            .read_at
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
    }
}

/// Tells the customer's open pages about a new message.
pub fn announce(state: &AppState, company: CompanyId, m: &Row) {
    state.events.send(
        company,
        m.customer_id,
        "support_message",
        serde_json::to_value(dto(m)).unwrap_or_default(),
    );
}

/// The `support.message_created` webhook body.
pub fn webhook_payload(m: &Row, now: chrono::DateTime<chrono::Utc>) -> serde_json::Value {
    use portal_api_types::webhooks::{SupportMessageCreated, WebhookEvent, WebhookPayload};
    let payload = WebhookPayload {
        created_at: now,
        event: WebhookEvent::SupportMessageCreated(SupportMessageCreated {
            message_id: m.id,
            customer_id: m.customer_id.as_uuid(),
            author: m.author.clone(),
            body: m.body.clone(),
            created_at: m.created_at,
        }),
    };
    serde_json::to_value(payload).unwrap_or_default()
}
