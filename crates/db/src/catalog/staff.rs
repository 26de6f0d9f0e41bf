//! Staff members and the services each performs.

use chrono::{DateTime, Utc};
use portal_domain::{
    CompanyId,
    ids::{BranchId, ServiceId, StaffId},
};
use portal_entity::{services as sv, staff as st, staff_services as ss};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};

use super::{CatalogError, Page, PageRequest, branch_visible};
use crate::DbError;
use crate::{SystemScope, Tenant};

/// A staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    /// Id.
    pub id: StaffId,
    /// Company.
    pub company_id: CompanyId,
    /// Home branch; `None` for someone not tied to one branch.
    pub branch_id: Option<BranchId>,
    /// Name shown to customers.
    pub display_name: String,
    /// False once deactivated (not bookable).
    pub active: bool,
    /// Creation.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// What a new staff member is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStaff {
    /// Home branch.
    pub branch_id: Option<BranchId>,
    /// Name shown to customers.
    pub display_name: String,
    /// Bookable from the start.
    pub active: bool,
}

/// A partial change: `None` keeps a field; `branch_id: Some(None)` unties the person from a branch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaffPatch {
    /// New home branch.
    pub branch_id: Option<Option<BranchId>>,
    /// New name.
    pub display_name: Option<String>,
    /// Activate or deactivate.
    pub active: Option<bool>,
}

