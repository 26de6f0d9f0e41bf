//! German and English wording: labels, weekday and month names, and the local date and time of
//! an appointment in words. Written out here so no locale crate (and its data) is needed.

use chrono::{
    DateTime, Datelike, LocalResult, NaiveDate, Offset, TimeZone, Timelike, Utc, Weekday,
};
use chrono_tz::Tz;
use portal_domain::Locale;

use crate::Confirmation;

/// The fixed strings of both documents in one language.
pub(crate) struct Labels {
    pub title: &'static str,
    pub title_cancelled: &'static str,
    pub when: &'static str,
    pub service: &'static str,
    pub staff: &'static str,
    pub customer: &'static str,
    pub location: &'static str,
    pub phone: &'static str,
    pub status: &'static str,
    pub reference: &'static str,
    pub generated: &'static str,
}

const DE: Labels = Labels {
    title: "Terminbestätigung",
    title_cancelled: "Terminabsage",
    when: "Termin",
    service: "Leistung",
    staff: "Termin bei",
    customer: "Gebucht für",
    location: "Ort",
    phone: "Telefon",
    status: "Status",
    reference: "Buchungsnummer",
    generated: "Erstellt am",
};

const EN: Labels = Labels {
    title: "Appointment confirmation",
    title_cancelled: "Appointment cancellation",
    when: "Date and time",
    service: "Service",
    staff: "With",
    customer: "Booked for",
    location: "Location",
    phone: "Phone",
    status: "Status",
    reference: "Reference",
    generated: "Generated on",
};

pub(crate) fn labels(locale: Locale) -> &'static Labels {
    match locale {
        Locale::De => &DE,
        Locale::En => &EN,
    }
}

fn weekday_name(locale: Locale, day: Weekday) -> &'static str {
    let (de, en) = match day {
        Weekday::Mon => ("Montag", "Monday"),
        Weekday::Tue => ("Dienstag", "Tuesday"),
        Weekday::Wed => ("Mittwoch", "Wednesday"),
        Weekday::Thu => ("Donnerstag", "Thursday"),
        Weekday::Fri => ("Freitag", "Friday"),
        Weekday::Sat => ("Samstag", "Saturday"),
        Weekday::Sun => ("Sonntag", "Sunday"),
    };
    match locale {
        Locale::De => de,
        Locale::En => en,
    }
}

fn month_name(locale: Locale, month: u32) -> &'static str {
    const DE_MONTHS: [&str; 12] = [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ];
    const EN_MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let names = match locale {
        Locale::De => &DE_MONTHS,
        Locale::En => &EN_MONTHS,
    };
    // `month` comes from chrono and is 1..=12.
    names
        .get(month.wrapping_sub(1) as usize)
        .copied()
        .unwrap_or_default()
}

/// "1. Dezember 2026" / "1 December 2026".
fn date_words(locale: Locale, date: NaiveDate) -> String {
    let month = month_name(locale, date.month());
    match locale {
        Locale::De => format!("{}. {month} {}", date.day(), date.year()),
        Locale::En => format!("{} {month} {}", date.day(), date.year()),
    }
}

/// "Dienstag, 1. Dezember 2026" / "Tuesday, 1 December 2026".
fn weekday_date_words(locale: Locale, date: NaiveDate) -> String {
    format!(
        "{}, {}",
        weekday_name(locale, date.weekday()),
        date_words(locale, date)
    )
}

/// `+01:00`-style offset for people; `colon` false gives the iCalendar form `+0100`
/// (seconds appended only when the offset has them, as in some historical zones).
pub(crate) fn offset_string(seconds: i32, colon: bool) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let abs = seconds.unsigned_abs();
    let (h, m, s) = (abs / 3600, abs / 60 % 60, abs % 60);
    let sep = if colon { ":" } else { "" };
    if s == 0 {
        format!("{sign}{h:02}{sep}{m:02}")
    } else {
        format!("{sign}{h:02}{sep}{m:02}{sep}{s:02}")
    }
}

