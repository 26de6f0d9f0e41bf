//! GDPR: the data export, erasure and the access log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{medical::MedicalHistoryVersion, preferences::ConsentRecord, profile::ProfileResponse};

/// Everything the portal stores about the customer, in one document (GDPR Art. 15 and 20).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataExport {
    /// When the export was made.
    pub exported_at: DateTime<Utc>,
    /// The profile.
    pub profile: ProfileResponse,
    /// Every appointment with its history, oldest first.
    pub appointments: Vec<ExportAppointment>,
    /// Every SMS, email and push message sent, oldest first.
    pub messages: Vec<ExportMessage>,
    /// Every support chat message, oldest first.
    pub support_messages: Vec<ExportSupportMessage>,
    /// The consent register, newest first.
    pub consents: Vec<ConsentRecord>,
    /// Since when the customer consents to keeping a medical history, if so.
    pub medical_history_consent_at: Option<DateTime<Utc>>,
    /// Every version of the medical history, oldest first (healthcare companies).
    pub medical_history: Vec<MedicalHistoryVersion>,
    /// Signed-in devices and push subscriptions.
    pub devices: ExportDevices,
    /// Who accessed or changed the customer's data, newest first.
    pub audit: Vec<AuditEntry>,
}

/// An appointment in the export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportAppointment {
    /// Id.
    pub id: Uuid,
    /// Branch.
    pub branch: String,
    /// Staff member.
    pub staff: String,
    /// Service.
    pub service: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Where it stands.
    pub status: portal_domain::AppointmentStatus,
    /// How it was booked.
    pub source: String,
    /// Notes kept with it.
    pub notes: Option<String>,
    /// Reason given when cancelling.
    pub cancel_reason: Option<String>,
    /// History, oldest first.
    pub history: Vec<ExportAppointmentEvent>,
}

/// One history entry of an appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportAppointmentEvent {
    /// `created`, `rescheduled`, `cancelled`, …
    pub kind: String,
    /// Who.
    pub actor: String,
    /// Previous start (moves).
    pub from_starts_at: Option<DateTime<Utc>>,
    /// New start (moves).
    pub to_starts_at: Option<DateTime<Utc>>,
    /// Reason.
    pub reason: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// A message sent to the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportMessage {
    /// Id.
    pub id: Uuid,
    /// How it went out.
    pub channel: portal_domain::Channel,
    /// What it was about.
    pub kind: String,
    /// Number or address it went to.
    pub recipient: String,
    /// Subject (email).
    pub subject: Option<String>,
    /// Text; null after the company's retention period.
    pub body: Option<String>,
    /// Delivery status.
    pub status: crate::notifications::NotificationStatus,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
}

/// A support chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportSupportMessage {
    /// Thread.
    pub thread_id: Uuid,
    /// Who wrote it.
    pub author: crate::support::SupportAuthor,
    /// Text.
    pub body: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Devices in the export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportDevices {
    /// Sessions, live and ended, newest first.
    pub sessions: Vec<ExportSession>,
    /// Push subscriptions.
    pub push_subscriptions: Vec<ExportPushSubscription>,
}

/// A session in the export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportSession {
    /// Id.
    pub id: Uuid,
    /// Browser or app.
    pub user_agent: Option<String>,
    /// Address at sign-in.
    pub ip: Option<String>,
    /// Start.
    pub created_at: DateTime<Utc>,
    /// Last use.
    pub last_used_at: DateTime<Utc>,
    /// When it ended, if it did.
    pub ended_at: Option<DateTime<Utc>>,
}

/// A push subscription in the export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportPushSubscription {
    /// Push service endpoint.
    pub endpoint: String,
    /// Browser or app.
    pub user_agent: Option<String>,
    /// When registered.
    pub created_at: DateTime<Utc>,
}

/// One access to or change of the customer's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Who: `customer` (you), `integrator:<key prefix>` (the business's systems), `system`.
    #[cfg_attr(feature = "openapi", schema(example = "integrator:ab12cd34"))]
    pub actor: String,
    /// What, e.g. `medical_history.read`, `profile.update`, `auth.sign_in`.
    #[cfg_attr(feature = "openapi", schema(example = "medical_history.read"))]
    pub action: String,
    /// On what, e.g. a version or session id.
    pub target: Option<String>,
    /// From which address, if known.
    pub ip: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// The access log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditLog {
    /// Entries.
    pub items: Vec<AuditEntry>,
}

/// Confirms erasure of the account (the query of `DELETE /api/customer`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct EraseAccount {
    /// Must be `true`: the customer confirmed that everything is deleted for good.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(example = true))]
    pub confirm: bool,
}
