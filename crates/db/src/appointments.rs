//! Appointments: reads with their branch, staff and service, and the writes — create, reschedule,
//! cancel, update — each a single guarded statement so no interleaving can double-book a staff
//! member or act on a stale version, on SQLite and PostgreSQL alike. The writes run inside the
//! caller's transaction (a use case writes the change and its effects together); every function
//! takes a [`Tenant`], which supplies the company, customer and branch filters.

use chrono::{DateTime, Utc};
use portal_domain::{AppointmentStatus, CompanyId, CustomerId, HistoryKind};
use portal_entity::{
    appointment_events as ev, appointments as a, branches as b, services as sv, staff as st,
    time_off as to,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, JoinType, QueryFilter,
    QueryOrder, QuerySelect, RelationTrait, Select, UpdateMany,
    sea_query::{Condition, Expr, ExprTrait, Query},
};
use std::collections::HashMap;
use uuid::Uuid;

use crate::{CustomerScope, DbError, Tenant, api_keys::IntegratorScope};

/// Where an appointment takes place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchInfo {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Street and number.
    pub street: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// ISO country.
    pub country: String,
    /// Phone customers call.
    pub phone: Option<String>,
    /// IANA zone.
    pub timezone: String,
}

impl BranchInfo {
    /// The branch's IANA zone; a stored name chrono-tz does not know is corrupt data.
    pub fn zone(&self) -> Result<chrono_tz::Tz, DbError> {
        self.timezone
            .parse()
            .map_err(|_| DbError::Corrupt(format!("branch {} time zone", self.id)))
    }

    /// Address lines: street, then postal code and city.
    pub fn address_lines(&self) -> Vec<String> {
        let city = [self.postal_code.as_deref(), self.city.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        [self.street.clone(), Some(city).filter(|c| !c.is_empty())]
            .into_iter()
            .flatten()
            .collect()
    }
}

/// What is booked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceInfo {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Length in minutes.
    pub duration_minutes: i32,
    /// Free time needed before, minutes.
    pub buffer_before_minutes: i32,
    /// Free time needed after, minutes.
    pub buffer_after_minutes: i32,
    /// Overrides the company's cancellation notice.
    pub cancel_notice_minutes: Option<i32>,
    /// Overrides the company's reschedule notice.
    pub reschedule_notice_minutes: Option<i32>,
}

/// An appointment with everything a customer sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appointment {
    /// Id.
    pub id: Uuid,
    /// Company.
    pub company_id: CompanyId,
    /// Customer.
    pub customer_id: CustomerId,
    /// Branch.
    pub branch: BranchInfo,
    /// Staff member id.
    pub staff_id: Uuid,
    /// Staff member's display name.
    pub staff_name: String,
    /// Service.
    pub service: ServiceInfo,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Status.
    pub status: AppointmentStatus,
    /// How it was booked.
    pub source: String,
    /// The integrator's reference.
    pub external_ref: Option<String>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// Who cancelled it.
    pub cancelled_by: Option<String>,
    /// When it was cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency version, raised on each change.
    pub version: i32,
    /// When it was booked.
    pub created_at: DateTime<Utc>,
}

/// One entry of an appointment's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentEvent {
    /// What happened.
    pub kind: HistoryKind,
    /// `customer`, `integrator:<key prefix>`, `staff`, `system`.
    pub actor: String,
    /// Previous start (reschedules).
    pub from_starts_at: Option<DateTime<Utc>>,
    /// New start (created, rescheduled).
    pub to_starts_at: Option<DateTime<Utc>>,
    /// Reason given.
    pub reason: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Which appointments of a customer to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Not yet ended, soonest first.
    Upcoming,
    /// Ended, latest first.
    Past,
    /// Everything, soonest first.
    All,
}

/// The longest an appointment can last (services are at most 12 hours); bounds index range scans.
pub const MAX_LENGTH: chrono::Duration = chrono::Duration::hours(24);

/// Keyset position: the last item of the previous page.
pub type After = (DateTime<Utc>, Uuid);

/// Outcome of a guarded write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// Written.
    Done,
    /// The staff member is busy (another appointment or time off) at that time.
    SlotTaken,
    /// The appointment changed (or is gone) since it was read; read it again.
    Stale,
}