/// True when the local wall time of `at` occurs twice in its zone (the hour after clocks go
/// back), so the wall time alone does not say which instant is meant.
pub(crate) fn is_ambiguous(at: &DateTime<Tz>) -> bool {
    matches!(
        at.timezone().from_local_datetime(&at.naive_local()),
        LocalResult::Ambiguous(..)
    )
}

/// "10:00", or "02:30 (UTC+01:00)" when the wall time is ambiguous.
fn clock(at: &DateTime<Tz>) -> String {
    let hm = format!("{:02}:{:02}", at.hour(), at.minute());
    if is_ambiguous(at) {
        let offset = offset_string(at.offset().fix().local_minus_utc(), true);
        format!("{hm} (UTC{offset})")
    } else {
        hm
    }
}

/// The appointment's local date and time in words, e.g.
/// "Dienstag, 1. Dezember 2026, 10:00–10:30 Uhr (Europe/Berlin)" or
/// "Tuesday, 1 December 2026, 10:00–10:30 (Europe/Berlin)".
pub(crate) fn when(c: &Confirmation) -> String {
    match when_same_day(c) {
        Some((day, times)) => format!("{day}, {times}"),
        None => when_across_days(c),
    }
}

/// For an appointment that starts and ends on the same local day, the day and the times
/// separately: ("Dienstag, 1. Dezember 2026", "10:00–10:30 Uhr (Europe/Berlin)").
pub(crate) fn when_same_day(c: &Confirmation) -> Option<(String, String)> {
    let start = c.starts_at.with_timezone(&c.zone);
    let end = c.ends_at.with_timezone(&c.zone);
    if start.date_naive() != end.date_naive() {
        return None;
    }
    let uhr = match c.locale {
        Locale::De => " Uhr",
        Locale::En => "",
    };
    Some((
        weekday_date_words(c.locale, start.date_naive()),
        format!("{}–{}{uhr} ({})", clock(&start), clock(&end), c.zone.name()),
    ))
}

fn when_across_days(c: &Confirmation) -> String {
    let start = c.starts_at.with_timezone(&c.zone);
    let end = c.ends_at.with_timezone(&c.zone);
    let uhr = match c.locale {
        Locale::De => " Uhr",
        Locale::En => "",
    };
    let zone = c.zone.name();
    format!(
        "{}, {}{uhr} – {}, {}{uhr} ({zone})",
        weekday_date_words(c.locale, start.date_naive()),
        clock(&start),
        weekday_date_words(c.locale, end.date_naive()),
        clock(&end)
    )
}

/// "Erstellt am 25. November 2026, 09:41 Uhr (Europe/Berlin)" /
/// "Generated on 25 November 2026, 09:41 (Europe/Berlin)".
pub(crate) fn generated(c: &Confirmation) -> String {
    let at = c.generated_at.with_timezone(&c.zone);
    let uhr = match c.locale {
        Locale::De => " Uhr",
        Locale::En => "",
    };
    format!(
        "{} {}, {}{uhr} ({})",
        labels(c.locale).generated,
        date_words(c.locale, at.date_naive()),
        clock(&at),
        c.zone.name()
    )
}

/// The trimmed value, unless it is missing or blank.
pub(crate) fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// The iCalendar `DATE-TIME` form of a UTC instant: `20261201T090000Z`.
pub(crate) fn utc_stamp(at: &DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        assert_eq!(offset_string(3600, false), "+0100");
        assert_eq!(offset_string(-(3 * 3600 + 1800), false), "-0330");
        assert_eq!(offset_string(0, true), "+00:00");
        assert_eq!(offset_string(3208, false), "+005328");
    }

    #[test]
    fn every_month_and_weekday_has_a_name() {
        for m in 1..=12 {
            assert!(!month_name(Locale::De, m).is_empty());
            assert!(!month_name(Locale::En, m).is_empty());
        }
        assert_eq!(month_name(Locale::De, 3), "März");
        assert_eq!(weekday_name(Locale::De, Weekday::Sun), "Sonntag");
    }
}
