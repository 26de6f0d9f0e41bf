//! Branches: the places where appointments happen, each with its own IANA time zone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use portal_domain::{CompanyId, ids::BranchId};
use portal_entity::branches as b;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use super::{Page, PageRequest, corrupt};
use crate::DbError;
use crate::Tenant;

/// A branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    /// Id.
    pub id: BranchId,
    /// Company.
    pub company_id: CompanyId,
    /// Display name.
    pub name: String,
    /// Street and number.
    pub street: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
    /// Phone customers call (E.164).
    pub phone: Option<String>,
    /// Zone every local time of the branch is in.
    pub timezone: Tz,
    /// False once deactivated.
    pub active: bool,
    /// Creation.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// What a new branch is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBranch {
    /// Display name.
    pub name: String,
    /// Street and number.
    pub street: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
    /// Phone (E.164).
    pub phone: Option<String>,
    /// IANA zone.
    pub timezone: Tz,
}

/// A partial change: `None` keeps a field; `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BranchPatch {
    /// New name.
    pub name: Option<String>,
    /// New street.
    pub street: Option<Option<String>>,
    /// New postal code.
    pub postal_code: Option<Option<String>>,
    /// New city.
    pub city: Option<Option<String>>,
    /// New country.
    pub country: Option<String>,
    /// New phone.
    pub phone: Option<Option<String>>,
    /// New zone.
    pub timezone: Option<Tz>,
    /// Activate or deactivate.
    pub active: Option<bool>,
}

impl TryFrom<b::Model> for Branch {
    type Error = DbError;
    fn try_from(m: b::Model) -> Result<Self, DbError> {
        Ok(Self {
            id: BranchId::from_uuid(m.id),
            company_id: CompanyId::from_uuid(m.company_id),
            timezone: m
                .timezone
                .parse()
                .map_err(|_| corrupt("branches.timezone"))?,
            name: m.name,
            street: m.street,
            postal_code: m.postal_code,
            city: m.city,
            country: m.country,
            phone: m.phone,
            active: m.active,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn set<T: Into<sea_orm::Value>>(value: Option<T>) -> sea_orm::ActiveValue<T> {
    value.map_or(NotSet, Set)
}

/// Creates an active branch.
#[tracing::instrument(skip_all, fields(company = %tenant.company_id()))]
pub async fn create_branch(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    new: NewBranch,
    now: DateTime<Utc>,
) -> Result<Branch, DbError> {
    let company = tenant.company_id();
    b::ActiveModel {
        id: Set(BranchId::new().as_uuid()),
        company_id: Set(company.as_uuid()),
        name: Set(new.name),
        street: Set(new.street),
        postal_code: Set(new.postal_code),
        city: Set(new.city),
        country: Set(new.country),
        phone: Set(new.phone),
        timezone: Set(new.timezone.name().to_owned()),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?
    .try_into()
}

fn scoped(company: CompanyId, only_branch: Option<BranchId>) -> sea_orm::Select<b::Entity> {
    let query = b::Entity::find().filter(b::Column::CompanyId.eq(company.as_uuid()));
    match only_branch {
        Some(branch) => query.filter(b::Column::Id.eq(branch.as_uuid())),
        None => query,
    }
}

/// The branch `id` of `company` (and, with a restriction, only that branch).
pub async fn find_branch(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    id: BranchId,
) -> Result<Option<Branch>, DbError> {
    let (company, only_branch) = (tenant.company_id(), tenant.branch_id());
    scoped(company, only_branch)
        .filter(b::Column::Id.eq(id.as_uuid()))
        .one(db)
        .await?
        .map(Branch::try_from)
        .transpose()
}

/// The company's branches (or just the restricted one), by id.
pub async fn list_branches(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    page: PageRequest,
) -> Result<Page<Branch>, DbError> {
    let (company, only_branch) = (tenant.company_id(), tenant.branch_id());
    let mut query = scoped(company, only_branch);
    if let Some(after) = page.after {
        query = query.filter(b::Column::Id.gt(after));
    }
    let rows = query
        .order_by_asc(b::Column::Id)
        .limit(page.limit + 1)
        .all(db)
        .await?;
    Page::from_rows(rows, page.limit, |m| m.id, Branch::try_from)
}

/// Applies `patch` to the branch; `None` when it is not visible.
#[tracing::instrument(skip_all, fields(company = %tenant.company_id(), branch = %id))]
pub async fn update_branch(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    id: BranchId,
    patch: BranchPatch,
    now: DateTime<Utc>,
) -> Result<Option<Branch>, DbError> {
    let (company, only_branch) = (tenant.company_id(), tenant.branch_id());
    if only_branch.is_some_and(|only| only != id) {
        return Ok(None);
    }
    let changes = b::ActiveModel {
        name: set(patch.name),
        street: set(patch.street),
        postal_code: set(patch.postal_code),
        city: set(patch.city),
        country: set(patch.country),
        phone: set(patch.phone),
        timezone: set(patch.timezone.map(|tz| tz.name().to_owned())),
        active: set(patch.active),
        updated_at: Set(now),
        ..Default::default()
    };
    let result = b::Entity::update_many()
        .set(changes)
        .filter(b::Column::Id.eq(id.as_uuid()))
        .filter(b::Column::CompanyId.eq(company.as_uuid()))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Ok(None);
    }
    find_branch(db, tenant, id).await
}
