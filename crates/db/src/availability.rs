//! What slot computation needs from the database: who performs a service at a branch, and their
//! weekly hours there.

use portal_domain::{CompanyId, schedule::WorkingHours};
use portal_entity::{staff as st, staff_services as ss, working_hours as wh};

use crate::catalog;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

use crate::DbError;

/// Active staff members who perform `service` and have working hours at `branch`, by name.
pub async fn staff_for_service(
    db: &impl ConnectionTrait,
    company: CompanyId,
    branch: Uuid,
    service: Uuid,
) -> Result<Vec<(Uuid, String)>, DbError> {
    let performers: Vec<Uuid> = ss::Entity::find()
        .select_only()
        .column(ss::Column::StaffId)
        .filter(ss::Column::CompanyId.eq(company.as_uuid()))
        .filter(ss::Column::ServiceId.eq(service))
        .into_tuple()
        .all(db)
        .await?;
    let at_branch: Vec<Uuid> = wh::Entity::find()
        .select_only()
        .column(wh::Column::StaffId)
        .distinct()
        .filter(wh::Column::CompanyId.eq(company.as_uuid()))
        .filter(wh::Column::BranchId.eq(branch))
        .filter(wh::Column::StaffId.is_in(performers))
        .into_tuple()
        .all(db)
        .await?;
    Ok(st::Entity::find()
        .select_only()
        .columns([st::Column::Id, st::Column::DisplayName])
        .filter(st::Column::CompanyId.eq(company.as_uuid()))
        .filter(st::Column::Active.eq(true))
        .filter(st::Column::Id.is_in(at_branch))
        .order_by_asc(st::Column::DisplayName)
        .into_tuple()
        .all(db)
        .await?)
}

/// The weekly hours at `branch` of each of `staff`, as slot computation wants them — one query
/// for all of them (a search over everyone at a branch asks for hundreds).
pub async fn working_hours(
    db: &impl ConnectionTrait,
    company: CompanyId,
    branch: Uuid,
    staff: &[Uuid],
) -> Result<HashMap<Uuid, Vec<WorkingHours>>, DbError> {
    let rows = wh::Entity::find()
        .filter(wh::Column::CompanyId.eq(company.as_uuid()))
        .filter(wh::Column::BranchId.eq(branch))
        .filter(wh::Column::StaffId.is_in(staff.iter().copied()))
        .all(db)
        .await?;
    let mut hours: HashMap<Uuid, Vec<WorkingHours>> = HashMap::new();
    for row in rows {
        let staff = row.staff_id;
        let shift = catalog::Shift::try_from(row)?;
        hours.entry(staff).or_default().push(WorkingHours {
            weekday: shift.weekday,
            start: shift.start,
            end: shift.end,
            valid_from: shift.valid_from,
            valid_until: shift.valid_until,
        });
    }
    Ok(hours)
}
