//! Sign-in challenges and per-phone lockouts. Every check is a single conditional statement, so
//! concurrent requests cannot race past a limit on either database.

use chrono::{DateTime, Duration, Utc};
use portal_domain::{ChallengeId, CompanyId, CustomerId, PhoneNumber};
use portal_entity::{otp_challenges as ch, phone_lockouts as lk};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    sea_query::{Expr, ExprTrait, OnConflict},
};
use uuid::Uuid;

use crate::DbError;

/// A challenge about to be stored.
#[derive(Debug, Clone)]
pub struct NewChallenge {
    /// Id handed to the client.
    pub id: ChallengeId,
    /// Company.
    pub company_id: CompanyId,
    /// The customer, or `None` for a number no customer has (no SMS is sent then).
    pub customer_id: Option<CustomerId>,
    /// Normalised number.
    pub phone: PhoneNumber,
    /// `sign_in` (later also `phone_change`).
    pub purpose: &'static str,
    /// Hex HMAC-SHA256 of the code, keyed by a server secret and bound to id and company.
    pub code_hmac: String,
    /// When the code stops working.
    pub expires_at: DateTime<Utc>,
    /// Client address.
    pub ip: String,
}

/// A stored challenge.
#[derive(Debug, Clone)]
pub struct Challenge {
    /// Id.
    pub id: ChallengeId,
    /// Company.
    pub company_id: CompanyId,
    /// Customer, if the number is known.
    pub customer_id: Option<CustomerId>,
    /// Number.
    pub phone: PhoneNumber,
    /// Purpose.
    pub purpose: String,
    /// Hex HMAC of the code.
    pub code_hmac: String,
    /// Codes tried so far.
    pub attempts: u32,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
    /// When it was used.
    pub consumed_at: Option<DateTime<Utc>>,
    /// The address that asked for it.
    pub ip: String,
}

impl TryFrom<ch::Model> for Challenge {
    type Error = DbError;
    fn try_from(m: ch::Model) -> Result<Self, DbError> {
        Ok(Self {
            id: ChallengeId::from_uuid(m.id),
            company_id: CompanyId::from_uuid(m.company_id),
            customer_id: m.customer_id.map(CustomerId::from_uuid),
            phone: PhoneNumber::from_e164(&m.phone)
                .map_err(|e| DbError::Corrupt(format!("otp_challenges.phone: {e}")))?,
            purpose: m.purpose,
            code_hmac: m.code_hmac,
            attempts: u32::try_from(m.attempts).unwrap_or(u32::MAX),
            expires_at: m.expires_at,
            consumed_at: m.consumed_at,
            ip: m.ip,
        })
    }
}

/// Stores a challenge.
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewChallenge,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    ch::ActiveModel {
        id: Set(new.id.as_uuid()),
        company_id: Set(new.company_id.as_uuid()),
        customer_id: Set(new.customer_id.map(CustomerId::as_uuid)),
        phone: Set(new.phone.as_str().to_owned()),
        purpose: Set(new.purpose.to_owned()),
        code_hmac: Set(new.code_hmac),
        attempts: Set(0),
        expires_at: Set(new.expires_at),
        consumed_at: Set(None),
        ip: Set(new.ip),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Replaces the code of a live challenge (its HMAC), as its message is sent; false when the
/// challenge is used or expired by now.
pub async fn set_code(
    db: &impl ConnectionTrait,
    id: ChallengeId,
    code_hmac: String,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let result = ch::Entity::update_many()
        .col_expr(ch::Column::CodeHmac, Expr::value(code_hmac))
        .filter(ch::Column::Id.eq(id.as_uuid()))
        .filter(ch::Column::ConsumedAt.is_null())
        .filter(ch::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Finds a challenge by id alone (the verify request names no company; the challenge does).
pub async fn find(
    db: &impl ConnectionTrait,
    id: ChallengeId,
) -> Result<Option<Challenge>, DbError> {
    ch::Entity::find_by_id(id.as_uuid())
        .one(db)
        .await?
        .map(Challenge::try_from)
        .transpose()
}

/// Takes one attempt from a live challenge. Returns false — and compares nothing — when the
/// challenge is used, expired or out of attempts. One statement, so 50 concurrent guesses get at
/// most `max_attempts` trues.
pub async fn claim_attempt(
    db: &impl ConnectionTrait,
    id: ChallengeId,
    max_attempts: u32,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let result = ch::Entity::update_many()
        .col_expr(ch::Column::Attempts, Expr::col(ch::Column::Attempts).add(1))
        .filter(ch::Column::Id.eq(id.as_uuid()))
        .filter(ch::Column::Attempts.lt(i64::from(max_attempts)))
        .filter(ch::Column::ConsumedAt.is_null())
        .filter(ch::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Marks a challenge used; false when something else used it first.
pub async fn consume(
    db: &impl ConnectionTrait,
    id: ChallengeId,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let result = ch::Entity::update_many()
        .col_expr(ch::Column::ConsumedAt, Expr::value(now))
        .filter(ch::Column::Id.eq(id.as_uuid()))
        .filter(ch::Column::ConsumedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The lock on a phone number, if one is in force at `now`.
pub async fn locked_until(
    db: &impl ConnectionTrait,
    company: CompanyId,
    phone: &PhoneNumber,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, DbError> {
    let row = lk::Entity::find()
        .filter(lk::Column::CompanyId.eq(company.as_uuid()))
        .filter(lk::Column::Phone.eq(phone.as_str()))
        .one(db)
        .await?;
    Ok(row
        .and_then(|r| r.locked_until)
        .filter(|until| *until > now))
}

/// Counts one more consecutive failure for a number; at `threshold` it locks the number until
/// `now + lock_for` and starts counting again. Returns the lock, if this failure set one.
pub async fn record_failure(
    db: &impl ConnectionTrait,
    company: CompanyId,
    phone: &PhoneNumber,
    threshold: u32,
    lock_for: Duration,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, DbError> {
    let row = lk::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(company.as_uuid()),
        phone: Set(phone.as_str().to_owned()),
        failures: Set(1),
        locked_until: Set(None),
        updated_at: Set(now),
    };
    lk::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([lk::Column::CompanyId, lk::Column::Phone])
                .value(
                    lk::Column::Failures,
                    Expr::col((lk::Entity, lk::Column::Failures)).add(1),
                )
                .value(lk::Column::UpdatedAt, Expr::value(now))
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    // Whoever pushes the count to the threshold sets the lock and resets the count, atomically.
    let until = now + lock_for;
    let locked = lk::Entity::update_many()
        .col_expr(lk::Column::LockedUntil, Expr::value(until))
        .col_expr(lk::Column::Failures, Expr::value(0))
        .filter(lk::Column::CompanyId.eq(company.as_uuid()))
        .filter(lk::Column::Phone.eq(phone.as_str()))
        .filter(lk::Column::Failures.gte(i64::from(threshold)))
        .exec(db)
        .await?;
    Ok((locked.rows_affected > 0).then_some(until))
}

/// Forgets the failures of a number after a successful sign-in.
pub async fn clear_failures(
    db: &impl ConnectionTrait,
    company: CompanyId,
    phone: &PhoneNumber,
) -> Result<(), DbError> {
    lk::Entity::delete_many()
        .filter(lk::Column::CompanyId.eq(company.as_uuid()))
        .filter(lk::Column::Phone.eq(phone.as_str()))
        .exec(db)
        .await?;
    Ok(())
}
