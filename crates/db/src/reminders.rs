//! Reminders before appointments: per-company offsets (default 24 h and 2 h), and a log with one
//! unique row per (appointment, offset), written in the same transaction as the queued messages —
//! so however many instances run the scheduler, each reminder is queued exactly once.

use chrono::{DateTime, Duration, Utc};
use portal_domain::{CompanyId, CustomerId};
use portal_entity::{appointments as a, reminder_log as rl, reminder_settings as rs};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait, sea_query::OnConflict,
};
use uuid::Uuid;

use crate::{DbError, SystemScope, Tenant, notifications::NewNotification};

/// Minutes before the start when no company setting exists: 24 h and 2 h.
pub const DEFAULT_OFFSETS: [i32; 2] = [1440, 120];

/// The longest offset accepted (14 days).
pub const MAX_OFFSET_MINUTES: i32 = 14 * 24 * 60;

/// The company's reminder offsets in minutes, largest first.
pub async fn offsets(db: &impl ConnectionTrait, tenant: Tenant<'_>) -> Result<Vec<i32>, DbError> {
    let company = tenant.company_id();
    let row = rs::Entity::find_by_id(company.as_uuid()).one(db).await?;
    let mut offsets: Vec<i32> = match row {
        Some(row) => row
            .offsets_minutes
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .filter(|m| (1..=MAX_OFFSET_MINUTES).contains(m))
            .collect(),
        None => DEFAULT_OFFSETS.to_vec(),
    };
    offsets.sort_unstable_by(|a, b| b.cmp(a));
    offsets.dedup();
    Ok(offsets)
}

/// Sets the company's offsets (an empty list turns reminders off).
pub async fn set_offsets(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    minutes: &[i32],
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let company = tenant.company_id();
    let text = minutes
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    rs::Entity::insert(rs::ActiveModel {
        company_id: Set(company.as_uuid()),
        offsets_minutes: Set(text),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(rs::Column::CompanyId)
            .update_columns([rs::Column::OffsetsMinutes, rs::Column::UpdatedAt])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// An appointment whose reminder is due now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueReminder {
    /// Appointment.
    pub appointment_id: Uuid,
    /// Company.
    pub company_id: CompanyId,
    /// Customer.
    pub customer_id: CustomerId,
    /// Which offset (minutes before the start) this reminder is for.
    pub offset_minutes: i32,
}

/// Booked or confirmed appointments starting within `horizon` whose reminder window has opened
/// and whose reminder is not logged yet. Of several open windows only the latest counts (a server
/// that was down during the 24 h window sends the 2 h one, not both), and a window that opened
/// before the booking is skipped (no reminder right after booking).
pub async fn due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<DueReminder>, DbError> {
    // Look no further ahead than the longest offset any company uses.
    let longest = rs::Entity::find()
        .all(db)
        .await?
        .iter()
        .flat_map(|r| {
            r.offsets_minutes
                .split(',')
                .filter_map(|m| m.trim().parse::<i32>().ok())
        })
        .chain(DEFAULT_OFFSETS)
        .filter(|m| (1..=MAX_OFFSET_MINUTES).contains(m))
        .max()
        .unwrap_or(0);
    let horizon = now + Duration::minutes(longest.into());
    let candidates = a::Entity::find()
        .filter(a::Column::Status.is_in(["booked", "confirmed"]))
        .filter(a::Column::StartsAt.gt(now))
        .filter(a::Column::StartsAt.lte(horizon))
        .order_by_asc(a::Column::StartsAt)
        .all(db)
        .await?;
    let mut company_offsets: std::collections::HashMap<Uuid, Vec<i32>> = Default::default();
    let mut due = Vec::new();
    for appointment in candidates {
        let list = match company_offsets.entry(appointment.company_id) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(entry) => entry.insert(
                offsets(
                    db,
                    Tenant::System(SystemScope::for_company(CompanyId::from_uuid(
                        appointment.company_id,
                    ))),
                )
                .await?,
            ),
        };
        // Largest first: the last window already open is the smallest offset reached.
        let Some(offset) = list
            .iter()
            .copied()
            .filter(|m| appointment.starts_at - Duration::minutes((*m).into()) <= now)
            .min()
        else {
            continue;
        };
        if appointment.created_at >= appointment.starts_at - Duration::minutes(offset.into()) {
            continue;
        }
        due.push(DueReminder {
            appointment_id: appointment.id,
            company_id: CompanyId::from_uuid(appointment.company_id),
            customer_id: CustomerId::from_uuid(appointment.customer_id),
            offset_minutes: offset,
        });
    }
    if due.is_empty() {
        return Ok(due);
    }
    let logged: Vec<(Uuid, i32)> = rl::Entity::find()
        .select_only()
        .column(rl::Column::AppointmentId)
        .column(rl::Column::OffsetMinutes)
        .filter(rl::Column::AppointmentId.is_in(due.iter().map(|d| d.appointment_id)))
        .into_tuple()
        .all(db)
        .await?;
    due.retain(|d| !logged.contains(&(d.appointment_id, d.offset_minutes)));
    due.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(due)
}

/// Logs the reminder and queues its messages in one transaction. `false` when another instance
/// logged it first (nothing is queued then) or the appointment is no longer active.
pub async fn claim_and_queue(
    db: &sea_orm::DatabaseConnection,
    reminder: &DueReminder,
    messages: Vec<NewNotification>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let txn = db.begin().await?;
    let inserted = rl::Entity::insert(rl::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(reminder.company_id.as_uuid()),
        appointment_id: Set(reminder.appointment_id),
        offset_minutes: Set(reminder.offset_minutes),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([rl::Column::AppointmentId, rl::Column::OffsetMinutes])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    if inserted != 1
        || !crate::notifications::appointment_active(&txn, reminder.appointment_id).await?
    {
        txn.rollback().await?;
        return Ok(false);
    }
    for message in messages {
        crate::notifications::queue(&txn, message, now).await?;
    }
    txn.commit().await?;
    Ok(true)
}
