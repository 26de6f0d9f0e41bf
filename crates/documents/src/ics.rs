//! The iCalendar (RFC 5545) invitation: a small serializer written here, with a `VTIMEZONE`
//! computed from chrono-tz so that calendars place the event at the branch's wall time.

use chrono::{DateTime, Datelike, NaiveDate, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

use crate::Confirmation;
use crate::words::{self, labels, non_empty};

/// Lines are folded so that none is longer than this many octets, CRLF excluded (RFC 5545 3.1).
const MAX_LINE_OCTETS: usize = 75;

/// `PRODID` of every calendar this crate writes.
const PRODID: &str = concat!(
    "-//customer-portal//portal-documents ",
    env!("CARGO_PKG_VERSION"),
    "//EN"
);

/// Renders the appointment as an iCalendar object: `METHOD:REQUEST` (or `METHOD:CANCEL` when
/// cancelled), one `VTIMEZONE` for the branch zone and one `VEVENT` whose `DTSTART`/`DTEND`
/// carry the branch-local wall time with a `TZID`. CRLF line endings, lines folded at 75
/// octets on character boundaries, TEXT values escaped.
pub fn ics(c: &Confirmation) -> String {
    let mut w = Writer::default();
    w.line("BEGIN:VCALENDAR");
    w.line("VERSION:2.0");
    w.line(&format!("PRODID:{PRODID}"));
    w.line("CALSCALE:GREGORIAN");
    w.line(if c.cancelled {
        "METHOD:CANCEL"
    } else {
        "METHOD:REQUEST"
    });

    write_vtimezone(&mut w, c);

    w.line("BEGIN:VEVENT");
    w.text("UID", &c.uid);
    w.line(&format!("SEQUENCE:{}", c.sequence));
    w.line(&format!("DTSTAMP:{}", words::utc_stamp(&c.generated_at)));
    w.line(&format!("DTSTART{}", local_date_time(c.zone, &c.starts_at)));
    w.line(&format!("DTEND{}", local_date_time(c.zone, &c.ends_at)));
    w.text(
        "SUMMARY",
        &format!("{} — {}", c.service_name.trim(), c.company_name.trim()),
    );
    w.text("LOCATION", &location(c));
    let description = description(c);
    if !description.is_empty() {
        w.text("DESCRIPTION", &description);
    }
    w.line(if c.cancelled {
        "STATUS:CANCELLED"
    } else {
        "STATUS:CONFIRMED"
    });
    w.line("TRANSP:OPAQUE");
    w.line("END:VEVENT");
    w.line("END:VCALENDAR");
    w.out
}

/// "Branch, Street 1, 12345 Town".
fn location(c: &Confirmation) -> String {
    std::iter::once(c.branch_name.as_str())
        .chain(c.branch_address.iter().map(String::as_str))
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Staff, reference and phone, one per line.
fn description(c: &Confirmation) -> String {
    let l = labels(c.locale);
    let mut lines = Vec::new();
    if let Some(staff) = non_empty(c.staff_name.as_deref()) {
        lines.push(format!("{}: {staff}", l.staff));
    }
    if !c.reference.trim().is_empty() {
        lines.push(format!("{}: {}", l.reference, c.reference.trim()));
    }
    if let Some(phone) = non_empty(c.branch_phone.as_deref()) {
        lines.push(format!("{}: {phone}", l.phone));
    }
    lines.join("\n")
}

/// The value part of `DTSTART`/`DTEND` (starting with `;` or `:`): the wall time in `zone`
/// with a `TZID`, e.g. `;TZID=Europe/Berlin:20261201T100000`.
///
/// A wall time that occurs twice (the hour after clocks go back) means its first occurrence
/// (RFC 5545 3.3.5); for an instant in the second occurrence the UTC form is written instead
/// (`:20261025T013000Z`), which every client reads unambiguously.
fn local_date_time(zone: Tz, at: &DateTime<Utc>) -> String {
    let local = at.with_timezone(&zone);
    let first_occurrence = zone.from_local_datetime(&local.naive_local()).earliest();
    if first_occurrence.is_some_and(|first| first == local) {
        format!(
            ";TZID={}:{}",
            zone.name(),
            local.naive_local().format("%Y%m%dT%H%M%S")
        )
    } else {
        format!(":{}", words::utc_stamp(at))
    }
}

/// The zone's state at an instant: what a `STANDARD`/`DAYLIGHT` observance describes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Observance {
    utc_offset: i32,
    dst: bool,
    name: String,
}

impl Observance {
    fn at(zone: Tz, instant: i64) -> Self {
        let naive = DateTime::<Utc>::from_timestamp(instant, 0)
            .unwrap_or_default()
            .naive_utc();
        let offset = zone.offset_from_utc_datetime(&naive);
        let utc_offset = offset.fix().local_minus_utc();
        Self {
            utc_offset,
            dst: offset.dst_offset() != TimeDelta::zero(),
            name: offset
                .abbreviation()
                .map(str::to_owned)
                .unwrap_or_else(|| words::offset_string(utc_offset, false)),
        }
    }

    /// `DTSTART` of an observance starting at `instant`, in the local time before it.
    fn local(&self, instant: i64) -> String {
        DateTime::<Utc>::from_timestamp(instant + i64::from(self.utc_offset), 0)
            .unwrap_or_default()
            .naive_utc()
            .format("%Y%m%dT%H%M%S")
            .to_string()
    }
}

/// A change of the zone's offset, DST flag or abbreviation, at a whole UTC second.
#[derive(Debug)]
struct Transition {
    at: i64,
    from: Observance,
    to: Observance,
}

/// Unix time of 1 January `year`, 00:00 UTC.
fn new_year(year: i32) -> i64 {
    NaiveDate::from_ymd_opt(year, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| dt.and_utc().timestamp())
        .unwrap_or_default()
}

/// All transitions of `zone` in `[from, to)`, found by scanning in 6-hour steps and bisecting
/// each change down to the second. (tzdb transitions are at least days apart.)
fn transitions(zone: Tz, from: i64, to: i64) -> Vec<Transition> {
    const STEP: i64 = 6 * 3600;
    let mut found = Vec::new();
    let mut lo = from;
    let mut lo_obs = Observance::at(zone, lo);
    while lo < to {
        let hi = (lo + STEP).min(to);
        let hi_obs = Observance::at(zone, hi);
        if hi_obs != lo_obs {
            // Invariant: state at `a` is `lo_obs`, state at `b` differs.
            let (mut a, mut b) = (lo, hi);
            while b - a > 1 {
                let mid = a + (b - a) / 2;
                if Observance::at(zone, mid) == lo_obs {
                    a = mid;
                } else {
                    b = mid;
                }
            }
            let to_obs = Observance::at(zone, b);
            found.push(Transition {
                at: b,
                from: lo_obs,
                to: to_obs.clone(),
            });
            lo = b;
            lo_obs = to_obs;
        } else {
            lo = hi;
        }
    }
    found
}

/// One `VTIMEZONE` for the branch zone covering the event: every transition from the year
/// before the event's start to the year after its end, each with `DTSTART` in the local time
/// before the change. A zone without transitions in that span (no DST, like Asia/Tokyo) gets a
/// single `STANDARD` observance.
fn write_vtimezone(w: &mut Writer, c: &Confirmation) {
    let zone = c.zone;
    let first_year = c.starts_at.with_timezone(&zone).year().saturating_sub(1);
    let last_year = c
        .ends_at
        .max(c.starts_at)
        .with_timezone(&zone)
        .year()
        .saturating_add(1);
    let (from, to) = (new_year(first_year), new_year(last_year.saturating_add(1)));
    let found = transitions(zone, from, to);

    w.line("BEGIN:VTIMEZONE");
    w.line(&format!("TZID:{}", zone.name()));
    // The observance in force before the first transition, when the event starts in it.
    let event_start = c.starts_at.timestamp();
    if found.first().is_none_or(|t| event_start < t.at) {
        let initial = Observance::at(zone, from);
        write_observance(w, &initial.local(from), &initial, &initial);
    }
    for t in &found {
        write_observance(w, &t.from.local(t.at), &t.from, &t.to);
    }
    w.line("END:VTIMEZONE");
}

fn write_observance(w: &mut Writer, dtstart: &str, from: &Observance, to: &Observance) {
    let kind = if to.dst { "DAYLIGHT" } else { "STANDARD" };
    w.line(&format!("BEGIN:{kind}"));
    w.line(&format!("DTSTART:{dtstart}"));
    w.line(&format!(
        "TZOFFSETFROM:{}",
        words::offset_string(from.utc_offset, false)
    ));
    w.line(&format!(
        "TZOFFSETTO:{}",
        words::offset_string(to.utc_offset, false)
    ));
    w.text("TZNAME", &to.name);
    w.line(&format!("END:{kind}"));
}

/// Accumulates content lines, folded and CRLF-terminated.
#[derive(Default)]
struct Writer {
    out: String,
}

impl Writer {
    /// Appends one content line, folding it at 75 octets without splitting a UTF-8 character:
    /// continuation lines start with a space, which counts toward their 75.
    fn line(&mut self, line: &str) {
        let mut used = 0;
        for ch in line.chars() {
            let len = ch.len_utf8();
            if used + len > MAX_LINE_OCTETS {
                self.out.push_str("\r\n ");
                used = 1;
            }
            self.out.push(ch);
            used += len;
        }
        self.out.push_str("\r\n");
    }

    /// Appends a property with a TEXT value, escaped.
    fn text(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{}", escape_text(value)));
    }
}

/// Escapes a TEXT value (RFC 5545 3.3.11): `\` `;` `,` get a backslash, line breaks (LF, CRLF
/// or CR) become `\n`, and other control characters, which TEXT may not contain, become spaces.
fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\t' => out.push('\t'),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text() {
        assert_eq!(
            escape_text("Müller, Anna; \"x\" \\ a\r\nb\nc\rd\u{7}"),
            "Müller\\, Anna\\; \"x\" \\\\ a\\nb\\nc\\nd "
        );
    }

    #[test]
    fn folds_on_character_boundaries() {
        let mut w = Writer::default();
        let long = format!("SUMMARY:{}", "ä".repeat(100));
        w.line(&long);
        for line in w.out.split_terminator("\r\n") {
            assert!(line.len() <= MAX_LINE_OCTETS, "{line:?}");
        }
        let unfolded = w.out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{long}\r\n"));
    }

    #[test]
    fn berlin_transitions_2026() {
        let zone = chrono_tz::Europe::Berlin;
        let found = transitions(zone, new_year(2026), new_year(2027));
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].from.local(found[0].at), "20260329T020000");
        assert_eq!(found[0].to.name, "CEST");
        assert!(found[0].to.dst);
        assert_eq!(found[1].from.local(found[1].at), "20261025T030000");
        assert_eq!(found[1].to.name, "CET");
        assert!(!found[1].to.dst);
    }

    #[test]
    fn second_occurrence_of_an_ambiguous_time_is_written_in_utc() {
        let zone = chrono_tz::Europe::Berlin;
        let first = "2026-10-25T00:30:00Z".parse::<DateTime<Utc>>().unwrap();
        let second = "2026-10-25T01:30:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            local_date_time(zone, &first),
            ";TZID=Europe/Berlin:20261025T023000"
        );
        assert_eq!(local_date_time(zone, &second), ":20261025T013000Z");
    }
}
