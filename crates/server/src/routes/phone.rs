//! `/api/customer/profile/phone`: changing the phone number, proven by a code texted to the new
//! number. The old number is told, and every other session ends.

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Duration;
use hmac::Mac;
use portal_api_types::{
    ErrorCode, Problem,
    auth::SignInChallenge,
    profile::{ChangePhone, ProfileResponse, VerifyPhoneChange},
};
use portal_db::{
    DbError, customers,
    notifications::NewNotification,
    otp::{self, NewChallenge},
};
use portal_domain::{ChallengeId, Locale};
use portal_notify::SmsMessage;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::extract::signed_in_customer;
use crate::{
    auth::{check_code_limits, code_mac, locked, parse_phone, random_code},
    error::{ApiError, ApiResult},
    extract::{Customer, Json, client_ip},
    state::AppState,
    views::profile_response,
};

const PURPOSE: &str = "phone_change";

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(start_phone_change).service(verify_phone_change);
}

fn taken() -> ApiError {
    ApiError::new(
        ErrorCode::PhoneTaken,
        "Another customer of this business already has this number.",
    )
}

/// Change the phone number
///
/// Texts a 6-digit code (valid 5 minutes) to the new number; confirm it with
/// `POST /api/customer/profile/phone/verify`. Needs a sign-in within the last 10 minutes
/// (401 `reauth_required`). The new number is read like at sign-in (national numbers in the
/// company's country; only countries the company serves). A number another customer of the same
/// business has is refused with 409 `phone_taken`. The sign-in limits apply to the new number
/// (60 s between codes, 5 per hour, 20 per address); a failing SMS provider answers 503
/// `sms_unavailable` and costs no attempt.
#[utoipa::path(
    tag = "Profile",
    security(("bearer" = [])),
    request_body(content = ChangePhone, example = json!({"phone": "0151 23456789"})),
    responses(
        (status = 202, description = "Code sent to the new number", body = SignInChallenge,
            example = json!({"challenge_id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13", "expires_in": 300, "resend_in": 60, "phone_masked": "+49•••••••••89"})),
        (status = 401, description = "Not signed in, or `reauth_required`", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:reauth_required", "title": "Recent sign-in required", "status": 401, "detail": "Please sign in again: this needs a sign-in within the last 10 minutes.", "code": "reauth_required"})),
        (status = 409, description = "`phone_taken`: another customer has this number", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_phone`, `country_not_allowed`, or the number is already yours (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`resend_too_soon`, `rate_limited` or `phone_locked`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`sms_unavailable` or database unavailable", body = Problem, content_type = "application/problem+json"),
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
    let now = state.clock.now();
    let scope = customer.recently_signed_in(now)?;
    let rules = &state.settings.otp;
    let ip = client_ip(&req, &state.settings.server.trusted_proxies);
    let company = &customer.1;
    let me = signed_in_customer(&state, scope).await?;
    let phone = parse_phone(&body.0.phone, company)?;
    if me.phone.as_ref() == Some(&phone) {
        return Err(ApiError::invalid_field(
            ErrorCode::ValidationFailed,
            "phone",
            "this is already your number",
        ));
    }
    if customers::find_by_phone(&state.db, company.id, &phone)
        .await?
        .is_some()
    {
        return Err(taken());
    }
    check_code_limits(&state, company, &phone, &ip, now).await?;
    let id = ChallengeId::new();
    let code = random_code()?;
    let code_hmac = hex::encode(
        code_mac(&state, id, company.id, &code)?
            .finalize()
            .into_bytes(),
    );
    otp::insert(
        &state.db,
        NewChallenge {
            id,
            company_id: company.id,
            customer_id: Some(scope.customer_id()),
            phone: phone.clone(),
            purpose: PURPOSE,
            code_hmac,
            expires_at: now + Duration::seconds(rules.ttl_seconds.into()),
            ip,
        },
        now,
    )
    .await?;
    let text = match me.locale.unwrap_or(company.locale) {
        Locale::De => format!(
            "{} ist Ihr Code, um diese Nummer bei {} zu hinterlegen. Gültig {} Minuten.",
            code.expose(),
            company.name,
            rules.ttl_seconds / 60
        ),
        Locale::En => format!(
            "{} is your code to use this number at {}. Valid for {} minutes.",
            code.expose(),
            company.name,
            rules.ttl_seconds / 60
        ),
    };
    if let Err(err) = state
        .sms
        .send(&SmsMessage {
            to: phone.as_str().to_owned(),
            body: text,
        })
        .await
    {
        otp::delete(&state.db, id).await?;
        state.metrics.sms_failures.inc();
        return Err(err.into());
    }
    state.metrics.sms_sent.inc();
    tracing::info!(phone = %phone.masked(), "phone change code issued");
    Ok(HttpResponse::Accepted().json(SignInChallenge {
        challenge_id: id.as_uuid(),
        expires_in: rules.ttl_seconds,
        resend_in: rules.resend_seconds,
        phone_masked: phone.masked(),
    }))
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
    let now = state.clock.now();
    let scope = *customer.recently_signed_in(now)?;
    let rules = &state.settings.otp;
    let body = body.0;
    let challenge_id = ChallengeId::from_uuid(body.challenge_id);
    let expired = || {
        ApiError::new(
            ErrorCode::CodeExpired,
            "This code is no longer valid. Please request a new one.",
        )
    };
    let challenge = otp::find(&state.db, challenge_id)
        .await?
        .filter(|c| {
            c.purpose == PURPOSE
                && c.company_id == scope.company_id()
                && c.customer_id == Some(scope.customer_id())
        })
        .ok_or_else(expired)?;
    let company = challenge.company_id;
    if let Some(until) = otp::locked_until(&state.db, company, &challenge.phone, now).await? {
        return Err(locked(until - now));
    }
    if !otp::claim_attempt(&state.db, challenge_id, rules.max_attempts, now).await? {
        return Err(expired());
    }
    let matches = code_mac(&state, challenge_id, company, &body.code)?
        .verify_slice(&hex::decode(&challenge.code_hmac).map_err(ApiError::internal)?)
        .is_ok();
    if !matches || !otp::consume(&state.db, challenge_id, now).await? {
        if let Some(until) = otp::record_failure(
            &state.db,
            company,
            &challenge.phone,
            rules.lock_threshold,
            Duration::minutes(rules.lock_minutes.into()),
            now,
        )
        .await?
        {
            return Err(locked(until - now));
        }
        return Err(
            ApiError::new(ErrorCode::InvalidCode, "The code is not correct.")
                .attempts_remaining(rules.max_attempts.saturating_sub(challenge.attempts + 1)),
        );
    }
    otp::clear_failures(&state.db, company, &challenge.phone).await?;

    let me = signed_in_customer(&state, &scope).await?;
    let company_row = &customer.1;
    let notice = match me.locale.unwrap_or(company_row.locale) {
        Locale::De => format!(
            "Ihre Telefonnummer bei {} wurde soeben auf {} geändert. Waren Sie das nicht? Rufen Sie uns bitte an.",
            company_row.name,
            challenge.phone.masked()
        ),
        Locale::En => format!(
            "Your phone number at {} was just changed to {}. Not you? Please call us.",
            company_row.name,
            challenge.phone.masked()
        ),
    };
    let notice = me.phone.as_ref().map(|old| NewNotification {
        company_id: company,
        customer_id: Some(scope.customer_id()),
        channel: "sms",
        kind: "phone_changed",
        recipient: old.as_str().to_owned(),
        subject: None,
        body_text: notice,
        ..NewNotification::default()
    });
    let ended = match customers::change_phone(
        &state.db,
        &scope,
        &challenge.phone,
        notice,
        customer.0.id,
        now,
    )
    .await
    {
        Ok(Some(ended)) => ended,
        Ok(None) => return Err(ApiError::unauthorized()),
        Err(DbError::Conflict(_)) => return Err(taken()),
        Err(err) => return Err(err.into()),
    };
    tracing::info!(phone = %challenge.phone.masked(), sessions_ended = ended, "phone number changed");
    let row = signed_in_customer(&state, &scope).await?;
    Ok(web::Json(profile_response(row, &customer.1)))
}