#[derive(Debug, FromQueryResult)]
struct Row {
    id: Uuid,
    company_id: Uuid,
    customer_id: Uuid,
    staff_id: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    status: String,
    source: String,
    external_ref: Option<String>,
    cancel_reason: Option<String>,
    cancelled_by: Option<String>,
    cancelled_at: Option<DateTime<Utc>>,
    version: i32,
    created_at: DateTime<Utc>,
    branch_id: Uuid,
    branch_name: String,
    branch_street: Option<String>,
    branch_postal_code: Option<String>,
    branch_city: Option<String>,
    branch_country: String,
    branch_phone: Option<String>,
    branch_timezone: String,
    staff_name: String,
    service_id: Uuid,
    service_name: String,
    service_duration: i32,
    service_buffer_before: i32,
    service_buffer_after: i32,
    service_cancel_notice: Option<i32>,
    service_reschedule_notice: Option<i32>,
}

impl TryFrom<Row> for Appointment {
    type Error = DbError;
    fn try_from(r: Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.id,
            company_id: CompanyId::from_uuid(r.company_id),
            customer_id: CustomerId::from_uuid(r.customer_id),
            branch: BranchInfo {
                id: r.branch_id,
                name: r.branch_name,
                street: r.branch_street,
                postal_code: r.branch_postal_code,
                city: r.branch_city,
                country: r.branch_country,
                phone: r.branch_phone,
                timezone: r.branch_timezone,
            },
            staff_id: r.staff_id,
            staff_name: r.staff_name,
            service: ServiceInfo {
                id: r.service_id,
                name: r.service_name,
                duration_minutes: r.service_duration,
                buffer_before_minutes: r.service_buffer_before,
                buffer_after_minutes: r.service_buffer_after,
                cancel_notice_minutes: r.service_cancel_notice,
                reschedule_notice_minutes: r.service_reschedule_notice,
            },
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            status: AppointmentStatus::parse(&r.status)
                .ok_or_else(|| DbError::Corrupt(format!("appointments.status {:?}", r.status)))?,
            source: r.source,
            external_ref: r.external_ref,
            cancel_reason: r.cancel_reason,
            cancelled_by: r.cancelled_by,
            cancelled_at: r.cancelled_at,
            version: r.version,
            created_at: r.created_at,
        })
    }
}

/// Appointments joined with branch, staff and service, selecting exactly the `Row` columns.
fn with_details() -> Select<a::Entity> {
    a::Entity::find()
        .select_only()
        .columns([
            a::Column::Id,
            a::Column::CompanyId,
            a::Column::CustomerId,
            a::Column::StaffId,
            a::Column::StartsAt,
            a::Column::EndsAt,
            a::Column::Status,
            a::Column::Source,
            a::Column::ExternalRef,
            a::Column::CancelReason,
            a::Column::CancelledBy,
            a::Column::CancelledAt,
            a::Column::Version,
            a::Column::CreatedAt,
            a::Column::BranchId,
            a::Column::ServiceId,
        ])
        .column_as(b::Column::Name, "branch_name")
        .column_as(b::Column::Street, "branch_street")
        .column_as(b::Column::PostalCode, "branch_postal_code")
        .column_as(b::Column::City, "branch_city")
        .column_as(b::Column::Country, "branch_country")
        .column_as(b::Column::Phone, "branch_phone")
        .column_as(b::Column::Timezone, "branch_timezone")
        .column_as(st::Column::DisplayName, "staff_name")
        .column_as(sv::Column::Name, "service_name")
        .column_as(sv::Column::DurationMinutes, "service_duration")
        .column_as(sv::Column::BufferBeforeMinutes, "service_buffer_before")
        .column_as(sv::Column::BufferAfterMinutes, "service_buffer_after")
        .column_as(sv::Column::CancelNoticeMinutes, "service_cancel_notice")
        .column_as(
            sv::Column::RescheduleNoticeMinutes,
            "service_reschedule_notice",
        )
        .join(JoinType::InnerJoin, a::Relation::Branches.def())
        .join(JoinType::InnerJoin, a::Relation::Staff.def())
        .join(JoinType::InnerJoin, a::Relation::Services.def())
}

async fn fetch(
    db: &impl ConnectionTrait,
    query: Select<a::Entity>,
) -> Result<Vec<Appointment>, DbError> {
    query
        .into_model::<Row>()
        .all(db)
        .await?
        .into_iter()
        .map(Appointment::try_from)
        .collect()
}

