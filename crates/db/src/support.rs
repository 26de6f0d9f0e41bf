//! Support chat: one open thread per customer, messages from the customer and from staff.

use chrono::{DateTime, Utc};
use portal_domain::{CompanyId, CustomerId};
use portal_entity::{support_messages as m, support_threads as t};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, sea_query::Expr,
};
use uuid::Uuid;

use crate::DbError;

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    /// The customer, in the portal.
    Customer,
    /// Staff, through the integrator API.
    Staff,
}

impl Author {
    fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Staff => "staff",
        }
    }
}

/// A support message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportMessage {
    /// Id.
    pub id: Uuid,
    /// Thread.
    pub thread_id: Uuid,
    /// Customer.
    pub customer_id: CustomerId,
    /// `customer` or `staff`.
    pub author: String,
    /// Staff member's name.
    pub author_name: Option<String>,
    /// Text.
    pub body: String,
    /// Written at.
    pub created_at: DateTime<Utc>,
    /// Read by the other side at.
    pub read_at: Option<DateTime<Utc>>,
}

fn message(row: m::Model, customer: CustomerId) -> SupportMessage {
    SupportMessage {
        id: row.id,
        thread_id: row.thread_id,
        customer_id: customer,
        author: row.author,
        author_name: row.author_name,
        body: row.body,
        created_at: row.created_at,
        read_at: row.read_at,
    }
}

async fn thread(
    db: &impl ConnectionTrait,
    company: CompanyId,
    customer: CustomerId,
) -> Result<Option<t::Model>, DbError> {
    Ok(t::Entity::find()
        .filter(t::Column::CompanyId.eq(company.as_uuid()))
        .filter(t::Column::CustomerId.eq(customer.as_uuid()))
        .order_by_asc(t::Column::CreatedAt)
        .one(db)
        .await?)
}

/// The customer's messages, oldest first (the newest `limit`).
pub async fn messages(
    db: &impl ConnectionTrait,
    company: CompanyId,
    customer: CustomerId,
    limit: u64,
) -> Result<Vec<SupportMessage>, DbError> {
    let Some(thread) = thread(db, company, customer).await? else {
        return Ok(Vec::new());
    };
    let mut rows = m::Entity::find()
        .filter(m::Column::ThreadId.eq(thread.id))
        .filter(m::Column::CompanyId.eq(company.as_uuid()))
        .order_by_desc(m::Column::CreatedAt)
        .order_by_desc(m::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    rows.reverse();
    Ok(rows.into_iter().map(|r| message(r, customer)).collect())
}

/// Writes the message into `existing` (from [`thread_id`]; or a new thread). Starts with a write,
/// so on SQLite a transaction around it waits for the writer lock instead of failing to upgrade a
/// read.
#[allow(clippy::too_many_arguments, reason = "one message and where it goes")]
pub async fn post(
    db: &impl ConnectionTrait,
    existing: Option<Uuid>,
    company: CompanyId,
    customer: CustomerId,
    author: Author,
    author_name: Option<String>,
    body: &str,
    now: DateTime<Utc>,
) -> Result<SupportMessage, DbError> {
    let thread_id = match existing {
        Some(id) => {
            t::Entity::update_many()
                .col_expr(t::Column::UpdatedAt, Expr::value(now))
                .col_expr(t::Column::Status, Expr::value("open"))
                .filter(t::Column::Id.eq(id))
                .exec(db)
                .await?;
            id
        }
        None => {
            t::ActiveModel {
                id: Set(Uuid::now_v7()),
                company_id: Set(company.as_uuid()),
                customer_id: Set(customer.as_uuid()),
                status: Set("open".into()),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(db)
            .await?
            .id
        }
    };
    let row = m::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(company.as_uuid()),
        thread_id: Set(thread_id),
        author: Set(author.as_str().into()),
        author_name: Set(author_name),
        body: Set(body.to_owned()),
        created_at: Set(now),
        read_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(message(row, customer))
}

/// Marks the messages of the other side read.
pub async fn mark_read_by(
    db: &impl ConnectionTrait,
    company: CompanyId,
    customer: CustomerId,
    reader: Author,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let Some(thread) = thread(db, company, customer).await? else {
        return Ok(());
    };
    let other = match reader {
        Author::Customer => Author::Staff,
        Author::Staff => Author::Customer,
    };
    m::Entity::update_many()
        .col_expr(m::Column::ReadAt, Expr::value(now))
        .filter(m::Column::ThreadId.eq(thread.id))
        .filter(m::Column::Author.eq(other.as_str()))
        .filter(m::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// The customer's conversation, if one was started. Read it before the transaction that posts
/// into it (see [`post`]).
pub async fn thread_id(
    db: &impl ConnectionTrait,
    company: CompanyId,
    customer: CustomerId,
) -> Result<Option<Uuid>, DbError> {
    Ok(thread(db, company, customer).await?.map(|t| t.id))
}
