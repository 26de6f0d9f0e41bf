//! The outbox: every message is a row before it is sent, so nothing is lost when a provider or
//! the process fails half-way. The same rows are the customer's message history.
//!
//! Status: `queued` → `sent` (handed to the provider) → `delivered` or `failed`. A worker claims
//! due rows with a lease (`locked_until`); on PostgreSQL the claim is one
//! `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING *`, so workers in several
//! processes never take the same row; on SQLite (one process, one writer) each claim is a
//! conditional update. A crashed worker's lease simply expires and the row is claimed again.

use chrono::{DateTime, Utc};
use portal_domain::{ChallengeId, Channel, CompanyId, CustomerId};
use portal_entity::notifications as n;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, Statement,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{CustomerScope, DbError};

/// A message to send.
#[derive(Debug, Clone)]
pub struct NewNotification {
    /// Company.
    pub company_id: CompanyId,
    /// Customer it is for.
    pub customer_id: Option<CustomerId>,
    /// How it goes out.
    pub channel: Channel,
    /// What it is about, e.g. `appointment_cancelled`.
    pub kind: &'static str,
    /// Phone number, address, or (push) the customer id whose devices get it.
    pub recipient: String,
    /// Subject (email) or title (push).
    pub subject: Option<String>,
    /// Plain text.
    pub body_text: String,
    /// HTML (email).
    pub body_html: Option<String>,
    /// ICS file to attach (email).
    pub attachment: Option<String>,
    /// The appointment it is about.
    pub appointment_id: Option<Uuid>,
}

impl NewNotification {
    /// A message of `kind` on `channel` to `recipient` with the plain text `body_text`; the other
    /// fields (customer, subject, HTML, attachment, appointment) are empty until set.
    pub fn new(
        company_id: CompanyId,
        channel: Channel,
        kind: &'static str,
        recipient: String,
        body_text: String,
    ) -> Self {
        Self {
            company_id,
            customer_id: None,
            channel,
            kind,
            recipient,
            subject: None,
            body_text,
            body_html: None,
            attachment: None,
            appointment_id: None,
        }
    }
}

/// A queued message as the delivery worker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// Id.
    pub id: Uuid,
    /// Company.
    pub company_id: CompanyId,
    /// Customer.
    pub customer_id: Option<CustomerId>,
    /// Channel.
    pub channel: Channel,
    /// Kind.
    pub kind: String,
    /// Recipient.
    pub recipient: String,
    /// Subject or push title.
    pub subject: Option<String>,
    /// Text.
    pub body_text: String,
    /// HTML.
    pub body_html: Option<String>,
    /// Attachment (ICS).
    pub attachment: Option<String>,
    /// The appointment it is about.
    pub appointment_id: Option<Uuid>,
    /// Attempts so far.
    pub attempts: i32,
}

impl TryFrom<n::Model> for Pending {
    type Error = DbError;
    fn try_from(row: n::Model) -> Result<Self, DbError> {
        Ok(Self {
            id: row.id,
            company_id: CompanyId::from_uuid(row.company_id),
            customer_id: row.customer_id.map(CustomerId::from_uuid),
            channel: Channel::parse(&row.channel).ok_or_else(|| {
                DbError::Corrupt(format!("notifications.channel {:?}", row.channel))
            })?,
            kind: row.kind,
            recipient: row.recipient,
            subject: row.subject,
            body_text: row.body_text.unwrap_or_default(),
            body_html: row.body_html,
            attachment: row.attachment,
            appointment_id: row.appointment_id,
            attempts: row.attempts,
        })
    }
}

fn active_model(id: Uuid, new: NewNotification, now: DateTime<Utc>) -> n::ActiveModel {
    n::ActiveModel {
        id: Set(id),
        company_id: Set(new.company_id.as_uuid()),
        customer_id: Set(new.customer_id.map(CustomerId::as_uuid)),
        channel: Set(new.channel.as_str().to_owned()),
        kind: Set(new.kind.to_owned()),
        recipient: Set(new.recipient),
        subject: Set(new.subject),
        body_text: Set(Some(new.body_text)),
        body_html: Set(new.body_html),
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
        appointment_id: Set(new.appointment_id),
        attachment: Set(new.attachment),
    }
}

