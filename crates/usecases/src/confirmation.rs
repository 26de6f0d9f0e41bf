//! The confirmation document of an appointment (the ICS and PDF downloads, and the ICS attached to
//! every appointment email), built in this one place.

use chrono::{DateTime, Utc};
use portal_db::{appointments::Appointment, companies::Company, customers::Customer};
use portal_documents::Confirmation;
use portal_domain::{AppointmentStatus, Locale, appointment::reference};

use crate::Result;

/// The change a document describes, on top of the stored appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    /// None: the appointment as stored.
    Nothing,
    /// It is being moved to `[start, end)`.
    Move(DateTime<Utc>, DateTime<Utc>),
    /// It is being cancelled.
    Cancel,
}

/// The document of `a` for `customer`, with `pending` applied.
pub fn document(
    company: &Company,
    customer: &Customer,
    a: &Appointment,
    pending: Pending,
    now: DateTime<Utc>,
) -> Result<Confirmation> {
    let locale = customer.locale.unwrap_or(company.locale);
    let cancelled = pending == Pending::Cancel || a.status == AppointmentStatus::Cancelled;
    let status = if cancelled {
        AppointmentStatus::Cancelled
    } else {
        a.status
    };
    let (starts_at, ends_at) = match pending {
        Pending::Move(start, end) => (start, end),
        Pending::Nothing | Pending::Cancel => (a.starts_at, a.ends_at),
    };
    // Calendars expect SEQUENCE to rise with every change; a pending change is one more.
    let changes = a.version - 1 + i32::from(pending != Pending::Nothing);
    Ok(Confirmation {
        uid: format!("{}@customer-portal", a.id),
        sequence: u32::try_from(changes).unwrap_or(0),
        cancelled,
        reference: reference(a.id),
        company_name: company.name.clone(),
        branch_name: a.branch.name.clone(),
        branch_address: a.branch.address_lines(),
        branch_phone: a.branch.phone.clone(),
        zone: a.branch.zone()?,
        starts_at,
        ends_at,
        service_name: a.service.name.clone(),
        staff_name: Some(a.staff_name.clone()),
        customer_name: customer.name.clone(),
        status_label: status_label(status, locale).to_owned(),
        locale,
        generated_at: now,
    })
}

/// A status in words, as the documents print it.
fn status_label(s: AppointmentStatus, locale: Locale) -> &'static str {
    use Locale::{De, En};
    match (s, locale) {
        (AppointmentStatus::Booked, De) => "Gebucht",
        (AppointmentStatus::Booked, En) => "Booked",
        (AppointmentStatus::Confirmed, De) => "Bestätigt",
        (AppointmentStatus::Confirmed, En) => "Confirmed",
        (AppointmentStatus::Cancelled, De) => "Storniert",
        (AppointmentStatus::Cancelled, En) => "Cancelled",
        (AppointmentStatus::Completed, De) => "Abgeschlossen",
        (AppointmentStatus::Completed, En) => "Completed",
        (AppointmentStatus::NoShow, De) => "Nicht erschienen",
        (AppointmentStatus::NoShow, En) => "No-show",
    }
}
