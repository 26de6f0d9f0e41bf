//! `Idempotency-Key` on every integrator `POST`.
//!
//! The middleware authenticates the key (idempotency records belong to an API key), reads the body,
//! and hashes method, path and body. Then it claims the key in the database before the handler
//! runs — an insert that the unique index `(api_key_id, key)` lets only one request win:
//! - the winner runs the handler and stores its final status and body; a transient outcome (5xx, 403,
//!   409, 429) gives the key back instead, so the client may retry with it;
//! - a duplicate of a finished request gets the stored answer with `Idempotent-Replayed: true`, and
//!   nothing runs again;
//! - a duplicate of a request still running gets 409 `conflict` (retry after a second);
//! - the same key with a different request gets 422 `idempotency_key_reused`.
//!
//! The claim commits before the handler starts, so two instances behind a load balancer cannot both
//! run a request. The price: if the process dies between the handler's commit and storing the
//! answer, the key stays "in progress" until it expires after 24 hours and the client must decide
//! with a fresh key — never a silent double booking.

use actix_web::{
    Error, HttpResponse, ResponseError,
    body::{self, BoxBody, MessageBody},
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::{Method, StatusCode, header::HeaderName},
    middleware::Next,
    web::{self, Bytes},
};
use portal_api_types::ErrorCode;
use portal_db::idempotency::{self, Begin, IdempotentRequest, StoredResponse};
use sha2::{Digest, Sha256};

use crate::{error::ApiError, integrations::auth, state::AppState};

/// The request header.
pub const HEADER: &str = "Idempotency-Key";
/// Set on a replayed response.
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The middleware; wraps the whole integrator scope and acts on `POST` only.
pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    // Only a POST some route answers: anything else goes on to its route or its 404/405.
    let routed_post = req.method() == Method::POST
        && req
            .app_data::<web::Data<crate::openapi::Methods>>()
            .and_then(|methods| methods.allowed(req.path()))
            .is_some_and(|allow| allow.split(", ").any(|m| m == "POST"));
    if !routed_post {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(req.error_response(ApiError::internal("application state missing")));
    };
    let scope = match auth::authenticate(req.request()).await {
        Ok(scope) => scope,
        Err(err) => return Ok(req.error_response(err)),
    };
    let key = match idempotency_key(&req) {
        Ok(key) => key,
        Err(err) => return Ok(req.error_response(err)),
    };
    let body = match req.extract::<Bytes>().await {
        Ok(body) => body,
        Err(err) => {
            return Ok(req.error_response(
                ApiError::new(ErrorCode::PayloadTooLarge, "The request body is too large.")
                    .with_cause(err),
            ));
        }
    };
    req.set_payload(Payload::from(body.clone()));
    let hash = request_hash(&req, &body);
    let request = IdempotentRequest {
        company_id: scope.company_id(),
        api_key_id: scope.key_id(),
        key: &key,
        request_hash: &hash,
    };
    let now = state.clock.now();
    let claim = match idempotency::begin(&state.db, request, now).await {
        Ok(Begin::Claimed(claim)) => claim,
        Ok(Begin::Replay(stored)) => {
            tracing::info!(key = %scope.key_prefix(), status = stored.status, "idempotent replay");
            let response = replay(&stored);
            return Ok(req.into_response(response));
        }
        Ok(Begin::InProgress) => {
            return Ok(req.error_response(
                ApiError::new(
                    ErrorCode::Conflict,
                    "A request with this Idempotency-Key is still in progress; retry shortly.",
                )
                .retry_after(1),
            ));
        }
        Ok(Begin::Mismatch) => {
            return Ok(req.error_response(ApiError::new(
                ErrorCode::IdempotencyKeyReused,
                "This Idempotency-Key was already used for a different request.",
            )));
        }
        Err(err) => return Ok(req.error_response(ApiError::from(err))),
    };

    let res = next.call(req).await?;
    let status = res.status();
    if !is_final(status) {
        if let Err(err) = idempotency::release(&state.db, claim).await {
            tracing::error!(error = %err, "releasing an idempotency key failed");
        }
        return Ok(res.map_into_boxed_body());
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let bytes = match body::to_bytes(body).await {
        Ok(bytes) => bytes,
        Err(err) => {
            let cause: Box<dyn std::error::Error> = err.into();
            let err = ApiError::internal(format!("reading the response body: {cause}"));
            return Ok(ServiceResponse::new(req, err.error_response()));
        }
    };
    let stored = StoredResponse {
        status: status.as_u16(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    if let Err(err) = idempotency::complete(&state.db, claim, &stored).await {
        // The work is done; answer it. A retry will see "in progress" until the key expires.
        tracing::error!(error = %err, "storing an idempotent response failed");
    }
    Ok(ServiceResponse::new(
        req,
        head.set_body(bytes).map_into_boxed_body(),
    ))
}

/// Outcomes that depend only on the request (stored and replayed). Others can change with time —
/// a scope granted, a conflict resolved, the database back — and leave the key free.
fn is_final(status: StatusCode) -> bool {
    status.is_success()
        || matches!(
            status,
            StatusCode::BAD_REQUEST
                | StatusCode::NOT_FOUND
                | StatusCode::PAYLOAD_TOO_LARGE
                | StatusCode::UNSUPPORTED_MEDIA_TYPE
                | StatusCode::UNPROCESSABLE_ENTITY
        )
}

fn idempotency_key(req: &ServiceRequest) -> Result<String, ApiError> {
    let refuse =
        |message: &str| ApiError::invalid_field(ErrorCode::ValidationFailed, HEADER, message);
    let value = req
        .headers()
        .get(HEADER)
        .ok_or_else(|| refuse("this header is required on every POST"))?;
    let text = value
        .to_str()
        .ok()
        .filter(|s| (1..=255).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| refuse("must be 1-255 visible ASCII characters"))?;
    Ok(text.to_owned())
}

fn request_hash(req: &ServiceRequest, body: &[u8]) -> String {
    let target = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.path().to_owned(), ToString::to_string);
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str().as_bytes());
    hasher.update(b"\n");
    hasher.update(target.as_bytes());
    hasher.update(b"\n");
    hasher.update(body);
    hex::encode(hasher.finalize())
}

fn replay(stored: &StoredResponse) -> HttpResponse {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let content_type = if status.is_success() {
        "application/json"
    } else {
        "application/problem+json"
    };
    HttpResponse::build(status)
        .content_type(content_type)
        .insert_header((REPLAYED, "true"))
        .body(stored.body.clone())
}