/// Queues a message for delivery.
pub async fn queue(
    db: &impl ConnectionTrait,
    new: NewNotification,
    now: DateTime<Utc>,
) -> Result<Uuid, DbError> {
    let row = active_model(Uuid::now_v7(), new, now).insert(db).await?;
    Ok(row.id)
}

/// The kinds of the messages that carry a one-time code: the customer is waiting for them, so the
/// outbox sends them first and has a lane of its own for them.
pub const CODE_KINDS: [&str; 4] = [
    SIGN_IN_CODE_KIND,
    PHONE_CHANGE_CODE_KIND,
    NO_CODE_KIND,
    EMAIL_CODE_KIND,
];
/// A sign-in code (SMS).
pub const SIGN_IN_CODE_KIND: &str = "sign_in_code";
/// A code proving a new phone number (SMS).
pub const PHONE_CHANGE_CODE_KIND: &str = "phone_change_code";
/// The stand-in for a code that is not sent (a sign-in for a number no customer has, a phone
/// change to a number another customer has): it goes through the same queue and lane as a real
/// code and is then forgotten, so nothing — not the work before the answer, not the limits after
/// an outage — differs from a real one.
pub const NO_CODE_KIND: &str = "no_code";
pub use crate::customers::EMAIL_CODE_KIND;

/// Queues the SMS of a sign-in or phone-change challenge under the challenge's own id, so the
/// outbox can find the challenge it is for. Its text holds the code only as a mask; the code is
/// drawn when the message is sent (see `portal_usecases::auth::codes::deliver_code`).
pub async fn queue_code(
    db: &impl ConnectionTrait,
    challenge: ChallengeId,
    new: NewNotification,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    active_model(challenge.as_uuid(), new, now)
        .insert(db)
        .await?;
    Ok(())
}

/// Which queued messages a worker takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Every message, code messages first.
    All,
    /// Only messages carrying a code ([`CODE_KINDS`]).
    Codes,
}

/// Claims up to `limit` due messages of `channel` in `lane` for `lease`, so no other worker (in
/// this or another process) takes them meanwhile. Code messages come first.
pub async fn claim_due(
    db: &impl ConnectionTrait,
    channel: Channel,
    lane: Lane,
    limit: u64,
    lease: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<Vec<Pending>, DbError> {
    let codes_first = Expr::col(n::Column::Kind).is_in(CODE_KINDS);
    let only_codes = match lane {
        Lane::All => sea_orm::Condition::all(),
        Lane::Codes => sea_orm::Condition::all().add(n::Column::Kind.is_in(CODE_KINDS)),
    };
    let due = n::Entity::find()
        .select_only()
        .column(n::Column::Id)
        .filter(n::Column::Channel.eq(channel.as_str()))
        .filter(n::Column::Status.eq("queued"))
        .filter(n::Column::NextAttemptAt.lte(now))
        .filter(
            sea_orm::Condition::any()
                .add(n::Column::LockedUntil.is_null())
                .add(n::Column::LockedUntil.lt(now)),
        )
        .filter(only_codes)
        .order_by_desc(codes_first)
        .order_by_asc(n::Column::NextAttemptAt)
        .limit(limit);
    if db.get_database_backend() == DbBackend::Postgres {
        // One statement: the rows are locked while they are chosen, and rows another worker is
        // claiming right now are skipped rather than waited for.
        let mut select = sea_orm::QueryTrait::into_query(due);
        select.lock_with_behavior(
            sea_orm::sea_query::LockType::Update,
            sea_orm::sea_query::LockBehavior::SkipLocked,
        );
        let (select_sql, mut values) = select.build(sea_orm::sea_query::PostgresQueryBuilder);
        let placeholder = values.0.len() + 1;
        values.0.push((now + lease).into());
        let statement = Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!(
                "UPDATE notifications SET locked_until = ${placeholder} WHERE id IN ({select_sql}) RETURNING *"
            ),
            values,
        );
        let rows = n::Entity::find().from_raw_sql(statement).all(db).await?;
        return rows.into_iter().map(Pending::try_from).collect();
    }
    let ids: Vec<Uuid> = due.into_tuple().all(db).await?;
    let mut claimed = Vec::with_capacity(ids.len());
    for id in ids {
        let taken = n::Entity::update_many()
            .col_expr(n::Column::LockedUntil, Expr::value(now + lease))
            .filter(n::Column::Id.eq(id))
            .filter(n::Column::Status.eq("queued"))
            .filter(
                sea_orm::Condition::any()
                    .add(n::Column::LockedUntil.is_null())
                    .add(n::Column::LockedUntil.lt(now)),
            )
            .exec(db)
            .await?;
        if taken.rows_affected == 1
            && let Some(row) = n::Entity::find_by_id(id).one(db).await?
        {
            claimed.push(Pending::try_from(row)?);
        }
    }
    Ok(claimed)
}

