//! `POST /api/customer/auth…`: sign-in, token refresh and sign-out.

use actix_web::{HttpRequest, HttpResponse, http::header, post, web};
use portal_api_types::{
    ErrorCode, Problem,
    auth::{RefreshTokens, SignInChallenge, StartSignIn, TokenResponse, VerifySignIn},
};
use portal_db::{
    ActiveSession,
    sessions::{self, Rotation},
};
use portal_domain::ChallengeId;
use utoipa_actix_web::service_config::ServiceConfig;

use portal_usecases::auth::{self, ClientInfo};

use crate::{
    error::{ApiError, ApiResult},
    extract::{Customer, Json, client_ip, user_agent},
    state::AppState,
    views::profile_response,
};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(start_sign_in)
        .service(verify_sign_in)
        .service(refresh_tokens)
        .service(sign_out);
}

/// Name of the browser refresh cookie.
pub const REFRESH_COOKIE: &str = "portal_refresh";
/// The only path the browser sends the refresh cookie to (refresh and sign-out live below it).
pub const REFRESH_COOKIE_PATH: &str = "/api/customer/auth";
/// Request header with which a browser asks for the refresh token as a cookie.
pub const REFRESH_TRANSPORT_HEADER: &str = "x-refresh-transport";
// The cookie outlives no session: the server ends sessions after 30 days at most.
const REFRESH_COOKIE_MAX_AGE: u32 = 30 * 24 * 3600;

/// How the refresh token travels: in the JSON body (native apps) or as a cookie page scripts can
/// never read (browsers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transport {
    Body,
    Cookie,
}

fn refresh_cookie(value: &str, max_age: u32) -> String {
    format!(
        "{REFRESH_COOKIE}={value}; Path={REFRESH_COOKIE_PATH}; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict"
    )
}

/// The refresh token from the request's cookie header, if any.
fn cookie_token(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == REFRESH_COOKIE && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

/// Answers with tokens; in cookie transport the refresh token goes into the cookie only.
fn tokens_reply(mut response: TokenResponse, transport: Transport) -> HttpResponse {
    let mut reply = HttpResponse::Ok();
    if transport == Transport::Cookie
        && let Some(token) = response.refresh_token.take()
    {
        reply.insert_header((
            header::SET_COOKIE,
            refresh_cookie(&token, REFRESH_COOKIE_MAX_AGE),
        ));
    }
    reply.json(response)
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
/// accepted) and queues a 6-digit code valid for 5 minutes; it is texted right after the answer.
/// The SMS ends with a WebOTP line (`@host #code`) so phones offer to fill it in.
///
/// The answer is the same — status, body, headers and timing — whether or not the number belongs
/// to a customer, and whether or not the SMS provider is up: the answer never waits for the
/// provider, and unknown numbers simply get no SMS. Limits: a new code after 60 s, 5 codes per
/// number per hour, 20 per client address per hour, and a daily cap per company on codes sent
/// (429). After 10 consecutive wrong codes a number is locked for 15 minutes (429
/// `phone_locked`). A code the provider could not take does not count against the hourly limits.
#[utoipa::path(
    tag = "Sign-in",
    request_body(content = StartSignIn, example = json!({"company": "praxis-weber", "phone": "0151 00000001"})),
    responses(
        (status = 202, description = "Code queued (or, for an unknown number, silently not)", body = SignInChallenge,
            example = json!({"challenge_id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13", "expires_in": 300, "resend_in": 60, "phone_masked": "+49•••••••••01"})),
        (status = 404, description = "Unknown company", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid phone number (`invalid_phone`), country not served (`country_not_allowed`) or invalid body (`validation_failed`)", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:invalid_phone", "title": "Invalid phone number", "status": 422, "detail": "phone: not a valid phone number", "code": "invalid_phone", "errors": [{"field": "phone", "message": "not a valid phone number"}]})),
        (status = 429, description = "`resend_too_soon`, `rate_limited` or `phone_locked`; see `retry_after`", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:resend_too_soon", "title": "Please wait before requesting a new code", "status": 429, "detail": "A code was just sent. Please wait before requesting another.", "code": "resend_too_soon", "retry_after": 42})),
        (status = 503, description = "Database unavailable (`service_unavailable`)", body = Problem, content_type = "application/problem+json"),
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
    let challenge = auth::start_sign_in(
        &state.ctx(),
        &body.company,
        &body.phone,
        &client(&req, &state),
    )
    .await?;
    Ok(HttpResponse::Accepted().json(challenge))
}

/// Sign in with the code
///
/// Exchanges the code from the SMS for an access token (JWT, 15 minutes) and a refresh token
/// (single use, rotated on every refresh). Each challenge accepts at most 5 codes; after that, or
/// after 5 minutes, request a new code (`code_expired`).
///
/// Browsers send `X-Refresh-Transport: cookie`: the refresh token then comes as an `HttpOnly`,
/// `Secure`, `SameSite=Strict` cookie scoped to `/api/customer/auth` instead of in the body, so page
/// scripts can never read it.
#[utoipa::path(
    tag = "Sign-in",
    params(("X-Refresh-Transport" = Option<String>, Header, description = "`cookie`: deliver the refresh token as an HttpOnly cookie (browsers)")),
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
    let signed_in = auth::verify_code(
        &state.ctx(),
        ChallengeId::from_uuid(body.challenge_id),
        &body.code,
        &client(&req, &state),
    )
    .await?;
    let transport = match req.headers().get(REFRESH_TRANSPORT_HEADER) {
        Some(v) if v.as_bytes().eq_ignore_ascii_case(b"cookie") => Transport::Cookie,
        _ => Transport::Body,
    };
    let response = token_response(&state, &signed_in.session, signed_in.refresh_token).await?;
    Ok(tokens_reply(response, transport))
}

