//! Free times to move an appointment to.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use portal_db::{
    appointments::{self as repo, Appointment},
    availability,
    companies::Company,
};
use portal_domain::schedule::{self, Interval, SlotRequest};
use uuid::Uuid;

use super::{Change, change_policy, load};
use crate::{Actor, Ctx, Error, Result};

/// Grid of offered start times.
const SLOT_STEP_MINUTES: i64 = 15;

/// What the customer asks for.
#[derive(Debug, Clone, Copy, Default)]
pub struct SlotSearch {
    /// Earliest start; default now.
    pub from: Option<DateTime<Utc>>,
    /// Latest start, exclusive; default 7 days after `from`, at most 31 days after it.
    pub to: Option<DateTime<Utc>>,
    /// Also offer other staff who perform the same service at the same branch.
    pub any_staff: bool,
}

/// One free start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeSlot {
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// With whom.
    pub staff_id: Uuid,
    /// Their display name.
    pub staff_name: String,
}

/// The free slots and the zone they are shown in.
#[derive(Debug, Clone)]
pub struct SlotsFound {
    /// The branch's zone.
    pub zone: Tz,
    /// Ascending by start, then staff name.
    pub slots: Vec<FreeSlot>,
}

/// Free start times for appointment `id`'s service at its branch: with the same person, or with
/// anyone who performs it (`any_staff`), from working hours, time off, other appointments and
/// buffers in the branch's zone, no earlier than the notice and no later than the horizon.
#[tracing::instrument(skip_all)]
pub async fn find_free_slots(
    ctx: &Ctx<'_>,
    actor: Actor<'_>,
    id: Uuid,
    search: SlotSearch,
) -> Result<SlotsFound> {
    let now = ctx.clock.now();
    let (from, to) = window(search.from, search.to, now)?;
    let a = load(ctx, &actor, id).await?;
    let company = actor.company(ctx).await?;
    let spec = Spec::moving(&a, &company, now)?;
    let staff = if search.any_staff {
        availability::staff_for_service(ctx.db, a.company_id, a.branch.id, a.service.id).await?
    } else {
        vec![(a.staff_id, a.staff_name.clone())]
    };
    spec.search(ctx, staff, from, to, usize::MAX).await
}

/// The search window: `from` (default now) to `to` (default 7 days later), at most 31 days.
fn window(
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let from = from.unwrap_or(now);
    let to = to.unwrap_or(from + Duration::days(7));
    if to <= from || to - from > Duration::days(31) {
        return Err(Error::invalid(
            "to",
            "after `from` and at most 31 days later",
        ));
    }
    Ok((from, to))
}

pub(super) fn duration(a: &Appointment) -> Duration {
    Duration::minutes(a.service.duration_minutes.into())
}

/// What a free start must fit: a service's length and buffers at a branch, between the earliest
/// and the latest start the rules allow — the one definition behind the customer's slots, the
/// check of a move, and the integrator's availability.
pub(super) struct Spec {
    company: portal_domain::CompanyId,
    branch: Uuid,
    zone: Tz,
    duration: Duration,
    buffer_before: Duration,
    buffer_after: Duration,
    /// An appointment whose own time does not count as busy (the one being moved).
    moving: Option<Uuid>,
    earliest: DateTime<Utc>,
    latest: DateTime<Utc>,
}

impl Spec {
    /// For moving `a`: its service, after the reschedule notice.
    pub(super) fn moving(a: &Appointment, company: &Company, now: DateTime<Utc>) -> Result<Self> {
        Ok(Self {
            company: a.company_id,
            branch: a.branch.id,
            zone: a.branch.zone()?,
            duration: duration(a),
            buffer_before: Duration::minutes(a.service.buffer_before_minutes.into()),
            buffer_after: Duration::minutes(a.service.buffer_after_minutes.into()),
            moving: Some(a.id),
            earliest: now + change_policy(a, company, Change::Reschedule).notice,
            latest: now + company.policy.horizon,
        })
    }

    /// Free starts of each of `staff` between `from` and `to`, ascending by start then name; at
    /// most `limit`.
    async fn search(
        &self,
        ctx: &Ctx<'_>,
        staff: Vec<(Uuid, String)>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
    ) -> Result<SlotsFound> {
        let ids: Vec<Uuid> = staff.iter().map(|(id, _)| *id).collect();
        let mut free = self.free_starts_of(ctx, &ids, from, to).await?;
        let mut slots = Vec::new();
        for (staff_id, staff_name) in staff {
            for start in free.remove(&staff_id).unwrap_or_default() {
                slots.push(FreeSlot {
                    starts_at: start,
                    ends_at: start + self.duration,
                    staff_id,
                    staff_name: staff_name.clone(),
                });
            }
        }
        slots.sort_by(|x, y| (x.starts_at, &x.staff_name).cmp(&(y.starts_at, &y.staff_name)));
        slots.truncate(limit);
        Ok(SlotsFound {
            zone: self.zone,
            slots,
        })
    }

