//! Confirmation documents for an appointment: an iCalendar invitation ([`ics`]) and a one-page
//! A4 PDF ([`pdf`]).
//!
//! Both render the appointment in the branch's IANA time zone, DST-correct: the ICS carries the
//! branch-local wall time with a `TZID` and a `VTIMEZONE` computed from chrono-tz for the
//! event's year (±1), the PDF spells the local date out in German or English. Nothing here does
//! I/O; the PDF font is compiled into the crate.
//!
//! ```
//! use chrono::{TimeDelta, Utc};
//! use portal_documents::{Confirmation, ics, pdf};
//! use portal_domain::Locale;
//!
//! let starts_at = "2026-12-01T09:00:00Z".parse::<chrono::DateTime<Utc>>()?;
//! let confirmation = Confirmation {
//!     uid: "0192f6c4-5b1e-7c3a-9d2e-1f4a5b6c7d8e@customer-portal".into(),
//!     sequence: 0,
//!     cancelled: false,
//!     reference: "A7K-3F9Q".into(),
//!     company_name: "Salon Schön".into(),
//!     branch_name: "Mitte".into(),
//!     branch_address: vec!["Torstraße 1".into(), "10119 Berlin".into()],
//!     branch_phone: None,
//!     zone: chrono_tz::Europe::Berlin,
//!     starts_at,
//!     ends_at: starts_at + TimeDelta::minutes(30),
//!     service_name: "Haarschnitt".into(),
//!     staff_name: Some("Jürgen Müller".into()),
//!     customer_name: None,
//!     status_label: "Bestätigt".into(),
//!     locale: Locale::De,
//!     generated_at: starts_at - TimeDelta::days(3),
//! };
//! assert!(ics(&confirmation).contains("DTSTART;TZID=Europe/Berlin:20261201T100000\r\n"));
//! assert!(pdf(&confirmation)?.starts_with(b"%PDF-"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod ics;
mod pdf;
mod words;

use chrono::{DateTime, Utc};
use portal_domain::Locale;

pub use ics::ics;
pub use pdf::{DocumentError, pdf};

/// Everything a confirmation shows. Instants are UTC; `zone` decides how they are rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// Stable iCalendar UID, e.g. `"<appointment uuid>@customer-portal"`; the same for every
    /// version of the appointment, so calendars update the event instead of adding one.
    pub uid: String,
    /// iCalendar SEQUENCE, raised on each reschedule (and on cancellation).
    pub sequence: u32,
    /// Renders `METHOD:CANCEL` / `STATUS:CANCELLED` and a cancellation heading in the PDF.
    pub cancelled: bool,
    /// Short human reference shown in the PDF and the ICS description, e.g. `"A7K-3F9Q"`.
    pub reference: String,
    /// The business's name.
    pub company_name: String,
    /// The branch's name.
    pub branch_name: String,
    /// The branch's postal address, one line per entry.
    pub branch_address: Vec<String>,
    /// The branch's phone number, as it should be printed.
    pub branch_phone: Option<String>,
    /// The branch's IANA zone; all times are rendered in it.
    pub zone: chrono_tz::Tz,
    /// Start of the appointment.
    pub starts_at: DateTime<Utc>,
    /// End of the appointment.
    pub ends_at: DateTime<Utc>,
    /// The booked service.
    pub service_name: String,
    /// Who performs the service, if assigned.
    pub staff_name: Option<String>,
    /// Who the appointment is for (PDF only).
    pub customer_name: Option<String>,
    /// The appointment status, already localised by the caller, e.g. `"Bestätigt"`.
    pub status_label: String,
    /// Language of labels, weekday and month names.
    pub locale: Locale,
    /// When the documents were generated: the ICS `DTSTAMP` and the PDF footer.
    pub generated_at: DateTime<Utc>,
}