/// Refresh the tokens
///
/// Exchanges a refresh token for a new access token and a new refresh token. Each refresh token
/// works once: presenting a used one again is treated as theft and ends the session on every copy
/// (`invalid_refresh_token`). Sessions end after 7 days without use and 30 days in all (shorter at
/// healthcare companies).
///
/// Browsers signed in with the refresh cookie send no token (no body, or `{}`): the cookie is used
/// and replaced by the next one, and the body carries no refresh token.
#[utoipa::path(
    tag = "Sign-in",
    request_body(content = Option<RefreshTokens>, example = json!({"refresh_token": "vY3o0cJ7mWZ1kq2rT9x4bN8dL5aP6sQeH0uK3fG7jRw"})),
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
    req: HttpRequest,
    raw: web::Bytes,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let invalid = || ApiError::new(ErrorCode::InvalidRefreshToken, "Please sign in again.");
    // No body at all is the browser's cookie refresh; any body goes through the usual JSON rules
    // (content type, unknown fields), so a malformed one is reported, not mistaken for "no token".
    let body = if raw.is_empty() {
        RefreshTokens::default()
    } else {
        use actix_web::FromRequest;
        Json::<RefreshTokens>::from_request(&req, &mut actix_web::dev::Payload::from(raw))
            .await?
            .0
    };
    let (presented, transport) = match body.refresh_token {
        Some(token) => (token, Transport::Body),
        None => (cookie_token(&req).ok_or_else(invalid)?, Transport::Cookie),
    };
    let presented = sessions::hash_refresh_token(&presented);
    let (next, next_hash) = sessions::new_refresh_token().map_err(ApiError::internal)?;
    match sessions::rotate(&state.db, &presented, next_hash, now).await? {
        Rotation::Rotated(session) => Ok(tokens_reply(
            token_response(&state, &session, next).await?,
            transport,
        )),
        Rotation::Replayed => {
            tracing::warn!("refresh token replayed; session revoked");
            Err(invalid())
        }
        Rotation::Invalid => Err(invalid()),
    }
}

/// Sign out
///
/// Ends the current session: its access token and refresh token stop working at once, and the
/// browser refresh cookie is cleared.
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
    portal_usecases::sessions::sign_out(&state.ctx(), &customer.0.scope, customer.0.id).await?;
    Ok(HttpResponse::NoContent()
        .insert_header((header::SET_COOKIE, refresh_cookie("", 0)))
        .finish())
}

async fn token_response(
    state: &AppState,
    session: &ActiveSession,
    refresh_token: String,
) -> ApiResult<TokenResponse> {
    let now = state.clock.now();
    let customer =
        portal_usecases::profile::signed_in_customer(&state.ctx(), &session.scope).await?;
    let company = portal_db::companies::find(&state.db, session.scope.company_id())
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
        refresh_token: Some(refresh_token),
        customer: profile_response(customer, &company),
    })
}
