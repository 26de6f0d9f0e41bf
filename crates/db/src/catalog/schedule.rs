//! When staff work: weekly shifts in the branch's wall-clock time, and time off as UTC spans.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use portal_domain::ids::{BranchId, StaffId};
use portal_entity::{time_off as to, working_hours as wh};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use super::{CatalogError, Page, PageRequest, branch_visible, corrupt, staff::find_staff};
use crate::DbError;
use crate::Tenant;

/// One weekly shift of a staff member at a branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shift {
    /// Where.
    pub branch_id: BranchId,
    /// Local weekday.
    pub weekday: Weekday,
    /// Local wall-clock start.
    pub start: NaiveTime,
    /// Local wall-clock end (exclusive); 00:00 means midnight at the end of the day.
    pub end: NaiveTime,
    /// First local date it applies (inclusive).
    pub valid_from: Option<NaiveDate>,
    /// Last local date it applies (inclusive).
    pub valid_until: Option<NaiveDate>,
}

const HH_MM: &str = "%H:%M";

impl TryFrom<wh::Model> for Shift {
    type Error = DbError;
    fn try_from(m: wh::Model) -> Result<Self, DbError> {
        let time =
            |s: &str, what: &str| NaiveTime::parse_from_str(s, HH_MM).map_err(|_| corrupt(what));
        Ok(Self {
            branch_id: BranchId::from_uuid(m.branch_id),
            weekday: u8::try_from(m.weekday)
                .ok()
                .filter(|d| (1..=7).contains(d))
                .and_then(|d| Weekday::try_from(d - 1).ok())
                .ok_or_else(|| corrupt("working_hours.weekday"))?,
            start: time(&m.start_local, "working_hours.start_local")?,
            end: time(&m.end_local, "working_hours.end_local")?,
            valid_from: m.valid_from,
            valid_until: m.valid_until,
        })
    }
}

/// The person's weekly shifts (only those at the restricted branch, with a restriction), ordered by
/// weekday and start; `None` when the person is not visible.
pub async fn working_hours(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    staff: StaffId,
) -> Result<Option<Vec<Shift>>, DbError> {
    let (company, only_branch) = (tenant.company_id(), tenant.branch_id());
    if find_staff(db, tenant, staff).await?.is_none() {
        return Ok(None);
    }
    let mut query = wh::Entity::find()
        .filter(wh::Column::StaffId.eq(staff.as_uuid()))
        .filter(wh::Column::CompanyId.eq(company.as_uuid()));
    if let Some(branch) = only_branch {
        query = query.filter(wh::Column::BranchId.eq(branch.as_uuid()));
    }
    let rows = query
        .order_by_asc(wh::Column::Weekday)
        .order_by_asc(wh::Column::StartLocal)
        .order_by_asc(wh::Column::Id)
        .all(db)
        .await?;
    rows.into_iter()
        .map(Shift::try_from)
        .collect::<Result<_, _>>()
        .map(Some)
}

/// Replaces the person's weekly shifts in one transaction. With a branch restriction only the
/// shifts at that branch are replaced (the others are not the caller's to see or change), and every
/// new shift must be at that branch. `hours[i].branch_id` names the first unknown branch.
#[tracing::instrument(skip_all, fields(company = %tenant.company_id(), staff = %staff))]
pub async fn set_working_hours<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    tenant: Tenant<'_>,
    staff: StaffId,
    shifts: &[Shift],
) -> Result<Vec<Shift>, CatalogError> {
    let (company, only_branch) = (tenant.company_id(), tenant.branch_id());
    let txn = db.begin().await?;
    if find_staff(&txn, tenant, staff).await?.is_none() {
        return Err(CatalogError::NotFound);
    }
    let mut checked: Vec<BranchId> = Vec::new();
    for (i, shift) in shifts.iter().enumerate() {
        if checked.contains(&shift.branch_id) {
            continue;
        }
        if !branch_visible(&txn, company, only_branch, shift.branch_id).await? {
            return Err(CatalogError::invalid(
                format!("hours[{i}].branch_id"),
                "no such branch",
            ));
        }
        checked.push(shift.branch_id);
    }
    let mut delete = wh::Entity::delete_many()
        .filter(wh::Column::StaffId.eq(staff.as_uuid()))
        .filter(wh::Column::CompanyId.eq(company.as_uuid()));
    if let Some(branch) = only_branch {
        delete = delete.filter(wh::Column::BranchId.eq(branch.as_uuid()));
    }
    delete.exec(&txn).await?;
    wh::Entity::insert_many(shifts.iter().map(|s| wh::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(company.as_uuid()),
        staff_id: Set(staff.as_uuid()),
        branch_id: Set(s.branch_id.as_uuid()),
        weekday: Set(i16::try_from(s.weekday.number_from_monday()).unwrap_or_default()),
        start_local: Set(s.start.format(HH_MM).to_string()),
        end_local: Set(s.end.format(HH_MM).to_string()),
        valid_from: Set(s.valid_from),
        valid_until: Set(s.valid_until),
    }))
    .exec_without_returning(&txn)
    .await?;
    let result = working_hours(&txn, tenant, staff)
        .await?
        .ok_or(CatalogError::NotFound)?;
    txn.commit().await?;
    Ok(result)
}

