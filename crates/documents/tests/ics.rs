#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap is a failed test"
)]

mod common;

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use common::{confirmation, utc};
use icalendar::parser::{Calendar, Component, Property, read_calendar, unfold};
use portal_documents::{Confirmation, ics};
use portal_domain::Locale;

/// Unfolds and parses; a parse failure fails the test.
fn parse(unfolded: &str) -> Calendar<'_> {
    read_calendar(unfolded).expect("a real parser accepts the ICS")
}

fn root<'c>(calendar: &'c Calendar<'_>, name: &str) -> &'c str {
    calendar
        .properties
        .iter()
        .find(|p| p.name.as_str() == name)
        .unwrap_or_else(|| panic!("VCALENDAR has {name}"))
        .val
        .as_str()
}

fn component<'c, 'a>(calendar: &'c Calendar<'a>, name: &str) -> &'c Component<'a> {
    let mut found = calendar
        .components
        .iter()
        .filter(|c| c.name.as_str() == name);
    let first = found.next().unwrap_or_else(|| panic!("one {name}"));
    assert!(found.next().is_none(), "exactly one {name}");
    first
}

fn event<'c, 'a>(calendar: &'c Calendar<'a>) -> &'c Component<'a> {
    component(calendar, "VEVENT")
}

fn prop<'c, 'a>(c: &'c Component<'a>, name: &str) -> &'c Property<'a> {
    c.properties
        .iter()
        .find(|p| p.name.as_str() == name)
        .unwrap_or_else(|| panic!("{} has {name}", c.name.as_str()))
}

fn value(c: &Component<'_>, name: &str) -> String {
    prop(c, name).val.as_str().to_owned()
}

fn text(c: &Component<'_>, name: &str) -> String {
    prop(c, name)
        .val
        .clone()
        .unescape_text()
        .as_str()
        .to_owned()
}

fn param(p: &Property<'_>, key: &str) -> Option<String> {
    p.params
        .iter()
        .find(|param| param.key.as_str() == key)
        .and_then(|param| param.val.as_ref())
        .map(|v| v.as_str().to_owned())
}

/// An observance of the VTIMEZONE: (kind, DTSTART, TZOFFSETFROM, TZOFFSETTO, TZNAME).
fn observances(parsed: &Calendar<'_>) -> Vec<(String, String, String, String, String)> {
    component(parsed, "VTIMEZONE")
        .components
        .iter()
        .map(|o| {
            (
                o.name.as_str().to_owned(),
                value(o, "DTSTART"),
                value(o, "TZOFFSETFROM"),
                value(o, "TZOFFSETTO"),
                text(o, "TZNAME"),
            )
        })
        .collect()
}

fn offset_seconds(offset: &str) -> i64 {
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let digits = &offset[1..];
    let h: i64 = digits[0..2].parse().unwrap();
    let m: i64 = digits[2..4].parse().unwrap();
    let s: i64 = digits.get(4..6).map_or(0, |s| s.parse().unwrap());
    sign * (h * 3600 + m * 60 + s)
}

/// Resolves a `DTSTART;TZID=…` wall time to UTC the way a calendar client does: through the
/// calendar's own VTIMEZONE (the latest observance that started before it, in local time).
fn resolve(parsed: &Calendar<'_>, property: &str) -> (String, DateTime<Utc>) {
    let p = prop(event(parsed), property);
    let tzid = param(p, "TZID").expect("local time with TZID");
    assert_eq!(value(component(parsed, "VTIMEZONE"), "TZID"), tzid);
    let local = NaiveDateTime::parse_from_str(p.val.as_str(), "%Y%m%dT%H%M%S").unwrap();
    let mut in_force = None;
    for (_, start, _, to, _) in observances(parsed) {
        let start = NaiveDateTime::parse_from_str(&start, "%Y%m%dT%H%M%S").unwrap();
        if start <= local && in_force.as_ref().is_none_or(|(s, _)| *s <= start) {
            in_force = Some((start, to));
        }
    }
    let (_, to) = in_force.expect("an observance covers the event");
    let instant = (local - TimeDelta::seconds(offset_seconds(&to))).and_utc();
    (to, instant)
}

