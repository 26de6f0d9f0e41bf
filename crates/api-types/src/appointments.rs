//! The customer's appointments: list, detail, cancel, free slots, reschedule.
//!
//! Times are RFC 3339 strings with the branch's UTC offset (`2026-12-01T10:00:00+01:00`) next to
//! the IANA zone name, so clients show local time without a time-zone database.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Appointment status (one definition, in the domain crate).
pub use portal_domain::AppointmentStatus;

/// The service booked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceSummary {
    /// Id.
    pub id: Uuid,
    /// Name, e.g. "Kontrolluntersuchung".
    pub name: String,
    /// Length in minutes.
    pub duration_minutes: u32,
}

/// The person the appointment is with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffSummary {
    /// Id.
    pub id: Uuid,
    /// Display name, e.g. "Dr. Weber".
    pub name: String,
}

/// Where the appointment takes place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BranchSummary {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Address lines, ready to print.
    pub address: Vec<String>,
    /// Phone number customers call.
    pub phone: Option<String>,
    /// IANA time zone of the branch; every time of the appointment is local to it.
    #[cfg_attr(feature = "openapi", schema(example = "Europe/Berlin"))]
    pub timezone: String,
}

/// Whether and until when the customer may change the appointment online.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeRule {
    /// True when the change is possible right now.
    pub allowed: bool,
    /// The last moment for online changes (RFC 3339 with the branch's offset); within the grace
    /// period after booking a change stays possible after it.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub deadline: String,
}

/// Who cancelled, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cancellation {
    /// Who cancelled.
    pub by: Party,
    /// When (RFC 3339, branch offset).
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub at: String,
    /// The reason given, if any.
    pub reason: Option<String>,
}

/// An appointment as the customer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppointmentResponse {
    /// Id.
    pub id: Uuid,
    /// Short reference to quote on the phone.
    #[cfg_attr(feature = "openapi", schema(example = "7Q4K-M2XD"))]
    pub reference: String,
    /// Status.
    pub status: AppointmentStatus,
    /// Start, RFC 3339 with the branch's offset.
    #[cfg_attr(feature = "openapi", schema(example = "2026-12-01T10:00:00+01:00"))]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub starts_at: String,
    /// End, RFC 3339 with the branch's offset.
    #[cfg_attr(feature = "openapi", schema(example = "2026-12-01T10:30:00+01:00"))]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub ends_at: String,
    /// The branch's IANA zone (same as `branch.timezone`).
    #[cfg_attr(feature = "openapi", schema(example = "Europe/Berlin"))]
    pub timezone: String,
    /// What.
    pub service: ServiceSummary,
    /// With whom.
    pub staff: StaffSummary,
    /// Where.
    pub branch: BranchSummary,
    /// Cancelling online.
    pub can_cancel: ChangeRule,
    /// Rescheduling online.
    pub can_reschedule: ChangeRule,
    /// Set once cancelled.
    pub cancellation: Option<Cancellation>,
}

/// One step of an appointment's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    /// What happened (for `status_changed`, the new status is in `reason`).
    pub kind: HistoryEntryKind,
    /// Who did it.
    pub by: Party,
    /// When (RFC 3339, branch offset).
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub at: String,
    /// For `rescheduled`: the previous start.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub from: Option<String>,
    /// For `booked` and `rescheduled`: the new start.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub to: Option<String>,
    /// For `cancelled`: the reason given.
    pub reason: Option<String>,
}

/// An appointment with its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppointmentDetail {
    /// The appointment.
    #[serde(flatten)]
    pub appointment: AppointmentResponse,
    /// Booked, rescheduled from→to, cancelled; oldest first.
    pub history: Vec<HistoryEntry>,
}

/// A page of appointments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppointmentList {
    /// The appointments: upcoming soonest first, past latest first.
    pub items: Vec<AppointmentResponse>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Cancels an appointment.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CancelAppointment {
    /// Why (optional, up to 500 characters); shown to the business.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Ich bin krank.", max_length = 500)
    )]
    pub reason: Option<String>,
}

/// A free start time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Slot {
    /// Start, RFC 3339 with the branch's offset.
    #[cfg_attr(feature = "openapi", schema(example = "2026-12-02T09:15:00+01:00"))]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub starts_at: String,
    /// End, RFC 3339 with the branch's offset.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub ends_at: String,
    /// Who is free then.
    pub staff: StaffSummary,
}

