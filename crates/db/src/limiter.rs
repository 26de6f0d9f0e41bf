//! The one limiter: every limit in the product (codes per number, per address and per company,
//! the wait between codes, support messages, email codes, …) is a fixed window of `max` hits per
//! key. A decision is a single conditional upsert — insert the key, or count one more hit if the
//! window is still open and not full, or start a new window if it has passed — so it is atomic
//! under concurrency on SQLite (one writer) and across instances on PostgreSQL (the row lock of
//! `ON CONFLICT DO UPDATE`). Nothing counts first and inserts later.

use chrono::{DateTime, Duration, Utc};
use sea_orm::ConnectionTrait;

use crate::{DbError, statement};

/// A limit: at most `max` hits per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Hits allowed in one window.
    pub max: u32,
    /// How long a window lasts from its first hit.
    pub window: Duration,
}

/// What the limiter decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Counted; go ahead.
    Allowed,
    /// The window is full; it reopens after `retry_after`.
    Refused {
        /// Until the window ends.
        retry_after: Duration,
    },
}

impl Decision {
    /// Whether the hit was counted.
    pub fn allowed(self) -> bool {
        self == Self::Allowed
    }
}

/// The stored form of a key: its SHA-256, so the table holds no phone number or address (keys name
/// them) that would outlive an erasure.
fn bucket(key: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Counts one hit on `key` if `limit` allows it at `now`.
pub async fn hit(
    db: &impl ConnectionTrait,
    key: &str,
    limit: Limit,
    now: DateTime<Utc>,
) -> Result<Decision, DbError> {
    let now_ms = now.timestamp_millis();
    let expired = (now - limit.window).timestamp_millis();
    let counted = db
        .query_one_raw(statement(
            db,
            "INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?, ?, 1) \
             ON CONFLICT (bucket) DO UPDATE SET \
               hits = CASE WHEN rate_limits.window_start <= ? THEN 1 ELSE rate_limits.hits + 1 END, \
               window_start = CASE WHEN rate_limits.window_start <= ? THEN ? ELSE rate_limits.window_start END \
             WHERE rate_limits.window_start <= ? OR rate_limits.hits < ? \
             RETURNING hits",
            vec![
                bucket(key).into(),
                now_ms.into(),
                expired.into(),
                expired.into(),
                now_ms.into(),
                expired.into(),
                i64::from(limit.max).into(),
            ],
        ))
        .await?;
    if counted.is_some() {
        return Ok(Decision::Allowed);
    }
    // Refused: the window is open and full. Reading its start only shapes the hint.
    let start: Option<i64> = db
        .query_one_raw(statement(
            db,
            "SELECT window_start FROM rate_limits WHERE bucket = ?",
            vec![bucket(key).into()],
        ))
        .await?
        .map(|row| row.try_get("", "window_start"))
        .transpose()?;
    let ends = start.unwrap_or(now_ms) + limit.window.num_milliseconds();
    Ok(Decision::Refused {
        retry_after: Duration::milliseconds((ends - now_ms).max(1)),
    })
}

/// Whether `limit` would allow one more hit on `key` at `now`, without counting one (a limit
/// counted later, when the thing it limits actually happens).
pub async fn peek(
    db: &impl ConnectionTrait,
    key: &str,
    limit: Limit,
    now: DateTime<Utc>,
) -> Result<Decision, DbError> {
    let row = db
        .query_one_raw(statement(
            db,
            "SELECT window_start, hits FROM rate_limits WHERE bucket = ?",
            vec![bucket(key).into()],
        ))
        .await?;
    let Some(row) = row else {
        return Ok(Decision::Allowed);
    };
    let start: i64 = row.try_get("", "window_start")?;
    let hits: i32 = row.try_get("", "hits")?;
    let ends = start + limit.window.num_milliseconds();
    let now_ms = now.timestamp_millis();
    Ok(
        if ends > now_ms && i64::from(hits) >= i64::from(limit.max) {
            Decision::Refused {
                retry_after: Duration::milliseconds(ends - now_ms),
            }
        } else {
            Decision::Allowed
        },
    )
}

/// Gives back one hit on `key` (a send that failed must not use up the customer's quota).
pub async fn refund(db: &impl ConnectionTrait, key: &str) -> Result<(), DbError> {
    db.execute_raw(statement(
        db,
        "UPDATE rate_limits SET hits = hits - 1 WHERE bucket = ? AND hits > 0",
        vec![bucket(key).into()],
    ))
    .await?;
    Ok(())
}

/// Forgets `key` (a success that ends a run of failures).
pub async fn reset(db: &impl ConnectionTrait, key: &str) -> Result<(), DbError> {
    db.execute_raw(statement(
        db,
        "DELETE FROM rate_limits WHERE bucket = ?",
        vec![bucket(key).into()],
    ))
    .await?;
    Ok(())
}

/// Removes windows that ended before `before` (the retention job; every limit is shorter than a
/// week).
pub async fn purge(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64, DbError> {
    let result = db
        .execute_raw(statement(
            db,
            "DELETE FROM rate_limits WHERE window_start < ?",
            vec![before.timestamp_millis().into()],
        ))
        .await?;
    Ok(result.rows_affected())
}

/// The key of a client address: an IPv4 address as is, an IPv6 address by its /64 (one customer's
/// network), so rotating addresses inside one prefix gains nothing.
pub fn address_key(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(std::net::IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => ip.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_addresses_share_their_64_prefix() {
        assert_eq!(
            address_key("2001:db8:1:2:aaaa::1"),
            address_key("2001:db8:1:2:bbbb::9")
        );
        assert_ne!(
            address_key("2001:db8:1:2::1"),
            address_key("2001:db8:1:3::1")
        );
        assert_eq!(address_key("192.0.2.7"), "192.0.2.7");
    }
}
