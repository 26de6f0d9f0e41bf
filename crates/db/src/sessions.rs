//! Device sessions and their refresh tokens.
//!
//! A session is one signed-in device and the family of every refresh token issued to it. Refresh
//! tokens are stored as SHA-256 hashes; a used one is kept, so presenting it again is recognised as
//! replay and ends the whole family.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use portal_domain::{CompanyId, CustomerId, SessionId};
use portal_entity::{companies, refresh_tokens as rt, sessions as s};
use rand::TryRngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::Expr,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{DbError, companies::Company};

/// A new refresh token (256 bits from the OS generator, base64url) and the hash that is stored.
pub fn new_refresh_token() -> Result<(String, String), rand::rand_core::OsError> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.try_fill_bytes(&mut bytes)?;
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_refresh_token(&token);
    Ok((token, hash))
}

/// The stored form of a refresh token: hex SHA-256 (the token has 256 bits of entropy, so a fast
/// hash is enough; it only has to make a database leak useless).
pub fn hash_refresh_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The tenant filter of every customer-facing query. Only this module builds one, from a session
/// it has just checked, so a handler cannot forget which customer it acts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerScope {
    company_id: CompanyId,
    customer_id: CustomerId,
}

impl CustomerScope {
    /// The company.
    pub fn company_id(&self) -> CompanyId {
        self.company_id
    }

    /// The customer.
    pub fn customer_id(&self) -> CustomerId {
        self.customer_id
    }
}

/// A session that is live at the time it was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveSession {
    /// Session id.
    pub id: SessionId,
    /// Whose session it is.
    pub scope: CustomerScope,
    /// When the customer last proved possession of the phone (for step-up checks).
    pub auth_time: DateTime<Utc>,
    /// Last use.
    pub last_used_at: DateTime<Utc>,
}

/// What a new session is made of.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    /// Company.
    pub company_id: CompanyId,
    /// Customer.
    pub customer_id: CustomerId,
    /// The device's user agent.
    pub user_agent: Option<&'a str>,
    /// Client address.
    pub ip: Option<&'a str>,
    /// Idle timeout.
    pub idle: Duration,
    /// Absolute lifetime.
    pub absolute: Duration,
}

/// A session as listed to its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// Id.
    pub id: SessionId,
    /// User agent.
    pub user_agent: Option<String>,
    /// Start.
    pub created_at: DateTime<Utc>,
    /// Last use.
    pub last_used_at: DateTime<Utc>,
}

/// Outcome of presenting a refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// The token was live and is now used; the session continues.
    Rotated(ActiveSession),
    /// The token was already used: the family has been revoked.
    Replayed,
    /// Unknown token, or its session is expired or revoked.
    Invalid,
}

fn is_live(m: &s::Model, now: DateTime<Utc>) -> bool {
    m.revoked_at.is_none() && m.idle_expires_at > now && m.absolute_expires_at > now
}

fn active(m: &s::Model) -> ActiveSession {
    ActiveSession {
        id: SessionId::from_uuid(m.id),
        scope: CustomerScope {
            company_id: CompanyId::from_uuid(m.company_id),
            customer_id: CustomerId::from_uuid(m.customer_id),
        },
        auth_time: m.auth_time,
        last_used_at: m.last_used_at,
    }
}

/// Starts a session after a successful sign-in and stores its first refresh token hash.
pub async fn create(
    db: &impl ConnectionTrait,
    new: NewSession<'_>,
    refresh_hash: String,
    now: DateTime<Utc>,
) -> Result<ActiveSession, DbError> {
    let id = SessionId::new();
    let model = s::ActiveModel {
        id: Set(id.as_uuid()),
        company_id: Set(new.company_id.as_uuid()),
        customer_id: Set(new.customer_id.as_uuid()),
        user_agent: Set(new.user_agent.map(|ua| ua.chars().take(300).collect())),
        ip: Set(new.ip.map(str::to_owned)),
        created_at: Set(now),
        last_used_at: Set(now),
        idle_expires_at: Set(now + new.idle),
        absolute_expires_at: Set(now + new.absolute),
        auth_time: Set(now),
        revoked_at: Set(None),
        revoked_reason: Set(None),
    }
    .insert(db)
    .await?;
    insert_token(db, new.company_id, id, refresh_hash, now).await?;
    Ok(active(&model))
}

