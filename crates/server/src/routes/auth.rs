//! `POST /api/customer/auth…`: sign-in, token refresh and sign-out.

use actix_web::{HttpRequest, HttpResponse, post, web};
use portal_api_types::{
    ErrorCode, Problem,
    auth::{RefreshTokens, SignInChallenge, StartSignIn, TokenResponse, VerifySignIn},
};
use portal_db::{
    ActiveSession, customers,
    sessions::{self, Rotation},
};
use portal_domain::ChallengeId;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    auth::{self, ClientInfo},
    error::{ApiError, ApiResult},
    extract::{Customer, Json, client_ip, user_agent},
    routes::profile::profile_response,
    state::AppState,
};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(start_sign_in)
        .service(verify_sign_in)
        .service(refresh_tokens)
        .service(sign_out);
}

fn client(req: &HttpRequest, state: &AppState) -> ClientInfo {
    ClientInfo {
        ip: client_ip(req, &state.settings.server.trusted_proxies),
        user_agent: user_agent(req),
    }
}

/// Request a sign-in code
///
/// Normalises the phone number with the company's country (national and international forms are
/// accepted) and texts a 6-digit code valid for 5 minutes. The SMS ends with a WebOTP line
/// (`@host #code`) so phones offer to fill it in.
///
/// The answer is the same — status, shape and timing class — whether or not the number belongs to a
/// customer; unknown numbers simply get no SMS. Limits: a new code after 60 s, 5 codes per number
/// per hour, 20 per client address per hour, and a daily cap per company (429). After 10
/// consecutive wrong codes a number is locked for 15 minutes (429 `phone_locked`). If the SMS
/// provider fails, the answer is 503 `sms_unavailable` and the attempt does not count.
#[utoipa::path(
    tag = "Sign-in",
    request_body(content = StartSignIn, example = json!({"company": "praxis-weber", "phone": "0151 00000001"})),
    responses(
        (status = 202, description = "Code sent (or, for an unknown number, silently not sent)", body = SignInChallenge,
            example = json!({"challenge_id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13", "expires_in": 300, "resend_in": 60, "phone_masked": "+49•••••••••01"})),
        (status = 404, description = "Unknown company", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid phone number (`invalid_phone`), country not served (`country_not_allowed`) or invalid body (`validation_failed`)", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:invalid_phone", "title": "Invalid phone number", "status": 422, "detail": "phone: not a valid phone number", "code": "invalid_phone", "errors": [{"field": "phone", "message": "not a valid phone number"}]})),
        (status = 429, description = "`resend_too_soon`, `rate_limited` or `phone_locked`; see `retry_after`", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:resend_too_soon", "title": "Please wait before requesting a new code", "status": 429, "detail": "A code was just sent. Please wait before requesting another.", "code": "resend_too_soon", "retry_after": 42})),
        (status = 503, description = "SMS provider unavailable (`sms_unavailable`) or database unavailable (`service_unavailable`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/customer/auth")]
#[tracing::instrument(skip_all)]
pub async fn start_sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<StartSignIn>,
) -> ApiResult<HttpResponse> {
    let body = body.0;
    let challenge =
        auth::start_sign_in(&state, &body.company, &body.phone, &client(&req, &state)).await?;
    Ok(HttpResponse::Accepted().json(challenge))
}

/// Sign in with the code
///
/// Exchanges the code from the SMS for an access token (JWT, 15 minutes) and a refresh token
/// (single use, rotated on every refresh). Each challenge accepts at most 5 codes; after that, or
/// after 5 minutes, request a new code (`code_expired`).
#[utoipa::path(
    tag = "Sign-in",
    request_body(content = VerifySignIn, example = json!({"challenge_id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13", "code": "123456"})),
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "`invalid_code` (with `attempts_remaining`) or `code_expired`", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:invalid_code", "title": "Wrong code", "status": 401, "detail": "The code is not correct.", "code": "invalid_code", "attempts_remaining": 3})),
        (status = 422, description = "The code is not 6 digits", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`phone_locked`: too many wrong codes for this number", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/customer/auth/verify")]
#[tracing::instrument(skip_all)]
pub async fn verify_sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<VerifySignIn>,
) -> ApiResult<HttpResponse> {
    let body = body.0;
    let signed_in = auth::verify_sign_in(
        &state,
        ChallengeId::from_uuid(body.challenge_id),
        &body.code,
        &client(&req, &state),
    )
    .await?;
    let response = token_response(&state, &signed_in.session, signed_in.refresh_token).await?;
    Ok(HttpResponse::Ok().json(response))
}

/// Refresh the tokens
///
/// Exchanges a refresh token for a new access token and a new refresh token. Each refresh token
/// works once: presenting a used one again is treated as theft and ends the session on every copy
/// (`invalid_refresh_token`). Sessions end after 7 days without use and 30 days in all (shorter at
/// healthcare companies).
#[utoipa::path(
    tag = "Sign-in",
    request_body(content = RefreshTokens, example = json!({"refresh_token": "vY3o0cJ7mWZ1kq2rT9x4bN8dL5aP6sQeH0uK3fG7jRw"})),
    responses(
        (status = 200, description = "New tokens", body = TokenResponse),
        (status = 401, description = "`invalid_refresh_token`: unknown, used, expired or revoked", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:invalid_refresh_token", "title": "Session expired", "status": 401, "detail": "Please sign in again.", "code": "invalid_refresh_token"})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/customer/auth/refresh")]
#[tracing::instrument(skip_all)]
pub async fn refresh_tokens(
    state: web::Data<AppState>,
    body: Json<RefreshTokens>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let presented = crate::tokens::hash_refresh_token(&body.0.refresh_token);
    let (next, next_hash) = crate::tokens::new_refresh_token().map_err(ApiError::internal)?;
    let invalid = || ApiError::new(ErrorCode::InvalidRefreshToken, "Please sign in again.");
    match sessions::rotate(&state.db, &presented, next_hash, now).await? {
        Rotation::Rotated(session) => {
            Ok(HttpResponse::Ok().json(token_response(&state, &session, next).await?))
        }
        Rotation::Replayed => {
            tracing::warn!("refresh token replayed; session revoked");
            Err(invalid())
        }
        Rotation::Invalid => Err(invalid()),
    }
}

/// Sign out
///
/// Ends the current session: its access token and refresh token stop working at once.
#[utoipa::path(
    tag = "Sign-in",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in, or the session already ended", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:unauthorized", "title": "Authentication required", "status": 401, "detail": "Sign in to continue.", "code": "unauthorized"})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/customer/auth/logout")]
#[tracing::instrument(skip_all)]
pub async fn sign_out(state: web::Data<AppState>, customer: Customer) -> ApiResult<HttpResponse> {
    sessions::revoke(&state.db, customer.0.id, "logout", state.clock.now()).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn token_response(
    state: &AppState,
    session: &ActiveSession,
    refresh_token: String,
) -> ApiResult<TokenResponse> {
    let now = state.clock.now();
    let customer = customers::get(&state.db, &session.scope)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let access_token = state
        .tokens
        .issue(session, now)
        .map_err(ApiError::internal)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: state.tokens.ttl_seconds(),
        refresh_token,
        customer: profile_response(state, customer).await?,
    })
}
