//! Web Push (RFC 8030) with VAPID (RFC 8292) and `aes128gcm` payload encryption (RFC 8291), built
//! with the `web-push` crate and sent with our own reqwest client, so no second HTTP stack is pulled in
//! and tests can point subscriptions at a local fake push service.

use std::{fmt, time::Duration};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portal_domain::SecretString;
use rand::TryRngCore;
use web_push::{ContentEncoding, SubscriptionInfo, VapidSignatureBuilder, WebPushMessageBuilder};

/// A browser's subscription, as the Push API gives it.
#[derive(Clone, PartialEq, Eq)]
pub struct PushTarget {
    /// The push service URL.
    pub endpoint: String,
    /// The browser's P-256 public key (base64url).
    pub p256dh: String,
    /// The 16-byte auth secret (base64url).
    pub auth: String,
}

impl fmt::Debug for PushTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PushTarget([redacted])")
    }
}

/// Why a push message was not delivered.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The subscription no longer exists (404 or 410): delete it.
    #[error("push subscription gone")]
    Gone,
    /// The push service refused the message for good (other 4xx, bad keys).
    #[error("push rejected: {0}")]
    Rejected(String),
    /// Network, timeout, 429 or 5xx: retry later.
    #[error("push service unavailable: {0}")]
    Unavailable(String),
}

/// A fresh VAPID private key: 32 random bytes that form a valid P-256 scalar, base64url.
pub fn generate_vapid_key() -> Result<SecretString, PushError> {
    for _ in 0..16 {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng
            .try_fill_bytes(&mut bytes)
            .map_err(|e| PushError::Unavailable(format!("random: {e}")))?;
        let encoded = URL_SAFE_NO_PAD.encode(bytes);
        if VapidSignatureBuilder::from_base64_no_sub(&encoded).is_ok() {
            return Ok(SecretString::new(encoded));
        }
    }
    Err(PushError::Unavailable(
        "could not generate a VAPID key".into(),
    ))
}

/// The public key browsers need (`applicationServerKey`), base64url of the uncompressed point.
pub fn vapid_public_key(private_key: &SecretString) -> Result<String, PushError> {
    let builder = VapidSignatureBuilder::from_base64_no_sub(private_key.expose())
        .map_err(|e| PushError::Rejected(format!("VAPID key: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(builder.get_public_key()))
}

/// Sends Web Push messages signed with the server's VAPID key.
#[derive(Clone)]
pub struct WebPushSender {
    http: reqwest::Client,
    private_key: SecretString,
    subject: String,
}

impl fmt::Debug for WebPushSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebPushSender")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

impl WebPushSender {
    /// `subject` is the VAPID contact (`mailto:…` or `https://…`).
    pub fn new(
        private_key: SecretString,
        subject: String,
        timeout: Duration,
    ) -> Result<Self, PushError> {
        vapid_public_key(&private_key)?;
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| PushError::Unavailable(format!("HTTP client: {e}")))?;
        Ok(Self {
            http,
            private_key,
            subject,
        })
    }

    /// Encrypts `payload` for `target` and posts it to its push service.
    #[tracing::instrument(name = "webpush.send", skip_all, fields(http_status = tracing::field::Empty))]
    pub async fn send(&self, target: &PushTarget, payload: &[u8]) -> Result<(), PushError> {
        let info = SubscriptionInfo::new(
            target.endpoint.as_str(),
            target.p256dh.as_str(),
            target.auth.as_str(),
        );
        let mut signature = VapidSignatureBuilder::from_base64(self.private_key.expose(), &info)
            .map_err(|e| PushError::Rejected(format!("VAPID: {e}")))?;
        signature.add_claim("sub", self.subject.as_str());
        let signature = signature
            .build()
            .map_err(|e| PushError::Rejected(format!("VAPID signature: {e}")))?;
        let mut builder = WebPushMessageBuilder::new(&info);
        builder.set_payload(ContentEncoding::Aes128Gcm, payload);
        builder.set_vapid_signature(signature);
        builder.set_ttl(24 * 3600);
        let message = builder
            .build()
            .map_err(|e| PushError::Rejected(format!("encryption: {e}")))?;

        let mut request = self
            .http
            .post(message.endpoint.to_string())
            .header("TTL", message.ttl.to_string());
        if let Some(payload) = message.payload {
            request = request
                .header("Content-Encoding", payload.content_encoding.to_str())
                .header("Content-Type", "application/octet-stream");
            for (name, value) in payload.crypto_headers {
                request = request.header(name, value);
            }
            request = request.body(payload.content);
        }
        let response = request
            .send()
            .await
            .map_err(|e| PushError::Unavailable(e.without_url().to_string()))?;
        let status = response.status();
        tracing::Span::current().record("http_status", status.as_u16());
        match status.as_u16() {
            200..=299 => Ok(()),
            404 | 410 => Err(PushError::Gone),
            429 | 500..=599 => Err(PushError::Unavailable(format!("HTTP {status}"))),
            _ => Err(PushError::Rejected(format!("HTTP {status}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_have_a_public_key() {
        let key = generate_vapid_key().unwrap();
        let public = URL_SAFE_NO_PAD
            .decode(vapid_public_key(&key).unwrap())
            .unwrap();
        assert_eq!(public.len(), 65);
        assert_eq!(public[0], 4, "uncompressed point");
        assert_ne!(generate_vapid_key().unwrap().expose(), key.expose());
        assert!(vapid_public_key(&SecretString::new("not-a-key")).is_err());
    }
}
