//! The integrator behind a request: `X-Api-Key: pk_…` (or `Authorization: Bearer pk_…`), checked
//! against the stored hash.

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, http::header, web};
use futures_util::future::LocalBoxFuture;
use portal_api_types::ErrorCode;
use portal_db::api_keys::{self, ApiScope, IntegratorScope};

use crate::{error::ApiError, extract::client_ip, state::AppState};

/// An authenticated API key. Built only from [`api_keys::authenticate`], so its company and branch
/// are those of a live key.
#[derive(Debug, Clone)]
pub struct Integrator(pub IntegratorScope);

impl Integrator {
    /// The key's scope, if it has `needed`; otherwise 403 `forbidden`.
    pub fn require(&self, needed: ApiScope) -> Result<&IntegratorScope, ApiError> {
        if self.0.allows(needed) {
            Ok(&self.0)
        } else {
            tracing::info!(key = %self.0.key_prefix(), scope = %needed, "API key lacks scope");
            Err(ApiError::new(
                ErrorCode::Forbidden,
                format!("This API key does not have the `{needed}` scope."),
            ))
        }
    }

    /// Like [`Self::require`], and the key must be company-wide: the operation changes something
    /// every branch shares.
    pub fn require_company_wide(&self, needed: ApiScope) -> Result<&IntegratorScope, ApiError> {
        let scope = self.require(needed)?;
        if scope.branch_id().is_some() {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "This API key is bound to one branch; use a company-wide key for this operation.",
            ));
        }
        Ok(scope)
    }
}

/// The key from `X-Api-Key`, or from `Authorization: Bearer`.
fn api_key(req: &HttpRequest) -> Option<String> {
    if let Some(key) = req.headers().get("x-api-key").and_then(|v| v.to_str().ok()) {
        return Some(key.trim().to_owned());
    }
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|token| token.trim().to_owned())
}

/// Checks the request's key. Every failure is the same 401 as for customers; the log says why.
pub async fn authenticate(req: &HttpRequest) -> Result<IntegratorScope, ApiError> {
    if let Some(scope) = req.extensions().get::<IntegratorScope>() {
        return Ok(scope.clone());
    }
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal("application state missing"))?;
    let ip = client_ip(req, &state.settings.server.trusted_proxies);
    let Some(token) = api_key(req) else {
        tracing::info!(%ip, "integrator request without API key");
        return Err(ApiError::unauthorized());
    };
    match api_keys::authenticate(&state.db, &token, state.clock.now()).await? {
        Some(scope) => {
            tracing::debug!(company = %scope.company_id(), key = %scope.key_prefix(), %ip, "API key accepted");
            req.extensions_mut().insert(scope.clone());
            Ok(scope)
        }
        None => {
            tracing::info!(%ip, "API key refused");
            Err(ApiError::unauthorized())
        }
    }
}

impl FromRequest for Integrator {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await.map(Integrator) })
    }
}
