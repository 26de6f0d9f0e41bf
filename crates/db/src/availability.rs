//! What slot computation needs from the database: who performs a service at a branch, and their
//! weekly hours there.

use portal_domain::{CompanyId, ids::StaffId, schedule::WorkingHours};
use portal_entity::{staff as st, staff_services as ss, working_hours as wh};

use crate::catalog;
use crate::{SystemScope, Tenant};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
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

/// The weekly hours of `staff` at `branch`, as slot computation wants them.
pub async fn working_hours(
    db: &impl ConnectionTrait,
    company: CompanyId,
    staff: Uuid,
    branch: Uuid,
) -> Result<Vec<WorkingHours>, DbError> {
    let shifts = catalog::working_hours(
        db,
        Tenant::System(SystemScope::for_company(company)),
        StaffId::from_uuid(staff),
    )
    .await?
    .unwrap_or_default();
    Ok(shifts
        .into_iter()
        .filter(|s| s.branch_id.as_uuid() == branch)
        .map(|s| WorkingHours {
            weekday: s.weekday,
            start: s.start,
            end: s.end,
            valid_from: s.valid_from,
            valid_until: s.valid_until,
        })
        .collect())
}