/// Free start times for moving an appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlotList {
    /// The branch's IANA zone.
    pub timezone: String,
    /// Free starts, ascending.
    pub slots: Vec<Slot>,
}

/// Moves an appointment to a free slot.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RescheduleAppointment {
    /// The new start, exactly as a slot's `starts_at` (any offset is accepted).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime, example = "2026-12-02T09:15:00+01:00"))]
    pub starts_at: chrono::DateTime<chrono::FixedOffset>,
    /// Another staff member from the slot list; default: the same person.
    pub staff_id: Option<Uuid>,
}

/// An appointment as integrators see it: ids instead of names, plus their own reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntegratorAppointment {
    /// Id.
    pub id: Uuid,
    /// Short reference customers quote.
    pub reference: String,
    /// Branch.
    pub branch_id: Uuid,
    /// Staff member.
    pub staff_id: Uuid,
    /// Service.
    pub service_id: Uuid,
    /// Customer.
    pub customer_id: Uuid,
    /// Start, RFC 3339 with the branch's offset.
    #[cfg_attr(feature = "openapi", schema(example = "2026-12-01T10:00:00+01:00"))]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub starts_at: String,
    /// End, RFC 3339 with the branch's offset.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub ends_at: String,
    /// The branch's IANA zone.
    pub timezone: String,
    /// Status.
    pub status: AppointmentStatus,
    /// `phone_assistant`, `integrator`, `staff` or `portal`.
    pub source: String,
    /// The integrator's own id.
    pub external_ref: Option<String>,
    /// Set once cancelled.
    pub cancellation: Option<Cancellation>,
    /// Raised by every change; send it back as `version` in a PATCH to avoid lost updates.
    pub version: i32,
}

/// A page of appointments for integrators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntegratorAppointmentList {
    /// Appointments by start, ascending.
    pub items: Vec<IntegratorAppointment>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Books an appointment (the AI phone assistant's main call).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateAppointment {
    /// Branch.
    pub branch_id: Uuid,
    /// Staff member; must perform the service.
    pub staff_id: Uuid,
    /// Service; its duration sets the end.
    pub service_id: Uuid,
    /// Customer (see `PUT /customers` to create one by phone).
    pub customer_id: Uuid,
    /// Start (any offset).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime, example = "2026-12-01T10:00:00+01:00"))]
    pub starts_at: chrono::DateTime<chrono::FixedOffset>,
    /// `booked` (default) or `confirmed`.
    pub status: Option<AppointmentStatus>,
    /// `phone_assistant` (default), `integrator` or `staff`.
    pub source: Option<String>,
    /// Your own id for it.
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub external_ref: Option<String>,
    /// Internal notes (not shown to the customer).
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub notes: Option<String>,
}

/// Changes an appointment. Give `version` from your last read: a stale one answers 409 `conflict`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateAppointment {
    /// The version you read.
    pub version: i32,
    /// New start (moves it; the staff member must be free).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub starts_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Another staff member who performs the service.
    pub staff_id: Option<Uuid>,
    /// `confirmed`, `completed` or `no_show` (cancel with the cancel operation).
    pub status: Option<AppointmentStatus>,
    /// Your own id.
    pub external_ref: Option<String>,
    /// Internal notes.
    pub notes: Option<String>,
}

/// Cancels an appointment on the business's side (no notice rules apply).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BusinessCancel {
    /// Shown to the customer.
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub reason: Option<String>,
}

closed_set! {
    /// Which of the customer's appointments a list holds.
    AppointmentScope {
        /// Not yet ended (cancelled ones too, marked), soonest first.
        Upcoming = "upcoming",
        /// Ended, latest first.
        Past = "past",
        /// Both.
        All = "all",
    }
}

closed_set! {
    /// What an entry of an appointment's history records.
    HistoryEntryKind {
        /// Booked.
        Booked = "booked",
        /// Moved to another time or staff member.
        Rescheduled = "rescheduled",
        /// Cancelled.
        Cancelled = "cancelled",
        /// The business set the status.
        StatusChanged = "status_changed",
    }
}

closed_set! {
    /// Who made a change: the customer in the portal, or the business (staff, phone assistant,
    /// booking system).
    Party {
        /// The customer.
        Customer = "customer",
        /// The business.
        Business = "business",
    }
}
