//! Communication preferences and the consent register.

use chrono::{DateTime, Utc};
use portal_domain::{Channel, Purpose};
use serde::{Deserialize, Serialize};

/// How a message reaches the customer (for the schema; the wire values are these names).
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[schema(as = Channel)]
#[allow(
    dead_code,
    reason = "documents the wire values of portal_domain::Channel"
)]
#[schema(rename_all = "snake_case")]
enum ChannelSchema {
    /// Text message.
    Sms,
    /// Email to the confirmed address.
    Email,
    /// Web Push to a registered device.
    Push,
}

/// What a message is for (for the schema; the wire values are these names).
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[schema(as = Purpose)]
#[allow(
    dead_code,
    reason = "documents the wire values of portal_domain::Purpose"
)]
#[schema(rename_all = "snake_case")]
enum PurposeSchema {
    /// Confirmations of bookings, changes and cancellations.
    Transactional,
    /// Reminders before an appointment.
    Reminders,
    /// Offers and news (opt-in).
    Marketing,
}

/// One channel × purpose answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Preference {
    /// The channel.
    #[cfg_attr(feature = "openapi", schema(value_type = ChannelSchema))]
    pub channel: Channel,
    /// The purpose.
    #[cfg_attr(feature = "openapi", schema(value_type = PurposeSchema))]
    pub purpose: Purpose,
    /// Whether such messages may be sent.
    pub granted: bool,
}

/// Every channel × purpose with its current answer (defaults where none was given: everything
/// on except marketing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreferencesResponse {
    /// Nine entries: three channels × three purposes.
    pub items: Vec<Preference>,
}

/// Changes some answers; the ones left out keep their value.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdatePreferences {
    /// The answers to change (at least one).
    pub items: Vec<Preference>,
}

/// One entry of the consent register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentRecord {
    /// The channel.
    #[cfg_attr(feature = "openapi", schema(value_type = ChannelSchema))]
    pub channel: Channel,
    /// The purpose.
    #[cfg_attr(feature = "openapi", schema(value_type = PurposeSchema))]
    pub purpose: Purpose,
    /// Granted (`true`) or withdrawn.
    pub granted: bool,
    /// Where it was given: `portal`, `phone`, `integrator` or `sms` (STOP/START).
    #[cfg_attr(feature = "openapi", schema(example = "portal"))]
    pub source: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// The consent register, newest first, and the medical-history consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentsResponse {
    /// Every answer ever given, newest first.
    pub items: Vec<ConsentRecord>,
    /// Since when the customer consents to keeping a medical history (healthcare only), if so.
    pub medical_history_consent_at: Option<DateTime<Utc>>,
}

/// Where an answer recorded by the business was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecordedConsentSource {
    /// The customer said so on the phone (to staff or the phone assistant).
    Phone,
    /// The business's own system recorded it (e.g. a form at the front desk).
    Integrator,
}

/// An answer the business recorded for a customer (integrator API).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RecordConsent {
    /// The channel.
    #[cfg_attr(feature = "openapi", schema(value_type = ChannelSchema))]
    pub channel: Channel,
    /// The purpose.
    #[cfg_attr(feature = "openapi", schema(value_type = PurposeSchema))]
    pub purpose: Purpose,
    /// Granted (`true`) or withdrawn.
    pub granted: bool,
    /// Where the customer gave it.
    pub source: RecordedConsentSource,
}
