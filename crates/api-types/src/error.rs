//! Errors as RFC 9457 problem documents with stable codes.

use serde::{Deserialize, Serialize};

/// Every error the API returns, as a stable snake_case code clients can match on. The HTTP status
/// and the English title belong to the code; the `detail` text may change between releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the body is not well-formed JSON.
    InvalidJson,
    /// 422: the body is JSON but a field is missing, unknown or invalid; see `errors`.
    ValidationFailed,
    /// 415: the body is not `application/json`.
    UnsupportedMediaType,
    /// 413: the body is larger than allowed.
    PayloadTooLarge,
    /// 404: nothing here, or nothing this caller may see (the two are indistinguishable on purpose).
    NotFound,
    /// 405: the path exists but not with this method.
    MethodNotAllowed,
    /// 401: no valid access token (missing, malformed, expired, signed wrongly, or its session ended).
    Unauthorized,
    /// 401: the operation needs a sign-in within the last 10 minutes; sign in again.
    ReauthRequired,
    /// 403: the API key lacks the scope this operation needs, or is bound to a branch and the
    /// operation concerns the whole company.
    Forbidden,
    /// 422: the `Idempotency-Key` was already used for a different request (method, path or body).
    IdempotencyKeyReused,
    /// 422: the phone number is not valid for the company's region.
    InvalidPhone,
    /// 422: the phone number's country is not served by this company.
    CountryNotAllowed,
    /// 401: the code is wrong; `attempts_remaining` tells how many tries the challenge has left.
    InvalidCode,
    /// 401: the challenge is expired, used, ended by too many wrong codes, or unknown; request a new code.
    CodeExpired,
    /// 429: too many failed codes for this number; `retry_after` seconds until it may try again.
    PhoneLocked,
    /// 429: a new code was requested too soon after the previous one; `retry_after` tells when.
    ResendTooSoon,
    /// 429: too many requests from this number, address or company; `retry_after` tells when.
    RateLimited,
    /// 401: the refresh token is unknown, expired, revoked or was already used.
    InvalidRefreshToken,
    /// 409: the request conflicts with the current state.
    Conflict,
    /// 409: too close to the appointment to cancel online; `deadline` says when the window
    /// closed and `phone` whom to call.
    CancellationWindowClosed,
    /// 409: too close to the appointment to move it online; see `deadline` and `phone`.
    RescheduleWindowClosed,
    /// 409: the appointment is already cancelled.
    AlreadyCancelled,
    /// 409: the appointment has already started or is over.
    AppointmentInPast,
    /// 409: the appointment is completed or marked as missed; it can no longer change.
    AppointmentNotActive,
    /// 409: the chosen time is no longer free; pick another slot.
    SlotUnavailable,
    /// 403: the customer has not given the explicit consent (GDPR Art. 9) this needs; give it with
    /// `PUT /api/customer/medical-history/consent`.
    ConsentRequired,
    /// 422: confirmations and changes must stay on at least one of SMS and email.
    TransactionalRequired,
    /// 409: another customer of this business already has this phone number.
    PhoneTaken,
    /// 422: the request needs an explicit confirmation (`confirm: true`).
    ConfirmationRequired,
    /// 503: a dependency (database) is unavailable; try again shortly.
    ServiceUnavailable,
    /// 500: an unexpected error; the `X-Request-Id` response header helps support find it.
    InternalError,
    /// 403: a provider callback (Twilio) carried no valid signature.
    InvalidSignature,
}

