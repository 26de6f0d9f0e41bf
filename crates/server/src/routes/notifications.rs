//! `/api/customer/notifications`: every SMS, email and push message the business sent the
//! customer, with its delivery status.

use actix_web::{HttpResponse, get, post, web};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, SecondsFormat, Utc};
use portal_api_types::{
    ErrorCode, Problem,
    notifications::{
        NotificationDetail, NotificationList, NotificationStatus, NotificationSummary, UnreadCount,
    },
};
use portal_db::notifications::{self as repo, Message};
use portal_domain::Channel;
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{
    error::{ApiError, ApiResult},
    extract::{Customer, Query},
    state::AppState,
};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_notifications)
        .service(unread_count)
        .service(get_notification)
        .service(read_notification);
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The history row as the customer sees it.
fn summary(m: &Message) -> ApiResult<NotificationSummary> {
    let text = m.body_text.as_deref().unwrap_or_default();
    let corrupt = |column: &str| ApiError::internal(format!("notifications.{column} of {}", m.id));
    Ok(NotificationSummary {
        id: m.id,
        channel: Channel::parse(&m.channel).ok_or_else(|| corrupt("channel"))?,
        kind: m.kind.clone(),
        recipient: if m.channel == "push" {
            "device".into()
        } else {
            m.recipient.clone()
        },
        subject: m.subject.clone(),
        preview: text.chars().take(160).collect(),
        status: NotificationStatus::parse(&m.status).ok_or_else(|| corrupt("status"))?,
        created_at: rfc3339(m.created_at),
        sent_at: m.sent_at.map(rfc3339),
        delivered_at: m.delivered_at.map(rfc3339),
        read: m.read_at.is_some(),
    })
}

fn encode_cursor(m: &Message) -> String {
    URL_SAFE_NO_PAD.encode(format!(
        "{}|{}",
        m.created_at.to_rfc3339_opts(SecondsFormat::Nanos, true),
        m.id
    ))
}

fn decode_cursor(cursor: &str) -> Option<(DateTime<Utc>, Uuid)> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let (at, id) = raw.split_once('|')?;
    Some((
        DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc),
        id.parse().ok()?,
    ))
}

/// Query of the list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only `sms`, `email` or `push`.
    #[param(inline)]
    channel: Option<Channel>,
    /// From the previous page's `next_cursor`.
    cursor: Option<String>,
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u64>,
}

/// List the message history
///
/// Every SMS, email and push message sent to the customer, newest first, with its delivery status.
/// Sign-in codes are shown masked; the codes themselves are never stored.
#[utoipa::path(
    tag = "Messages",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "A page of messages", body = NotificationList,
            example = json!({"items": [{"id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d20", "channel": "sms", "kind": "appointment_cancelled", "recipient": "+4915100000001", "subject": null,
                "preview": "Praxis Dr. Weber: Ihr Termin Kontrolle am Di. 01.12.2026 um 10:00 Uhr ist storniert.", "status": "delivered", "created_at": "2026-11-25T09:00:00Z",
                "sent_at": "2026-11-25T09:00:01Z", "delivered_at": "2026-11-25T09:00:04Z", "read": false}], "next_cursor": null, "unread_count": 1})),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown channel, bad cursor or limit", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customer/notifications")]
#[tracing::instrument(skip_all)]
pub async fn list_notifications(
    state: web::Data<AppState>,
    customer: Customer,
    Query(query): Query<ListQuery>,
) -> ApiResult<web::Json<NotificationList>> {
    let channel = query.channel.map(Channel::as_str);
    let before = match query.cursor.as_deref() {
        None | Some("") => None,
        Some(c) => Some(decode_cursor(c).ok_or_else(|| {
            ApiError::invalid_field(
                ErrorCode::ValidationFailed,
                "cursor",
                "not a cursor of this list",
            )
        })?),
    };
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid_field(
            ErrorCode::ValidationFailed,
            "limit",
            "between 1 and 100",
        ));
    }
    let scope = &customer.0.scope;
    let mut rows = repo::list_for_customer(&state.db, scope, channel, before, limit + 1).await?;
    let next_cursor = if rows.len() as u64 > limit {
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        rows.last().map(encode_cursor)
    } else {
        None
    };
    Ok(web::Json(NotificationList {
        items: rows.iter().map(summary).collect::<ApiResult<_>>()?,
        next_cursor,
        unread_count: repo::unread_count(&state.db, scope).await?,
    }))
}

/// Count unread messages
///
/// How many of the customer's messages were not opened in the portal yet; for the badge on the
/// messages tab.
#[utoipa::path(
    tag = "Messages",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Unread messages", body = UnreadCount, example = json!({"unread_count": 2})),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customer/notifications/unread-count")]
#[tracing::instrument(skip_all)]
pub async fn unread_count(
    state: web::Data<AppState>,
    customer: Customer,
) -> ApiResult<web::Json<UnreadCount>> {
    Ok(web::Json(UnreadCount {
        unread_count: repo::unread_count(&state.db, &customer.0.scope).await?,
    }))
}

/// Read one message
///
/// The whole message; email HTML is sanitised (no scripts, styles, event handlers or remote images).
#[utoipa::path(
    tag = "Messages",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Message id")),
    responses(
        (status = 200, description = "The message", body = NotificationDetail,
            example = json!({"id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d21", "channel": "email", "kind": "appointment_booked", "recipient": "anna@example.org",
                "subject": "Praxis Dr. Weber: Ihr Termin ist gebucht", "preview": "Guten Tag Anna Schmidt,", "status": "sent", "created_at": "2026-11-25T09:00:00Z",
                "sent_at": "2026-11-25T09:00:01Z", "delivered_at": null, "read": true, "body_text": "Guten Tag Anna Schmidt,\n\nIhr Termin ist gebucht.",
                "body_html": "<p>Guten Tag Anna Schmidt,</p><h1>Ihr Termin ist gebucht</h1>", "has_attachment": true})),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such message of this customer", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customer/notifications/{id}")]
#[tracing::instrument(skip_all)]
pub async fn get_notification(
    state: web::Data<AppState>,
    customer: Customer,
    id: web::Path<String>,
) -> ApiResult<web::Json<NotificationDetail>> {
    let id: Uuid = id.parse().map_err(|_| ApiError::not_found())?;
    let message = repo::find_for_customer(&state.db, &customer.0.scope, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(web::Json(NotificationDetail {
        summary: summary(&message)?,
        body_text: message.body_text.clone().unwrap_or_default(),
        body_html: message
            .body_html
            .as_deref()
            .map(portal_notify::messages::sanitize_html),
        has_attachment: message.has_attachment,
    }))
}

/// Mark a message read
///
/// Records that the customer opened the message, so it no longer counts as unread.
#[utoipa::path(
    tag = "Messages",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Message id")),
    responses(
        (status = 204, description = "Marked read (also when it already was)"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such message of this customer", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:not_found", "title": "Not found", "status": 404, "detail": "The requested resource does not exist.", "code": "not_found"})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/customer/notifications/{id}/read")]
#[tracing::instrument(skip_all)]
pub async fn read_notification(
    state: web::Data<AppState>,
    customer: Customer,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id: Uuid = id.parse().map_err(|_| ApiError::not_found())?;
    if !repo::mark_read(&state.db, &customer.0.scope, id, state.clock.now()).await? {
        return Err(ApiError::not_found());
    }
    Ok(HttpResponse::NoContent().finish())
}