/// A span in which a staff member cannot be booked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeOff {
    /// Id.
    pub id: Uuid,
    /// Whose.
    pub staff_id: StaffId,
    /// Start (inclusive).
    pub starts_at: DateTime<Utc>,
    /// End (exclusive).
    pub ends_at: DateTime<Utc>,
    /// Why (holiday, training…), for the business only.
    pub reason: Option<String>,
}

/// What new time off is made of; the caller ensures `starts_at < ends_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTimeOff {
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Why.
    pub reason: Option<String>,
}

impl From<to::Model> for TimeOff {
    fn from(m: to::Model) -> Self {
        Self {
            id: m.id,
            staff_id: StaffId::from_uuid(m.staff_id),
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            reason: m.reason,
        }
    }
}

/// Records time off for a visible staff member.
#[tracing::instrument(skip_all, fields(company = %tenant.company_id(), staff = %staff))]
pub async fn add_time_off(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    staff: StaffId,
    new: NewTimeOff,
) -> Result<TimeOff, CatalogError> {
    let company = tenant.company_id();
    if find_staff(db, tenant, staff).await?.is_none() {
        return Err(CatalogError::NotFound);
    }
    let model = to::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(company.as_uuid()),
        staff_id: Set(staff.as_uuid()),
        starts_at: Set(new.starts_at),
        ends_at: Set(new.ends_at),
        reason: Set(new.reason),
    }
    .insert(db)
    .await?;
    Ok(model.into())
}

/// The person's time off overlapping `[from, to)` (either end open), by id; `None` when the person
/// is not visible.
pub async fn list_time_off(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    staff: StaffId,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    page: PageRequest,
) -> Result<Option<Page<TimeOff>>, DbError> {
    let company = tenant.company_id();
    if find_staff(db, tenant, staff).await?.is_none() {
        return Ok(None);
    }
    let mut query = to::Entity::find()
        .filter(to::Column::StaffId.eq(staff.as_uuid()))
        .filter(to::Column::CompanyId.eq(company.as_uuid()));
    if let Some(from) = from {
        query = query.filter(to::Column::EndsAt.gt(from));
    }
    if let Some(to) = to {
        query = query.filter(to::Column::StartsAt.lt(to));
    }
    if let Some(after) = page.after {
        query = query.filter(to::Column::Id.gt(after));
    }
    let rows = query
        .order_by_asc(to::Column::Id)
        .limit(page.limit + 1)
        .all(db)
        .await?;
    Page::from_rows(rows, page.limit, |m| m.id, |m| Ok(TimeOff::from(m))).map(Some)
}

/// Deletes one span of the person's time off; false when either is not visible.
#[tracing::instrument(skip_all, fields(company = %tenant.company_id(), staff = %staff))]
pub async fn delete_time_off(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    staff: StaffId,
    id: Uuid,
) -> Result<bool, DbError> {
    let company = tenant.company_id();
    if find_staff(db, tenant, staff).await?.is_none() {
        return Ok(false);
    }
    let result = to::Entity::delete_many()
        .filter(to::Column::Id.eq(id))
        .filter(to::Column::StaffId.eq(staff.as_uuid()))
        .filter(to::Column::CompanyId.eq(company.as_uuid()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
