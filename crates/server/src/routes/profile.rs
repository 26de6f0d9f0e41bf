//! `/api/customer/profile`: name, email (confirmed by code), language, postal address and — at
//! healthcare businesses — date of birth.

use actix_web::{get, post, put, web};
use chrono::{Duration, NaiveDate};
use hmac::Mac;
use portal_api_types::{
    ErrorCode, Problem,
    profile::{ProfileResponse, UpdateProfile, VerifyEmail},
};
use portal_db::{
    CustomerScope, audit, customers,
    customers::{Address, ProfileUpdate},
    notifications::{self, NewNotification},
};
use portal_domain::{CustomerId, EmailAddress, Industry, Locale, OtpCode};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::extract::signed_in_customer;
use crate::{
    auth::{HmacSha256, random_code},
    error::{ApiError, ApiResult},
    extract::{Customer, Json},
    state::AppState,
    views::profile_response,
};

/// How long an email code stays valid.
const EMAIL_CODE_TTL: Duration = Duration::minutes(30);
/// Codes a pending email address accepts.
const EMAIL_CODE_ATTEMPTS: u32 = 5;
/// A new code for the same address is sent at most this often.
const EMAIL_RESEND: Duration = Duration::seconds(60);
/// Email codes one account may have sent per hour (to any addresses).
const EMAIL_CODES_PER_HOUR: u64 = 5;

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_profile)
        .service(update_profile)
        .service(verify_email);
}

/// Get the profile
///
/// The signed-in customer's phone, name, email (and an address waiting for confirmation),
/// language, postal address, date of birth (healthcare businesses) and the company the account
/// belongs to.
#[utoipa::path(
    tag = "Profile",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The profile", body = ProfileResponse,
            example = json!({"id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13", "phone": "+4915100000001", "name": "Anna Schmidt", "email": "anna@example.org", "email_verified": true, "pending_email": null, "language": "de", "address": {"street": "Hauptstraße 5", "postal_code": "10115", "city": "Berlin", "country": "DE"}, "date_of_birth": "1985-04-12", "company": {"slug": "praxis-weber", "name": "Praxis Dr. Weber"}})),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customer/profile")]
#[tracing::instrument(skip_all)]
pub async fn get_profile(
    state: web::Data<AppState>,
    customer: Customer,
) -> ApiResult<web::Json<ProfileResponse>> {
    let row = signed_in_customer(&state, &customer.0.scope).await?;
    Ok(web::Json(profile_response(row, &customer.1)))
}

