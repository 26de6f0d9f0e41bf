//! Extractors: JSON bodies with problem+json errors, the signed-in customer, the client address.

use actix_web::{
    FromRequest, HttpMessage, HttpRequest,
    dev::Payload,
    http::header,
    web::{self, Bytes},
};
use futures_util::future::LocalBoxFuture;
use portal_api_types::ErrorCode;
use portal_db::{ActiveSession, companies::Company};
use serde::de::DeserializeOwned;
use std::net::IpAddr;

use crate::{error::ApiError, state::AppState};

/// Query parameters. Unknown ones are ignored, so a newer client keeps working with an older
/// server; a bad value → 422 `validation_failed` naming the parameter.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let pairs = form_urlencoded::parse(req.query_string().as_bytes());
        let parsed = serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs))
            .map(Query)
            .map_err(|err| {
                let field = err.path().to_string();
                let field = if field == "." {
                    "query".to_owned()
                } else {
                    field
                };
                ApiError::invalid_field(
                    ErrorCode::ValidationFailed,
                    &field,
                    err.into_inner().to_string(),
                )
            });
        std::future::ready(parsed)
    }
}

/// Refuses a request that carries a body (a DELETE takes its options as query parameters), so a
/// client sending one learns it was not read instead of losing what it sent.
#[derive(Debug)]
pub struct NoBody;

impl FromRequest for NoBody {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let headers = req.headers();
        let length = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        let has_body = length > 0 || headers.contains_key(header::TRANSFER_ENCODING);
        std::future::ready(if has_body {
            Err(ApiError::invalid_field(
                ErrorCode::ValidationFailed,
                "body",
                "this request takes no body: send its options as query parameters",
            ))
        } else {
            Ok(Self)
        })
    }
}

/// A JSON request body. Wrong content type → 415, too large → 413, malformed → 400
/// `invalid_json`, a missing, unknown or invalid field → 422 `validation_failed` naming the field.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req.mime_type().ok().flatten().is_some_and(|m| {
            m.type_() == mime::APPLICATION
                && (m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON))
        });
        let body = Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::new(
                    ErrorCode::UnsupportedMediaType,
                    "Send the body as application/json.",
                ));
            }
            let bytes = body.await.map_err(|e| {
                ApiError::new(ErrorCode::PayloadTooLarge, "The request body is too large.")
                    .with_cause(e)
            })?;
            parse_json(&bytes).map(Json)
        })
    }
}

/// The path (`items[1].body`) of the first string in `value` that holds a character no text field
/// may hold (`portal_domain::text`), keys included.
fn forbidden_text(value: &serde_json::Value, path: &str) -> Option<String> {
    use portal_domain::text::forbidden_in_text;
    use serde_json::Value;
    match value {
        Value::String(s) if s.chars().any(forbidden_in_text) => Some(path.to_owned()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| forbidden_text(v, &format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(k, v)| {
            let field = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            if k.chars().any(forbidden_in_text) {
                Some(field)
            } else {
                forbidden_text(v, &field)
            }
        }),
        _ => None,
    }
}

fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|err| {
        ApiError::new(
            ErrorCode::InvalidJson,
            format!("The body is not valid JSON: {err}"),
        )
    })?;
    // Every text field, whatever the operation: one rule instead of one check per field.
    if let Some(field) = forbidden_text(&value, "") {
        return Err(ApiError::invalid_field(
            ErrorCode::ValidationFailed,
            &field,
            "must not contain control characters (line breaks and tabs are fine)",
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                // serde's message ends with " at line 1 column 42"; the field path says more.
                let message = inner.to_string();
                let message = message
                    .split(" at line ")
                    .next()
                    .unwrap_or(&message)
                    .to_owned();
                let parent = if path == "." { String::new() } else { path };
                // A missing field is reported at its parent; name the field itself.
                let field = match message
                    .strip_prefix("missing field `")
                    .and_then(|rest| rest.strip_suffix('`'))
                {
                    Some(missing) if parent.is_empty() => missing.to_owned(),
                    Some(missing) => format!("{parent}.{missing}"),
                    None => parent,
                };
                ApiError::invalid_field(ErrorCode::ValidationFailed, &field, message)
            }
            _ => ApiError::new(
                ErrorCode::InvalidJson,
                format!("The body is not valid JSON: {inner}"),
            ),
        }
    })
}

