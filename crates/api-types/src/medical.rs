//! Medical history (healthcare companies only): what the customer keeps current for their
//! practice. Stored encrypted and versioned; every version stays readable.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::text::BoundedText;

/// The medical history a customer keeps. Every field is optional; a `PUT` replaces all of them
/// and makes a new version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MedicalHistory {
    /// Known allergies and intolerances, up to 2000 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 2000, example = "Penicillin"))]
    pub allergies: Option<BoundedText<2000>>,
    /// Medications taken regularly, up to 2000 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 2000, example = "Ramipril 5 mg morgens"))]
    pub medications: Option<BoundedText<2000>>,
    /// Conditions and previous illnesses, up to 2000 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 2000, example = "Bluthochdruck"))]
    pub conditions: Option<BoundedText<2000>>,
    /// Health insurance.
    #[serde(default)]
    pub insurance: Option<Insurance>,
    /// Whom to call in an emergency.
    #[serde(default)]
    pub emergency_contact: Option<EmergencyContact>,
    /// Anything else the practice should know, up to 4000 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 4000))]
    pub notes: Option<BoundedText<4000>>,
}

/// Health insurance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Insurance {
    /// Insurer, up to 100 characters.
    #[cfg_attr(feature = "openapi", schema(value_type = String, max_length = 100, example = "AOK Nordost"))]
    pub provider: BoundedText<100>,
    /// Membership number, up to 50 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 50, example = "A123456789"))]
    pub number: Option<BoundedText<50>>,
}

/// An emergency contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmergencyContact {
    /// Name, up to 100 characters.
    #[cfg_attr(feature = "openapi", schema(value_type = String, max_length = 100, example = "Peter Schmidt"))]
    pub name: BoundedText<100>,
    /// Phone number as given, up to 32 characters.
    #[cfg_attr(feature = "openapi", schema(value_type = String, max_length = 32, example = "+49 30 1234567"))]
    pub phone: BoundedText<32>,
    /// Relationship, up to 50 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 50, example = "Ehemann"))]
    pub relationship: Option<BoundedText<50>>,
}

/// One version of the medical history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MedicalHistoryVersion {
    /// 1 for the first version, then 2, 3, …
    #[cfg_attr(feature = "openapi", schema(example = 2))]
    pub version: i32,
    /// When this version was written.
    pub created_at: DateTime<Utc>,
    /// Who wrote it: `customer` or `practice` (staff through the practice's systems).
    #[cfg_attr(feature = "openapi", schema(example = "customer"))]
    pub written_by: String,
    /// The content of this version.
    pub content: MedicalHistory,
}

/// The current medical history and the consent state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MedicalHistoryCurrent {
    /// Whether the customer consents to keeping a medical history.
    pub consent: MedicalConsentResponse,
    /// The newest version, or null before the first one.
    pub current: Option<MedicalHistoryVersion>,
}

/// A version without its content, for the version list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MedicalHistoryVersionSummary {
    /// Version number.
    #[cfg_attr(feature = "openapi", schema(example = 1))]
    pub version: i32,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// `customer` or `practice`.
    #[cfg_attr(feature = "openapi", schema(example = "customer"))]
    pub written_by: String,
}

/// Every version, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MedicalHistoryVersionList {
    /// The versions.
    pub items: Vec<MedicalHistoryVersionSummary>,
}

/// Gives or withdraws the explicit consent (GDPR Art. 9) to keep a medical history.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetMedicalConsent {
    /// `true` to consent, `false` to withdraw (no further versions can be written then).
    pub granted: bool,
}

/// The state of the medical-history consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MedicalConsentResponse {
    /// Whether consent is given.
    pub granted: bool,
    /// Since when, if given.
    pub granted_at: Option<DateTime<Utc>>,
}

/// Every version with its content, newest first (integrator API).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MedicalHistoryVersions {
    /// The versions.
    pub items: Vec<MedicalHistoryVersion>,
}