/// One page of a customer's appointments (`limit` items at most).
#[tracing::instrument(skip_all, fields(period = ?period, limit))]
pub async fn list_for_customer(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
    period: Period,
    after: Option<After>,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<Vec<Appointment>, DbError> {
    let mut query = visible(with_details(), scope.into());
    query = match period {
        // The lower bound on the start lets the (company, customer, starts_at) index seek past the
        // history instead of scanning it: no appointment lasts longer than MAX_LENGTH.
        Period::Upcoming => query
            .filter(a::Column::StartsAt.gt(now - MAX_LENGTH))
            .filter(a::Column::EndsAt.gt(now)),
        Period::Past => query.filter(a::Column::EndsAt.lte(now)),
        Period::All => query,
    };
    let descending = period == Period::Past;
    if let Some((at, id)) = after {
        let (beyond_at, beyond_id) = if descending {
            (a::Column::StartsAt.lt(at), a::Column::Id.lt(id))
        } else {
            (a::Column::StartsAt.gt(at), a::Column::Id.gt(id))
        };
        query = query.filter(
            Condition::any().add(beyond_at).add(
                Condition::all()
                    .add(a::Column::StartsAt.eq(at))
                    .add(beyond_id),
            ),
        );
    }
    query = if descending {
        query
            .order_by_desc(a::Column::StartsAt)
            .order_by_desc(a::Column::Id)
    } else {
        query
            .order_by_asc(a::Column::StartsAt)
            .order_by_asc(a::Column::Id)
    };
    fetch(db, query.limit(limit)).await
}

/// The rows of `a` visible to `tenant`.
fn visible<Q: QueryFilter>(query: Q, tenant: Tenant<'_>) -> Q {
    let mut query = query.filter(a::Column::CompanyId.eq(tenant.company_id().as_uuid()));
    if let Some(customer) = tenant.customer_id() {
        query = query.filter(a::Column::CustomerId.eq(customer.as_uuid()));
    }
    if let Some(branch) = tenant.branch_id() {
        query = query.filter(a::Column::BranchId.eq(branch.as_uuid()));
    }
    query
}

/// One appointment visible to `tenant`; `None` for anything else (missing, someone else's, another
/// branch's for a branch key), so every caller answers alike.
pub async fn find(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    id: Uuid,
) -> Result<Option<Appointment>, DbError> {
    let query = visible(with_details().filter(a::Column::Id.eq(id)), tenant);
    Ok(fetch(db, query).await?.pop())
}

/// The history of an appointment, oldest first.
pub async fn events(
    db: &impl ConnectionTrait,
    appointment: &Appointment,
) -> Result<Vec<AppointmentEvent>, DbError> {
    let rows = ev::Entity::find()
        .filter(ev::Column::AppointmentId.eq(appointment.id))
        .filter(ev::Column::CompanyId.eq(appointment.company_id.as_uuid()))
        .order_by_asc(ev::Column::CreatedAt)
        .order_by_asc(ev::Column::Id)
        .all(db)
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(AppointmentEvent {
                kind: HistoryKind::parse(&r.kind).ok_or_else(|| {
                    DbError::Corrupt(format!("appointment_events.kind {:?}", r.kind))
                })?,
                actor: r.actor,
                from_starts_at: r.from_starts_at,
                to_starts_at: r.to_starts_at,
                reason: r.reason,
                created_at: r.created_at,
            })
        })
        .collect()
}

