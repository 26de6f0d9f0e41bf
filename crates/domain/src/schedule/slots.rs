//! Free start times from a branch's working hours and busy times.
//!
//! Working hours are local wall-clock times of the branch; everything else is a UTC instant. The
//! local dates are turned into instants with the branch's IANA zone, and from then on the grid is
//! stepped in real (UTC) time, so a slot never lands on a local time that does not exist.
//!
//! # Daylight saving time
//! A working interval stands for the real instants whose local wall-clock time lies between its start
//! and end on that date:
//! - A boundary inside a spring-forward gap (e.g. 02:30 on 2026-03-29 in Europe/Berlin) is moved to
//!   the instant the gap ends (03:00 CEST), so only the non-existent wall-clock times are lost.
//! - An ambiguous boundary (e.g. 02:30 on 2026-10-25 in Europe/Berlin, which occurs twice) takes the
//!   **earlier** instant for a start and the **later** instant for an end, so the interval covers
//!   both occurrences: 01:00–04:00 on that day is four real hours long.
//! - An end of 00:00 means midnight at the end of the day (a shift until midnight); any other end
//!   that is not after the start yields nothing (write an overnight shift as two entries).

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat,
    TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

/// One stretch of local working time on a weekday; several per weekday make split shifts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkingHours {
    /// The local weekday this applies to.
    pub weekday: Weekday,
    /// Local wall-clock start.
    pub start: NaiveTime,
    /// Local wall-clock end (exclusive); 00:00 means midnight at the end of the day.
    pub end: NaiveTime,
    /// First local date on which this applies (inclusive); `None` for always.
    pub valid_from: Option<NaiveDate>,
    /// Last local date on which this applies (inclusive); `None` for open-ended.
    pub valid_until: Option<NaiveDate>,
}

impl WorkingHours {
    /// Whether these hours apply on a local date: right weekday and within the validity dates.
    pub fn applies_on(&self, date: NaiveDate) -> bool {
        date.weekday() == self.weekday
            && self.valid_from.is_none_or(|from| from <= date)
            && self.valid_until.is_none_or(|until| date <= until)
    }
}

/// A half-open span of time `[start, end)`; busy time when given to [`free_slots`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Interval {
    /// First instant inside.
    pub start: DateTime<Utc>,
    /// First instant after (exclusive).
    pub end: DateTime<Utc>,
}

impl Interval {
    /// Whether the interval contains no instant (`end <= start`).
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

/// Whether two half-open intervals share an instant. Touching intervals (`a.end == b.start`) do not
/// overlap, and an empty interval overlaps nothing.
pub fn overlaps(a: &Interval, b: &Interval) -> bool {
    !a.is_empty() && !b.is_empty() && a.start < b.end && b.start < a.end
}

/// What [`free_slots`] looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotRequest {
    /// The branch's time zone; working hours are local to it.
    pub zone: Tz,
    /// Slots start at or after this instant.
    pub from: DateTime<Utc>,
    /// Slots start before this instant (exclusive).
    pub to: DateTime<Utc>,
    /// Length of the service; must be positive, else there are no slots.
    pub duration: Duration,
    /// Time kept free before the service (preparation); negative counts as zero.
    pub buffer_before: Duration,
    /// Time kept free after the service (clean-up); negative counts as zero.
    pub buffer_after: Duration,
    /// Grid of start times, e.g. 15 minutes, counted in real time from the start of each working
    /// interval; must be positive, else there are no slots.
    pub step: Duration,
    /// Earliest start allowed (now + booking notice), inclusive.
    pub earliest: DateTime<Utc>,
    /// Latest start allowed (now + booking horizon), inclusive.
    pub latest: DateTime<Utc>,
}

