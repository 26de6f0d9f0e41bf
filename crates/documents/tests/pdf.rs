#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap is a failed test"
)]

mod common;

use common::{confirmation, utc};
use lopdf::Document;
use portal_documents::{Confirmation, pdf};
use portal_domain::Locale;

/// Renders, checks the PDF is one page, and returns its extracted text.
///
/// With `PORTAL_DOCUMENTS_DUMP=<dir>` set, each rendered PDF is also written there, named after
/// the test, for a look in a viewer.
fn render(c: &Confirmation) -> (Vec<u8>, String) {
    let bytes = pdf(c).expect("PDF renders");
    if let Some(dir) = std::env::var_os("PORTAL_DOCUMENTS_DUMP") {
        let name = std::thread::current()
            .name()
            .unwrap_or("pdf")
            .replace("::", "-");
        std::fs::write(
            std::path::Path::new(&dir).join(format!("{name}.pdf")),
            &bytes,
        )
        .unwrap();
    }
    assert!(bytes.starts_with(b"%PDF-"), "starts like a PDF");
    let doc = Document::load_mem(&bytes).expect("lopdf opens it");
    assert_eq!(doc.get_pages().len(), 1, "exactly one page");
    let text = doc.extract_text(&[1]).expect("text extracts");
    (bytes, text)
}

#[test]
fn german_confirmation() {
    let c = confirmation("2026-12-01T09:00:00Z", Locale::De);
    let (bytes, text) = render(&c);
    eprintln!("German confirmation: {} bytes\n{text}", bytes.len());
    for expected in [
        "Salon Schön & Söhne",
        "Terminbestätigung",
        "Dienstag, 1. Dezember 2026",
        "10:00–10:30 Uhr (Europe/Berlin)",
        "Haarschnitt & Föhnen",
        "Jürgen Müller",
        "Anna Weiß",
        "Filiale Prenzlauer Berg",
        "Schönhauser Allee 12",
        "10437 Berlin",
        "+49 30 1234567",
        "Bestätigt",
        "A7K-3F9Q",
        "Buchungsnummer",
        "Erstellt am 25. November 2026, 09:41 Uhr (Europe/Berlin)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(bytes.len() < 120_000, "{} bytes", bytes.len());
}

#[test]
fn english_confirmation() {
    let c = confirmation("2026-12-01T09:00:00Z", Locale::En);
    let (_, text) = render(&c);
    for expected in [
        "Appointment confirmation",
        "Tuesday, 1 December 2026",
        "10:00–10:30 (Europe/Berlin)",
        "With",
        "Jürgen Müller",
        "Reference",
        "A7K-3F9Q",
        "Confirmed",
        "Generated on 25 November 2026, 09:41 (Europe/Berlin)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!text.contains("Uhr"));
    assert!(!text.contains("Dienstag"));
}

#[test]
fn dst_change_shows_local_wall_time() {
    // After the spring change: 08:00Z is 10:00 CEST.
    let (_, after) = render(&confirmation("2026-03-29T08:00:00Z", Locale::De));
    assert!(after.contains("Sonntag, 29. März 2026"), "{after}");
    assert!(after.contains("10:00–10:30 Uhr"), "{after}");
    // The day before: 09:00Z is 10:00 CET.
    let (_, before) = render(&confirmation("2026-03-28T09:00:00Z", Locale::En));
    assert!(before.contains("Saturday, 28 March 2026"), "{before}");
    assert!(before.contains("10:00–10:30 (Europe/Berlin)"), "{before}");
}

#[test]
fn cancellation_heading() {
    let mut c = confirmation("2026-12-01T09:00:00Z", Locale::De);
    c.cancelled = true;
    c.status_label = "Storniert".to_owned();
    let (_, text) = render(&c);
    assert!(text.contains("Terminabsage"), "{text}");
    assert!(text.contains("Storniert"), "{text}");
    assert!(!text.contains("Terminbestätigung"), "{text}");
}

#[test]
fn appointment_across_midnight_names_both_days() {
    let mut c = confirmation("2026-12-31T22:00:00Z", Locale::En);
    c.ends_at = utc("2027-01-01T00:30:00Z");
    let (_, text) = render(&c);
    assert!(text.contains("Thursday, 31 December 2026"), "{text}");
    assert!(text.contains("Friday, 1 January 2027"), "{text}");
}

#[test]
fn optional_fields_may_be_missing() {
    let mut c = confirmation("2026-12-01T09:00:00Z", Locale::De);
    c.staff_name = None;
    c.customer_name = Some("   ".to_owned());
    c.branch_phone = None;
    c.branch_address.clear();
    let (_, text) = render(&c);
    assert!(!text.contains("Termin bei"), "{text}");
    assert!(!text.contains("Gebucht für"), "{text}");
    assert!(!text.contains("Telefon"), "{text}");
    assert!(text.contains("Filiale Prenzlauer Berg"), "{text}");
}

#[test]
fn overlong_input_still_fits_one_page() {
    let mut c = confirmation("2026-12-01T09:00:00Z", Locale::De);
    c.company_name = "Friseur- und Kosmetiksalon Größenwahn ".repeat(5);
    c.service_name = "Sehr lange Behandlung mit Überlänge ".repeat(30);
    c.branch_address = (1..=30).map(|i| format!("Adresszeile {i}")).collect();
    c.customer_name = Some("Ä".repeat(300));
    c.staff_name = Some("Ö".repeat(300));
    c.branch_phone = Some("0".repeat(300));
    c.status_label = "Bestätigt ".repeat(40);
    c.reference = "A7K-3F9Q".to_owned();
    let (_, text) = render(&c);
    assert!(text.contains('…'), "cut values are marked");
    assert!(text.contains("Adresszeile 4"), "{text}");
    assert!(
        !text.contains("Adresszeile 6"),
        "the address is cut: {text}"
    );
    for kept in [
        "Buchungsnummer",
        "A7K-3F9Q",
        "Status",
        "Bestätigt",
        "Telefon",
        "Erstellt am",
    ] {
        assert!(text.contains(kept), "{kept:?} still on the page: {text}");
    }
}