/// Busy time of each of `staff` between `from` and `to`: active appointments (with their services'
/// buffers, in minutes) and time off — two queries for all of them. `exclude` leaves out the
/// appointment being moved.
pub async fn busy_for_staff(
    db: &impl ConnectionTrait,
    company: CompanyId,
    staff: &[Uuid],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    exclude: Option<Uuid>,
) -> Result<HashMap<Uuid, Vec<Busy>>, DbError> {
    let mut query = a::Entity::find()
        .select_only()
        .columns([a::Column::StaffId, a::Column::StartsAt, a::Column::EndsAt])
        .column(sv::Column::BufferBeforeMinutes)
        .column(sv::Column::BufferAfterMinutes)
        .join(JoinType::InnerJoin, a::Relation::Services.def())
        .filter(a::Column::CompanyId.eq(company.as_uuid()))
        .filter(a::Column::StaffId.is_in(staff.iter().copied()))
        .filter(a::Column::Status.is_in(AppointmentStatus::active_names()))
        .filter(a::Column::StartsAt.lt(to))
        // Bounds the (staff_id, starts_at) index range from below, so history is never scanned.
        .filter(a::Column::StartsAt.gt(from - MAX_LENGTH))
        .filter(a::Column::EndsAt.gt(from));
    if let Some(id) = exclude {
        query = query.filter(a::Column::Id.ne(id));
    }
    let booked: Vec<(Uuid, Busy)> = query
        .into_tuple::<(Uuid, DateTime<Utc>, DateTime<Utc>, i32, i32)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(staff, start, end, before, after)| (staff, (start, end, before, after)))
        .collect();
    let off: Vec<(Uuid, DateTime<Utc>, DateTime<Utc>)> = to::Entity::find()
        .select_only()
        .columns([
            to::Column::StaffId,
            to::Column::StartsAt,
            to::Column::EndsAt,
        ])
        .filter(to::Column::CompanyId.eq(company.as_uuid()))
        .filter(to::Column::StaffId.is_in(staff.iter().copied()))
        .filter(to::Column::StartsAt.lt(to))
        .filter(to::Column::EndsAt.gt(from))
        .into_tuple()
        .all(db)
        .await?;
    let mut busy: HashMap<Uuid, Vec<Busy>> = HashMap::new();
    for (staff, stretch) in booked {
        busy.entry(staff).or_default().push(stretch);
    }
    for (staff, start, end) in off {
        busy.entry(staff).or_default().push((start, end, 0, 0));
    }
    Ok(busy)
}

/// A busy stretch: start, end, and the buffers (minutes) its service needs before and after.
pub type Busy = (DateTime<Utc>, DateTime<Utc>, i32, i32);

/// A condition that is true when `staff` has an active appointment (other than `exclude`) or time
/// off overlapping `[start, end)`.
fn staff_busy(staff: Uuid, start: DateTime<Utc>, end: DateTime<Utc>, exclude: Uuid) -> Condition {
    let appointment = Query::select()
        .expr(Expr::val(1))
        .from(a::Entity)
        .and_where(Expr::col((a::Entity, a::Column::StaffId)).eq(staff))
        .and_where(Expr::col((a::Entity, a::Column::Id)).ne(exclude))
        .and_where(
            Expr::col((a::Entity, a::Column::Status)).is_in(AppointmentStatus::active_names()),
        )
        .and_where(Expr::col((a::Entity, a::Column::StartsAt)).lt(end))
        .and_where(Expr::col((a::Entity, a::Column::StartsAt)).gt(start - MAX_LENGTH))
        .and_where(Expr::col((a::Entity, a::Column::EndsAt)).gt(start))
        .to_owned();
    let time_off = Query::select()
        .expr(Expr::val(1))
        .from(to::Entity)
        .and_where(Expr::col((to::Entity, to::Column::StaffId)).eq(staff))
        .and_where(Expr::col((to::Entity, to::Column::StartsAt)).lt(end))
        .and_where(Expr::col((to::Entity, to::Column::EndsAt)).gt(start))
        .to_owned();
    Condition::any()
        .add(Expr::exists(appointment))
        .add(Expr::exists(time_off))
}

/// On PostgreSQL, serialises writers per staff member for the rest of the transaction, so the
/// overlap check of a concurrent writer sees this one's result. SQLite serialises writers anyway.
async fn lock_staff(db: &impl ConnectionTrait, staff: Uuid) -> Result<(), DbError> {
    if db.get_database_backend() == DbBackend::Postgres {
        st::Entity::find_by_id(staff)
            .lock_exclusive()
            .one(db)
            .await?;
    }
    Ok(())
}

/// Who changed an appointment, as its history records it.
#[derive(Debug, Clone)]
pub struct ChangedBy {
    /// `customer`, `integrator:<key prefix>`, `staff`, `system`.
    pub name: String,
    /// The acting customer or key id, if any.
    pub id: Option<String>,
}

/// `update` guarded by the tenant, the version and an active status.
fn guarded(
    update: UpdateMany<a::Entity>,
    tenant: Tenant<'_>,
    id: Uuid,
    expected_version: i32,
) -> UpdateMany<a::Entity> {
    visible(update, tenant)
        .filter(a::Column::Id.eq(id))
        .filter(a::Column::Version.eq(expected_version))
}