impl ErrorCode {
    /// The code as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidJson => "invalid_json",
            Self::ValidationFailed => "validation_failed",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::PayloadTooLarge => "payload_too_large",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Unauthorized => "unauthorized",
            Self::ReauthRequired => "reauth_required",
            Self::Forbidden => "forbidden",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::InvalidPhone => "invalid_phone",
            Self::CountryNotAllowed => "country_not_allowed",
            Self::InvalidCode => "invalid_code",
            Self::CodeExpired => "code_expired",
            Self::PhoneLocked => "phone_locked",
            Self::ResendTooSoon => "resend_too_soon",
            Self::RateLimited => "rate_limited",
            Self::InvalidRefreshToken => "invalid_refresh_token",
            Self::Conflict => "conflict",
            Self::CancellationWindowClosed => "cancellation_window_closed",
            Self::RescheduleWindowClosed => "reschedule_window_closed",
            Self::AlreadyCancelled => "already_cancelled",
            Self::AppointmentInPast => "appointment_in_past",
            Self::AppointmentNotActive => "appointment_not_active",
            Self::SlotUnavailable => "slot_unavailable",
            Self::ConsentRequired => "consent_required",
            Self::TransactionalRequired => "transactional_required",
            Self::PhoneTaken => "phone_taken",
            Self::ConfirmationRequired => "confirmation_required",
            Self::ServiceUnavailable => "service_unavailable",
            Self::InternalError => "internal_error",
            Self::InvalidSignature => "invalid_signature",
        }
    }

    /// The HTTP status that goes with the code.
    pub fn status(self) -> u16 {
        match self {
            Self::InvalidJson => 400,
            Self::Unauthorized
            | Self::ReauthRequired
            | Self::InvalidCode
            | Self::CodeExpired
            | Self::InvalidRefreshToken => 401,
            Self::Forbidden | Self::ConsentRequired | Self::InvalidSignature => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Conflict
            | Self::CancellationWindowClosed
            | Self::RescheduleWindowClosed
            | Self::AlreadyCancelled
            | Self::AppointmentInPast
            | Self::AppointmentNotActive
            | Self::SlotUnavailable
            | Self::PhoneTaken => 409,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::ValidationFailed
            | Self::InvalidPhone
            | Self::CountryNotAllowed
            | Self::IdempotencyKeyReused
            | Self::TransactionalRequired
            | Self::ConfirmationRequired => 422,
            Self::PhoneLocked | Self::ResendTooSoon | Self::RateLimited => 429,
            Self::InternalError => 500,
            Self::ServiceUnavailable => 503,
        }
    }

    /// A short English summary, constant per code.
    pub fn title(self) -> &'static str {
        match self {
            Self::InvalidJson => "Malformed JSON",
            Self::ValidationFailed => "Invalid request",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::PayloadTooLarge => "Request body too large",
            Self::NotFound => "Not found",
            Self::MethodNotAllowed => "Method not allowed",
            Self::Unauthorized => "Authentication required",
            Self::ReauthRequired => "Recent sign-in required",
            Self::Forbidden => "Not allowed",
            Self::IdempotencyKeyReused => "Idempotency key reused",
            Self::InvalidPhone => "Invalid phone number",
            Self::CountryNotAllowed => "Country not served",
            Self::InvalidCode => "Wrong code",
            Self::CodeExpired => "Code expired",
            Self::PhoneLocked => "Too many failed attempts",
            Self::ResendTooSoon => "Please wait before requesting a new code",
            Self::RateLimited => "Too many requests",
            Self::InvalidRefreshToken => "Session expired",
            Self::Conflict => "Conflict",
            Self::CancellationWindowClosed => "Too late to cancel online",
            Self::RescheduleWindowClosed => "Too late to reschedule online",
            Self::AlreadyCancelled => "Already cancelled",
            Self::AppointmentInPast => "Appointment already started",
            Self::AppointmentNotActive => "Appointment can no longer change",
            Self::SlotUnavailable => "Time no longer available",
            Self::ConsentRequired => "Consent required",
            Self::TransactionalRequired => "Confirmations cannot be turned off entirely",
            Self::PhoneTaken => "Phone number already in use",
            Self::ConfirmationRequired => "Confirmation required",
            Self::ServiceUnavailable => "Service temporarily unavailable",
            Self::InternalError => "Internal error",
            Self::InvalidSignature => "Invalid signature",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One invalid field of a request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// JSON path of the field, e.g. `phone` or `address.postal_code`.
    #[cfg_attr(feature = "openapi", schema(example = "phone"))]
    pub field: String,
    /// What is wrong with it, in English.
    #[cfg_attr(feature = "openapi", schema(example = "not a valid phone number"))]
    pub message: String,
}

/// An RFC 9457 problem document (`application/problem+json`), the body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "type": "urn:customer-portal:problem:invalid_phone",
    "title": "Invalid phone number",
    "status": 422,
    "detail": "not a valid phone number",
    "code": "invalid_phone"
})))]
pub struct Problem {
    /// `urn:customer-portal:problem:{code}`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// Human-readable explanation of this occurrence.
    pub detail: String,
    /// Stable machine-readable code.
    pub code: ErrorCode,
    /// The invalid fields, for `validation_failed` and similar.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Seconds until the request may be repeated (also in the `Retry-After` header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// For `invalid_code`: how many more codes the challenge accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts_remaining: Option<u32>,
    /// For the window-closed codes: when online changes stopped (RFC 3339, branch offset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub deadline: Option<String>,
    /// For the window-closed codes: the branch's phone number, to arrange it by phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl Problem {
    /// A problem for `code` with the given detail.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("urn:customer-portal:problem:{}", code.as_str()),
            title: code.title().to_owned(),
            status: code.status(),
            detail: detail.into(),
            code,
            errors: Vec::new(),
            retry_after: None,
            attempts_remaining: None,
            deadline: None,
            phone: None,
        }
    }
}
