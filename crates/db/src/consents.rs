//! The consent register: every answer a customer gives about how they may be contacted, appended,
//! never changed. The newest answer per channel and purpose is the current one.

use chrono::{DateTime, Utc};
use portal_domain::{Channel, CompanyId, ConsentSource, CustomerId, Purpose};
use portal_entity::consents as c;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::DbError;

/// One entry of the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentEntry {
    /// Channel.
    pub channel: Channel,
    /// Purpose.
    pub purpose: Purpose,
    /// Granted (`true`) or withdrawn.
    pub granted: bool,
    /// Where it was given.
    pub source: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// Appends an answer.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    customer_id: CustomerId,
    channel: Channel,
    purpose: Purpose,
    granted: bool,
    source: ConsentSource,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    c::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(company_id.as_uuid()),
        customer_id: Set(customer_id.as_uuid()),
        channel: Set(channel.as_str().to_owned()),
        purpose: Set(purpose.as_str().to_owned()),
        granted: Set(granted),
        source: Set(source.as_str().to_owned()),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The whole register of one customer, newest first.
pub async fn history(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    customer_id: CustomerId,
) -> Result<Vec<ConsentEntry>, DbError> {
    let rows = c::Entity::find()
        .filter(c::Column::CompanyId.eq(company_id.as_uuid()))
        .filter(c::Column::CustomerId.eq(customer_id.as_uuid()))
        .order_by_desc(c::Column::CreatedAt)
        .order_by_desc(c::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(ConsentEntry {
                channel: Channel::parse(&r.channel)?,
                purpose: Purpose::parse(&r.purpose)?,
                granted: r.granted,
                source: r.source,
                at: r.created_at,
            })
        })
        .collect())
}

/// The current answer for every channel and purpose (the default where none was given).
pub async fn current(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    customer_id: CustomerId,
) -> Result<Vec<(Channel, Purpose, bool)>, DbError> {
    let history = history(db, company_id, customer_id).await?;
    let mut answers = Vec::with_capacity(Channel::ALL.len() * Purpose::ALL.len());
    for channel in Channel::ALL {
        for purpose in Purpose::ALL {
            let granted = history
                .iter()
                .find(|e| e.channel == channel && e.purpose == purpose)
                .map_or(purpose.granted_by_default(), |e| e.granted);
            answers.push((channel, purpose, granted));
        }
    }
    Ok(answers)
}

/// Whether a message of `purpose` may go to the customer over `channel` now: withdrawal takes
/// effect for the next message.
pub async fn allows(
    db: &impl ConnectionTrait,
    company_id: CompanyId,
    customer_id: CustomerId,
    channel: Channel,
    purpose: Purpose,
) -> Result<bool, DbError> {
    let newest = c::Entity::find()
        .filter(c::Column::CompanyId.eq(company_id.as_uuid()))
        .filter(c::Column::CustomerId.eq(customer_id.as_uuid()))
        .filter(c::Column::Channel.eq(channel.as_str()))
        .filter(c::Column::Purpose.eq(purpose.as_str()))
        .order_by_desc(c::Column::CreatedAt)
        .order_by_desc(c::Column::Id)
        .one(db)
        .await?;
    Ok(newest.map_or(purpose.granted_by_default(), |r| r.granted))
}