impl From<st::Model> for Staff {
    fn from(m: st::Model) -> Self {
        Self {
            id: StaffId::from_uuid(m.id),
            company_id: CompanyId::from_uuid(m.company_id),
            branch_id: m.branch_id.map(BranchId::from_uuid),
            display_name: m.display_name,
            active: m.active,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// Staff of `company`, restricted to one branch when asked.
fn scoped(company: CompanyId, only_branch: Option<BranchId>) -> sea_orm::Select<st::Entity> {
    let query = st::Entity::find().filter(st::Column::CompanyId.eq(company.as_uuid()));
    match only_branch {
        Some(branch) => query.filter(st::Column::BranchId.eq(branch.as_uuid())),
        None => query,
    }
}

/// Checks a home branch a caller wants to set: it must be visible to the caller, and a branch-bound
/// caller cannot leave the person without its branch (they would disappear from its view).
async fn check_home_branch(
    db: &impl ConnectionTrait,
    company: CompanyId,
    only_branch: Option<BranchId>,
    branch: Option<BranchId>,
) -> Result<(), CatalogError> {
    let ok = match branch {
        Some(branch) => branch_visible(db, company, only_branch, branch).await?,
        None => only_branch.is_none(),
    };
    if ok {
        Ok(())
    } else {
        Err(CatalogError::invalid("branch_id", "no such branch"))
    }
}

/// Creates a staff member. A branch-bound caller can only create staff of its branch.
#[tracing::instrument(skip_all, fields(company = %tenant.company_id()))]
pub async fn create_staff(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    new: NewStaff,
    now: DateTime<Utc>,
) -> Result<Staff, CatalogError> {
    let (company, only_branch) = (tenant.company_id(), tenant.branch_id());
    check_home_branch(db, company, only_branch, new.branch_id).await?;
    let model = st::ActiveModel {
        id: Set(StaffId::new().as_uuid()),
        company_id: Set(company.as_uuid()),
        branch_id: Set(new.branch_id.map(BranchId::as_uuid)),
        display_name: Set(new.display_name),
        active: Set(new.active),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(model.into())
}

/// The staff member `id`, if visible.
pub async fn find_staff(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    id: StaffId,
) -> Result<Option<Staff>, DbError> {
    let (company, only_branch) = (tenant.company_id(), tenant.branch_id());
    Ok(scoped(company, only_branch)
        .filter(st::Column::Id.eq(id.as_uuid()))
        .one(db)
        .await?
        .map(Staff::from))
}

/// Visible staff, optionally only those whose home branch is `branch`, by id.
pub async fn list_staff(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    branch: Option<BranchId>,
    page: PageRequest,
) -> Result<Page<Staff>, DbError> {
    let (company, only_branch) = (tenant.company_id(), tenant.branch_id());
    let mut query = scoped(company, only_branch);
    if let Some(branch) = branch {
        query = query.filter(st::Column::BranchId.eq(branch.as_uuid()));
    }
    if let Some(after) = page.after {
        query = query.filter(st::Column::Id.gt(after));
    }
    let rows = query
        .order_by_asc(st::Column::Id)
        .limit(page.limit + 1)
        .all(db)
        .await?;
    Page::from_rows(rows, page.limit, |m| m.id, |m| Ok(Staff::from(m)))
}

/// Applies `patch`; [`CatalogError::NotFound`] when the person is not visible.
#[tracing::instrument(skip_all, fields(company = %tenant.company_id(), staff = %id))]
pub async fn update_staff(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    id: StaffId,
    patch: StaffPatch,
    now: DateTime<Utc>,
) -> Result<Staff, CatalogError> {
    let (company, only_branch) = (tenant.company_id(), tenant.branch_id());
    if find_staff(db, tenant, id).await?.is_none() {
        return Err(CatalogError::NotFound);
    }
    if let Some(branch) = patch.branch_id {
        check_home_branch(db, company, only_branch, branch).await?;
    }
    let changes = st::ActiveModel {
        branch_id: patch
            .branch_id
            .map_or(NotSet, |b| Set(b.map(BranchId::as_uuid))),
        display_name: patch.display_name.map_or(NotSet, Set),
        active: patch.active.map_or(NotSet, Set),
        updated_at: Set(now),
        ..Default::default()
    };
    let mut query = st::Entity::update_many()
        .set(changes)
        .filter(st::Column::Id.eq(id.as_uuid()))
        .filter(st::Column::CompanyId.eq(company.as_uuid()));
    if let Some(branch) = only_branch {
        query = query.filter(st::Column::BranchId.eq(branch.as_uuid()));
    }
    if query.exec(db).await?.rows_affected == 0 {
        return Err(CatalogError::NotFound);
    }
    // Read company-wide: the patch may have moved the person to another branch.
    find_staff(db, Tenant::System(SystemScope::for_company(company)), id)
        .await?
        .ok_or(CatalogError::NotFound)
}

/// The services the person performs, by id; `None` when the person is not visible.
pub async fn staff_services(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    staff: StaffId,
) -> Result<Option<Vec<ServiceId>>, DbError> {
    let company = tenant.company_id();
    if find_staff(db, tenant, staff).await?.is_none() {
        return Ok(None);
    }
    let rows = ss::Entity::find()
        .filter(ss::Column::StaffId.eq(staff.as_uuid()))
        .filter(ss::Column::CompanyId.eq(company.as_uuid()))
        .order_by_asc(ss::Column::ServiceId)
        .all(db)
        .await?;
    Ok(Some(
        rows.into_iter()
            .map(|r| ServiceId::from_uuid(r.service_id))
            .collect(),
    ))
}

/// Replaces the services the person performs, in one transaction. Every id must be a service of the
/// company (`service_ids[i]` names the first one that is not); duplicates collapse.
#[tracing::instrument(skip_all, fields(company = %tenant.company_id(), staff = %staff))]
pub async fn set_staff_services<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    tenant: Tenant<'_>,
    staff: StaffId,
    services: &[ServiceId],
) -> Result<Vec<ServiceId>, CatalogError> {
    let company = tenant.company_id();
    let txn = db.begin().await?;
    if find_staff(&txn, tenant, staff).await?.is_none() {
        return Err(CatalogError::NotFound);
    }
    let known: Vec<_> = sv::Entity::find()
        .select_only()
        .column(sv::Column::Id)
        .filter(sv::Column::CompanyId.eq(company.as_uuid()))
        .filter(sv::Column::Id.is_in(services.iter().map(|s| s.as_uuid())))
        .into_tuple::<uuid::Uuid>()
        .all(&txn)
        .await?;
    if let Some(i) = services.iter().position(|s| !known.contains(&s.as_uuid())) {
        return Err(CatalogError::invalid(
            format!("service_ids[{i}]"),
            "no such service",
        ));
    }
    let mut ids: Vec<ServiceId> = services.to_vec();
    ids.sort();
    ids.dedup();
    ss::Entity::delete_many()
        .filter(ss::Column::StaffId.eq(staff.as_uuid()))
        .filter(ss::Column::CompanyId.eq(company.as_uuid()))
        .exec(&txn)
        .await?;
    ss::Entity::insert_many(ids.iter().map(|service| ss::ActiveModel {
        staff_id: Set(staff.as_uuid()),
        service_id: Set(service.as_uuid()),
        company_id: Set(company.as_uuid()),
    }))
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(ids)
}