fn berlin_december() -> Confirmation {
    confirmation("2026-12-01T09:00:00Z", Locale::De)
}

#[test]
fn parses_with_the_icalendar_parser() {
    let c = berlin_december();
    let out = ics(&c);
    eprintln!("{out}");
    let unfolded = unfold(&out);
    let parsed = parse(&unfolded);

    assert_eq!(root(&parsed, "VERSION"), "2.0");
    assert_eq!(root(&parsed, "CALSCALE"), "GREGORIAN");
    assert_eq!(root(&parsed, "METHOD"), "REQUEST");
    assert!(root(&parsed, "PRODID").starts_with("-//"));

    let ev = event(&parsed);
    assert_eq!(text(ev, "UID"), c.uid);
    assert_eq!(value(ev, "SEQUENCE"), "2");
    assert_eq!(value(ev, "DTSTAMP"), "20261125T084100Z");
    assert_eq!(value(ev, "STATUS"), "CONFIRMED");

    let start = prop(ev, "DTSTART");
    assert_eq!(param(start, "TZID").as_deref(), Some("Europe/Berlin"));
    assert_eq!(start.val.as_str(), "20261201T100000");
    let end = prop(ev, "DTEND");
    assert_eq!(param(end, "TZID").as_deref(), Some("Europe/Berlin"));
    assert_eq!(end.val.as_str(), "20261201T103000");
    assert!(out.contains("\r\nDTSTART;TZID=Europe/Berlin:20261201T100000\r\n"));

    assert_eq!(resolve(&parsed, "DTSTART").1, c.starts_at);
    assert_eq!(resolve(&parsed, "DTEND").1, c.ends_at);

    assert_eq!(
        text(ev, "SUMMARY"),
        "Haarschnitt & Föhnen — Salon Schön & Söhne"
    );
    assert_eq!(
        text(ev, "LOCATION"),
        "Filiale Prenzlauer Berg, Schönhauser Allee 12, 10437 Berlin"
    );
    assert_eq!(
        text(ev, "DESCRIPTION"),
        "Termin bei: Jürgen Müller\nBuchungsnummer: A7K-3F9Q\nTelefon: +49 30 1234567"
    );
}

#[test]
fn the_parser_crate_reads_it_into_an_event_too() {
    use icalendar::{Calendar, Component as _};
    let out = ics(&berlin_december());
    let calendar: Calendar = out.parse().expect("icalendar::Calendar parses it");
    let event = calendar
        .components
        .iter()
        .find_map(|c| c.as_event())
        .expect("one event");
    assert_eq!(
        event.get_summary(),
        Some("Haarschnitt & Föhnen — Salon Schön & Söhne")
    );
    assert_eq!(event.get_sequence(), Some(2));
    assert_eq!(
        event.get_uid(),
        Some("0192f6c4-5b1e-7c3a-9d2e-1f4a5b6c7d8e@customer-portal")
    );
}

#[test]
fn cancellation() {
    let mut c = berlin_december();
    c.cancelled = true;
    c.sequence = 3;
    let out = ics(&c);
    let unfolded = unfold(&out);
    let parsed = parse(&unfolded);
    assert_eq!(root(&parsed, "METHOD"), "CANCEL");
    assert_eq!(value(event(&parsed), "STATUS"), "CANCELLED");
    assert_eq!(value(event(&parsed), "SEQUENCE"), "3");
    assert_eq!(text(event(&parsed), "UID"), c.uid);
    assert!(out.contains("\r\nMETHOD:CANCEL\r\n"));
    assert!(!out.contains("METHOD:REQUEST"));
}