/// A move of an appointment.
#[derive(Debug, Clone, Copy)]
pub struct Move {
    /// The start it moves from (the one read at `expected_version`).
    pub from_starts_at: DateTime<Utc>,
    /// Staff member afterwards.
    pub staff: Uuid,
    /// New start.
    pub starts_at: DateTime<Utc>,
    /// New end.
    pub ends_at: DateTime<Utc>,
}

/// Moves an active appointment visible to `tenant`, if it is still at `expected_version` and the
/// staff member is free then, and records the move in its history. Run it in a transaction with
/// the move's effects.
pub async fn reschedule(
    txn: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    id: Uuid,
    expected_version: i32,
    to: Move,
    by: &ChangedBy,
    now: DateTime<Utc>,
) -> Result<WriteOutcome, DbError> {
    lock_staff(txn, to.staff).await?;
    let update = a::Entity::update_many()
        .col_expr(a::Column::StaffId, Expr::value(to.staff))
        .col_expr(a::Column::StartsAt, Expr::value(to.starts_at))
        .col_expr(a::Column::EndsAt, Expr::value(to.ends_at))
        .col_expr(a::Column::Version, Expr::col(a::Column::Version).add(1))
        .col_expr(a::Column::UpdatedAt, Expr::value(now))
        .filter(a::Column::Status.is_in(AppointmentStatus::active_names()))
        .filter(staff_busy(to.staff, to.starts_at, to.ends_at, id).not());
    if guarded(update, tenant, id, expected_version)
        .exec(txn)
        .await?
        .rows_affected
        != 1
    {
        // Tell a taken slot from a changed appointment: the latter is no longer at that version.
        let unchanged = visible(a::Entity::find_by_id(id), tenant)
            .filter(a::Column::Version.eq(expected_version))
            .one(txn)
            .await?
            .is_some();
        return Ok(if unchanged {
            WriteOutcome::SlotTaken
        } else {
            WriteOutcome::Stale
        });
    }
    record_event(
        txn,
        tenant.company_id(),
        id,
        HistoryKind::Rescheduled,
        by,
        Some(to.from_starts_at),
        Some(to.starts_at),
        None,
        now,
    )
    .await?;
    Ok(WriteOutcome::Done)
}

/// Cancels an active appointment visible to `tenant` still at `expected_version` and records it in
/// its history. Run it in a transaction with the cancellation's effects.
#[allow(
    clippy::too_many_arguments,
    reason = "one guarded write needs all of them"
)]
pub async fn cancel(
    txn: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    id: Uuid,
    expected_version: i32,
    reason: Option<&str>,
    by: &ChangedBy,
    now: DateTime<Utc>,
) -> Result<WriteOutcome, DbError> {
    let update = a::Entity::update_many()
        .col_expr(
            a::Column::Status,
            Expr::value(AppointmentStatus::Cancelled.as_str()),
        )
        .col_expr(
            a::Column::CancelReason,
            Expr::value(reason.map(str::to_owned)),
        )
        .col_expr(a::Column::CancelledBy, Expr::value(by.name.clone()))
        .col_expr(a::Column::CancelledAt, Expr::value(now))
        .col_expr(a::Column::Version, Expr::col(a::Column::Version).add(1))
        .col_expr(a::Column::UpdatedAt, Expr::value(now))
        .filter(a::Column::Status.is_in(AppointmentStatus::active_names()));
    if guarded(update, tenant, id, expected_version)
        .exec(txn)
        .await?
        .rows_affected
        != 1
    {
        return Ok(WriteOutcome::Stale);
    }
    record_event(
        txn,
        tenant.company_id(),
        id,
        HistoryKind::Cancelled,
        by,
        None,
        None,
        reason,
        now,
    )
    .await?;
    Ok(WriteOutcome::Done)
}