/// The client's address for rate limits: the socket peer, unless that peer is a configured
/// proxy, in which case the right-most `X-Forwarded-For` entry that is not a trusted proxy.
pub fn client_ip(req: &HttpRequest, trusted: &[IpAddr]) -> String {
    let peer = req.peer_addr().map(|a| a.ip());
    let Some(peer) = peer else {
        return "unknown".into();
    };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    forwarded
        .into_iter()
        .rev()
        .find(|ip| !trusted.contains(ip))
        .unwrap_or(peer)
        .to_string()
}

/// The user agent, cut to a sane length.
pub fn user_agent(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(300).collect())
}

/// The signed-in customer: a valid access token whose session is still live.
/// The second field is the customer's company, read with the session in one query.
#[derive(Debug, Clone)]
pub struct Customer(pub ActiveSession, pub Company);

/// How recent a sign-in must be for sensitive operations (medical history, phone change, export,
/// erasure).
pub const STEP_UP_WINDOW: chrono::Duration = chrono::Duration::minutes(10);

impl Customer {
    /// The session's scope if the customer signed in (proved the phone) within the last 10
    /// minutes; otherwise 401 `reauth_required`.
    pub fn recently_signed_in(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<&portal_db::CustomerScope, ApiError> {
        if now - self.0.auth_time <= STEP_UP_WINDOW {
            Ok(&self.0.scope)
        } else {
            Err(ApiError::new(
                ErrorCode::ReauthRequired,
                "Please sign in again: this needs a sign-in within the last 10 minutes.",
            ))
        }
    }
}

impl FromRequest for Customer {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::to_owned);
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let now = state.clock.now();
            let token = token.ok_or_else(ApiError::unauthorized)?;
            let verified = state
                .tokens
                .verify(&token, now)
                .ok_or_else(ApiError::unauthorized)?;
            let (session, company) = portal_db::sessions::authenticate(
                &state.db,
                verified.session_id,
                verified.company_id,
                verified.customer_id,
                now,
            )
            .await?
            .ok_or_else(ApiError::unauthorized)?;
            req.extensions_mut().insert(session.id);
            Ok(Customer(session, company))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code, reason = "fields exist to be deserialised")]
    struct Body {
        name: portal_domain::PersonName,
        inner: Option<Inner>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code, reason = "fields exist to be deserialised")]
    struct Inner {
        email: portal_domain::EmailAddress,
    }

    #[test]
    fn json_errors_name_the_field() {
        let err = parse_json::<Body>(br#"{"name": "  "}"#).unwrap_err();
        assert_eq!(err.code(), ErrorCode::ValidationFailed);
        assert!(
            err.to_string().contains("name: the name must not be empty"),
            "{err}"
        );
        let err = parse_json::<Body>(br#"{"name": "A", "inner": {"email": "x"}}"#).unwrap_err();
        assert!(err.to_string().contains("inner.email"), "{err}");
        let err = parse_json::<Body>(br#"{"name": "A", "extra": 1}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field `extra`"), "{err}");
        assert_eq!(
            parse_json::<Body>(b"{").unwrap_err().code(),
            ErrorCode::InvalidJson
        );
    }

    #[test]
    fn forwarded_for_counts_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let direct = TestRequest::default()
            .peer_addr("203.0.113.9:5000".parse().unwrap())
            .insert_header(("x-forwarded-for", "1.2.3.4"))
            .to_http_request();
        assert_eq!(
            client_ip(&direct, &[proxy]),
            "203.0.113.9",
            "an untrusted peer cannot pick its address"
        );
        let via_proxy = TestRequest::default()
            .peer_addr("10.0.0.1:5000".parse().unwrap())
            .insert_header(("x-forwarded-for", "6.6.6.6, 198.51.100.7"))
            .to_http_request();
        assert_eq!(
            client_ip(&via_proxy, &[proxy]),
            "198.51.100.7",
            "the right-most untrusted hop"
        );
    }
}
