//! The customer's own details.

use chrono::NaiveDate;
use portal_domain::{EmailAddress, Locale, OtpCode, PersonName};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::text::BoundedText;

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
    /// Email address, if known. A new address replaces it only once confirmed with its code.
    #[cfg_attr(feature = "openapi", schema(example = "anna@example.org"))]
    pub email: Option<String>,
    /// Whether the customer confirmed `email` with a code (false when the business entered it).
    #[serde(default)]
    pub email_verified: bool,
    /// A new address waiting for its confirmation code, if any.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = json!(null)))]
    pub pending_email: Option<String>,
    /// Language for messages and screens.
    pub language: Locale,
    /// Postal address, if given.
    #[serde(default)]
    pub address: Option<PostalAddress>,
    /// Date of birth (healthcare businesses only).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "1985-04-12"))]
    pub date_of_birth: Option<NaiveDate>,
    /// The company this profile belongs to.
    pub company: CompanySummary,
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PostalAddress {
    /// Street and number, up to 200 characters.
    #[cfg_attr(feature = "openapi", schema(value_type = String, max_length = 200, example = "Hauptstraße 5"))]
    pub street: BoundedText<200>,
    /// Postal code, up to 20 characters.
    #[cfg_attr(feature = "openapi", schema(value_type = String, max_length = 20, example = "10115"))]
    pub postal_code: BoundedText<20>,
    /// City, up to 100 characters.
    #[cfg_attr(feature = "openapi", schema(value_type = String, max_length = 100, example = "Berlin"))]
    pub city: BoundedText<100>,
    /// ISO 3166-1 alpha-2 country code, e.g. `DE`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, min_length = 2, max_length = 2, example = "DE"))]
    pub country: CountryCode,
}

/// An ISO 3166-1 alpha-2 country code (two letters, upper-cased when read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode(String);

impl TryFrom<String> for CountryCode {
    type Error = &'static str;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        let value = value.trim().to_ascii_uppercase();
        if value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(value))
        } else {
            Err("a two-letter ISO country code such as DE")
        }
    }
}

impl From<CountryCode> for String {
    fn from(value: CountryCode) -> Self {
        value.0
    }
}

impl CountryCode {
    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
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

/// Replaces the editable profile fields. Every field must be sent (a missing one is 422); `null`
/// removes an optional one.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateProfile {
    /// Full name, 1–100 characters.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "Anna Schmidt", min_length = 1, max_length = 100))]
    pub name: PersonName,
    /// Email address, or null to remove it. A different address is not used until confirmed:
    /// a 6-digit code is sent to it (see `POST /api/customer/profile/email/verify`).
    #[serde(deserialize_with = "crate::required")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, required = true, format = Email, example = "anna@example.org", max_length = 254))]
    pub email: Option<EmailAddress>,
    /// Language for messages and screens: `de` or `en`.
    pub language: Locale,
    /// Postal address, or null.
    #[serde(deserialize_with = "crate::required")]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub address: Option<PostalAddress>,
    /// Date of birth (`YYYY-MM-DD`), only at healthcare businesses; null elsewhere.
    #[serde(deserialize_with = "crate::required")]
    #[cfg_attr(feature = "openapi", schema(required = true, example = "1985-04-12"))]
    pub date_of_birth: Option<NaiveDate>,
}

/// Confirms a new email address with the code sent to it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VerifyEmail {
    /// The 6-digit code from the email.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "123456"))]
    pub code: OtpCode,
}

/// Starts a phone-number change.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePhone {
    /// The new number, national (read with the company's country) or international.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "0151 23456789", max_length = 32)
    )]
    pub phone: String,
}

/// Completes a phone-number change with the code texted to the new number.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VerifyPhoneChange {
    /// From the answer to `POST /api/customer/profile/phone`.
    pub challenge_id: Uuid,
    /// The 6-digit code.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "123456"))]
    pub code: OtpCode,
}
