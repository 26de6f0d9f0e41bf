//! Turning stored appointments into what customers see: local times, change rules, references,
//! history (the messages queued with each change are in [`crate::messages`]).

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use portal_api_types::appointments::{
    AppointmentDetail, AppointmentResponse, AppointmentStatus as Status, BranchSummary,
    Cancellation, ChangeRule, HistoryEntry, ServiceSummary, StaffSummary,
};
use portal_db::{
    CustomerScope,
    appointments::{self as repo, Appointment, BranchInfo},
    companies::Company,
};
use portal_domain::schedule::{self, AppointmentStatus, ChangePolicy};

use crate::extract::signed_in_customer;
use crate::{
    error::{ApiError, ApiResult},
    state::AppState,
};

/// The branch's zone.
pub fn zone(a: &Appointment) -> ApiResult<Tz> {
    a.branch
        .timezone
        .parse()
        .map_err(|_| ApiError::internal(format!("branch {} has an unknown time zone", a.branch.id)))
}

/// RFC 3339 with the zone's offset at that instant.
pub fn local(instant: DateTime<Utc>, tz: Tz) -> String {
    schedule::local_display(instant, tz).rfc3339
}

/// A short reference for the phone: the last 40 random bits of the (UUIDv7) id in Crockford base32.
pub fn reference(id: uuid::Uuid) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bits = id.as_u128() & ((1u128 << 40) - 1);
    let chars: String = (0..8)
        .rev()
        .map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char)
        .collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// The API form of a status.
pub fn api_status(s: AppointmentStatus) -> Status {
    match s {
        AppointmentStatus::Booked => Status::Booked,
        AppointmentStatus::Confirmed => Status::Confirmed,
        AppointmentStatus::Cancelled => Status::Cancelled,
        AppointmentStatus::Completed => Status::Completed,
        AppointmentStatus::NoShow => Status::NoShow,
    }
}

/// Address lines of a branch.
pub fn address(b: &BranchInfo) -> Vec<String> {
    let city = [b.postal_code.as_deref(), b.city.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    [b.street.clone(), Some(city).filter(|c| !c.is_empty())]
        .into_iter()
        .flatten()
        .collect()
}

fn by(actor: &str) -> String {
    if actor == "customer" {
        "customer".into()
    } else {
        "business".into()
    }
}

/// Which change a customer asks for; each has its own notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Cancelling.
    Cancel,
    /// Moving to another time.
    Reschedule,
}

/// The notice and grace that apply to `change` of `a`: the service's notice if it sets one, else
/// the company's.
pub fn change_policy(a: &Appointment, company: &Company, change: Change) -> ChangePolicy {
    let (own, default) = match change {
        Change::Cancel => (
            a.service.cancel_notice_minutes,
            company.policy.cancel_notice,
        ),
        Change::Reschedule => (
            a.service.reschedule_notice_minutes,
            company.policy.reschedule_notice,
        ),
    };
    ChangePolicy {
        notice: own.map_or(default, |m| Duration::minutes(m.into())),
        grace_after_booking: company.policy.grace_after_booking,
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

/// The customer's view of an appointment.
pub fn response(
    a: &Appointment,
    company: &Company,
    now: DateTime<Utc>,
) -> ApiResult<AppointmentResponse> {
    let tz = zone(a)?;
    Ok(AppointmentResponse {
        id: a.id,
        reference: reference(a.id),
        status: api_status(a.status),
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
            address: address(&a.branch),
            phone: a.branch.phone.clone(),
            timezone: tz.name().to_owned(),
        },
        can_cancel: rule(a, company, Change::Cancel, now, tz),
        can_reschedule: rule(a, company, Change::Reschedule, now, tz),
        cancellation: cancellation(a, tz),
    })
}

/// Who cancelled, when and why.
pub fn cancellation(a: &Appointment, tz: Tz) -> Option<Cancellation> {
    a.cancelled_at.map(|at| Cancellation {
        by: by(a.cancelled_by.as_deref().unwrap_or("business")),
        at: local(at, tz),
        reason: a.cancel_reason.clone(),
    })
}

/// The appointment with its history.
pub async fn detail_response(
    state: &AppState,
    a: &Appointment,
    company: &Company,
) -> ApiResult<AppointmentDetail> {
    let tz = zone(a)?;
    let history = repo::events(&state.db, company.id, a.id)
        .await?
        .into_iter()
        .map(|e| HistoryEntry {
            kind: if e.kind == "created" {
                "booked".into()
            } else {
                e.kind
            },
            by: by(&e.actor),
            at: local(e.created_at, tz),
            from: e.from_starts_at.map(|t| local(t, tz)),
            to: e.to_starts_at.map(|t| local(t, tz)),
            reason: e.reason,
        })
        .collect();
    Ok(AppointmentDetail {
        appointment: response(a, company, state.clock.now())?,
        history,
    })
}

/// The confirmation document (ICS, PDF) of one of the customer's appointments.
pub async fn confirmation(
    state: &AppState,
    scope: &CustomerScope,
    company: &Company,
    id: uuid::Uuid,
) -> ApiResult<portal_documents::Confirmation> {
    let a = repo::find_for_customer(&state.db, scope, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let customer = signed_in_customer(state, scope).await?;
    let locale = customer.locale.unwrap_or(company.locale);
    Ok(portal_documents::Confirmation {
        uid: format!("{}@customer-portal", a.id),
        // Raised by every change (reschedule or cancellation), as calendars expect.
        sequence: u32::try_from(a.version - 1).unwrap_or(0),
        cancelled: a.status == AppointmentStatus::Cancelled,
        reference: reference(a.id),
        company_name: company.name.clone(),
        branch_name: a.branch.name.clone(),
        branch_address: address(&a.branch),
        branch_phone: a.branch.phone.clone(),
        zone: zone(&a)?,
        starts_at: a.starts_at,
        ends_at: a.ends_at,
        service_name: a.service.name.clone(),
        staff_name: Some(a.staff_name.clone()),
        customer_name: customer.name,
        status_label: status_label(a.status, locale).to_owned(),
        locale,
        generated_at: state.clock.now(),
    })
}

pub(crate) fn status_label(s: AppointmentStatus, locale: portal_domain::Locale) -> &'static str {
    use portal_domain::Locale::{De, En};
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_short_and_stable() {
        let id = uuid::Uuid::parse_str("0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13").unwrap();
        let r = reference(id);
        assert_eq!(r.len(), 9);
        assert_eq!(r, reference(id));
        assert!(
            r.chars()
                .all(|c| c == '-' || c.is_ascii_uppercase() || c.is_ascii_digit())
        );
        assert!(!r.contains(['I', 'L', 'O', 'U']));
    }
}
