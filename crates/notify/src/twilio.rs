//! A small client for Twilio's Messages REST API and the `X-Twilio-Signature` check for its callbacks.
//!
//! Neither Rust Twilio crate fits (see DESIGN.md): this one takes its base URL from configuration so
//! tests and staging can point it at a fake server, and keeps Twilio's error codes.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use portal_domain::SecretString;
use serde::Deserialize;
use sha1::Sha1;
use url::Url;

use crate::sms::{SentSms, SmsError, SmsMessage, SmsSender, phone_suffix};

/// Twilio's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";

/// How long a send may take, connection and response together, unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Twilio error codes that are about the recipient, not about us or Twilio: retrying the same message
/// cannot succeed. Every other refusal is [`SmsError::Unavailable`], so a configuration mistake on our
/// side (a bad `From`, a missing permission) never counts against the customer.
const RECIPIENT_ERROR_CODES: &[i64] = &[
    21211, // invalid 'To' phone number
    21214, // 'To' phone number cannot be reached
    21217, // phone number does not appear to be valid
    21407, // this phone number type does not support SMS
    21610, // recipient unsubscribed (replied STOP)
    21612, // 'To' is not reachable via SMS from this sender
    21614, // 'To' is not a valid mobile number (landline)
];

/// Connection settings for Twilio.
#[derive(Debug, Clone)]
pub struct TwilioConfig {
    /// API root, [`DEFAULT_BASE_URL`] in production; a local fake server in tests. A path is kept
    /// (`http://127.0.0.1:9000/twilio` works).
    pub base_url: Url,
    /// Account SID (`AC…`), also the basic-auth user name.
    pub account_sid: String,
    /// Auth token: the basic-auth password and the key of callback signatures.
    pub auth_token: SecretString,
    /// Sender number in E.164 or an alphanumeric sender id. Set exactly one of this and
    /// `messaging_service_sid`.
    pub from: Option<String>,
    /// Messaging Service (`MG…`) that picks the sender. Set exactly one of this and `from`.
    pub messaging_service_sid: Option<String>,
    /// Where Twilio posts delivery status updates.
    pub status_callback: Option<Url>,
    /// Limit for one send, connection and response together.
    pub timeout: Duration,
}

