//! Appointments: what customers and integrators read and change. Each public function is one use
//! case; customers and integrators call the same ones, and the actor decides which rules apply
//! (customers: the company's notice; integrators: the business's own say).

mod book;
mod cancel;
mod documents;
mod queries;
mod reschedule;
mod slots;
mod update;

pub use book::{BookAppointment, book_appointment};
pub use cancel::cancel_appointment;
pub use documents::confirmation_document;
pub use queries::{
    CompanyListInput, History, Page, appointment_history, get_appointment,
    list_company_appointments, list_customer_appointments,
};
pub use reschedule::{RescheduleAppointment, reschedule_appointment};
pub use slots::{
    AvailabilitySearch, FreeSlot, SlotSearch, SlotsFound, find_availability, find_free_slots,
};
pub use update::{UpdateAppointment, update_appointment};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use portal_api_types::ErrorCode;
use portal_db::{
    appointments::{self as repo, Appointment, WriteOutcome},
    companies::Company,
};
use portal_domain::schedule::{ChangeDecision, ChangePolicy, local_display};
use uuid::Uuid;

use crate::{Actor, Ctx, Error, Result, error::Refusal};

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

/// RFC 3339 with the zone's offset at that instant.
pub fn local(instant: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    local_display(instant, tz).rfc3339
}

/// The appointment `id` as `actor` may see it; not found otherwise.
async fn load(ctx: &Ctx<'_>, actor: &Actor<'_>, id: Uuid) -> Result<Appointment> {
    repo::find(ctx.db, actor.tenant(), id)
        .await?
        .ok_or(Error::NotFound)
}

/// The customer's refusal for a policy decision; `window` is the code for a closed window.
fn refusal(decision: &ChangeDecision, a: &Appointment, window: ErrorCode) -> Result<()> {
    match decision {
        ChangeDecision::Allowed { .. } | ChangeDecision::AllowedInGrace { .. } => Ok(()),
        ChangeDecision::WindowClosed { deadline } => {
            let deadline = local(*deadline, a.branch.zone()?);
            let phone = a.branch.phone.clone();
            let call = phone
                .as_deref()
                .map(|p| format!(" Please call {p}."))
                .unwrap_or_default();
            Err(Error::Refused(Box::new(Refusal {
                code: window,
                detail: format!("Changes online were possible until {deadline}.{call}"),
                deadline: Some(deadline),
                phone,
                retry_after: None,
                attempts_remaining: None,
            })))
        }
        ChangeDecision::AlreadyCancelled => Err(Error::refused(
            ErrorCode::AlreadyCancelled,
            "This appointment is already cancelled.",
        )),
        ChangeDecision::InPast => Err(Error::refused(
            ErrorCode::AppointmentInPast,
            "This appointment has already started.",
        )),
        ChangeDecision::NotActive => Err(Error::refused(
            ErrorCode::AppointmentNotActive,
            "This appointment can no longer be changed.",
        )),
    }
}

/// 409 `conflict`: the appointment changed since it was read.
fn changed_meanwhile() -> Error {
    Error::refused(
        ErrorCode::Conflict,
        "The appointment changed meanwhile. Please reload it.",
    )
}

/// 409 `slot_unavailable`.
fn slot_unavailable(detail: &str) -> Error {
    Error::refused(ErrorCode::SlotUnavailable, detail)
}

/// Maps a guarded write that did not happen to its refusal.
fn written(outcome: WriteOutcome, slot_taken: &str) -> Result<()> {
    match outcome {
        WriteOutcome::Done => Ok(()),
        WriteOutcome::SlotTaken => Err(slot_unavailable(slot_taken)),
        WriteOutcome::Stale => Err(changed_meanwhile()),
    }
}

/// The opaque keyset cursor after `a`.
fn encode_cursor(a: &Appointment) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{}", a.starts_at.timestamp_micros(), a.id))
}

/// Reads a cursor made by [`encode_cursor`].
fn decode_cursor(cursor: &str) -> Result<repo::After> {
    let parse = || {
        let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
        let (micros, id) = raw.split_once('|')?;
        Some((
            DateTime::from_timestamp_micros(micros.parse().ok()?)?,
            id.parse().ok()?,
        ))
    };
    parse().ok_or_else(|| Error::invalid("cursor", "not a cursor from this list"))
}

/// A page size from 1 to 100.
fn page_size(limit: Option<u64>, default: u64) -> Result<u64> {
    let limit = limit.unwrap_or(default);
    if (1..=100).contains(&limit) {
        Ok(limit)
    } else {
        Err(Error::invalid("limit", "between 1 and 100"))
    }
}
