//! Sign-in with phone and SMS code, tokens and device sessions.

use chrono::{DateTime, Utc};
use portal_domain::{CompanySlug, OtpCode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::profile::ProfileResponse;

/// Asks for a sign-in code by SMS.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StartSignIn {
    /// The company's slug, as in the portal's address `/c/{slug}`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "praxis-weber"))]
    pub company: CompanySlug,
    /// The phone number, national (read in the company's country) or international.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "0151 00000001", max_length = 32)
    )]
    pub phone: String,
}

/// A sign-in challenge. The same shape and status whether or not the number belongs to a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInChallenge {
    /// Identifies the code; send it back with the code.
    pub challenge_id: Uuid,
    /// Seconds the code stays valid.
    #[cfg_attr(feature = "openapi", schema(example = 300))]
    pub expires_in: u32,
    /// Seconds until a new code may be requested.
    #[cfg_attr(feature = "openapi", schema(example = 60))]
    pub resend_in: u32,
    /// The normalised number with most digits hidden, to show "code sent to +49•••••••••01".
    #[cfg_attr(feature = "openapi", schema(example = "+49•••••••••01"))]
    pub phone_masked: String,
}

/// Answers a challenge with the code from the SMS.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VerifySignIn {
    /// From the challenge.
    pub challenge_id: Uuid,
    /// The 6 digits from the SMS (spaces and dashes are ignored).
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "123456", pattern = "^[0-9 -]{6,}$"))]
    pub code: OtpCode,
}

/// Exchanges a refresh token for new tokens. Browser clients leave it out (or send no body at all)
/// and the HttpOnly refresh cookie is used instead.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefreshTokens {
    /// The refresh token from the last token response. Single use. Required unless the request
    /// carries the browser refresh cookie.
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// Tokens for a signed-in customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    /// JWT for `Authorization: Bearer …`; valid `expires_in` seconds.
    pub access_token: String,
    /// Always `Bearer`.
    #[cfg_attr(feature = "openapi", schema(example = "Bearer"))]
    pub token_type: String,
    /// Lifetime of the access token in seconds.
    #[cfg_attr(feature = "openapi", schema(example = 900))]
    pub expires_in: u32,
    /// Opaque, single-use token to get the next access token; rotates on every use. Keep it in
    /// secure storage (Keychain, Keystore). Absent for browser clients, who get it as an HttpOnly
    /// cookie instead (`X-Refresh-Transport: cookie` on sign-in, or a refresh by cookie).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The signed-in customer.
    pub customer: ProfileResponse,
}

/// A signed-in device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionResponse {
    /// Session id, for `DELETE /api/customer/sessions/{id}`.
    pub id: Uuid,
    /// The browser or app that signed in, as it named itself.
    pub user_agent: Option<String>,
    /// When it signed in.
    pub created_at: DateTime<Utc>,
    /// When it last fetched a token or called the API (to the minute).
    pub last_used_at: DateTime<Utc>,
    /// True for the session making this request.
    pub current: bool,
}

/// The customer's signed-in devices, most recently used first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionList {
    /// Active sessions.
    pub sessions: Vec<SessionResponse>,
}