/// Every free start time for `req`, sorted ascending and without duplicates.
///
/// A start `s` is free when it lies on the grid of a working interval, `[s, s + duration)` fits inside
/// that one working interval, `[s − buffer_before, s + duration + buffer_after)` overlaps no busy
/// interval (touching is fine; buffers may reach outside working hours), `earliest <= s <= latest`
/// and `from <= s < to`. Local dates are iterated from the local date of `from` to the local date of
/// `to`, inclusive. See the [module documentation](crate::schedule::slots) for the daylight-saving rules.
///
/// Busy intervals are sorted and merged once; each working interval then sweeps them, so the cost is
/// O(busy · log busy + working intervals · log busy + slots · log slots).
pub fn free_slots(
    hours: &[WorkingHours],
    busy: &[Interval],
    req: &SlotRequest,
) -> Vec<DateTime<Utc>> {
    let zero = Duration::zero();
    if req.duration <= zero || req.step <= zero || req.from >= req.to {
        return Vec::new();
    }
    let sweep = Sweep {
        busy: merge(busy),
        duration: req.duration,
        before: req.buffer_before.max(zero),
        after: req.buffer_after.max(zero),
        step: req.step,
        lowest: req.from.max(req.earliest),
        highest: req.latest,
        to: req.to,
    };
    if sweep.lowest > sweep.highest {
        return Vec::new();
    }

    let mut slots = Vec::new();
    let last_day = req.to.with_timezone(&req.zone).date_naive();
    let mut day = req.from.with_timezone(&req.zone).date_naive();
    while day <= last_day {
        for entry in hours.iter().filter(|h| h.applies_on(day)) {
            if let Some((start, end)) = working_interval(entry, day, req.zone) {
                // `None` means nothing (more) to add: no room, or the edge of chrono's range.
                let _ = sweep.collect(start, end, &mut slots);
            }
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    slots.sort_unstable();
    slots.dedup();
    slots
}

/// An instant as the branch shows it: RFC 3339 with the zone's offset at that instant, plus the
/// zone's IANA name (what the API returns; the PWA has no time-zone database).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalDisplay {
    /// E.g. `2026-03-29T10:00:00+02:00` (whole seconds).
    pub rfc3339: String,
    /// E.g. `Europe/Berlin`.
    pub zone: &'static str,
}

/// Renders an instant in a branch's local time, DST-correct.
pub fn local_display(instant: DateTime<Utc>, zone: Tz) -> LocalDisplay {
    LocalDisplay {
        rfc3339: instant
            .with_timezone(&zone)
            .to_rfc3339_opts(SecondsFormat::Secs, false),
        zone: zone.name(),
    }
}

/// The request's limits plus the merged busy times, shared by all working intervals.
struct Sweep {
    /// Sorted by start, pairwise disjoint and not touching, none empty; so ends are sorted too.
    busy: Vec<Interval>,
    duration: Duration,
    before: Duration,
    after: Duration,
    step: Duration,
    /// Lowest allowed start (inclusive).
    lowest: DateTime<Utc>,
    /// Highest allowed start (inclusive).
    highest: DateTime<Utc>,
    /// Starts must be before this.
    to: DateTime<Utc>,
}

impl Sweep {
    /// Pushes the free grid starts of the working interval `[start, end)`; `None` when nothing fits or
    /// on overflow at the edge of chrono's range.
    fn collect(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        out: &mut Vec<DateTime<Utc>>,
    ) -> Option<()> {
        let last = end.checked_sub_signed(self.duration)?.min(self.highest);
        if last < start || self.lowest > last || self.to <= start {
            return None;
        }
        let mut s = next_on_grid(start, self.step, self.lowest)?;
        let window_start = |s: DateTime<Utc>| s.checked_sub_signed(self.before);
        // First busy interval that ends after the first candidate's window starts.
        let from = window_start(s)?;
        let mut i = self.busy.partition_point(|b| b.end <= from);
        while s <= last && s < self.to {
            let from = window_start(s)?;
            let until = s
                .checked_add_signed(self.duration)?
                .checked_add_signed(self.after)?;
            while self.busy.get(i).is_some_and(|b| b.end <= from) {
                i += 1;
            }
            match self.busy.get(i) {
                Some(b) if b.start < until => {
                    // Conflict: jump to the first grid start whose window begins after this busy time.
                    s = next_on_grid(start, self.step, b.end.checked_add_signed(self.before)?)?;
                }
                _ => {
                    out.push(s);
                    s = s.checked_add_signed(self.step)?;
                }
            }
        }
        Some(())
    }
}

/// Busy intervals sorted by start with overlapping and touching ones merged and empty ones dropped.
/// A half-open window overlaps the merged interval exactly when it overlaps one of its parts.
fn merge(busy: &[Interval]) -> Vec<Interval> {
    let mut sorted: Vec<Interval> = busy.iter().copied().filter(|b| !b.is_empty()).collect();
    sorted.sort_unstable_by_key(|b| b.start);
    let mut merged: Vec<Interval> = Vec::with_capacity(sorted.len());
    for b in sorted {
        match merged.last_mut() {
            Some(last) if b.start <= last.end => last.end = last.end.max(b.end),
            _ => merged.push(b),
        }
    }
    merged
}

/// The first instant `origin + k·step` (k ≥ 0) at or after `at`; `None` on overflow.
fn next_on_grid(origin: DateTime<Utc>, step: Duration, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if at <= origin {
        return Some(origin);
    }
    let gap = at.signed_duration_since(origin).num_nanoseconds()?;
    let step = step.num_nanoseconds()?;
    let steps = gap / step + i64::from(gap % step != 0);
    origin.checked_add_signed(Duration::nanoseconds(steps.checked_mul(step)?))
}

/// The real instants of one working-hours entry on a local date, or `None` if it is empty.
fn working_interval(
    entry: &WorkingHours,
    day: NaiveDate,
    zone: Tz,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let start = day.and_time(entry.start);
    let end = if entry.end == NaiveTime::MIN {
        day.succ_opt()?.and_time(NaiveTime::MIN)
    } else {
        day.and_time(entry.end)
    };
    if end <= start {
        return None;
    }
    let start = to_instant(zone, start, Ambiguity::Earlier)?;
    let end = to_instant(zone, end, Ambiguity::Later)?;
    (start < end).then_some((start, end))
}

/// Which instant an ambiguous local time (autumn fall-back) maps to.
#[derive(Clone, Copy)]
enum Ambiguity {
    Earlier,
    Later,
}

/// A local wall-clock time as an instant; inside a gap, the instant the gap ends.
fn to_instant(zone: Tz, local: NaiveDateTime, ambiguity: Ambiguity) -> Option<DateTime<Utc>> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(earlier, later) => Some(
            match ambiguity {
                Ambiguity::Earlier => earlier,
                Ambiguity::Later => later,
            }
            .with_timezone(&Utc),
        ),
        LocalResult::None => end_of_gap(zone, local),
    }
}