impl TwilioConfig {
    /// Settings with the production base URL, [`DEFAULT_TIMEOUT`], and no sender yet: set `from` or
    /// `messaging_service_sid` before building the client.
    pub fn new(account_sid: impl Into<String>, auth_token: SecretString) -> Self {
        Self {
            base_url: default_base_url(),
            account_sid: account_sid.into(),
            auth_token,
            from: None,
            messaging_service_sid: None,
            status_callback: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// [`DEFAULT_BASE_URL`] as a [`Url`].
#[expect(
    clippy::expect_used,
    reason = "a constant that parses; covered by a unit test"
)]
pub fn default_base_url() -> Url {
    Url::parse(DEFAULT_BASE_URL).expect("DEFAULT_BASE_URL is a valid URL")
}

/// Which sender Twilio should use: exactly one, checked when the client is built.
#[derive(Debug, Clone)]
enum Sender {
    From(String),
    MessagingService(String),
}

/// Sends SMS through Twilio's Messages API. Cheap to clone; holds one connection pool.
#[derive(Debug, Clone)]
pub struct TwilioClient {
    http: reqwest::Client,
    messages_url: Url,
    account_sid: String,
    auth_token: SecretString,
    sender: Sender,
    status_callback: Option<Url>,
}

impl TwilioClient {
    /// Checks the configuration and builds the HTTP client. Fails with [`SmsError::Unavailable`] when
    /// the account or token is empty, when not exactly one of `from` and `messaging_service_sid` is set,
    /// or when the base URL cannot take a path.
    pub fn new(config: TwilioConfig) -> Result<Self, SmsError> {
        let invalid =
            |reason: &str| SmsError::Unavailable(format!("Twilio configuration: {reason}"));
        if config.account_sid.trim().is_empty() {
            return Err(invalid("account_sid is empty"));
        }
        if config.auth_token.expose().is_empty() {
            return Err(invalid("auth_token is empty"));
        }
        let non_empty = |value: Option<String>| value.filter(|v| !v.trim().is_empty());
        let sender = match (
            non_empty(config.from),
            non_empty(config.messaging_service_sid),
        ) {
            (Some(from), None) => Sender::From(from),
            (None, Some(sid)) => Sender::MessagingService(sid),
            (None, None) => return Err(invalid("set from or messaging_service_sid")),
            (Some(_), Some(_)) => {
                return Err(invalid("set only one of from and messaging_service_sid"));
            }
        };

        let mut messages_url = config.base_url;
        messages_url
            .path_segments_mut()
            .map_err(|()| invalid("base_url cannot be a base"))?
            .pop_if_empty()
            // Segments are percent-encoded, so an odd account SID cannot change the path.
            .extend([
                "2010-04-01",
                "Accounts",
                &config.account_sid,
                "Messages.json",
            ]);

        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .user_agent(concat!("portal-notify/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SmsError::Unavailable(format!("HTTP client: {}", error_chain(&e))))?;

        Ok(Self {
            http,
            messages_url,
            account_sid: config.account_sid,
            auth_token: config.auth_token,
            sender,
            status_callback: config.status_callback,
        })
    }
}

#[async_trait::async_trait]
impl SmsSender for TwilioClient {
    // Never record the body (it holds sign-in codes) or the token.
    #[tracing::instrument(
        name = "twilio.send",
        skip_all,
        fields(
            to_suffix = %phone_suffix(&message.to),
            http_status = tracing::field::Empty,
            provider_id = tracing::field::Empty,
        )
    )]
    async fn send(&self, message: &SmsMessage) -> Result<SentSms, SmsError> {
        let mut form: Vec<(&str, &str)> = vec![("To", &message.to), ("Body", &message.body)];
        match &self.sender {
            Sender::From(from) => form.push(("From", from)),
            Sender::MessagingService(sid) => form.push(("MessagingServiceSid", sid)),
        }
        if let Some(callback) = &self.status_callback {
            form.push(("StatusCallback", callback.as_str()));
        }

        let response = self
            .http
            .post(self.messages_url.clone())
            .basic_auth(&self.account_sid, Some(self.auth_token.expose()))
            .form(&form)
            .send()
            .await
            .map_err(|e| unavailable_transport(&e))?;
        let status = response.status();
        tracing::Span::current().record("http_status", status.as_u16());
        let bytes = response
            .bytes()
            .await
            .map_err(|e| unavailable_transport(&e))?;

        if status.is_success() {
            let created: CreatedMessage = serde_json::from_slice(&bytes).map_err(|e| {
                // The message may have gone out; the outbox decides whether a retry is worth a
                // possible duplicate.
                tracing::warn!(error = %e, "Twilio accepted the message but the answer is unreadable");
                SmsError::Unavailable(format!("unreadable Twilio response: {e}"))
            })?;
            tracing::Span::current().record("provider_id", tracing::field::display(&created.sid));
            tracing::info!(status = %created.status, "SMS accepted by Twilio");
            return Ok(SentSms {
                provider_id: created.sid,
                status: created.status,
            });
        }

        let error = classify_error(status, &bytes, &message.to);
        match &error {
            SmsError::Rejected { code, .. } => {
                tracing::info!(code = *code, "Twilio rejected the recipient");
            }
            SmsError::Unavailable(reason) | SmsError::Unanswered(reason) => {
                tracing::warn!(%reason, "Twilio unavailable");
            }
        }
        Err(error)
    }
}

/// The fields of Twilio's Message resource that we keep.
#[derive(Deserialize)]
struct CreatedMessage {
    sid: String,
    status: String,
}

/// Twilio's error body: `{code, message, more_info, status}`.
#[derive(Deserialize)]
struct TwilioErrorBody {
    code: Option<i64>,
    message: Option<String>,
    more_info: Option<String>,
}

fn classify_error(status: reqwest::StatusCode, body: &[u8], to: &str) -> SmsError {
    let parsed: Option<TwilioErrorBody> = serde_json::from_slice(body).ok();
    let code = parsed.as_ref().and_then(|b| b.code);
    // Twilio's messages quote the number ("The 'To' number +4917… is not valid"); keep it out of logs.
    let message = parsed
        .as_ref()
        .and_then(|b| b.message.as_deref())
        .map(|m| mask_number(m, to))
        .unwrap_or_default();

    let about_recipient = status.is_client_error()
        && !matches!(status.as_u16(), 401 | 403 | 429)
        && code.is_some_and(|c| RECIPIENT_ERROR_CODES.contains(&c));
    if about_recipient {
        return SmsError::Rejected { code, message };
    }

    let mut reason = format!("HTTP {}", status.as_u16());
    if let Some(code) = code {
        reason.push_str(&format!(", Twilio error {code}"));
    }
    if !message.is_empty() {
        reason.push_str(&format!(": {message}"));
    }
    if let Some(more_info) = parsed.as_ref().and_then(|b| b.more_info.as_deref()) {
        reason.push_str(&format!(" ({more_info})"));
    }
    SmsError::Unavailable(reason)
}

fn mask_number(text: &str, to: &str) -> String {
    if to.is_empty() {
        return text.to_owned();
    }
    text.replace(to, &format!("…{}", phone_suffix(to)))
}

fn unavailable_transport(error: &reqwest::Error) -> SmsError {
    if error.is_timeout() && !error.is_connect() {
        return SmsError::Unanswered(format!("timeout: {}", error_chain(error)));
    }
    let kind = if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    SmsError::Unavailable(format!("{kind}: {}", error_chain(error)))
}

/// The error and its causes on one line, without the request URL (it carries the account SID).
fn error_chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.replace(
        &format!(" for url ({})", error.url().map_or("", Url::as_str)),
        "",
    )
}

