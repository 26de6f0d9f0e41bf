//! The customer's own details.

use portal_domain::{EmailAddress, Locale, PersonName};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The signed-in customer's profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileResponse {
    /// Customer id.
    pub id: Uuid,
    /// Phone number in E.164; change it through the phone-change flow.
    #[cfg_attr(feature = "openapi", schema(example = "+4915100000001"))]
    pub phone: String,
    /// Full name, if known.
    #[cfg_attr(feature = "openapi", schema(example = "Anna Schmidt"))]
    pub name: Option<String>,
    /// Email address, if known.
    #[cfg_attr(feature = "openapi", schema(example = "anna@example.org"))]
    pub email: Option<String>,
    /// Language for messages and screens.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "de"))]
    pub language: Locale,
    /// The company this profile belongs to.
    pub company: CompanySummary,
}

/// The company a customer belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompanySummary {
    /// Slug, as in `/c/{slug}`.
    #[cfg_attr(feature = "openapi", schema(example = "praxis-weber"))]
    pub slug: String,
    /// Display name.
    #[cfg_attr(feature = "openapi", schema(example = "Praxis Dr. Weber"))]
    pub name: String,
}

/// Replaces the editable profile fields.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateProfile {
    /// Full name, 1–100 characters.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "Anna Schmidt", min_length = 1, max_length = 100))]
    pub name: PersonName,
    /// Email address, or null to remove it.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "anna@example.org", max_length = 254))]
    pub email: Option<EmailAddress>,
    /// Language for messages and screens: `de` or `en`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "de"))]
    pub language: Locale,
}
