//! Stored responses to integrator requests sent with an `Idempotency-Key`.
//!
//! A request first claims its key by inserting a placeholder row (status 0); the unique index on
//! `(api_key_id, key)` lets exactly one of several concurrent duplicates win. The winner runs the
//! request and then stores the final status and body on the row ([`complete`]) or gives the key back
//! ([`release`]) when the outcome was transient. Everyone else reads the row: a finished one is
//! replayed, a placeholder means "still running", and a different request hash means the client
//! reused a key for another request. Records older than [`RETENTION`] count as absent.

use chrono::{DateTime, Duration, Utc};
use portal_domain::{CompanyId, ids::ApiKeyId};
use portal_entity::idempotency_keys as ik;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::Expr,
};
use uuid::Uuid;

use crate::DbError;

/// How long a stored response is replayed.
pub const RETENTION: Duration = Duration::hours(24);

/// Status of a claimed key whose request has not finished.
const IN_PROGRESS: i32 = 0;

/// A claimed key: the caller runs the request, then calls [`complete`] or [`release`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claim {
    id: Uuid,
}

/// A response stored for a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// Response body as sent.
    pub body: String,
}

/// What [`begin`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// First use of the key: run the request.
    Claimed(Claim),
    /// The same request ran before: answer this.
    Replay(StoredResponse),
    /// The same request is running right now (or its process died; the key frees after
    /// [`RETENTION`]).
    InProgress,
    /// The key was used for a different request.
    Mismatch,
}

/// The request an idempotency key stands for.
#[derive(Debug, Clone, Copy)]
pub struct IdempotentRequest<'a> {
    /// Company of the key.
    pub company_id: CompanyId,
    /// The API key (keys are unique per API key, not globally).
    pub api_key_id: ApiKeyId,
    /// The client's `Idempotency-Key`.
    pub key: &'a str,
    /// Hash of method, path and body.
    pub request_hash: &'a str,
}

/// Claims `req.key` for this request, or tells what happened to it before.
#[tracing::instrument(skip_all)]
pub async fn begin(
    db: &impl ConnectionTrait,
    req: IdempotentRequest<'_>,
    now: DateTime<Utc>,
) -> Result<Begin, DbError> {
    // Two rounds at most: the second one after removing an expired record for the same key.
    for _ in 0..2 {
        let claim = ik::ActiveModel {
            id: Set(Uuid::now_v7()),
            company_id: Set(req.company_id.as_uuid()),
            api_key_id: Set(req.api_key_id.as_uuid()),
            key: Set(req.key.to_owned()),
            request_hash: Set(req.request_hash.to_owned()),
            response_status: Set(IN_PROGRESS),
            response_body: Set(String::new()),
            created_at: Set(now),
        };
        match claim.insert(db).await.map_err(DbError::from) {
            Ok(model) => return Ok(Begin::Claimed(Claim { id: model.id })),
            Err(DbError::Conflict(_)) => {}
            Err(err) => return Err(err),
        }
        let Some(existing) = ik::Entity::find()
            .filter(ik::Column::ApiKeyId.eq(req.api_key_id.as_uuid()))
            .filter(ik::Column::Key.eq(req.key))
            .one(db)
            .await?
        else {
            // Released between our insert and this read: claim again.
            continue;
        };
        if existing.created_at <= now - RETENTION {
            ik::Entity::delete_many()
                .filter(ik::Column::Id.eq(existing.id))
                .filter(ik::Column::CreatedAt.eq(existing.created_at))
                .exec(db)
                .await?;
            continue;
        }
        if existing.request_hash != req.request_hash {
            return Ok(Begin::Mismatch);
        }
        if existing.response_status == IN_PROGRESS {
            return Ok(Begin::InProgress);
        }
        let status = u16::try_from(existing.response_status)
            .map_err(|_| DbError::Corrupt("idempotency_keys.response_status".into()))?;
        return Ok(Begin::Replay(StoredResponse {
            status,
            body: existing.response_body,
        }));
    }
    // Someone keeps claiming and releasing the same key: tell this caller to retry.
    Ok(Begin::InProgress)
}

/// Stores the final response of a claimed request; later duplicates replay it.
pub async fn complete(
    db: &impl ConnectionTrait,
    claim: Claim,
    response: &StoredResponse,
) -> Result<(), DbError> {
    ik::Entity::update_many()
        .col_expr(
            ik::Column::ResponseStatus,
            Expr::value(i32::from(response.status)),
        )
        .col_expr(ik::Column::ResponseBody, Expr::value(response.body.clone()))
        .filter(ik::Column::Id.eq(claim.id))
        .exec(db)
        .await?;
    Ok(())
}

/// Gives a claimed key back (the request failed transiently): the client may retry with it.
pub async fn release(db: &impl ConnectionTrait, claim: Claim) -> Result<(), DbError> {
    ik::Entity::delete_many()
        .filter(ik::Column::Id.eq(claim.id))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes records older than [`RETENTION`] (finished or not); returns how many.
pub async fn purge_expired(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbError> {
    let result = ik::Entity::delete_many()
        .filter(ik::Column::CreatedAt.lte(now - RETENTION))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
