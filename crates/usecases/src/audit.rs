//! Audit entries about a customer's data, written in the transaction of the change or read they
//! record.

use chrono::{DateTime, Utc};
use portal_db::{CustomerScope, audit};
use portal_domain::{CompanyId, CustomerId};
use sea_orm::ConnectionTrait;

use crate::Result;

/// Records that `actor` did `action` (to `target`) with `customer`'s data.
pub(crate) async fn record(
    db: &impl ConnectionTrait,
    company: CompanyId,
    customer: CustomerId,
    actor: &str,
    action: &str,
    target: Option<String>,
    now: DateTime<Utc>,
) -> Result<()> {
    let entry = audit::AuditEntry {
        company_id: company,
        customer_id: Some(customer),
        actor,
        action,
        target,
        ip: None,
    };
    audit::record(db, entry, now).await?;
    Ok(())
}

/// Records that the signed-in customer did `action` with their own data.
pub(crate) async fn by_customer(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
    action: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let (company, customer) = (scope.company_id(), scope.customer_id());
    record(db, company, customer, "customer", action, None, now).await
}
