//! Medical history versions: sealed (AES-256-GCM) by the server before they get here, so this
//! module only ever sees ciphertext. Every write is a new version; nothing is updated in place
//! except by key rotation, which re-seals the same plaintext under a new key.

use chrono::{DateTime, Utc};
use portal_domain::{CompanyId, CustomerId};
use portal_entity::medical_history_versions as m;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, sea_query::Expr,
};
use uuid::Uuid;

use crate::DbError;

/// One stored version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVersion {
    /// Row id.
    pub id: Uuid,
    /// Company.
    pub company_id: CompanyId,
    /// Customer.
    pub customer_id: CustomerId,
    /// 1, 2, …
    pub version: i32,
    /// AES-256-GCM output (ciphertext and tag).
    pub ciphertext: Vec<u8>,
    /// 96-bit nonce.
    pub nonce: Vec<u8>,
    /// Which key sealed it.
    pub key_id: String,
    /// `customer` or `integrator:<key prefix>`.
    pub actor: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

impl From<m::Model> for StoredVersion {
    fn from(r: m::Model) -> Self {
        Self {
            id: r.id,
            company_id: CompanyId::from_uuid(r.company_id),
            customer_id: CustomerId::from_uuid(r.customer_id),
            version: r.version,
            ciphertext: r.ciphertext,
            nonce: r.nonce,
            key_id: r.key_id,
            actor: r.actor,
            created_at: r.created_at,
        }
    }
}

/// A sealed version about to be stored.
#[derive(Debug, Clone)]
pub struct Sealed {
    /// Ciphertext and tag.
    pub ciphertext: Vec<u8>,
    /// Nonce.
    pub nonce: Vec<u8>,
    /// Key id.
    pub key_id: String,
}

fn of(company: CompanyId, customer: CustomerId) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(m::Column::CompanyId.eq(company.as_uuid()))
        .add(m::Column::CustomerId.eq(customer.as_uuid()))
}

/// Every version of the customer, oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    company: CompanyId,
    customer: CustomerId,
) -> Result<Vec<StoredVersion>, DbError> {
    Ok(m::Entity::find()
        .filter(of(company, customer))
        .order_by_asc(m::Column::Version)
        .all(db)
        .await?
        .into_iter()
        .map(StoredVersion::from)
        .collect())
}

/// One version (`None`: the newest).
pub async fn get(
    db: &impl ConnectionTrait,
    company: CompanyId,
    customer: CustomerId,
    version: Option<i32>,
) -> Result<Option<StoredVersion>, DbError> {
    let mut query = m::Entity::find().filter(of(company, customer));
    if let Some(v) = version {
        query = query.filter(m::Column::Version.eq(v));
    }
    Ok(query
        .order_by_desc(m::Column::Version)
        .one(db)
        .await?
        .map(StoredVersion::from))
}

/// The number the next version gets.
pub async fn next_version(
    db: &impl ConnectionTrait,
    company: CompanyId,
    customer: CustomerId,
) -> Result<i32, DbError> {
    let max: Option<Option<i32>> = m::Entity::find()
        .filter(of(company, customer))
        .select_only()
        .column_as(m::Column::Version.max(), "max")
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.flatten().unwrap_or(0) + 1)
}

/// Stores `version`; a concurrent writer that took the same number first makes this a
/// [`DbError::Conflict`] (unique customer + version), so no version is ever overwritten.
pub async fn insert(
    db: &impl ConnectionTrait,
    company: CompanyId,
    customer: CustomerId,
    version: i32,
    sealed: Sealed,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<StoredVersion, DbError> {
    Ok(m::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(company.as_uuid()),
        customer_id: Set(customer.as_uuid()),
        version: Set(version),
        ciphertext: Set(sealed.ciphertext),
        nonce: Set(sealed.nonce),
        key_id: Set(sealed.key_id),
        actor: Set(actor.to_owned()),
        created_at: Set(now),
    }
    .insert(db)
    .await?
    .into())
}

/// Versions sealed with any key other than `key_id`, at most `limit` (for rotation in batches).
pub async fn sealed_with_other_keys(
    db: &impl ConnectionTrait,
    key_id: &str,
    limit: u64,
) -> Result<Vec<StoredVersion>, DbError> {
    Ok(m::Entity::find()
        .filter(m::Column::KeyId.ne(key_id))
        .order_by_asc(m::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(StoredVersion::from)
        .collect())
}

/// Replaces the sealing of one version, if it is still sealed with `old_key_id` (so two
/// concurrent rotations never lose one another's work).
pub async fn reseal(
    db: &impl ConnectionTrait,
    id: Uuid,
    old_key_id: &str,
    sealed: Sealed,
) -> Result<bool, DbError> {
    let result = m::Entity::update_many()
        .col_expr(m::Column::Ciphertext, Expr::value(sealed.ciphertext))
        .col_expr(m::Column::Nonce, Expr::value(sealed.nonce))
        .col_expr(m::Column::KeyId, Expr::value(sealed.key_id))
        .filter(m::Column::Id.eq(id))
        .filter(m::Column::KeyId.eq(old_key_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
