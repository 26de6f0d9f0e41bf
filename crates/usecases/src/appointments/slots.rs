//! Free times to move an appointment to.

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
    let from = search.from.unwrap_or(now);
    let to = search.to.unwrap_or(from + Duration::days(7));
    if to <= from || to - from > Duration::days(31) {
        return Err(Error::invalid(
            "to",
            "after `from` and at most 31 days later",
        ));
    }
    let a = load(ctx, &actor, id).await?;
    let company = actor.company(ctx).await?;
    let zone = a.branch.zone()?;
    let staff = if search.any_staff {
        availability::staff_for_service(ctx.db, a.company_id, a.branch.id, a.service.id).await?
    } else {
        vec![(a.staff_id, a.staff_name.clone())]
    };
    let mut slots = Vec::new();
    for (staff_id, staff_name) in staff {
        for start in free_starts(ctx, &a, &company, zone, staff_id, from, to).await? {
            slots.push(FreeSlot {
                starts_at: start,
                ends_at: start + duration(&a),
                staff_id,
                staff_name: staff_name.clone(),
            });
        }
    }
    slots.sort_by(|x, y| (x.starts_at, &x.staff_name).cmp(&(y.starts_at, &y.staff_name)));
    Ok(SlotsFound { zone, slots })
}

pub(super) fn duration(a: &Appointment) -> Duration {
    Duration::minutes(a.service.duration_minutes.into())
}

/// Free starts of `staff` for `a`'s service at its branch between `from` and `to`.
pub(super) async fn free_starts(
    ctx: &Ctx<'_>,
    a: &Appointment,
    company: &Company,
    zone: Tz,
    staff: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>> {
    let now = ctx.clock.now();
    let hours = availability::working_hours(ctx.db, a.company_id, staff, a.branch.id).await?;
    // Busy time is fetched with a margin for buffers reaching into the window.
    let margin = Duration::hours(12);
    let busy: Vec<Interval> = repo::busy_for_staff(
        ctx.db,
        a.company_id,
        staff,
        from - margin,
        to + margin,
        Some(a.id),
    )
    .await?
    .into_iter()
    .map(|(start, end, before, after)| Interval {
        start: start - Duration::minutes(before.into()),
        end: end + Duration::minutes(after.into()),
    })
    .collect();
    let request = SlotRequest {
        zone,
        from,
        to,
        duration: duration(a),
        buffer_before: Duration::minutes(a.service.buffer_before_minutes.into()),
        buffer_after: Duration::minutes(a.service.buffer_after_minutes.into()),
        step: Duration::minutes(SLOT_STEP_MINUTES),
        earliest: now + change_policy(a, company, Change::Reschedule).notice,
        latest: now + company.policy.horizon,
    };
    Ok(schedule::free_slots(&hours, &busy, &request))
}
