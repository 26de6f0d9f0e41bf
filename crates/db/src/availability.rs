//! What slot computation needs from the database: who performs a service at a branch, and their
//! weekly hours there.

use chrono::{NaiveTime, Weekday};
use portal_domain::{CompanyId, schedule::WorkingHours};
use portal_entity::{staff as st, staff_services as ss, working_hours as wh};
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

/// The weekly hours of `staff` at `branch`.
pub async fn working_hours(
    db: &impl ConnectionTrait,
    company: CompanyId,
    staff: Uuid,
    branch: Uuid,
) -> Result<Vec<WorkingHours>, DbError> {
    let rows = wh::Entity::find()
        .filter(wh::Column::CompanyId.eq(company.as_uuid()))
        .filter(wh::Column::StaffId.eq(staff))
        .filter(wh::Column::BranchId.eq(branch))
        .all(db)
        .await?;
    rows.into_iter()
        .map(|r| {
            let corrupt =
                |what: &str| DbError::Corrupt(format!("working_hours.{what} of {}", r.id));
            let time = |s: &str, what: &str| {
                NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| corrupt(what))
            };
            Ok(WorkingHours {
                weekday: weekday(r.weekday).ok_or_else(|| corrupt("weekday"))?,
                start: time(&r.start_local, "start_local")?,
                end: time(&r.end_local, "end_local")?,
                valid_from: r.valid_from,
                valid_until: r.valid_until,
            })
        })
        .collect()
}

/// ISO weekday number (1 = Monday … 7 = Sunday).
pub fn weekday(n: i16) -> Option<Weekday> {
    Some(match n {
        1 => Weekday::Mon,
        2 => Weekday::Tue,
        3 => Weekday::Wed,
        4 => Weekday::Thu,
        5 => Weekday::Fri,
        6 => Weekday::Sat,
        7 => Weekday::Sun,
        _ => return None,
    })
}
