//! Customers as integrators see them: found and upserted by phone number within a company.

use chrono::{DateTime, Utc};
use portal_domain::{CompanyId, CustomerId, EmailAddress, Locale, PersonName, PhoneNumber};
use portal_entity::customers as c;
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::{Page, PageRequest};
use crate::{
    DbError, SystemScope, Tenant,
    customers::{self, Customer, NewCustomer},
};

/// A customer record (erased customers never appear).
pub type CustomerRecord = Customer;

/// Details to set on upsert: `None` keeps what is stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerPatch {
    /// Full name.
    pub name: Option<PersonName>,
    /// Email address.
    pub email: Option<EmailAddress>,
    /// Preferred language.
    pub locale: Option<Locale>,
}

/// What [`upsert_customer`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upserted {
    /// No customer had the number; this one was created.
    Created(CustomerRecord),
    /// The customer with the number was updated.
    Updated(CustomerRecord),
}

fn live(company: CompanyId) -> sea_orm::Select<c::Entity> {
    c::Entity::find()
        .filter(c::Column::CompanyId.eq(company.as_uuid()))
        .filter(c::Column::ErasedAt.is_null())
}

/// The live customers `tenant` may read: the company's, or for a branch key only those with an
/// appointment at its branch.
fn visible(tenant: Tenant<'_>) -> sea_orm::Select<c::Entity> {
    use sea_orm::sea_query::ExprTrait;
    let query = live(tenant.company_id());
    match tenant.branch_id() {
        None => query,
        Some(branch) => query.filter(
            c::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(portal_entity::appointments::Column::CustomerId)
                    .from(portal_entity::appointments::Entity)
                    .and_where(
                        sea_orm::sea_query::Expr::col(
                            portal_entity::appointments::Column::BranchId,
                        )
                        .eq(branch.as_uuid()),
                    )
                    .to_owned(),
            ),
        ),
    }
}

/// Creates the customer with `phone`, or updates the given details of the existing one.
#[tracing::instrument(skip_all, fields(company = %tenant.company_id()))]
pub async fn upsert_customer(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    phone: &PhoneNumber,
    patch: CustomerPatch,
    now: DateTime<Utc>,
) -> Result<Upserted, DbError> {
    let company = tenant.company_id();
    if let Some(existing) = customers::find_by_phone(db, company, phone).await? {
        return update(db, company, existing.id, patch, now)
            .await
            .map(Upserted::Updated);
    }
    let created = customers::create(
        db,
        NewCustomer {
            company_id: company,
            phone: phone.clone(),
            name: patch.name.clone(),
            email: patch.email.clone(),
            locale: patch.locale,
        },
        now,
    )
    .await;
    match created {
        Ok(customer) => Ok(Upserted::Created(customer)),
        // A concurrent upsert created the number first: update theirs.
        Err(DbError::Conflict(_)) => {
            let existing = customers::find_by_phone(db, company, phone)
                .await?
                .ok_or_else(|| DbError::Conflict("customers.phone".into()))?;
            update(db, company, existing.id, patch, now)
                .await
                .map(Upserted::Updated)
        }
        Err(err) => Err(err),
    }
}

async fn update(
    db: &impl ConnectionTrait,
    company: CompanyId,
    id: CustomerId,
    patch: CustomerPatch,
    now: DateTime<Utc>,
) -> Result<CustomerRecord, DbError> {
    let changes = c::ActiveModel {
        name: patch.name.map_or(NotSet, |n| Set(Some(n.into()))),
        email: patch.email.map_or(NotSet, |e| Set(Some(e.into()))),
        locale: patch
            .locale
            .map_or(NotSet, |l| Set(Some(l.as_str().to_owned()))),
        updated_at: Set(now),
        ..Default::default()
    };
    c::Entity::update_many()
        .set(changes)
        .filter(c::Column::Id.eq(id.as_uuid()))
        .filter(c::Column::CompanyId.eq(company.as_uuid()))
        .exec(db)
        .await?;
    find_customer(db, Tenant::System(SystemScope::for_company(company)), id)
        .await?
        .ok_or_else(|| DbError::Corrupt("customer vanished during upsert".into()))
}

/// The (not erased) customer `id`, if `tenant` may read it (a branch key: one with an appointment
/// at its branch).
pub async fn find_customer(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    id: CustomerId,
) -> Result<Option<CustomerRecord>, DbError> {
    Ok(visible(tenant)
        .filter(c::Column::Id.eq(id.as_uuid()))
        .one(db)
        .await?
        .map(Customer::from))
}

/// The (not erased) customer with `phone`, if `tenant` may read it.
pub async fn find_customer_by_phone(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    phone: &PhoneNumber,
) -> Result<Option<CustomerRecord>, DbError> {
    Ok(visible(tenant)
        .filter(c::Column::Phone.eq(phone.as_str()))
        .one(db)
        .await?
        .map(Customer::from))
}

/// The customers `tenant` may read, by id.
pub async fn list_customers(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    page: PageRequest,
) -> Result<Page<CustomerRecord>, DbError> {
    let mut query = visible(tenant);
    if let Some(after) = page.after {
        query = query.filter(c::Column::Id.gt(after));
    }
    let rows = query
        .order_by_asc(c::Column::Id)
        .limit(page.limit + 1)
        .all(db)
        .await?;
    Page::from_rows(rows, page.limit, |m| m.id, |m| Ok(Customer::from(m)))
}
