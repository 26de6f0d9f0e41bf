//! Support chat shared by the customer routes and the integrator API: validation, the DTO, and
//! what a new message sets off (live update, webhook).

use chrono::SecondsFormat;
use portal_api_types::{ErrorCode, support::SupportMessage};
use portal_db::support::SupportMessage as Row;
use serde_json::json;

use crate::{
    error::{ApiError, ApiResult},
    state::AppState,
};

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
pub fn announce(state: &AppState, company: portal_domain::CompanyId, m: &Row) {
    state.events.send(
        company,
        m.customer_id,
        "support_message",
        serde_json::to_value(dto(m)).unwrap_or_default(),
    );
}

/// The `support.message_created` webhook body.
pub fn webhook_payload(m: &Row, now: chrono::DateTime<chrono::Utc>) -> serde_json::Value {
    json!({
        "event": "support.message_created",
        "created_at": now,
        "data": {
            "message_id": m.id,
            "customer_id": m.customer_id,
            "author": m.author,
            "body": m.body,
            "created_at": m.created_at,
        }
    })
}
