//! The one HTTP error type. Every failure becomes an RFC 9457 problem document with a stable code;
//! causes go to the log, never into the response.

use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use portal_api_types::{ErrorCode, FieldError, Problem};
use portal_db::DbError;

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    // Boxed: errors travel through every `Result` in the server; keep the happy path small.
    problem: Box<Problem>,
    /// What really happened, for the log (never sent).
    cause: Option<String>,
    /// The methods the path does answer (405's `Allow` header).
    allow: Option<String>,
}

impl ApiError {
    /// An error with `code` and a human-readable detail.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            problem: Box::new(Problem::new(code, detail)),
            cause: None,
            allow: None,
        }
    }

    /// A 422 naming one invalid field.
    pub fn invalid_field(code: ErrorCode, field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut err = Self::new(code, format!("{field}: {message}"));
        err.problem.errors.push(FieldError {
            field: field.to_owned(),
            message,
        });
        err
    }

    /// 404 with the same body whether the thing is missing or belongs to someone else.
    pub fn not_found() -> Self {
        Self::new(
            ErrorCode::NotFound,
            "The requested resource does not exist.",
        )
    }

    /// 405: the path exists, with the methods in `allow` only.
    pub fn method_not_allowed(allow: String) -> Self {
        let mut err = Self::new(
            ErrorCode::MethodNotAllowed,
            format!("This path answers {allow} only."),
        );
        err.allow = Some(allow);
        err
    }

    /// 401 for any problem with the access token; deliberately vague.
    pub fn unauthorized() -> Self {
        Self::new(ErrorCode::Unauthorized, "Sign in to continue.")
    }

    /// Adds `retry_after` seconds (also sent as the `Retry-After` header).
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.problem.retry_after = Some(seconds.max(1));
        self
    }

    /// Adds how many attempts are left.
    pub fn attempts_remaining(mut self, n: u32) -> Self {
        self.problem.attempts_remaining = Some(n);
        self
    }

    /// Adds the deadline of a closed change window.
    pub fn deadline(mut self, deadline: String) -> Self {
        self.problem.deadline = Some(deadline);
        self
    }

    /// Adds the phone number to call instead.
    pub fn phone(mut self, phone: Option<String>) -> Self {
        self.problem.phone = phone;
        self
    }

    /// Records the internal cause for the log.
    pub fn with_cause(mut self, cause: impl std::fmt::Display) -> Self {
        self.cause = Some(cause.to_string());
        self
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.problem.code
    }

    /// 500; the cause is logged.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::new(
            ErrorCode::InternalError,
            "Something went wrong on our side. Please try again.",
        )
        .with_cause(cause)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.problem.code, self.problem.detail)?;
        if let Some(cause) = &self.cause {
            write!(f, " (cause: {cause})")?;
        }
        Ok(())
    }
}

impl From<DbError> for ApiError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::Unavailable(_) => Self::new(
                ErrorCode::ServiceUnavailable,
                "The service is temporarily unavailable. Please try again shortly.",
            )
            .retry_after(5)
            .with_cause(err),
            DbError::Conflict(_) => {
                Self::new(ErrorCode::Conflict, "This conflicts with existing data.").with_cause(err)
            }
            DbError::Corrupt(_) | DbError::Setup(_) | DbError::Other(_) => Self::internal(err),
        }
    }
}

impl From<portal_usecases::Error> for ApiError {
    fn from(err: portal_usecases::Error) -> Self {
        use portal_usecases::Error;
        match err {
            Error::NotFound => Self::not_found(),
            Error::Unauthorized => Self::unauthorized(),
            Error::Invalid {
                code,
                field,
                message,
            } => Self::invalid_field(code, &field, message),
            Error::Refused(refusal) => {
                let mut err = Self::new(refusal.code, refusal.detail);
                if let Some(deadline) = refusal.deadline {
                    err = err.deadline(deadline);
                }
                if let Some(seconds) = refusal.retry_after {
                    err = err.retry_after(seconds);
                }
                if let Some(n) = refusal.attempts_remaining {
                    err = err.attempts_remaining(n);
                }
                err.phone(refusal.phone)
            }
            Error::Db(err) => err.into(),
            Error::Internal(cause) => Self::internal(cause),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(code = %self.problem.code, cause = self.cause.as_deref().unwrap_or(""), "request failed");
        } else {
            tracing::info!(code = %self.problem.code, cause = self.cause.as_deref().unwrap_or(""), "request refused");
        }
        let mut response = HttpResponse::build(status);
        response.content_type("application/problem+json");
        if let Some(seconds) = self.problem.retry_after {
            response.insert_header(("Retry-After", seconds.to_string()));
        }
        if let Some(allow) = &self.allow {
            response.insert_header(("Allow", allow.as_str()));
        }
        response.json(&*self.problem)
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