async fn insert_token(
    db: &impl ConnectionTrait,
    company: CompanyId,
    session: SessionId,
    hash: String,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    rt::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(company.as_uuid()),
        session_id: Set(session.as_uuid()),
        token_hash: Set(hash),
        created_at: Set(now),
        used_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Checks the session named by a verified access token: it must exist, belong to that customer
/// and company, and be neither revoked nor expired. Answers with the company too, read in the same
/// query, because nearly every customer request needs its policies. Marks the session used at most
/// once a minute, so the hot path stays read-only.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    id: SessionId,
    company: CompanyId,
    customer: CustomerId,
    now: DateTime<Utc>,
) -> Result<Option<(ActiveSession, Company)>, DbError> {
    let Some((model, Some(company_row))) = s::Entity::find_by_id(id.as_uuid())
        .filter(s::Column::CompanyId.eq(company.as_uuid()))
        .filter(s::Column::CustomerId.eq(customer.as_uuid()))
        .find_also_related(companies::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if !is_live(&model, now) {
        return Ok(None);
    }
    if now - model.last_used_at >= Duration::minutes(1) {
        touch(db, &model, now).await?;
    }
    Ok(Some((active(&model), Company::try_from(company_row)?)))
}

async fn touch(
    db: &impl ConnectionTrait,
    model: &s::Model,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let idle = model.idle_expires_at - model.last_used_at;
    s::Entity::update_many()
        .col_expr(s::Column::LastUsedAt, Expr::value(now))
        .col_expr(s::Column::IdleExpiresAt, Expr::value(now + idle))
        .filter(s::Column::Id.eq(model.id))
        .exec(db)
        .await?;
    Ok(())
}

/// Presents a refresh token (by hash): a live one is marked used and `next_hash` becomes the
/// session's new token; a used one revokes the session; anything else is invalid.
pub async fn rotate(
    db: &impl ConnectionTrait,
    presented_hash: &str,
    next_hash: String,
    now: DateTime<Utc>,
) -> Result<Rotation, DbError> {
    let Some(token) = rt::Entity::find()
        .filter(rt::Column::TokenHash.eq(presented_hash))
        .one(db)
        .await?
    else {
        return Ok(Rotation::Invalid);
    };
    let Some(session) = s::Entity::find_by_id(token.session_id).one(db).await? else {
        return Ok(Rotation::Invalid);
    };
    let session_id = SessionId::from_uuid(session.id);
    if token.used_at.is_some() {
        revoke(db, session_id, "refresh_token_replayed", now).await?;
        return Ok(Rotation::Replayed);
    }
    if !is_live(&session, now) {
        return Ok(Rotation::Invalid);
    }
    // Two concurrent uses of one token: exactly one wins this update; the loser is a replay.
    let marked = rt::Entity::update_many()
        .col_expr(rt::Column::UsedAt, Expr::value(now))
        .filter(rt::Column::Id.eq(token.id))
        .filter(rt::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if marked.rows_affected != 1 {
        revoke(db, session_id, "refresh_token_replayed", now).await?;
        return Ok(Rotation::Replayed);
    }
    insert_token(
        db,
        CompanyId::from_uuid(session.company_id),
        session_id,
        next_hash,
        now,
    )
    .await?;
    touch(db, &session, now).await?;
    let mut result = active(&session);
    result.last_used_at = now;
    Ok(Rotation::Rotated(result))
}

/// Ends a session; its access tokens are refused from now on.
pub async fn revoke(
    db: &impl ConnectionTrait,
    id: SessionId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let result = s::Entity::update_many()
        .col_expr(s::Column::RevokedAt, Expr::value(now))
        .col_expr(s::Column::RevokedReason, Expr::value(reason))
        .filter(s::Column::Id.eq(id.as_uuid()))
        .filter(s::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Ends one of the customer's own sessions; false when it is not theirs or already ended.
pub async fn revoke_own(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
    id: SessionId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let result = s::Entity::update_many()
        .col_expr(s::Column::RevokedAt, Expr::value(now))
        .col_expr(s::Column::RevokedReason, Expr::value(reason))
        .filter(s::Column::Id.eq(id.as_uuid()))
        .filter(s::Column::CustomerId.eq(scope.customer_id.as_uuid()))
        .filter(s::Column::CompanyId.eq(scope.company_id.as_uuid()))
        .filter(s::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The customer's live sessions, most recently used first.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
    now: DateTime<Utc>,
) -> Result<Vec<SessionInfo>, DbError> {
    let rows = s::Entity::find()
        .filter(s::Column::CustomerId.eq(scope.customer_id.as_uuid()))
        .filter(s::Column::CompanyId.eq(scope.company_id.as_uuid()))
        .filter(s::Column::RevokedAt.is_null())
        .filter(s::Column::IdleExpiresAt.gt(now))
        .filter(s::Column::AbsoluteExpiresAt.gt(now))
        .order_by_desc(s::Column::LastUsedAt)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|m| SessionInfo {
            id: SessionId::from_uuid(m.id),
            user_agent: m.user_agent,
            created_at: m.created_at,
            last_used_at: m.last_used_at,
        })
        .collect())
}

/// Ends every live session of the customer except `keep` (after a phone change, or "sign out
/// other devices"); returns how many ended.
pub async fn revoke_others(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
    keep: SessionId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    let result = s::Entity::update_many()
        .col_expr(s::Column::RevokedAt, Expr::value(now))
        .col_expr(s::Column::RevokedReason, Expr::value(reason))
        .filter(s::Column::Id.ne(keep.as_uuid()))
        .filter(s::Column::CustomerId.eq(scope.customer_id.as_uuid()))
        .filter(s::Column::CompanyId.eq(scope.company_id.as_uuid()))
        .filter(s::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let (a, ha) = new_refresh_token().unwrap();
        let (b, _) = new_refresh_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(ha, hash_refresh_token(&a));
        assert_ne!(ha, a);
    }
}
