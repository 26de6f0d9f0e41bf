//! `/api/customer/profile`: name, email and language.

use actix_web::{get, put, web};
use portal_api_types::{
    Problem,
    profile::{CompanySummary, ProfileResponse, UpdateProfile},
};
use portal_db::{audit, companies, customers, customers::Customer as CustomerRow};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    error::{ApiError, ApiResult},
    extract::{Customer, Json},
    state::AppState,
};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_profile).service(update_profile);
}

/// Builds the profile document of a customer.
pub async fn profile_response(
    state: &AppState,
    customer: CustomerRow,
) -> ApiResult<ProfileResponse> {
    let company = companies::find(&state.db, customer.company_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(ProfileResponse {
        id: customer.id.as_uuid(),
        phone: customer.phone.map(String::from).unwrap_or_default(),
        name: customer.name,
        email: customer.email,
        language: customer.locale.unwrap_or(company.locale),
        company: CompanySummary {
            slug: company.slug.to_string(),
            name: company.name,
        },
    })
}

/// Get the profile
///
/// The signed-in customer's phone, name, email and language, and the company the account belongs to.
#[utoipa::path(
    tag = "Profile",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The profile", body = ProfileResponse,
            example = json!({"id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13", "phone": "+4915100000001", "name": "Anna Schmidt", "email": "anna@example.org", "language": "de", "company": {"slug": "praxis-weber", "name": "Praxis Dr. Weber"}})),
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
    let row = customers::get(&state.db, &customer.0.scope)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    Ok(web::Json(profile_response(&state, row).await?))
}

/// Update the profile
///
/// Replaces name, email and language. All three fields are required (`email` may be null to remove
/// it); unknown fields are refused. The phone number changes only through the phone-change flow.
#[utoipa::path(
    tag = "Profile",
    security(("bearer" = [])),
    request_body(content = UpdateProfile, example = json!({"name": "Anna Schmidt", "email": "anna@example.org", "language": "en"})),
    responses(
        (status = 200, description = "The updated profile", body = ProfileResponse),
        (status = 400, description = "Malformed JSON (`invalid_json`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing, unknown or invalid (`validation_failed`)", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:validation_failed", "title": "Invalid request", "status": 422, "detail": "email: not a valid email address", "code": "validation_failed", "errors": [{"field": "email", "message": "not a valid email address"}]})),
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
    if !customers::update_profile(
        &state.db,
        scope,
        &body.name,
        body.email.as_ref(),
        body.language,
        now,
    )
    .await?
    {
        return Err(ApiError::unauthorized());
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
    let row = customers::get(&state.db, scope)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    Ok(web::Json(profile_response(&state, row).await?))
}
