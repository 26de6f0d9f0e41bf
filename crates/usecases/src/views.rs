//! How things look in the API: the customer's view of an appointment (local times, change rules,
//! history), the integrator's record, the profile and the consent register. Pure mappings from what
//! the use cases and repositories return; no database.

use crate::{
    Result,
    appointments::{Change, History, SlotsFound, change_policy, local},
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use portal_api_types::{
    appointments::{
        AppointmentDetail, AppointmentResponse, BranchSummary, Cancellation, ChangeRule,
        HistoryEntry, HistoryEntryKind, IntegratorAppointment, Party, ServiceSummary, Slot,
        SlotList, StaffSummary,
    },
    preferences::ConsentRecord,
    profile::{CompanySummary, PostalAddress, ProfileResponse},
    text::BoundedText,
};
use portal_db::{
    appointments::Appointment, companies::Company, consents::ConsentEntry,
    customers::Customer as CustomerRow,
};
use portal_domain::{HistoryKind, Industry, appointment::reference, schedule};

fn by(actor: &str) -> Party {
    if actor == "customer" {
        Party::Customer
    } else {
        Party::Business
    }
}

fn rule(
    a: &Appointment,
    company: &Company,
    change: Change,
    now: DateTime<Utc>,
    tz: Tz,
) -> ChangeRule {
    let policy = change_policy(a, company, change);
    ChangeRule {
        allowed: schedule::decide(a.status, a.starts_at, a.created_at, now, &policy).is_allowed(),
        deadline: local(schedule::deadline(a.starts_at, &policy), tz),
    }
}

/// Who cancelled, when and why.
fn cancellation(a: &Appointment, tz: Tz) -> Option<Cancellation> {
    a.cancelled_at.map(|at| Cancellation {
        by: by(a.cancelled_by.as_deref().unwrap_or("business")),
        at: local(at, tz),
        reason: a.cancel_reason.clone(),
    })
}

/// The customer's view of an appointment.
pub fn customer_view(
    a: &Appointment,
    company: &Company,
    now: DateTime<Utc>,
) -> Result<AppointmentResponse> {
    let tz = a.branch.zone()?;
    Ok(AppointmentResponse {
        id: a.id,
        reference: reference(a.id),
        status: a.status,
        starts_at: local(a.starts_at, tz),
        ends_at: local(a.ends_at, tz),
        timezone: tz.name().to_owned(),
        service: ServiceSummary {
            id: a.service.id,
            name: a.service.name.clone(),
            duration_minutes: u32::try_from(a.service.duration_minutes).unwrap_or(0),
        },
        staff: StaffSummary {
            id: a.staff_id,
            name: a.staff_name.clone(),
        },
        branch: BranchSummary {
            id: a.branch.id,
            name: a.branch.name.clone(),
            address: a.branch.address_lines(),
            phone: a.branch.phone.clone(),
            timezone: tz.name().to_owned(),
        },
        can_cancel: rule(a, company, Change::Cancel, now, tz),
        can_reschedule: rule(a, company, Change::Reschedule, now, tz),
        cancellation: cancellation(a, tz),
    })
}

/// The customer's view of an appointment with its history.
pub fn customer_detail(
    h: &History,
    company: &Company,
    now: DateTime<Utc>,
) -> Result<AppointmentDetail> {
    let tz = h.appointment.branch.zone()?;
    let history = h
        .events
        .iter()
        .map(|e| HistoryEntry {
            kind: match e.kind {
                HistoryKind::Created => HistoryEntryKind::Booked,
                HistoryKind::Rescheduled => HistoryEntryKind::Rescheduled,
                HistoryKind::Cancelled => HistoryEntryKind::Cancelled,
                HistoryKind::StatusChanged => HistoryEntryKind::StatusChanged,
            },
            by: by(&e.actor),
            at: local(e.created_at, tz),
            from: e.from_starts_at.map(|t| local(t, tz)),
            to: e.to_starts_at.map(|t| local(t, tz)),
            reason: e.reason.clone(),
        })
        .collect();
    Ok(AppointmentDetail {
        appointment: customer_view(&h.appointment, company, now)?,
        history,
    })
}

/// Free slots in the branch's time.
pub fn slot_list(found: &SlotsFound) -> SlotList {
    let tz = found.zone;
    SlotList {
        timezone: tz.name().to_owned(),
        slots: found
            .slots
            .iter()
            .map(|s| Slot {
                starts_at: local(s.starts_at, tz),
                ends_at: local(s.ends_at, tz),
                staff: StaffSummary {
                    id: s.staff_id,
                    name: s.staff_name.clone(),
                },
            })
            .collect(),
    }
}

/// The integrator's record of an appointment.
pub fn integrator_record(a: &Appointment) -> Result<IntegratorAppointment> {
    let tz = a.branch.zone()?;
    Ok(IntegratorAppointment {
        id: a.id,
        reference: reference(a.id),
        branch_id: a.branch.id,
        staff_id: a.staff_id,
        service_id: a.service.id,
        customer_id: a.customer_id.as_uuid(),
        starts_at: local(a.starts_at, tz),
        ends_at: local(a.ends_at, tz),
        timezone: tz.name().to_owned(),
        status: a.status,
        source: a.source.clone(),
        external_ref: a.external_ref.clone(),
        cancellation: cancellation(a, tz),
        version: a.version,
    })
}

fn address_text<const N: usize>(value: String) -> Option<BoundedText<N>> {
    BoundedText::parse(&value).ok()
}

/// Builds the profile document of a customer of `company`.
pub fn profile_response(customer: CustomerRow, company: &Company) -> ProfileResponse {
    let address = customer.address.and_then(|a| {
        Some(PostalAddress {
            street: address_text(a.street)?,
            postal_code: address_text(a.postal_code)?,
            city: address_text(a.city)?,
            country: a.country.try_into().ok()?,
        })
    });
    ProfileResponse {
        id: customer.id.as_uuid(),
        phone: customer.phone.map(String::from).unwrap_or_default(),
        name: customer.name,
        email_verified: customer.email.is_some() && customer.email_verified_at.is_some(),
        email: customer.email,
        pending_email: customer.pending_email,
        language: customer.locale.unwrap_or(company.locale),
        address,
        date_of_birth: customer
            .date_of_birth
            .filter(|_| company.industry == Industry::Healthcare),
        company: CompanySummary {
            slug: company.slug.to_string(),
            name: company.name.clone(),
        },
    }
}

/// One answer of the consent register, as the API shows it.
pub fn consent_record(e: ConsentEntry) -> ConsentRecord {
    ConsentRecord {
        channel: e.channel,
        purpose: e.purpose,
        granted: e.granted,
        source: e.source,
        at: e.at,
    }
}
