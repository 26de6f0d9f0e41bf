//! Web Push subscriptions of a customer's browsers and devices.

use chrono::{DateTime, Utc};
use portal_domain::{CompanyId, CustomerId};
use portal_entity::push_subscriptions as p;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::{CustomerScope, DbError};

/// A stored subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Id.
    pub id: Uuid,
    /// Push service URL.
    pub endpoint: String,
    /// Browser public key.
    pub p256dh: String,
    /// Auth secret.
    pub auth: String,
}

/// Saves a subscription of the customer; the same endpoint again replaces its keys.
pub async fn upsert(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
    endpoint: &str,
    p256dh: &str,
    auth: &str,
    user_agent: Option<String>,
    now: DateTime<Utc>,
) -> Result<Uuid, DbError> {
    delete(db, scope, endpoint).await?;
    let row = p::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(scope.company_id().as_uuid()),
        customer_id: Set(scope.customer_id().as_uuid()),
        endpoint: Set(endpoint.to_owned()),
        p256dh: Set(p256dh.to_owned()),
        auth: Set(auth.to_owned()),
        user_agent: Set(user_agent),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

/// Removes the customer's subscription for `endpoint`; `false` if there was none.
pub async fn delete(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
    endpoint: &str,
) -> Result<bool, DbError> {
    let result = p::Entity::delete_many()
        .filter(p::Column::CompanyId.eq(scope.company_id().as_uuid()))
        .filter(p::Column::CustomerId.eq(scope.customer_id().as_uuid()))
        .filter(p::Column::Endpoint.eq(endpoint))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Every subscription of a customer.
pub async fn for_customer(
    db: &impl ConnectionTrait,
    company: CompanyId,
    customer: CustomerId,
) -> Result<Vec<Subscription>, DbError> {
    Ok(p::Entity::find()
        .filter(p::Column::CompanyId.eq(company.as_uuid()))
        .filter(p::Column::CustomerId.eq(customer.as_uuid()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| Subscription {
            id: r.id,
            endpoint: r.endpoint,
            p256dh: r.p256dh,
            auth: r.auth,
        })
        .collect())
}

/// Removes a subscription the push service reported gone.
pub async fn remove(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DbError> {
    p::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}