/// What a new appointment is made of.
#[derive(Debug, Clone)]
pub struct NewAppointment {
    /// Id (UUIDv7), chosen by the caller so the confirmation can name it before the insert.
    pub id: Uuid,
    /// Company.
    pub company_id: CompanyId,
    /// Branch.
    pub branch_id: Uuid,
    /// Staff member.
    pub staff_id: Uuid,
    /// Service.
    pub service_id: Uuid,
    /// Customer.
    pub customer_id: CustomerId,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Initial status (booked or confirmed).
    pub status: AppointmentStatus,
    /// `phone_assistant`, `integrator`, `portal`, `staff`.
    pub source: String,
    /// The integrator's reference.
    pub external_ref: Option<String>,
    /// Notes.
    pub notes: Option<String>,
}

/// The appointment `new` would be once written (version 1, booked now), read from its branch,
/// staff member and service; `None` when one of them is not the company's. Lets a booking build
/// its confirmation before the insert, so both are written in one transaction.
pub async fn draft(
    db: &impl ConnectionTrait,
    new: &NewAppointment,
    now: DateTime<Utc>,
) -> Result<Option<Appointment>, DbError> {
    let company = new.company_id.as_uuid();
    let Some(branch) = b::Entity::find_by_id(new.branch_id)
        .filter(b::Column::CompanyId.eq(company))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(staff) = st::Entity::find_by_id(new.staff_id)
        .filter(st::Column::CompanyId.eq(company))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(service) = sv::Entity::find_by_id(new.service_id)
        .filter(sv::Column::CompanyId.eq(company))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(Appointment {
        id: new.id,
        company_id: new.company_id,
        customer_id: new.customer_id,
        branch: BranchInfo {
            id: branch.id,
            name: branch.name,
            street: branch.street,
            postal_code: branch.postal_code,
            city: branch.city,
            country: branch.country,
            phone: branch.phone,
            timezone: branch.timezone,
        },
        staff_id: staff.id,
        staff_name: staff.display_name,
        service: ServiceInfo {
            id: service.id,
            name: service.name,
            duration_minutes: service.duration_minutes,
            buffer_before_minutes: service.buffer_before_minutes,
            buffer_after_minutes: service.buffer_after_minutes,
            cancel_notice_minutes: service.cancel_notice_minutes,
            reschedule_notice_minutes: service.reschedule_notice_minutes,
        },
        starts_at: new.starts_at,
        ends_at: new.ends_at,
        status: new.status,
        source: new.source.clone(),
        external_ref: new.external_ref.clone(),
        cancel_reason: None,
        cancelled_by: None,
        cancelled_at: None,
        version: 1,
        created_at: now,
    }))
}

/// Creates an appointment unless the staff member is busy then, with its first history entry.
/// Run it in a transaction with the booking's effects.
pub async fn create(
    txn: &impl ConnectionTrait,
    new: &NewAppointment,
    by: &ChangedBy,
    now: DateTime<Utc>,
) -> Result<WriteOutcome, DbError> {
    let id = new.id;
    lock_staff(txn, new.staff_id).await?;
    let values: Vec<Expr> = vec![
        Expr::value(id),
        Expr::value(new.company_id.as_uuid()),
        Expr::value(new.branch_id),
        Expr::value(new.staff_id),
        Expr::value(new.service_id),
        Expr::value(new.customer_id.as_uuid()),
        Expr::value(new.starts_at),
        Expr::value(new.ends_at),
        Expr::value(new.status.as_str()),
        Expr::value(new.source.clone()),
        Expr::value(new.external_ref.clone()),
        Expr::value(new.notes.clone()),
        Expr::value(1),
        Expr::value(now),
        Expr::value(now),
    ];
    let select = Query::select()
        .exprs(values)
        .cond_where(staff_busy(new.staff_id, new.starts_at, new.ends_at, id).not())
        .to_owned();
    let insert = Query::insert()
        .into_table(a::Entity)
        .columns([
            a::Column::Id,
            a::Column::CompanyId,
            a::Column::BranchId,
            a::Column::StaffId,
            a::Column::ServiceId,
            a::Column::CustomerId,
            a::Column::StartsAt,
            a::Column::EndsAt,
            a::Column::Status,
            a::Column::Source,
            a::Column::ExternalRef,
            a::Column::Notes,
            a::Column::Version,
            a::Column::CreatedAt,
            a::Column::UpdatedAt,
        ])
        .select_from(select)
        .map_err(|e| DbError::Other(sea_orm::DbErr::Custom(e.to_string())))?
        .to_owned();
    if txn.execute(&insert).await?.rows_affected() != 1 {
        return Ok(WriteOutcome::SlotTaken);
    }
    record_event(
        txn,
        new.company_id,
        id,
        HistoryKind::Created,
        by,
        None,
        Some(new.starts_at),
        None,
        now,
    )
    .await?;
    Ok(WriteOutcome::Done)
}