    /// Free starts of `staff` between `from` and `to`.
    pub(super) async fn free_starts(
        &self,
        ctx: &Ctx<'_>,
        staff: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>> {
        let mut free = self.free_starts_of(ctx, &[staff], from, to).await?;
        Ok(free.remove(&staff).unwrap_or_default())
    }

    /// Free starts of each of `staff` between `from` and `to`: their hours and busy time in a
    /// few queries for all of them, then the slot rules in memory.
    async fn free_starts_of(
        &self,
        ctx: &Ctx<'_>,
        staff: &[Uuid],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<HashMap<Uuid, Vec<DateTime<Utc>>>> {
        let mut hours =
            availability::working_hours(ctx.db, self.company, self.branch, staff).await?;
        // Busy time is fetched with a margin for buffers reaching into the window.
        let margin = Duration::hours(12);
        let mut busy = repo::busy_for_staff(
            ctx.db,
            self.company,
            staff,
            from - margin,
            to + margin,
            self.moving,
        )
        .await?;
        let request = SlotRequest {
            zone: self.zone,
            from,
            to,
            duration: self.duration,
            buffer_before: self.buffer_before,
            buffer_after: self.buffer_after,
            step: Duration::minutes(SLOT_STEP_MINUTES),
            earliest: self.earliest,
            latest: self.latest,
        };
        Ok(staff
            .iter()
            .map(|id| {
                let hours = hours.remove(id).unwrap_or_default();
                let busy: Vec<Interval> = busy
                    .remove(id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(start, end, before, after)| Interval {
                        start: start - Duration::minutes(before.into()),
                        end: end + Duration::minutes(after.into()),
                    })
                    .collect();
                (*id, schedule::free_slots(&hours, &busy, &request))
            })
            .collect())
    }
}

/// What the business's phone assistant asks: free starts for a service at a branch.
#[derive(Debug, Clone, Copy)]
pub struct AvailabilitySearch {
    /// Branch.
    pub branch_id: Uuid,
    /// Service.
    pub service_id: Uuid,
    /// Only this staff member; default anyone at the branch who performs the service.
    pub staff_id: Option<Uuid>,
    /// Earliest start; default now.
    pub from: Option<DateTime<Utc>>,
    /// Latest start, exclusive; default 7 days after `from`, at most 31 days after it.
    pub to: Option<DateTime<Utc>>,
    /// At most this many starts (the earliest ones).
    pub limit: usize,
}

/// Free starts for booking `search.service_id` at `search.branch_id` — the same working hours,
/// time off, buffers, other appointments and daylight-saving rules as the customer's slots — from
/// now (a booking by the business needs no notice) to the company's booking horizon. A branch key
/// sees only its branch.
#[tracing::instrument(skip_all)]
pub async fn find_availability(
    ctx: &Ctx<'_>,
    actor: Actor<'_>,
    search: AvailabilitySearch,
) -> Result<SlotsFound> {
    use portal_domain::ids::{BranchId, ServiceId};
    let Actor::Integrator(scope) = actor else {
        return Err(Error::NotFound);
    };
    let now = ctx.clock.now();
    let (from, to) = window(search.from, search.to, now)?;
    let branch = portal_db::catalog::find_branch(
        ctx.db,
        scope.into(),
        BranchId::from_uuid(search.branch_id),
    )
    .await?
    .ok_or_else(|| Error::invalid("branch_id", "no such branch"))?;
    let service = portal_db::catalog::find_service(
        ctx.db,
        scope.into(),
        ServiceId::from_uuid(search.service_id),
    )
    .await?
    .ok_or_else(|| Error::invalid("service_id", "no such service"))?;
    let company = actor.company(ctx).await?;
    let performers =
        availability::staff_for_service(ctx.db, company.id, search.branch_id, search.service_id)
            .await?;
    let staff = match search.staff_id {
        None => performers,
        Some(id) => vec![
            performers
                .into_iter()
                .find(|(staff, _)| *staff == id)
                .ok_or_else(|| {
                    Error::invalid(
                        "staff_id",
                        "no staff member at this branch performs this service",
                    )
                })?,
        ],
    };
    let spec = Spec {
        company: company.id,
        branch: search.branch_id,
        zone: branch.timezone,
        duration: Duration::minutes(service.duration_minutes.into()),
        buffer_before: Duration::minutes(service.buffer_before_minutes.into()),
        buffer_after: Duration::minutes(service.buffer_after_minutes.into()),
        moving: None,
        earliest: now,
        latest: now + company.policy.horizon,
    };
    spec.search(ctx, staff, from, to, search.limit).await
}
