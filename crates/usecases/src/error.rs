//! What a use case answers when it does not do what was asked. The server maps each case to a
//! problem document in one place; the codes are the API's stable codes.

use portal_api_types::ErrorCode;
use portal_db::DbError;

/// The result of a use case.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Missing, or not the caller's (the same answer for both).
    #[error("not found")]
    NotFound,
    /// The caller is not (or no longer) allowed in: the session's customer or the key's company
    /// is gone.
    #[error("unauthorized")]
    Unauthorized,
    /// One input field is invalid (422).
    #[error("{field}: {message}")]
    Invalid {
        /// Stable code.
        code: ErrorCode,
        /// The field, as the API names it (`items[1]` for an element).
        field: std::borrow::Cow<'static, str>,
        /// What is wrong with it.
        message: String,
    },
    /// The rules refuse it as things stand (409 and kin).
    #[error("{}", .0.detail)]
    Refused(Box<Refusal>),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A bug or broken data; the text goes to the log only.
    #[error("internal: {0}")]
    Internal(String),
}

impl From<sea_orm::DbErr> for Error {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Db(err.into())
    }
}

/// A refusal by the rules, with what the client needs to act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Stable code.
    pub code: ErrorCode,
    /// For people.
    pub detail: String,
    /// Until when a change was possible (RFC 3339, branch offset).
    pub deadline: Option<String>,
    /// The phone number to call instead.
    pub phone: Option<String>,
    /// Seconds until asking again makes sense.
    pub retry_after: Option<u64>,
    /// Codes that may still be tried.
    pub attempts_remaining: Option<u32>,
}

impl Error {
    /// A 422 for `field`, code `validation_failed`.
    pub fn invalid(
        field: impl Into<std::borrow::Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self::Invalid {
            code: ErrorCode::ValidationFailed,
            field: field.into(),
            message: message.into(),
        }
    }

    /// A refusal with `code` and `detail`.
    pub fn refused(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::Refused(Box::new(Refusal {
            code,
            detail: detail.into(),
            deadline: None,
            phone: None,
            retry_after: None,
            attempts_remaining: None,
        }))
    }

    /// Adds `Retry-After` seconds to a refusal.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        if let Self::Refused(r) = &mut self {
            r.retry_after = Some(seconds.max(1));
        }
        self
    }

    /// Adds the attempts left to a refusal.
    pub fn attempts_remaining(mut self, n: u32) -> Self {
        if let Self::Refused(r) = &mut self {
            r.attempts_remaining = Some(n);
        }
        self
    }

    /// The stable code of a refusal or field error (tests and logs).
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Invalid { code, .. } => Some(*code),
            Self::Refused(r) => Some(r.code),
            _ => None,
        }
    }
}

/// Optional free text: trimmed, empty is none, at most `max` characters.
pub(crate) fn optional_text(
    field: &'static str,
    value: Option<String>,
    max: usize,
) -> Result<Option<String>> {
    let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    if value.as_ref().is_some_and(|v| v.chars().count() > max) {
        return Err(Error::invalid(field, format!("at most {max} characters")));
    }
    Ok(value)
}
