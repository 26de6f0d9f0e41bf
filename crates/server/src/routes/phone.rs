//! `/api/customer/profile/phone`: changing the phone number, proven by a code texted to the new
//! number. The old number is told, and every other session ends.

use actix_web::{HttpRequest, HttpResponse, post, web};
use portal_api_types::{
    Problem,
    auth::SignInChallenge,
    profile::{ChangePhone, ProfileResponse, VerifyPhoneChange},
};
use portal_domain::ChallengeId;
use portal_usecases::auth;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    error::ApiResult,
    extract::{Customer, Json, client_ip},
    state::AppState,
    views::profile_response,
};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(start_phone_change).service(verify_phone_change);
}

/// Change the phone number
///
/// Texts a 6-digit code (valid 5 minutes) to the new number; confirm it with
/// `POST /api/customer/profile/phone/verify`. Needs a sign-in within the last 10 minutes
/// (401 `reauth_required`). The new number is read like at sign-in (national numbers in the
/// company's country; only countries the company serves). The answer is the same whether or not
/// another customer of the business has the number — if one has, no code is sent, so the change
/// cannot be confirmed and nobody learns who is a customer. The sign-in limits apply to the new number
/// (60 s between codes, 5 per hour, 20 per address); the code is queued and texted right after the
/// answer, and a code the provider could not take does not count against the hourly limits.
#[utoipa::path(
    tag = "Profile",
    security(("bearer" = [])),
    request_body(content = ChangePhone, example = json!({"phone": "0151 23456789"})),
    responses(
        (status = 202, description = "If the number can be used, a code is on its way to it", body = SignInChallenge,
            example = json!({"challenge_id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13", "expires_in": 300, "resend_in": 60, "phone_masked": "+49•••••••••89"})),
        (status = 401, description = "Not signed in, or `reauth_required`", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:reauth_required", "title": "Recent sign-in required", "status": 401, "detail": "Please sign in again: this needs a sign-in within the last 10 minutes.", "code": "reauth_required"})),
        (status = 422, description = "`invalid_phone`, `country_not_allowed`, or the number is already yours (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`resend_too_soon`, `rate_limited` or `phone_locked`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable (`service_unavailable`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/customer/profile/phone")]
#[tracing::instrument(skip_all)]
pub async fn start_phone_change(
    state: web::Data<AppState>,
    req: HttpRequest,
    customer: Customer,
    body: Json<ChangePhone>,
) -> ApiResult<HttpResponse> {
    let scope = customer.recently_signed_in(state.clock.now())?;
    let ip = client_ip(&req, &state.settings.server.trusted_proxies);
    let challenge =
        auth::change_phone(&state.ctx(), scope, &customer.1, &body.0.phone, &ip).await?;
    Ok(HttpResponse::Accepted().json(challenge))
}

/// Confirm the new phone number
///
/// Checks the code texted to the new number and switches to it: from now on the customer signs
/// in with the new number. The old number gets an SMS saying the number was changed (always
/// sent; it is a security notice, not a preference), and every other session ends — this one
/// stays. Needs a sign-in within the last 10 minutes. Each code accepts 5 attempts within 5
/// minutes (`code_expired` after that).
#[utoipa::path(
    tag = "Profile",
    security(("bearer" = [])),
    request_body(content = VerifyPhoneChange, example = json!({"challenge_id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13", "code": "123456"})),
    responses(
        (status = 200, description = "Switched; the updated profile", body = ProfileResponse),
        (status = 401, description = "Not signed in, `reauth_required`, `invalid_code` or `code_expired`", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:invalid_code", "title": "Wrong code", "status": 401, "detail": "The code is not correct.", "code": "invalid_code", "attempts_remaining": 4})),
        (status = 409, description = "`phone_taken`: the number was taken meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The code is not 6 digits", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`phone_locked`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/customer/profile/phone/verify")]
#[tracing::instrument(skip_all)]
pub async fn verify_phone_change(
    state: web::Data<AppState>,
    customer: Customer,
    body: Json<VerifyPhoneChange>,
) -> ApiResult<web::Json<ProfileResponse>> {
    let scope = *customer.recently_signed_in(state.clock.now())?;
    let body = body.0;
    let changed = auth::confirm_phone_change(
        &state.ctx(),
        &scope,
        &customer.1,
        customer.0.id,
        ChallengeId::from_uuid(body.challenge_id),
        &body.code,
    )
    .await?;
    Ok(web::Json(profile_response(changed.customer, &customer.1)))
}