/// Update the profile
///
/// Replaces name, email, language, postal address and date of birth. `name`, `email` and
/// `language` are required (`email` may be null to remove it); `address` and `date_of_birth` may
/// be left out, which removes them; unknown fields are refused.
///
/// A **new email address is not used until confirmed**: the answer shows it as `pending_email`,
/// and a 6-digit code (valid 30 minutes) is emailed to it; send the code to
/// `POST /api/customer/profile/email/verify`. Sending the same pending address again within a
/// minute sends no new code; an account gets at most 5 confirmation emails an hour (429
/// `rate_limited`, and nothing is changed). `date_of_birth` is kept only by healthcare businesses (elsewhere it
/// must be null). The phone number changes only through `POST /api/customer/profile/phone`.
#[utoipa::path(
    tag = "Profile",
    security(("bearer" = [])),
    request_body(content = UpdateProfile, example = json!({"name": "Anna Schmidt", "email": "anna@example.org", "language": "en", "address": {"street": "Hauptstraße 5", "postal_code": "10115", "city": "Berlin", "country": "DE"}, "date_of_birth": "1985-04-12"})),
    responses(
        (status = 200, description = "The updated profile", body = ProfileResponse),
        (status = 400, description = "Malformed JSON (`invalid_json`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing, unknown or invalid (`validation_failed`)", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:validation_failed", "title": "Invalid request", "status": 422, "detail": "email: not a valid email address", "code": "validation_failed", "errors": [{"field": "email", "message": "not a valid email address"}]})),
        (status = 429, description = "`rate_limited`: too many confirmation emails this hour", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/customer/profile")]
#[tracing::instrument(skip_all)]
pub async fn update_profile(
    state: web::Data<AppState>,
    customer: Customer,
    body: Json<UpdateProfile>,
) -> ApiResult<web::Json<ProfileResponse>> {
    let body = body.0;
    let scope = &customer.0.scope;
    let now = state.clock.now();
    let company = &customer.1;
    if let Some(born) = body.date_of_birth {
        let field = |message: &str| {
            ApiError::invalid_field(ErrorCode::ValidationFailed, "date_of_birth", message)
        };
        if company.industry != Industry::Healthcare {
            return Err(field(
                "only healthcare businesses keep a date of birth; send null",
            ));
        }
        let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
        if born < earliest || born > now.date_naive() {
            return Err(field("must lie between 1900-01-01 and today"));
        }
    }
    let current = signed_in_customer(&state, scope).await?;
    // Refuse before changing anything, so a 429 leaves the profile as it was.
    if let Some(email) = &body.email
        && current.email.as_deref() != Some(email.as_str())
        && needs_new_code(&state, scope, email).await?
    {
        check_email_budget(&state, scope).await?;
    }
    let update = ProfileUpdate {
        name: body.name,
        locale: body.language,
        address: body.address.map(|a| Address {
            street: a.street.into(),
            postal_code: a.postal_code.into(),
            city: a.city.into(),
            country: a.country.into(),
        }),
        date_of_birth: body.date_of_birth,
    };
    if !customers::update_profile(&state.db, scope, &update, now).await? {
        return Err(ApiError::unauthorized());
    }
    match body.email {
        None if current.email.is_some() || current.pending_email.is_some() => {
            customers::remove_email(&state.db, scope, now).await?;
        }
        None => {}
        Some(email) if current.email.as_deref() == Some(email.as_str()) => {}
        Some(email) => {
            start_email_change(&state, scope, &email, body.language, &company.name).await?;
        }
    }
    audit::record(
        &state.db,
        audit::AuditEntry {
            company_id: scope.company_id(),
            customer_id: Some(scope.customer_id()),
            actor: "customer",
            action: "profile.update",
            target: None,
            ip: None,
        },
        now,
    )
    .await?;
    let row = signed_in_customer(&state, scope).await?;
    Ok(web::Json(profile_response(row, &customer.1)))
}

fn email_code_mac(
    state: &AppState,
    customer: CustomerId,
    email: &str,
    code: &OtpCode,
) -> ApiResult<String> {
    let mut mac = HmacSha256::new_from_slice(state.secrets.otp_hmac.expose().as_bytes())
        .map_err(ApiError::internal)?;
    mac.update(b"email_change");
    mac.update(customer.as_uuid().as_bytes());
    mac.update(email.as_bytes());
    mac.update(code.expose().as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// Whether saving `email` sends a new code: not when the same address got one a moment ago.
async fn needs_new_code(
    state: &AppState,
    scope: &CustomerScope,
    email: &EmailAddress,
) -> ApiResult<bool> {
    let now = state.clock.now();
    Ok(match customers::pending_email(&state.db, scope).await? {
        Some(pending) => {
            pending.email != email.as_str()
                || pending.expires_at - EMAIL_CODE_TTL + EMAIL_RESEND <= now
        }
        None => true,
    })
}

/// 429 when the account already had its confirmation emails for this hour.
async fn check_email_budget(state: &AppState, scope: &CustomerScope) -> ApiResult<()> {
    let since = state.clock.now() - Duration::hours(1);
    if customers::email_codes_since(&state.db, scope, since).await? >= EMAIL_CODES_PER_HOUR {
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            "Too many confirmation emails were requested. Please try again later.",
        )
        .retry_after(3600));
    }
    Ok(())
}

/// Stores the address as pending and queues an email with its code (unless the same address got
/// a code less than a minute ago).
async fn start_email_change(
    state: &AppState,
    scope: &CustomerScope,
    email: &EmailAddress,
    locale: Locale,
    company_name: &str,
) -> ApiResult<()> {
    let now = state.clock.now();
    if !needs_new_code(state, scope, email).await? {
        return Ok(());
    }
    let code = random_code()?;
    let mac = email_code_mac(state, scope.customer_id(), email.as_str(), &code)?;
    let (subject, body) = portal_notify::messages::email_code(locale, code.expose(), company_name);
    customers::start_email_change(&state.db, scope, email, &mac, now + EMAIL_CODE_TTL).await?;
    notifications::queue(
        &state.db,
        NewNotification {
            company_id: scope.company_id(),
            customer_id: Some(scope.customer_id()),
            channel: "email",
            kind: customers::EMAIL_CODE_KIND,
            recipient: email.as_str().to_owned(),
            subject: Some(subject),
            body_text: body,
            ..NewNotification::default()
        },
        now,
    )
    .await?;
    tracing::info!(customer = %scope.customer_id(), "email confirmation code queued");
    Ok(())
}

/// Confirm a new email address
///
/// Makes the pending address (see `PUT /api/customer/profile`) the customer's email, with the
/// 6-digit code emailed to it. Each code accepts 5 attempts within 30 minutes; after that, or
/// when no address is pending, the answer is 401 `code_expired` (send the address again for a
/// new code).
#[utoipa::path(
    tag = "Profile",
    security(("bearer" = [])),
    request_body(content = VerifyEmail, example = json!({"code": "123456"})),
    responses(
        (status = 200, description = "Confirmed; the updated profile", body = ProfileResponse),
        (status = 401, description = "Not signed in (`unauthorized`), wrong code (`invalid_code`, with `attempts_remaining`) or no live code (`code_expired`)", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:invalid_code", "title": "Wrong code", "status": 401, "detail": "The code is not correct.", "code": "invalid_code", "attempts_remaining": 4})),
        (status = 422, description = "The code is not 6 digits", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/customer/profile/email/verify")]
#[tracing::instrument(skip_all)]
pub async fn verify_email(
    state: web::Data<AppState>,
    customer: Customer,
    body: Json<VerifyEmail>,
) -> ApiResult<web::Json<ProfileResponse>> {
    let scope = &customer.0.scope;
    let now = state.clock.now();
    let expired = || {
        ApiError::new(
            ErrorCode::CodeExpired,
            "No code is waiting, or it expired. Save the address again for a new code.",
        )
    };
    let pending = customers::pending_email(&state.db, scope)
        .await?
        .ok_or_else(expired)?;
    if !customers::claim_email_attempt(&state.db, scope, EMAIL_CODE_ATTEMPTS, now).await? {
        return Err(expired());
    }
    let mac = email_code_mac(&state, scope.customer_id(), &pending.email, &body.0.code)?;
    let matches: bool =
        subtle::ConstantTimeEq::ct_eq(mac.as_bytes(), pending.code_hmac.as_bytes()).into();
    if !matches || !customers::confirm_email(&state.db, scope, &pending.code_hmac, now).await? {
        return Err(
            ApiError::new(ErrorCode::InvalidCode, "The code is not correct.")
                .attempts_remaining(EMAIL_CODE_ATTEMPTS.saturating_sub(pending.attempts + 1)),
        );
    }
    audit::record(
        &state.db,
        audit::AuditEntry {
            company_id: scope.company_id(),
            customer_id: Some(scope.customer_id()),
            actor: "customer",
            action: "profile.email_confirmed",
            target: None,
            ip: None,
        },
        now,
    )
    .await?;
    let row = signed_in_customer(&state, scope).await?;
    Ok(web::Json(profile_response(row, &customer.1)))
}
