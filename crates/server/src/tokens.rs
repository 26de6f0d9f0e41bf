//! Access tokens (HS256 JWT, 15 minutes) and refresh tokens (256 random bits, stored hashed).

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use portal_db::ActiveSession;
use portal_domain::{CompanyId, CustomerId, SecretString, SessionId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const ACCESS_TYP: &str = "access";

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Customer id.
    pub sub: Uuid,
    /// Company id.
    pub cid: Uuid,
    /// Session id.
    pub sid: Uuid,
    /// When the customer last proved the phone (Unix seconds).
    pub auth_time: i64,
    /// Issued at.
    pub iat: i64,
    /// Not before.
    pub nbf: i64,
    /// Expiry.
    pub exp: i64,
    /// Token kind; always `access`.
    pub typ: String,
}

/// The verified identity an access token carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedToken {
    /// Company.
    pub company_id: CompanyId,
    /// Customer.
    pub customer_id: CustomerId,
    /// Session.
    pub session_id: SessionId,
}

/// Signs and checks access tokens. The algorithm is pinned to HS256 with a key of at least 256 bits.
#[derive(Clone)]
pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl_seconds: u32,
}

impl std::fmt::Debug for TokenService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenService")
            .field("issuer", &self.issuer)
            .field("ttl_seconds", &self.ttl_seconds)
            .finish_non_exhaustive()
    }
}

impl TokenService {
    /// A service signing with `secret`.
    pub fn new(secret: &SecretString, issuer: &str, audience: &str, ttl_seconds: u32) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        // Expiry and not-before are checked against the injected clock below, not the system's.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        Self {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
            validation,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            ttl_seconds,
        }
    }

    /// Lifetime of an access token.
    pub fn ttl_seconds(&self) -> u32 {
        self.ttl_seconds
    }

    /// Issues an access token for a live session.
    pub fn issue(
        &self,
        session: &ActiveSession,
        now: DateTime<Utc>,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let now_s = now.timestamp();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: session.scope.customer_id().as_uuid(),
            cid: session.scope.company_id().as_uuid(),
            sid: session.id.as_uuid(),
            auth_time: session.auth_time.timestamp(),
            iat: now_s,
            nbf: now_s,
            exp: now_s + i64::from(self.ttl_seconds),
            typ: ACCESS_TYP.to_owned(),
        };
        self.sign(&claims)
    }

    /// Signs arbitrary claims (tests build forged tokens with it).
    pub fn sign(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
    }

    /// Checks signature, algorithm, issuer, audience, type, not-before and expiry. Any failure is
    /// `None`: the client learns only that the token is not good.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<VerifiedToken> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        let c = data.claims;
        let now_s = now.timestamp();
        if c.typ != ACCESS_TYP || c.nbf > now_s || c.exp <= now_s {
            return None;
        }
        Some(VerifiedToken {
            company_id: CompanyId::from_uuid(c.cid),
            customer_id: CustomerId::from_uuid(c.sub),
            session_id: SessionId::from_uuid(c.sid),
        })
    }
}
