//! Signed webhook deliveries to integrators.
//!
//! Each request carries `X-Portal-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
//! `"<t>.<body>"` with the endpoint's secret, so receivers can check origin and freshness
//! (reject `t` older than a few minutes) — the scheme Stripe and others use.

use hmac::{Hmac, Mac};
use portal_domain::SecretString;
use sha2::Sha256;
use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use url::Url;

use crate::outbound::OutboundGuard;

/// The signature header value for `body` sent at `timestamp` (Unix seconds).
pub fn signature(secret: &SecretString, timestamp: i64, body: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this arm cannot be reached.
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Checks a signature header for `body` (for receivers and tests), in constant time.
pub fn verify(secret: &SecretString, header: &str, body: &str) -> bool {
    let Some(timestamp) = header
        .split(',')
        .find_map(|p| p.strip_prefix("t="))
        .and_then(|t| t.parse::<i64>().ok())
    else {
        return false;
    };
    let expected = signature(secret, timestamp, body);
    subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), header.as_bytes()).into()
}

/// What one delivery attempt returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// HTTP status, if a response came.
    pub status: Option<u16>,
    /// What went wrong, if anything.
    pub error: Option<String>,
    /// Duration.
    pub duration: Duration,
}

impl Attempt {
    /// True for a 2xx answer.
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Sends webhook requests, only to targets the [`OutboundGuard`] allows.
#[derive(Debug, Clone)]
pub struct WebhookClient {
    timeout: Duration,
    guard: OutboundGuard,
}

impl WebhookClient {
    /// A client with a per-request timeout that calls only what `guard` allows. Redirects are not
    /// followed (a moved endpoint must be re-registered, not silently followed elsewhere).
    pub fn new(timeout: Duration, guard: OutboundGuard) -> Self {
        Self { timeout, guard }
    }

    /// The guard registrations are checked with.
    pub fn guard(&self) -> OutboundGuard {
        self.guard
    }

    /// An HTTP client that connects to `url`'s host only at `addresses` (the ones just checked).
    fn pinned(
        &self,
        url: &Url,
        addresses: &[SocketAddr],
    ) -> Result<reqwest::Client, reqwest::Error> {
        let mut builder = reqwest::Client::builder()
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none());
        if let Some(url::Host::Domain(host)) = url.host() {
            builder = builder.resolve_to_addrs(host, addresses);
        }
        builder.build()
    }

    /// POSTs `body` to `url`, signed.
    #[tracing::instrument(skip_all, fields(event, delivery = %delivery_id))]
    pub async fn send(
        &self,
        url: &str,
        secret: &SecretString,
        event: &str,
        delivery_id: &str,
        body: &str,
        timestamp: i64,
    ) -> Attempt {
        let started = Instant::now();
        // Checked again at every delivery: the name may resolve elsewhere than at registration.
        let target = Url::parse(url).ok();
        let addresses = match &target {
            Some(target) => self.guard.resolve(target).await.ok(),
            None => None,
        };
        let client = match (&target, &addresses) {
            (Some(target), Some(addresses)) => self.pinned(target, addresses).ok(),
            _ => None,
        };
        let Some(client) = client else {
            return Attempt {
                status: None,
                error: Some(UNREACHABLE.into()),
                duration: started.elapsed(),
            };
        };
        let result = client
            .post(url)
            .header("content-type", "application/json")
            .header("user-agent", "customer-portal-webhooks/1")
            .header("x-portal-event", event)
            .header("x-portal-delivery", delivery_id)
            .header("x-portal-signature", signature(secret, timestamp, body))
            .body(body.to_owned())
            .send()
            .await;
        let duration = started.elapsed();
        match result {
            Ok(response) => {
                let status = response.status().as_u16();
                let error = (!response.status().is_success()).then(|| format!("HTTP {status}"));
                Attempt {
                    status: Some(status),
                    error,
                    duration,
                }
            }
            // Refused, closed, timed out: one word, so the log cannot map anyone's network.
            Err(_) => Attempt {
                status: None,
                error: Some(UNREACHABLE.into()),
                duration,
            },
        }
    }
}

/// What the delivery log says of any attempt that got no HTTP answer.
const UNREACHABLE: &str = "unreachable";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_round_trips_and_detects_tampering() {
        let secret = SecretString::new("whsec_test");
        let header = signature(&secret, 1_795_000_000, r#"{"a":1}"#);
        assert!(header.starts_with("t=1795000000,v1="));
        assert_eq!(header.len(), "t=1795000000,v1=".len() + 64);
        assert!(verify(&secret, &header, r#"{"a":1}"#));
        assert!(!verify(&secret, &header, r#"{"a":2}"#));
        assert!(!verify(&SecretString::new("other"), &header, r#"{"a":1}"#));
        assert!(!verify(
            &secret,
            &header.replace("t=1795000000", "t=1795000001"),
            r#"{"a":1}"#
        ));
    }
}
