//! How long data is kept, and the periodic purge of what has outlived its purpose.
//!
//! - sign-in challenges: 24 hours after they expired;
//! - sessions: 30 days after they ended (revoked or expired), with their refresh tokens;
//! - message bodies (subject and text of sent SMS, email and push): after the company's message
//!   retention (`companies.message_retention_days`, default two years); the row itself stays as a
//!   record that something was sent;
//! - appointments of an erased customer: kept, pseudonymised, for the company's record retention
//!   (`companies.retention_years`, default 10 years for healthcare, otherwise none).

use chrono::{DateTime, Duration, Months, Utc};
use portal_domain::{CompanyId, Industry};
use portal_entity::{
    companies as co, notifications as n, otp_challenges as ch, refresh_tokens as rt, sessions as s,
};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};

use crate::DbError;

/// Sign-in challenges are purged this long after they expired.
pub const CHALLENGE_RETENTION: Duration = Duration::hours(24);
/// Ended sessions are purged this long after they ended.
pub const SESSION_RETENTION: Duration = Duration::days(30);
/// Message bodies are kept this long unless the company says otherwise.
pub const DEFAULT_MESSAGE_RETENTION_DAYS: i32 = 730;
/// Healthcare records (appointments) are kept this long unless the company says otherwise.
pub const DEFAULT_HEALTHCARE_RETENTION_YEARS: i32 = 10;

/// What one purge removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Purged {
    /// Sign-in challenges deleted.
    pub challenges: u64,
    /// Sessions deleted.
    pub sessions: u64,
    /// Message bodies blanked.
    pub message_bodies: u64,
    /// Limiter windows that ended (every limit is at most a day long).
    pub limiter_windows: u64,
}

/// The start of the window of appointments a company must keep when a customer is erased:
/// appointments that started at or after it stay (pseudonymised). `None`: keep nothing.
pub async fn keep_appointments_since(
    db: &impl ConnectionTrait,
    company: CompanyId,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, DbError> {
    let Some(row) = co::Entity::find_by_id(company.as_uuid()).one(db).await? else {
        return Ok(None);
    };
    let years = row.retention_years.unwrap_or(
        if Industry::from_stored(&row.industry) == Industry::Healthcare {
            DEFAULT_HEALTHCARE_RETENTION_YEARS
        } else {
            0
        },
    );
    let months = u32::try_from(years).unwrap_or(0).saturating_mul(12);
    if months == 0 {
        return Ok(None);
    }
    Ok(now.checked_sub_months(Months::new(months)))
}

/// Removes everything that has outlived its retention at `now`. Each step is one statement per
/// company (or in all), so it is safe to run on several instances at once.
#[tracing::instrument(skip_all)]
pub async fn purge(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Purged, DbError> {
    let challenges = ch::Entity::delete_many()
        .filter(ch::Column::ExpiresAt.lt(now - CHALLENGE_RETENTION))
        .exec(db)
        .await?
        .rows_affected;

    let cutoff = now - SESSION_RETENTION;
    let ended = Condition::any()
        .add(s::Column::RevokedAt.lt(cutoff))
        .add(s::Column::IdleExpiresAt.lt(cutoff))
        .add(s::Column::AbsoluteExpiresAt.lt(cutoff));
    let old_sessions: Vec<uuid::Uuid> = s::Entity::find()
        .filter(ended.clone())
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    for chunk in old_sessions.chunks(500) {
        rt::Entity::delete_many()
            .filter(rt::Column::SessionId.is_in(chunk.to_vec()))
            .exec(db)
            .await?;
    }
    let sessions = s::Entity::delete_many()
        .filter(ended)
        .exec(db)
        .await?
        .rows_affected;

    let mut message_bodies = 0;
    for company in co::Entity::find().all(db).await? {
        let days = company
            .message_retention_days
            .unwrap_or(DEFAULT_MESSAGE_RETENTION_DAYS)
            .max(0);
        let none = || Expr::value(Option::<String>::None);
        message_bodies += n::Entity::update_many()
            .col_expr(n::Column::Subject, none())
            .col_expr(n::Column::BodyText, none())
            .col_expr(n::Column::BodyHtml, none())
            .filter(n::Column::CompanyId.eq(company.id))
            .filter(n::Column::CreatedAt.lt(now - Duration::days(days.into())))
            // A message still waiting to be sent keeps its text.
            .filter(n::Column::Status.ne("queued"))
            .filter(
                Condition::any()
                    .add(n::Column::BodyText.is_not_null())
                    .add(n::Column::BodyHtml.is_not_null())
                    .add(n::Column::Subject.is_not_null()),
            )
            .exec(db)
            .await?
            .rows_affected;
    }
    let limiter_windows = crate::limiter::purge(db, now - Duration::days(2)).await?;
    let purged = Purged {
        challenges,
        sessions,
        message_bodies,
        limiter_windows,
    };
    tracing::info!(?purged, "retention purge done");
    Ok(purged)
}

/// Sets a company's retention periods (operators, tests): appointment records in years (`None`:
/// the industry default) and message bodies in days (`None`: two years).
pub async fn set_company_retention(
    db: &impl ConnectionTrait,
    company: CompanyId,
    record_years: Option<i32>,
    message_days: Option<i32>,
) -> Result<(), DbError> {
    co::Entity::update_many()
        .col_expr(co::Column::RetentionYears, Expr::value(record_years))
        .col_expr(co::Column::MessageRetentionDays, Expr::value(message_days))
        .filter(co::Column::Id.eq(company.as_uuid()))
        .exec(db)
        .await?;
    Ok(())
}
