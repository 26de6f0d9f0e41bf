//! The audit log: who did what to whose data, and when.

use chrono::{DateTime, Utc};
use portal_domain::{CompanyId, CustomerId};
use portal_entity::audit_log;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use uuid::Uuid;

use crate::DbError;

/// One audit entry.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    /// Company the data belongs to.
    pub company_id: CompanyId,
    /// Customer the data is about.
    pub customer_id: Option<CustomerId>,
    /// `customer`, `integrator:<key prefix>`, `system`.
    pub actor: &'a str,
    /// What happened, e.g. `auth.sign_in`, `profile.update`.
    pub action: &'a str,
    /// What it happened to, e.g. a session id.
    pub target: Option<String>,
    /// Client address.
    pub ip: Option<&'a str>,
}

/// Appends an entry.
pub async fn record(
    db: &impl ConnectionTrait,
    entry: AuditEntry<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(entry.company_id.as_uuid()),
        customer_id: Set(entry.customer_id.map(CustomerId::as_uuid)),
        actor: Set(entry.actor.to_owned()),
        action: Set(entry.action.to_owned()),
        target: Set(entry.target),
        ip: Set(entry.ip.map(str::to_owned)),
        details: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}