#[allow(
    clippy::too_many_arguments,
    reason = "a history row has this many facts"
)]
async fn record_event(
    db: &impl ConnectionTrait,
    company: CompanyId,
    appointment: Uuid,
    kind: HistoryKind,
    by: &ChangedBy,
    from_starts_at: Option<DateTime<Utc>>,
    to_starts_at: Option<DateTime<Utc>>,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    use sea_orm::{ActiveModelTrait, Set};
    ev::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(company.as_uuid()),
        appointment_id: Set(appointment),
        kind: Set(kind.as_str().to_owned()),
        actor: Set(by.name.clone()),
        actor_id: Set(by.id.clone()),
        from_starts_at: Set(from_starts_at),
        to_starts_at: Set(to_starts_at),
        reason: Set(reason.map(str::to_owned)),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Filters of the integrator's appointment list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only this customer's.
    pub customer: Option<CustomerId>,
    /// Only this branch's (a branch key sees only its own anyway).
    pub branch: Option<Uuid>,
    /// Only this staff member's.
    pub staff: Option<Uuid>,
    /// Starting at or after.
    pub from: Option<DateTime<Utc>>,
    /// Starting before.
    pub to: Option<DateTime<Utc>>,
}

/// A page of the appointments the key sees (its company's, or its branch's), by start (then id),
/// ascending.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: &IntegratorScope,
    filter: &ListFilter,
    after: Option<After>,
    limit: u64,
) -> Result<Vec<Appointment>, DbError> {
    let mut query = visible(with_details(), scope.into());
    if let Some(customer) = filter.customer {
        query = query.filter(a::Column::CustomerId.eq(customer.as_uuid()));
    }
    if let Some(branch) = filter.branch {
        query = query.filter(a::Column::BranchId.eq(branch));
    }
    if let Some(staff) = filter.staff {
        query = query.filter(a::Column::StaffId.eq(staff));
    }
    if let Some(from) = filter.from {
        query = query.filter(a::Column::StartsAt.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(a::Column::StartsAt.lt(to));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            Condition::any().add(a::Column::StartsAt.gt(at)).add(
                Condition::all()
                    .add(a::Column::StartsAt.eq(at))
                    .add(a::Column::Id.gt(id)),
            ),
        );
    }
    fetch(
        db,
        query
            .order_by_asc(a::Column::StartsAt)
            .order_by_asc(a::Column::Id)
            .limit(limit),
    )
    .await
}

/// Changes status (to confirmed, completed or no-show), notes and the integrator's reference of an
/// appointment visible to `tenant` still at `expected_version`. `None` keeps a field. Run it in the
/// caller's transaction.
#[allow(
    clippy::too_many_arguments,
    reason = "one guarded write needs all of them"
)]
pub async fn update_details(
    txn: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    id: Uuid,
    expected_version: i32,
    status: Option<AppointmentStatus>,
    notes: Option<Option<String>>,
    external_ref: Option<Option<String>>,
    by: &ChangedBy,
    now: DateTime<Utc>,
) -> Result<WriteOutcome, DbError> {
    let mut update = a::Entity::update_many()
        .col_expr(a::Column::Version, Expr::col(a::Column::Version).add(1))
        .col_expr(a::Column::UpdatedAt, Expr::value(now));
    if let Some(status) = status {
        update = update.col_expr(a::Column::Status, Expr::value(status.as_str()));
    }
    if let Some(notes) = notes {
        update = update.col_expr(a::Column::Notes, Expr::value(notes));
    }
    if let Some(external_ref) = external_ref {
        update = update.col_expr(a::Column::ExternalRef, Expr::value(external_ref));
    }
    if guarded(update, tenant, id, expected_version)
        .exec(txn)
        .await?
        .rows_affected
        != 1
    {
        return Ok(WriteOutcome::Stale);
    }
    if let Some(status) = status {
        record_event(
            txn,
            tenant.company_id(),
            id,
            HistoryKind::StatusChanged,
            by,
            None,
            None,
            Some(status.as_str()),
            now,
        )
        .await?;
    }
    Ok(WriteOutcome::Done)
}
