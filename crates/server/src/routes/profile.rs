//! `/api/customer/profile`: name, email (confirmed by code), language, postal address and — at
//! healthcare businesses — date of birth.

use actix_web::{get, post, put, web};
use portal_api_types::{
    Problem,
    profile::{ProfileResponse, UpdateProfile, VerifyEmail},
};
use portal_usecases::profile;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    error::ApiResult,
    extract::{Customer, Json},
    state::AppState,
    views::profile_response,
};

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
    let row = profile::signed_in_customer(&state.ctx(), &customer.0.scope).await?;
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
    let row = profile::update_profile(&state.ctx(), &customer.0.scope, &customer.1, body.0).await?;
    Ok(web::Json(profile_response(row, &customer.1)))
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
    let row = profile::confirm_email(&state.ctx(), &customer.0.scope, &body.0.code).await?;
    Ok(web::Json(profile_response(row, &customer.1)))
}
