//! `/api/public/…`: what the PWA shows before anyone signs in.

use actix_web::{HttpResponse, get, web};
use portal_api_types::{Problem, public::PublicCompany};
use portal_db::companies;
use portal_domain::CompanySlug;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    error::{ApiError, ApiResult},
    state::AppState,
};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_public_company);
}

/// A company's public branding
///
/// Name, industry, default language, brand colour and support phone of the company at `/c/{slug}`,
/// so the portal can greet customers in the company's colours before they sign in. Nothing here is
/// secret; a malformed and an unknown slug both answer 404.
#[utoipa::path(
    tag = "Public",
    params(("slug" = String, Path, description = "The company's slug, as in `/c/{slug}`", example = "praxis-weber")),
    responses(
        (status = 200, description = "The company", body = PublicCompany,
            example = json!({"slug": "praxis-weber", "name": "Praxis Dr. Weber", "industry": "healthcare", "locale": "de", "brand_color": "#0f6e6e", "support_phone": "+493012345670"})),
        (status = 404, description = "No such company", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/public/companies/{slug}")]
#[tracing::instrument(skip_all, fields(slug = %slug))]
pub async fn get_public_company(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let slug = CompanySlug::parse(&slug).map_err(|_| ApiError::not_found())?;
    let company = companies::find_by_slug(&state.db, &slug)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let body = PublicCompany {
        slug: company.slug.to_string(),
        name: company.name,
        industry: company.industry.as_str().to_owned(),
        locale: company.locale,
        brand_color: company.brand_color,
        support_phone: company.support_phone,
    };
    Ok(HttpResponse::Ok().json(body))
}
