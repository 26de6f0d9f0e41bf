//! A typical confirmation to vary per test.

use chrono::{DateTime, TimeDelta, Utc};
use portal_documents::Confirmation;
use portal_domain::Locale;

pub fn utc(rfc3339: &str) -> DateTime<Utc> {
    rfc3339.parse().unwrap()
}

/// A 30-minute haircut in Berlin with a German staff name and street.
pub fn confirmation(starts_at: &str, locale: Locale) -> Confirmation {
    let starts_at = utc(starts_at);
    Confirmation {
        uid: "0192f6c4-5b1e-7c3a-9d2e-1f4a5b6c7d8e@customer-portal".to_owned(),
        sequence: 2,
        cancelled: false,
        reference: "A7K-3F9Q".to_owned(),
        company_name: "Salon Schön & Söhne".to_owned(),
        branch_name: "Filiale Prenzlauer Berg".to_owned(),
        branch_address: vec!["Schönhauser Allee 12".to_owned(), "10437 Berlin".to_owned()],
        branch_phone: Some("+49 30 1234567".to_owned()),
        zone: chrono_tz::Europe::Berlin,
        starts_at,
        ends_at: starts_at + TimeDelta::minutes(30),
        service_name: "Haarschnitt & Föhnen".to_owned(),
        staff_name: Some("Jürgen Müller".to_owned()),
        customer_name: Some("Anna Weiß".to_owned()),
        status_label: match locale {
            Locale::De => "Bestätigt",
            Locale::En => "Confirmed",
        }
        .to_owned(),
        locale,
        generated_at: utc("2026-11-25T08:41:00Z"),
    }
}