/// Forgets a message (a [`NO_CODE_KIND`] stand-in once it has gone through the lane).
pub async fn delete(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DbError> {
    n::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Records a successful hand-over to the provider. Only a still-queued row changes, so a late
/// duplicate report cannot overwrite a delivery receipt.
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
        .filter(n::Column::Status.eq("queued"))
        .exec(db)
        .await?;
    Ok(())
}

/// Replaces a message's stored text (and drops its HTML), e.g. to mask the code of a sent code email.
pub async fn redact_body(db: &impl ConnectionTrait, id: Uuid, text: &str) -> Result<(), DbError> {
    n::Entity::update_many()
        .col_expr(n::Column::BodyText, Expr::value(text))
        .col_expr(n::Column::BodyHtml, Expr::value(Option::<String>::None))
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
        .filter(n::Column::Status.eq("queued"))
        .exec(db)
        .await?;
    Ok(())
}

/// Gives a queued message up without sending it (e.g. a reminder whose appointment was cancelled).
pub async fn mark_skipped(
    db: &impl ConnectionTrait,
    id: Uuid,
    reason: &str,
) -> Result<(), DbError> {
    mark_attempt_failed(db, id, reason, None).await
}

/// Who a delivery receipt was about, so the customer's open pages can be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// Notification id.
    pub id: Uuid,
    /// Company.
    pub company_id: CompanyId,
    /// Customer.
    pub customer_id: Option<CustomerId>,
}