#[test]
fn text_values_are_escaped_and_round_trip() {
    let mut c = berlin_december();
    let nasty = "Müller, Anna; \"x\"";
    c.staff_name = Some(nasty.to_owned());
    c.service_name = "Back\\slash, semi; colon: \"quoted\"".to_owned();
    c.branch_address = vec!["Straße 1; Hof, 2. OG".to_owned(), "10115 Berlin".to_owned()];
    let out = ics(&c);
    assert!(out.contains("Müller\\, Anna\\; \"x\""));
    let unfolded = unfold(&out);
    let parsed = parse(&unfolded);
    let ev = event(&parsed);
    assert_eq!(
        text(ev, "DESCRIPTION"),
        format!("Termin bei: {nasty}\nBuchungsnummer: A7K-3F9Q\nTelefon: +49 30 1234567")
    );
    assert_eq!(
        text(ev, "SUMMARY"),
        "Back\\slash, semi; colon: \"quoted\" — Salon Schön & Söhne"
    );
    assert_eq!(
        text(ev, "LOCATION"),
        "Filiale Prenzlauer Berg, Straße 1; Hof, 2. OG, 10115 Berlin"
    );
}

#[test]
fn lines_are_folded_at_75_octets_on_character_boundaries_and_end_in_crlf() {
    let mut c = berlin_december();
    // Long values full of two- and three-byte characters, so a byte-based fold would split them.
    c.service_name = "Färben, Schneiden und Föhnen für sehr langes Haar — Größe XXL ".repeat(4);
    c.staff_name = Some("Ünal Çelik-Øberg-Ääkkönen ".repeat(6));
    c.branch_address = vec!["Über den Dächern der Straße des 17. Juni 135 ".repeat(3)];
    let out = ics(&c);

    assert!(out.ends_with("\r\n"));
    let body = out.strip_suffix("\r\n").unwrap();
    let mut folded = 0;
    for line in body.split("\r\n") {
        assert!(
            !line.contains('\n') && !line.contains('\r'),
            "bare LF/CR in {line:?}"
        );
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        if line.starts_with(' ') {
            folded += 1;
        }
    }
    assert!(folded > 5, "long values were folded");

    let unfolded = unfold(&out);
    let parsed = parse(&unfolded);
    assert_eq!(
        text(event(&parsed), "SUMMARY"),
        format!("{} — Salon Schön & Söhne", c.service_name.trim())
    );
    assert!(text(event(&parsed), "DESCRIPTION").contains(c.staff_name.as_deref().unwrap().trim()));
}

#[test]
fn berlin_vtimezone_has_the_2026_transitions() {
    let unfolded = unfold(&ics(&berlin_december()));
    let parsed = parse(&unfolded);
    assert_eq!(
        value(component(&parsed, "VTIMEZONE"), "TZID"),
        "Europe/Berlin"
    );
    let obs = observances(&parsed);
    let spring = (
        "DAYLIGHT".to_owned(),
        "20260329T020000".to_owned(),
        "+0100".to_owned(),
        "+0200".to_owned(),
        "CEST".to_owned(),
    );
    let autumn = (
        "STANDARD".to_owned(),
        "20261025T030000".to_owned(),
        "+0200".to_owned(),
        "+0100".to_owned(),
        "CET".to_owned(),
    );
    assert!(obs.contains(&spring), "{obs:?}");
    assert!(obs.contains(&autumn), "{obs:?}");
    // 2025, 2026 and 2027: two transitions a year, nothing else.
    assert_eq!(obs.len(), 6, "{obs:?}");
    assert!(obs.iter().any(|o| o.1 == "20250330T020000"));
    assert!(obs.iter().any(|o| o.1 == "20271031T030000"));
}

