//! The outbox: every message is a row before it is sent, so nothing is lost when a provider or
//! the process fails half-way.

use chrono::{DateTime, Utc};
use portal_domain::{CompanyId, CustomerId};
use portal_entity::notifications as n;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use crate::DbError;

/// A message to send.
#[derive(Debug, Clone)]
pub struct NewNotification {
    /// Company.
    pub company_id: CompanyId,
    /// Customer it is for.
    pub customer_id: Option<CustomerId>,
    /// `sms`, `email`, `push`.
    pub channel: &'static str,
    /// What it is about, e.g. `appointment_cancelled`.
    pub kind: &'static str,
    /// Phone number, address or subscription.
    pub recipient: String,
    /// Subject (email).
    pub subject: Option<String>,
    /// Plain text.
    pub body_text: String,
}

/// A queued message as the delivery worker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// Id.
    pub id: Uuid,
    /// Channel.
    pub channel: String,
    /// Recipient.
    pub recipient: String,
    /// Text.
    pub body_text: String,
    /// Attempts so far.
    pub attempts: i32,
}

/// Queues a message for delivery.
pub async fn queue(
    db: &impl ConnectionTrait,
    new: NewNotification,
    now: DateTime<Utc>,
) -> Result<Uuid, DbError> {
    let id = Uuid::now_v7();
    n::ActiveModel {
        id: Set(id),
        company_id: Set(new.company_id.as_uuid()),
        customer_id: Set(new.customer_id.map(CustomerId::as_uuid)),
        channel: Set(new.channel.to_owned()),
        kind: Set(new.kind.to_owned()),
        recipient: Set(new.recipient),
        subject: Set(new.subject),
        body_text: Set(Some(new.body_text)),
        body_html: Set(None),
        status: Set("queued".into()),
        provider_id: Set(None),
        attempts: Set(0),
        next_attempt_at: Set(Some(now)),
        locked_until: Set(None),
        last_error: Set(None),
        read_at: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        delivered_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(id)
}

/// Claims up to `limit` due messages of `channel` for `lease`, so no other worker (in this or
/// another process) takes them meanwhile. Each claim is a conditional update: a row already
/// claimed by someone else is skipped.
pub async fn claim_due(
    db: &impl ConnectionTrait,
    channel: &str,
    limit: u64,
    lease: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<Vec<Pending>, DbError> {
    let due = n::Entity::find()
        .filter(n::Column::Channel.eq(channel))
        .filter(n::Column::Status.eq("queued"))
        .filter(n::Column::NextAttemptAt.lte(now))
        .filter(
            sea_orm::Condition::any()
                .add(n::Column::LockedUntil.is_null())
                .add(n::Column::LockedUntil.lt(now)),
        )
        .order_by_asc(n::Column::NextAttemptAt)
        .limit(limit)
        .all(db)
        .await?;
    let mut claimed = Vec::with_capacity(due.len());
    for row in due {
        let taken = n::Entity::update_many()
            .col_expr(n::Column::LockedUntil, Expr::value(now + lease))
            .filter(n::Column::Id.eq(row.id))
            .filter(n::Column::Status.eq("queued"))
            .filter(
                sea_orm::Condition::any()
                    .add(n::Column::LockedUntil.is_null())
                    .add(n::Column::LockedUntil.lt(now)),
            )
            .exec(db)
            .await?;
        if taken.rows_affected == 1 {
            claimed.push(Pending {
                id: row.id,
                channel: row.channel,
                recipient: row.recipient,
                body_text: row.body_text.unwrap_or_default(),
                attempts: row.attempts,
            });
        }
    }
    Ok(claimed)
}

/// Records a successful hand-over to the provider.
pub async fn mark_sent(
    db: &impl ConnectionTrait,
    id: Uuid,
    provider_id: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    n::Entity::update_many()
        .col_expr(n::Column::Status, Expr::value("sent"))
        .col_expr(n::Column::ProviderId, Expr::value(provider_id))
        .col_expr(n::Column::SentAt, Expr::value(now))
        .col_expr(n::Column::Attempts, Expr::col(n::Column::Attempts).add(1))
        .col_expr(
            n::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(n::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a failed attempt: retried at `retry_at`, or failed for good when `retry_at` is `None`.
pub async fn mark_attempt_failed(
    db: &impl ConnectionTrait,
    id: Uuid,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<(), DbError> {
    let status = if retry_at.is_some() {
        "queued"
    } else {
        "failed"
    };
    n::Entity::update_many()
        .col_expr(n::Column::Status, Expr::value(status))
        .col_expr(
            n::Column::LastError,
            Expr::value(error.chars().take(500).collect::<String>()),
        )
        .col_expr(n::Column::NextAttemptAt, Expr::value(retry_at))
        .col_expr(n::Column::Attempts, Expr::col(n::Column::Attempts).add(1))
        .col_expr(
            n::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(n::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