/// Applies a provider's delivery report (`delivered` or `failed`) to the message with
/// `provider_id`. A `delivered` message never goes back. `None` when no message matches.
pub async fn record_receipt(
    db: &impl ConnectionTrait,
    channel: &str,
    provider_id: &str,
    delivered: bool,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<Receipt>, DbError> {
    let Some(row) = n::Entity::find()
        .filter(n::Column::Channel.eq(channel))
        .filter(n::Column::ProviderId.eq(provider_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let mut update = n::Entity::update_many()
        .filter(n::Column::Id.eq(row.id))
        .filter(n::Column::Status.is_in(["sent", "queued"]));
    update = if delivered {
        update
            .col_expr(n::Column::Status, Expr::value("delivered"))
            .col_expr(n::Column::DeliveredAt, Expr::value(now))
    } else {
        update
            .col_expr(n::Column::Status, Expr::value("failed"))
            .col_expr(
                n::Column::LastError,
                Expr::value(error.map(|e| e.chars().take(500).collect::<String>())),
            )
    };
    update.exec(db).await?;
    Ok(Some(Receipt {
        id: row.id,
        company_id: CompanyId::from_uuid(row.company_id),
        customer_id: row.customer_id.map(CustomerId::from_uuid),
    }))
}

/// A message in the customer's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Id.
    pub id: Uuid,
    /// Channel.
    pub channel: String,
    /// Kind.
    pub kind: String,
    /// Recipient (phone, address).
    pub recipient: String,
    /// Subject or title.
    pub subject: Option<String>,
    /// Text.
    pub body_text: Option<String>,
    /// HTML, unsanitised as stored.
    pub body_html: Option<String>,
    /// Status.
    pub status: String,
    /// Whether an ICS file was attached.
    pub has_attachment: bool,
    /// Queued at.
    pub created_at: DateTime<Utc>,
    /// Handed to the provider at.
    pub sent_at: Option<DateTime<Utc>>,
    /// Delivered at.
    pub delivered_at: Option<DateTime<Utc>>,
    /// Read in the portal at.
    pub read_at: Option<DateTime<Utc>>,
}

impl From<n::Model> for Message {
    fn from(m: n::Model) -> Self {
        Self {
            id: m.id,
            channel: m.channel,
            kind: m.kind,
            recipient: m.recipient,
            subject: m.subject,
            body_text: m.body_text,
            body_html: m.body_html,
            status: m.status,
            has_attachment: m.attachment.is_some(),
            created_at: m.created_at,
            sent_at: m.sent_at,
            delivered_at: m.delivered_at,
            read_at: m.read_at,
        }
    }
}

fn of_customer(scope: &CustomerScope) -> sea_orm::Select<n::Entity> {
    n::Entity::find()
        .filter(n::Column::CompanyId.eq(scope.company_id().as_uuid()))
        .filter(n::Column::CustomerId.eq(scope.customer_id().as_uuid()))
}

/// A page of the customer's messages, newest first; `before` is the last (created_at, id) of the
/// previous page.
pub async fn list_for_customer(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
    channel: Option<&str>,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: u64,
) -> Result<Vec<Message>, DbError> {
    let mut query = of_customer(scope);
    if let Some(channel) = channel {
        query = query.filter(n::Column::Channel.eq(channel));
    }
    if let Some((at, id)) = before {
        query = query.filter(
            sea_orm::Condition::any()
                .add(n::Column::CreatedAt.lt(at))
                .add(
                    sea_orm::Condition::all()
                        .add(n::Column::CreatedAt.eq(at))
                        .add(n::Column::Id.lt(id)),
                ),
        );
    }
    let rows = query
        .order_by_desc(n::Column::CreatedAt)
        .order_by_desc(n::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(Message::from).collect())
}

/// One of the customer's messages.
pub async fn find_for_customer(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
    id: Uuid,
) -> Result<Option<Message>, DbError> {
    Ok(of_customer(scope)
        .filter(n::Column::Id.eq(id))
        .one(db)
        .await?
        .map(Message::from))
}

/// How many of the customer's messages are unread.
pub async fn unread_count(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
) -> Result<u64, DbError> {
    Ok(of_customer(scope)
        .filter(n::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// Marks one of the customer's messages read (the first time only); `false` if it is not theirs.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    if find_for_customer(db, scope, id).await?.is_none() {
        return Ok(false);
    }
    n::Entity::update_many()
        .col_expr(n::Column::ReadAt, Expr::value(now))
        .filter(n::Column::Id.eq(id))
        .filter(n::Column::CustomerId.eq(scope.customer_id().as_uuid()))
        .filter(n::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(true)
}

/// Whether the appointment a reminder is about is still booked or confirmed.
pub async fn appointment_active(db: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbError> {
    use portal_entity::appointments as a;
    Ok(a::Entity::find_by_id(id)
        .filter(a::Column::Status.is_in(["booked", "confirmed"]))
        .one(db)
        .await?
        .is_some())
}

/// Every (not erased) account with this phone number, in any company: an inbound SMS (STOP) comes
/// from the number, not from an account.
pub async fn customers_with_phone(
    db: &impl ConnectionTrait,
    phone: &portal_domain::PhoneNumber,
) -> Result<Vec<(CompanyId, CustomerId)>, DbError> {
    use portal_entity::customers as c;
    let rows: Vec<(Uuid, Uuid)> = c::Entity::find()
        .select_only()
        .column(c::Column::CompanyId)
        .column(c::Column::Id)
        .filter(c::Column::Phone.eq(phone.as_str()))
        .filter(c::Column::ErasedAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(company, id)| (CompanyId::from_uuid(company), CustomerId::from_uuid(id)))
        .collect())
}