#[test]
fn zone_without_dst_gets_a_single_standard() {
    let mut c = berlin_december();
    c.zone = chrono_tz::Asia::Tokyo;
    let unfolded = unfold(&ics(&c));
    let parsed = parse(&unfolded);
    let obs = observances(&parsed);
    assert_eq!(obs.len(), 1, "{obs:?}");
    let (kind, _, from, to, name) = &obs[0];
    assert_eq!(kind, "STANDARD");
    assert_eq!((from.as_str(), to.as_str()), ("+0900", "+0900"));
    assert_eq!(name, "JST");
    let start = prop(event(&parsed), "DTSTART");
    assert_eq!(param(start, "TZID").as_deref(), Some("Asia/Tokyo"));
    assert_eq!(start.val.as_str(), "20261201T180000");
    assert_eq!(resolve(&parsed, "DTSTART").1, c.starts_at);
}

#[test]
fn southern_hemisphere_zone_resolves_correctly() {
    // Sydney is on daylight time (+11:00) in December.
    let mut c = berlin_december();
    c.zone = chrono_tz::Australia::Sydney;
    let unfolded = unfold(&ics(&c));
    let parsed = parse(&unfolded);
    let start = prop(event(&parsed), "DTSTART");
    assert_eq!(start.val.as_str(), "20261201T200000");
    let (offset, instant) = resolve(&parsed, "DTSTART");
    assert_eq!(offset, "+1100");
    assert_eq!(instant, c.starts_at);
}

#[test]
fn dst_change_in_berlin() {
    // After the spring change: 08:00Z is 10:00 CEST (+02:00).
    let after = confirmation("2026-03-29T08:00:00Z", Locale::De);
    let unfolded = unfold(&ics(&after));
    let parsed = parse(&unfolded);
    assert_eq!(value(event(&parsed), "DTSTART"), "20260329T100000");
    let (offset, instant) = resolve(&parsed, "DTSTART");
    assert_eq!((offset.as_str(), instant), ("+0200", after.starts_at));

    // The day before: 09:00Z is 10:00 CET (+01:00).
    let before = confirmation("2026-03-28T09:00:00Z", Locale::De);
    let unfolded = unfold(&ics(&before));
    let parsed = parse(&unfolded);
    assert_eq!(value(event(&parsed), "DTSTART"), "20260328T100000");
    let (offset, instant) = resolve(&parsed, "DTSTART");
    assert_eq!((offset.as_str(), instant), ("+0100", before.starts_at));
}

#[test]
fn repeated_wall_time_after_clocks_go_back_is_unambiguous() {
    // 01:30Z on 25 Oct 2026 is the second 02:30 in Berlin; a TZID wall time would mean the first.
    let mut c = confirmation("2026-10-25T01:30:00Z", Locale::De);
    c.ends_at = utc("2026-10-25T02:00:00Z");
    let unfolded = unfold(&ics(&c));
    let parsed = parse(&unfolded);
    let start = prop(event(&parsed), "DTSTART");
    assert_eq!(start.val.as_str(), "20261025T013000Z");
    assert_eq!(param(start, "TZID"), None);
    // The end (03:00 CET) is unambiguous again.
    assert_eq!(resolve(&parsed, "DTEND").1, c.ends_at);
}

#[test]
fn event_in_early_january_covers_the_previous_year() {
    let c = confirmation("2027-01-02T09:00:00Z", Locale::En);
    let unfolded = unfold(&ics(&c));
    let parsed = parse(&unfolded);
    let obs = observances(&parsed);
    assert!(obs.iter().any(|o| o.1 == "20261025T030000"), "{obs:?}");
    assert_eq!(resolve(&parsed, "DTSTART").1, c.starts_at);
}

#[test]
fn english_description() {
    let unfolded = unfold(&ics(&confirmation("2026-12-01T09:00:00Z", Locale::En)));
    let parsed = parse(&unfolded);
    assert_eq!(
        text(event(&parsed), "DESCRIPTION"),
        "With: Jürgen Müller\nReference: A7K-3F9Q\nPhone: +49 30 1234567"
    );
}