type HmacSha1 = Hmac<Sha1>;

fn signature_mac(auth_token: &SecretString, url: &str, params: &[(String, String)]) -> HmacSha1 {
    #[expect(clippy::expect_used, reason = "HMAC takes keys of any length")]
    let mut mac = HmacSha1::new_from_slice(auth_token.expose().as_bytes())
        .expect("HMAC accepts any key length");
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    // By name; repeated names keep a stable order by value.
    sorted.sort();
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    mac
}

/// Twilio's `X-Twilio-Signature` for a request: base64 of HMAC-SHA1, keyed by the auth token, over the
/// full URL (with query string) followed by every POST parameter's name and value, sorted by name.
pub fn sign(auth_token: &SecretString, url: &str, params: &[(String, String)]) -> String {
    BASE64.encode(
        signature_mac(auth_token, url, params)
            .finalize()
            .into_bytes(),
    )
}

/// Whether `signature_b64` (the `X-Twilio-Signature` header) is Twilio's signature of this request.
///
/// `url` must be the URL Twilio called, as configured in Twilio (scheme, host, path, query), not the one
/// a reverse proxy forwarded. Like Twilio's own libraries it also accepts the URL with the default port
/// added or removed (`https://host:443/…`), since Twilio signs whichever form it was given. The comparison
/// is in constant time.
pub fn verify_signature(
    auth_token: &SecretString,
    url: &str,
    params: &[(String, String)],
    signature_b64: &str,
) -> bool {
    let Ok(expected) = BASE64.decode(signature_b64.trim()) else {
        return false;
    };
    let check = |candidate: &str| {
        signature_mac(auth_token, candidate, params)
            .verify_slice(&expected)
            .is_ok()
    };
    // Both forms are always checked so timing does not tell which one matched.
    let given = check(url);
    let other = default_port_variant(url).is_some_and(|variant| check(&variant));
    given | other
}

