//! Query strings of the integrator API: every invalid parameter is named, like fields of a JSON
//! body; unknown ones are ignored, so a newer client keeps working with an older server.

use actix_web::HttpRequest;
use chrono::{DateTime, Utc};
use portal_api_types::ErrorCode;
use portal_db::catalog::PageRequest;
use std::collections::HashMap;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// Default page size.
pub const DEFAULT_LIMIT: u64 = 50;
/// Largest page size.
pub const MAX_LIMIT: u64 = 100;

/// The parsed query string of one request.
#[derive(Debug)]
pub struct QueryParams(HashMap<String, String>);

fn invalid(name: &str, message: &str) -> ApiError {
    ApiError::invalid_field(ErrorCode::ValidationFailed, name, message)
}

impl QueryParams {
    /// Parses the query's `known` parameters (others are ignored); one given twice is a 422
    /// naming it.
    pub fn parse(req: &HttpRequest, known: &[&str]) -> ApiResult<Self> {
        let mut params = HashMap::new();
        for (name, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
            if !known.contains(&name.as_ref()) {
                continue;
            }
            if params
                .insert(name.to_string(), value.into_owned())
                .is_some()
            {
                return Err(invalid(&name, "given more than once"));
            }
        }
        Ok(Self(params))
    }

    /// A text parameter (empty counts as absent).
    pub fn text(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// A UUID parameter.
    pub fn uuid(&self, name: &str) -> ApiResult<Option<Uuid>> {
        self.text(name)
            .map(|s| s.parse().map_err(|_| invalid(name, "not a valid id")))
            .transpose()
    }

    /// An RFC 3339 instant.
    pub fn instant(&self, name: &str) -> ApiResult<Option<DateTime<Utc>>> {
        self.text(name)
            .map(|s| {
                DateTime::parse_from_rfc3339(s)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| invalid(name, "not an RFC 3339 date-time"))
            })
            .transpose()
    }

    /// A page size: a whole number (its range is the use case's to check).
    pub fn limit(&self, name: &str) -> ApiResult<Option<u64>> {
        self.text(name)
            .map(|s| s.parse().map_err(|_| invalid(name, "between 1 and 100")))
            .transpose()
    }

    /// `cursor` and `limit` (1–100, default 50).
    pub fn page(&self) -> ApiResult<PageRequest> {
        let after = self
            .text("cursor")
            .map(|s| {
                s.parse::<Uuid>()
                    .map_err(|_| invalid("cursor", "not a cursor from a previous page"))
            })
            .transpose()?;
        let limit = self
            .text("limit")
            .map(|s| {
                s.parse::<u64>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| invalid("limit", "must be a number from 1 to 100"))
            })
            .transpose()?
            .unwrap_or(DEFAULT_LIMIT);
        Ok(PageRequest { after, limit })
    }
}

/// The `next_cursor` of a page.
pub fn next_cursor(next_after: Option<Uuid>) -> Option<String> {
    next_after.map(|id| id.to_string())
}