/// The first instant whose local time is at or after `local`, for a `local` inside a gap: the
/// transition instant. Found by bisection over whole seconds (zone transitions fall on whole
/// seconds) within ±26 hours, where local time is monotonic unless two transitions lie within a day
/// of each other, which no zone has.
fn end_of_gap(zone: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    let reached = |ts: i64| {
        DateTime::from_timestamp(ts, 0).map(|t| t.with_timezone(&zone).naive_local() >= local)
    };
    let as_utc = local.and_utc().timestamp();
    // UTC offsets lie within ±26 hours, so local time is before `local` at `lo` and after it at `hi`.
    let (mut lo, mut hi) = (as_utc - 26 * 3600, as_utc + 26 * 3600);
    if reached(lo)? || !reached(hi)? {
        return None;
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if reached(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    DateTime::from_timestamp(hi, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;
    use chrono_tz::America::Los_Angeles;
    use chrono_tz::Asia::Tokyo;
    use chrono_tz::Europe::Berlin;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn date(y: i32, mo: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, mo, d).unwrap()
    }

    /// A local time that exists exactly once, as an instant.
    fn local(zone: Tz, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        zone.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn shift(weekday: Weekday, start: NaiveTime, end: NaiveTime) -> WorkingHours {
        WorkingHours {
            weekday,
            start,
            end,
            valid_from: None,
            valid_until: None,
        }
    }

    fn minutes(m: i64) -> Duration {
        Duration::minutes(m)
    }

    /// A request for all of [from, to) with a 30-minute service on a 15-minute grid, no buffers and no
    /// notice or horizon limits.
    fn request(zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> SlotRequest {
        SlotRequest {
            zone,
            from,
            to,
            duration: minutes(30),
            buffer_before: Duration::zero(),
            buffer_after: Duration::zero(),
            step: minutes(15),
            earliest: from,
            latest: to,
        }
    }

    /// Monday 2026-06-15 in Berlin (CEST), whole local day.
    fn berlin_monday() -> SlotRequest {
        request(
            Berlin,
            local(Berlin, 2026, 6, 15, 0, 0),
            local(Berlin, 2026, 6, 16, 0, 0),
        )
    }

    /// Local wall-clock times (HH:MM) of the slots, for readable assertions.
    fn clock(zone: Tz, slots: &[DateTime<Utc>]) -> Vec<String> {
        slots
            .iter()
            .map(|s| s.with_timezone(&zone).format("%H:%M").to_string())
            .collect()
    }

    fn busy(start: DateTime<Utc>, end: DateTime<Utc>) -> Interval {
        Interval { start, end }
    }

    /// The definition, checked start by start against every busy interval: the reference the sweep
    /// must agree with.
    fn brute_force(
        hours: &[WorkingHours],
        busy: &[Interval],
        req: &SlotRequest,
    ) -> Vec<DateTime<Utc>> {
        let mut out = Vec::new();
        let mut day = req.from.with_timezone(&req.zone).date_naive();
        while day <= req.to.with_timezone(&req.zone).date_naive() {
            for h in hours.iter().filter(|h| h.applies_on(day)) {
                let Some((start, end)) = working_interval(h, day, req.zone) else {
                    continue;
                };
                let mut s = start;
                while s + req.duration <= end {
                    let window = Interval {
                        start: s - req.buffer_before,
                        end: s + req.duration + req.buffer_after,
                    };
                    if s >= req.from
                        && s < req.to
                        && s >= req.earliest
                        && s <= req.latest
                        && !busy.iter().any(|b| overlaps(&window, b))
                    {
                        out.push(s);
                    }
                    s += req.step;
                }
            }
            day = day.succ_opt().unwrap();
        }
        out.sort();
        out.dedup();
        out
    }

    #[test]
    fn plain_morning_on_a_15_minute_grid() {
        let slots = free_slots(
            &[shift(Weekday::Mon, t(9, 0), t(12, 0))],
            &[],
            &berlin_monday(),
        );
        assert_eq!(
            clock(Berlin, &slots),
            [
                "09:00", "09:15", "09:30", "09:45", "10:00", "10:15", "10:30", "10:45", "11:00",
                "11:15", "11:30"
            ]
        );
        assert_eq!(slots[0], utc(2026, 6, 15, 7, 0));
    }

    #[test]
    fn a_busy_appointment_and_buffers_remove_the_right_starts() {
        let hours = [shift(Weekday::Mon, t(9, 0), t(12, 0))];
        let appointment = busy(
            local(Berlin, 2026, 6, 15, 10, 0),
            local(Berlin, 2026, 6, 15, 10, 30),
        );
        // No buffers: a start conflicts when s < 10:30 and s + 30 > 10:00, i.e. 09:45, 10:00, 10:15.
        let slots = free_slots(&hours, &[appointment], &berlin_monday());
        assert_eq!(
            clock(Berlin, &slots),
            [
                "09:00", "09:15", "09:30", "10:30", "10:45", "11:00", "11:15", "11:30"
            ]
        );

        // 10 minutes after: s + 40 > 10:00 also rules out 09:30 (09:30 + 30 + 10 = 10:10); 09:15 ends its
        // buffer at 09:55 and stays. 11:30's buffer runs past closing time, which is fine.
        let req = SlotRequest {
            buffer_after: minutes(10),
            ..berlin_monday()
        };
        let slots = free_slots(&hours, &[appointment], &req);
        assert_eq!(
            clock(Berlin, &slots),
            [
                "09:00", "09:15", "10:30", "10:45", "11:00", "11:15", "11:30"
            ]
        );

        // 15 minutes before as well: s − 15 < 10:30 rules out 10:30; 10:45 − 15 touches 10:30 and stays.
        let req = SlotRequest {
            buffer_before: minutes(15),
            buffer_after: minutes(10),
            ..berlin_monday()
        };
        let slots = free_slots(&hours, &[appointment], &req);
        assert_eq!(
            clock(Berlin, &slots),
            ["09:00", "09:15", "10:45", "11:00", "11:15", "11:30"]
        );
    }

    #[test]
    fn time_off_all_afternoon() {
        let hours = [shift(Weekday::Mon, t(9, 0), t(18, 0))];
        let off = busy(
            local(Berlin, 2026, 6, 15, 12, 0),
            local(Berlin, 2026, 6, 15, 18, 0),
        );
        let req = SlotRequest {
            duration: minutes(60),
            step: minutes(30),
            ..berlin_monday()
        };
        let slots = free_slots(&hours, &[off], &req);
        assert_eq!(
            clock(Berlin, &slots),
            ["09:00", "09:30", "10:00", "10:30", "11:00"]
        );
    }

    #[test]
    fn split_shifts_and_overlapping_entries() {
        let hours = [
            shift(Weekday::Mon, t(13, 0), t(15, 0)),
            shift(Weekday::Mon, t(9, 0), t(11, 0)),
            // Overlaps the morning shift: shared starts appear once.
            shift(Weekday::Mon, t(10, 0), t(11, 0)),
        ];
        let req = SlotRequest {
            duration: minutes(60),
            step: minutes(30),
            ..berlin_monday()
        };
        let slots = free_slots(&hours, &[], &req);
        assert_eq!(
            clock(Berlin, &slots),
            ["09:00", "09:30", "10:00", "13:00", "13:30", "14:00"]
        );
    }

    #[test]
    fn a_service_must_fit_one_working_interval() {
        // 09:00–10:00 and 10:00–11:00 as separate entries: a 60-minute service at 09:30 spans both.
        let hours = [
            shift(Weekday::Mon, t(9, 0), t(10, 0)),
            shift(Weekday::Mon, t(10, 0), t(11, 0)),
        ];
        let req = SlotRequest {
            duration: minutes(60),
            step: minutes(30),
            ..berlin_monday()
        };
        assert_eq!(
            clock(Berlin, &free_slots(&hours, &[], &req)),
            ["09:00", "10:00"]
        );
    }

    #[test]
    fn valid_from_and_until_are_inclusive_local_dates() {
        let hours = [
            WorkingHours {
                valid_until: Some(date(2026, 6, 8)),
                ..shift(Weekday::Mon, t(9, 0), t(10, 0))
            },
            WorkingHours {
                valid_from: Some(date(2026, 6, 15)),
                ..shift(Weekday::Mon, t(14, 0), t(15, 0))
            },
        ];
        let req = SlotRequest {
            step: minutes(30),
            ..request(
                Berlin,
                local(Berlin, 2026, 6, 1, 0, 0),
                local(Berlin, 2026, 6, 23, 0, 0),
            )
        };
        let slots = free_slots(&hours, &[], &req);
        assert_eq!(
            slots,
            [
                local(Berlin, 2026, 6, 1, 9, 0),
                local(Berlin, 2026, 6, 1, 9, 30),
                local(Berlin, 2026, 6, 8, 9, 0),
                local(Berlin, 2026, 6, 8, 9, 30),
                local(Berlin, 2026, 6, 15, 14, 0),
                local(Berlin, 2026, 6, 15, 14, 30),
                local(Berlin, 2026, 6, 22, 14, 0),
                local(Berlin, 2026, 6, 22, 14, 30),
            ]
        );
    }

    #[test]
    fn notice_and_horizon_cut_inclusively() {
        let hours = [shift(Weekday::Mon, t(9, 0), t(12, 0))];
        let req = SlotRequest {
            // Not on the grid: the first start is the next grid point.
            earliest: local(Berlin, 2026, 6, 15, 10, 5),
            // On the grid: included.
            latest: local(Berlin, 2026, 6, 15, 11, 0),
            ..berlin_monday()
        };
        assert_eq!(
            clock(Berlin, &free_slots(&hours, &[], &req)),
            ["10:15", "10:30", "10:45", "11:00"]
        );
        let req = SlotRequest {
            earliest: local(Berlin, 2026, 6, 15, 10, 15),
            ..berlin_monday()
        };
        assert_eq!(clock(Berlin, &free_slots(&hours, &[], &req))[0], "10:15");
        // A horizon before the notice leaves nothing.
        let req = SlotRequest {
            earliest: local(Berlin, 2026, 6, 15, 11, 0),
            latest: local(Berlin, 2026, 6, 15, 10, 0),
            ..berlin_monday()
        };
        assert!(free_slots(&hours, &[], &req).is_empty());
    }

    #[test]
    fn from_is_inclusive_and_to_exclusive() {
        let hours = [shift(Weekday::Mon, t(9, 0), t(12, 0))];
        let req = request(
            Berlin,
            local(Berlin, 2026, 6, 15, 9, 30),
            local(Berlin, 2026, 6, 15, 10, 30),
        );
        assert_eq!(
            clock(Berlin, &free_slots(&hours, &[], &req)),
            ["09:30", "09:45", "10:00", "10:15"]
        );
    }

    #[test]
    fn from_and_to_spanning_several_days() {
        let week = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ]
        .map(|d| shift(d, t(9, 0), t(10, 0)));
        // Monday noon to Thursday 09:00: Tuesday and Wednesday whole, Thursday 09:00 excluded.
        let req = SlotRequest {
            step: minutes(30),
            ..request(
                Berlin,
                local(Berlin, 2026, 6, 15, 12, 0),
                local(Berlin, 2026, 6, 18, 9, 0),
            )
        };
        assert_eq!(
            free_slots(&week, &[], &req),
            [
                local(Berlin, 2026, 6, 16, 9, 0),
                local(Berlin, 2026, 6, 16, 9, 30),
                local(Berlin, 2026, 6, 17, 9, 0),
                local(Berlin, 2026, 6, 17, 9, 30),
            ]
        );
    }

    #[test]
    fn spring_forward_skips_the_missing_hour() {
        // Sunday 2026-03-29, Europe/Berlin: 02:00 CET jumps to 03:00 CEST.
        let hours = [shift(Weekday::Sun, t(1, 0), t(4, 0))];
        let req = request(
            Berlin,
            local(Berlin, 2026, 3, 29, 0, 0),
            local(Berlin, 2026, 3, 30, 0, 0),
        );
        let slots = free_slots(&hours, &[], &req);
        // 01:00 CET = 00:00 UTC to 04:00 CEST = 02:00 UTC: two real hours.
        assert_eq!(
            clock(Berlin, &slots),
            [
                "01:00", "01:15", "01:30", "01:45", "03:00", "03:15", "03:30"
            ]
        );
        assert_eq!(slots[0], utc(2026, 3, 29, 0, 0));
        for s in &slots {
            let shown = s.with_timezone(&Berlin).naive_local();
            assert!(!(2..3).contains(&shown.hour()), "{shown} does not exist");
            assert_eq!(
                Berlin.from_local_datetime(&shown).single().unwrap(),
                s.with_timezone(&Berlin)
            );
        }
        assert_eq!(
            local_display(slots[4], Berlin).rfc3339,
            "2026-03-29T03:00:00+02:00"
        );
    }

    #[test]
    fn a_boundary_inside_the_gap_moves_to_the_end_of_the_gap() {
        let req = request(
            Berlin,
            local(Berlin, 2026, 3, 29, 0, 0),
            local(Berlin, 2026, 3, 30, 0, 0),
        );
        // Starts at 02:30, which does not exist: the interval begins at 03:00 CEST.
        let late = [shift(Weekday::Sun, t(2, 30), t(4, 0))];
        assert_eq!(
            clock(Berlin, &free_slots(&late, &[], &req)),
            ["03:00", "03:15", "03:30"]
        );
        // Ends at 02:30: the interval ends at the jump, 01:00 UTC.
        let early = [shift(Weekday::Sun, t(1, 0), t(2, 30))];
        assert_eq!(
            clock(Berlin, &free_slots(&early, &[], &req)),
            ["01:00", "01:15", "01:30"]
        );
        // Entirely inside the gap: nothing.
        let gone = [shift(Weekday::Sun, t(2, 0), t(2, 45))];
        assert!(free_slots(&gone, &[], &req).is_empty());
    }

    #[test]
    fn fall_back_gives_four_real_hours_without_duplicates() {
        // Sunday 2026-10-25, Europe/Berlin: 03:00 CEST falls back to 02:00 CET; 02:xx occurs twice.
        let hours = [shift(Weekday::Sun, t(1, 0), t(4, 0))];
        let req = request(
            Berlin,
            local(Berlin, 2026, 10, 25, 0, 0),
            local(Berlin, 2026, 10, 26, 0, 0),
        );
        let slots = free_slots(&hours, &[], &req);
        // 01:00 CEST = 23:00 UTC (Saturday) to 04:00 CET = 03:00 UTC: 4 h; starts up to 02:30 UTC.
        assert_eq!(slots.len(), 15);
        assert_eq!(slots[0], utc(2026, 10, 24, 23, 0));
        assert_eq!(slots[14], utc(2026, 10, 25, 2, 30));
        assert!(slots.windows(2).all(|w| w[1] - w[0] == minutes(15)));
        assert_eq!(
            clock(Berlin, &slots),
            [
                "01:00", "01:15", "01:30", "01:45", "02:00", "02:15", "02:30", "02:45", "02:00",
                "02:15", "02:30", "02:45", "03:00", "03:15", "03:30"
            ]
        );
        // The two 02:00 are told apart by their offsets.
        assert_eq!(
            local_display(slots[4], Berlin).rfc3339,
            "2026-10-25T02:00:00+02:00"
        );
        assert_eq!(
            local_display(slots[8], Berlin).rfc3339,
            "2026-10-25T02:00:00+01:00"
        );
    }

    #[test]
    fn ambiguous_start_takes_the_earlier_and_ambiguous_end_the_later_instant() {
        let req = request(
            Berlin,
            local(Berlin, 2026, 10, 25, 0, 0),
            local(Berlin, 2026, 10, 26, 0, 0),
        );
        // 02:30 CEST (00:30 UTC) to 02:45 CET (01:45 UTC): 75 real minutes.
        let hours = [shift(Weekday::Sun, t(2, 30), t(2, 45))];
        assert_eq!(
            free_slots(&hours, &[], &req),
            [
                utc(2026, 10, 25, 0, 30),
                utc(2026, 10, 25, 0, 45),
                utc(2026, 10, 25, 1, 0),
                utc(2026, 10, 25, 1, 15),
            ]
        );
    }

    #[test]
    fn los_angeles_evening_hours_fall_on_the_next_utc_day() {
        // Monday 17:00–20:00 PDT is Tuesday 00:00–03:00 UTC. The request covers local Monday only.
        let hours = [
            shift(Weekday::Mon, t(17, 0), t(20, 0)),
            shift(Weekday::Tue, t(9, 0), t(10, 0)),
        ];
        let req = SlotRequest {
            duration: minutes(60),
            step: minutes(60),
            ..request(
                Los_Angeles,
                local(Los_Angeles, 2026, 6, 15, 0, 0),
                local(Los_Angeles, 2026, 6, 16, 0, 0),
            )
        };
        assert_eq!(
            free_slots(&hours, &[], &req),
            [
                utc(2026, 6, 16, 0, 0),
                utc(2026, 6, 16, 1, 0),
                utc(2026, 6, 16, 2, 0)
            ]
        );
        assert_eq!(
            local_display(utc(2026, 6, 16, 0, 0), Los_Angeles),
            LocalDisplay {
                rfc3339: "2026-06-15T17:00:00-07:00".to_owned(),
                zone: "America/Los_Angeles",
            }
        );
    }

    #[test]
    fn tokyo_morning_hours_fall_on_the_previous_utc_day() {
        // Monday 08:00–09:00 JST is Sunday 23:00 to Monday 00:00 UTC.
        let hours = [shift(Weekday::Mon, t(8, 0), t(9, 0))];
        let req = SlotRequest {
            step: minutes(30),
            ..request(Tokyo, utc(2026, 6, 14, 0, 0), utc(2026, 6, 15, 0, 0))
        };
        assert_eq!(
            free_slots(&hours, &[], &req),
            [utc(2026, 6, 14, 23, 0), utc(2026, 6, 14, 23, 30)]
        );
    }

    #[test]
    fn shift_until_midnight_and_degenerate_input() {
        let until_midnight = [shift(Weekday::Mon, t(23, 0), t(0, 0))];
        assert_eq!(
            clock(Berlin, &free_slots(&until_midnight, &[], &berlin_monday())),
            ["23:00", "23:15", "23:30"]
        );
        let backwards = [shift(Weekday::Mon, t(12, 0), t(9, 0))];
        assert!(free_slots(&backwards, &[], &berlin_monday()).is_empty());
        let morning = [shift(Weekday::Mon, t(9, 0), t(12, 0))];
        for req in [
            SlotRequest {
                step: Duration::zero(),
                ..berlin_monday()
            },
            SlotRequest {
                duration: Duration::zero(),
                ..berlin_monday()
            },
            SlotRequest {
                to: berlin_monday().from,
                ..berlin_monday()
            },
        ] {
            assert!(free_slots(&morning, &[], &req).is_empty());
        }
        // An empty busy interval blocks nothing.
        let empty = busy(
            local(Berlin, 2026, 6, 15, 10, 10),
            local(Berlin, 2026, 6, 15, 10, 10),
        );
        assert_eq!(free_slots(&morning, &[empty], &berlin_monday()).len(), 11);
    }

    #[test]
    fn overlaps_is_half_open() {
        let a = busy(utc(2026, 6, 15, 9, 0), utc(2026, 6, 15, 10, 0));
        let touching = busy(utc(2026, 6, 15, 10, 0), utc(2026, 6, 15, 11, 0));
        let inside = busy(utc(2026, 6, 15, 9, 15), utc(2026, 6, 15, 9, 45));
        let straddling = busy(utc(2026, 6, 15, 9, 59), utc(2026, 6, 15, 10, 1));
        let empty = busy(utc(2026, 6, 15, 9, 30), utc(2026, 6, 15, 9, 30));
        assert!(!overlaps(&a, &touching) && !overlaps(&touching, &a));
        assert!(overlaps(&a, &inside) && overlaps(&inside, &a));
        assert!(overlaps(&a, &straddling) && overlaps(&touching, &straddling));
        assert!(!overlaps(&a, &empty) && !overlaps(&empty, &a));
        assert!(overlaps(&a, &a));
    }

    /// A small deterministic generator, so the random-looking cases are the same on every run.
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % n
        }
    }

    fn random_busy(rng: &mut Lcg, from: DateTime<Utc>, days: u64, count: usize) -> Vec<Interval> {
        (0..count)
            .map(|_| {
                let start = from + minutes(rng.below(days * 24 * 60) as i64);
                busy(start, start + minutes(5 + rng.below(120) as i64))
            })
            .collect()
    }

    #[test]
    fn the_sweep_agrees_with_brute_force() {
        let mut rng = Lcg(42);
        let week = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ];
        let mut hours: Vec<WorkingHours> = week
            .iter()
            .flat_map(|&d| {
                [
                    shift(d, t(8, 0), t(12, 30)),
                    shift(d, t(13, 10), t(18, 0)),
                    shift(d, t(1, 30), t(3, 30)),
                ]
            })
            .collect();
        hours.push(shift(Weekday::Sun, t(20, 0), t(0, 0)));
        // Around both DST changes of 2026 in Berlin and across a week in Los Angeles.
        let cases = [
            (Berlin, utc(2026, 3, 25, 0, 0), 8),
            (Berlin, utc(2026, 10, 21, 0, 0), 8),
            (Los_Angeles, utc(2026, 3, 5, 0, 0), 8),
        ];
        for (zone, from, days) in cases {
            for round in 0..20 {
                let busy = random_busy(&mut rng, from, days, 10 + round * 5);
                let req = SlotRequest {
                    zone,
                    from,
                    to: from + Duration::days(days as i64),
                    duration: minutes(15 + 15 * rng.below(4) as i64),
                    buffer_before: minutes(rng.below(3) as i64 * 5),
                    buffer_after: minutes(rng.below(3) as i64 * 10),
                    step: minutes([5, 10, 15, 20, 30][rng.below(5) as usize]),
                    earliest: from + minutes(rng.below(24 * 60) as i64),
                    latest: from + Duration::days(days as i64) - minutes(rng.below(24 * 60) as i64),
                };
                let fast = free_slots(&hours, &busy, &req);
                assert_eq!(
                    fast,
                    brute_force(&hours, &busy, &req),
                    "{zone} round {round}"
                );
                assert!(!fast.is_empty());
            }
        }
    }

    #[test]
    fn sixty_days_with_a_thousand_busy_intervals() {
        let week = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ];
        let hours: Vec<WorkingHours> = week.map(|d| shift(d, t(9, 0), t(17, 0))).to_vec();
        let from = local(Berlin, 2026, 3, 2, 0, 0);
        let to = from + Duration::days(60);
        let busy = random_busy(&mut Lcg(7), from, 60, 1_000);
        let req = SlotRequest {
            buffer_after: minutes(10),
            step: minutes(5),
            ..request(Berlin, from, to)
        };
        let slots = free_slots(&hours, &busy, &req);
        assert!(!slots.is_empty());
        assert!(slots.windows(2).all(|w| w[0] < w[1]));
    }
}