/// The URL with its default port removed if written out, or added if omitted; `None` for other schemes.
fn default_port_variant(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "https" => "443",
        "http" => "80",
        _ => return None,
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    // The host part follows any user info and, for IPv6, the closing bracket.
    let host_start = authority.rfind('@').map_or(0, |i| i + 1);
    let host_port = &authority[host_start..];
    let port_colon = host_port
        .rfind(':')
        .filter(|&i| !host_port[i..].contains(']'));
    let new_authority = match port_colon {
        Some(i) if &host_port[i + 1..] == default_port => authority[..host_start + i].to_owned(),
        Some(_) => return None,
        None => format!("{authority}:{default_port}"),
    };
    Some(format!("{scheme}://{new_authority}{tail}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_base_url_parses() {
        assert_eq!(default_base_url().as_str(), "https://api.twilio.com/");
    }

    #[test]
    fn messages_url_keeps_base_path_and_encodes_sid() {
        let mut config = TwilioConfig::new("AC1/../x", SecretString::new("t"));
        config.base_url = Url::parse("http://127.0.0.1:9/twilio/").unwrap();
        config.from = Some("+15005550006".into());
        let client = TwilioClient::new(config).unwrap();
        assert_eq!(
            client.messages_url.as_str(),
            "http://127.0.0.1:9/twilio/2010-04-01/Accounts/AC1%2F..%2Fx/Messages.json"
        );
    }

    #[test]
    fn sender_must_be_exactly_one() {
        let base = TwilioConfig::new("AC1", SecretString::new("t"));
        assert!(TwilioClient::new(base.clone()).is_err());
        let both = TwilioConfig {
            from: Some("+15005550006".into()),
            messaging_service_sid: Some("MG1".into()),
            ..base.clone()
        };
        assert!(TwilioClient::new(both).is_err());
        let empty_token = TwilioConfig {
            auth_token: SecretString::new(""),
            from: Some("+15005550006".into()),
            ..base
        };
        assert!(TwilioClient::new(empty_token).is_err());
    }

    #[test]
    fn debug_does_not_show_token() {
        let mut config = TwilioConfig::new("AC1", SecretString::new("tok-secret"));
        config.from = Some("+15005550006".into());
        let client = TwilioClient::new(config.clone()).unwrap();
        assert!(!format!("{config:?}").contains("tok-secret"));
        assert!(!format!("{client:?}").contains("tok-secret"));
    }

    #[test]
    fn port_variants() {
        assert_eq!(
            default_port_variant("https://example.com/a?b=1").as_deref(),
            Some("https://example.com:443/a?b=1")
        );
        assert_eq!(
            default_port_variant("https://example.com:443/a").as_deref(),
            Some("https://example.com/a")
        );
        assert_eq!(
            default_port_variant("http://[::1]?x").as_deref(),
            Some("http://[::1]:80?x")
        );
        assert_eq!(default_port_variant("https://example.com:8443/a"), None);
        assert_eq!(default_port_variant("ftp://example.com/a"), None);
        assert_eq!(default_port_variant("not a url"), None);
    }

    #[test]
    fn error_classification() {
        let body = br#"{"code": 21211, "message": "The 'To' number +4915112345678 is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}"#;
        match classify_error(reqwest::StatusCode::BAD_REQUEST, body, "+4915112345678") {
            SmsError::Rejected { code, message } => {
                assert_eq!(code, Some(21211));
                assert_eq!(message, "The 'To' number …78 is not a valid phone number.");
            }
            other => panic!("unexpected {other:?}"),
        }
        // A bad sender is our configuration, not the customer's number.
        let body =
            br#"{"code": 21606, "message": "The From phone number is not valid", "status": 400}"#;
        assert!(matches!(
            classify_error(reqwest::StatusCode::BAD_REQUEST, body, "+4915112345678"),
            SmsError::Unavailable(_)
        ));
        assert!(matches!(
            classify_error(
                reqwest::StatusCode::BAD_REQUEST,
                b"<html>",
                "+4915112345678"
            ),
            SmsError::Unavailable(_)
        ));
    }
}
