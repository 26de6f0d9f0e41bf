//! `/settings/reminders`: how long before an appointment the company's customers are reminded.

use actix_web::{get, put, web};
use portal_api_types::{ErrorCode, Problem, notifications::ReminderSettings};
use portal_db::{api_keys::ApiScope, reminders};
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Integrator;
use crate::{
    error::{ApiError, ApiResult},
    extract::Json,
    state::AppState,
};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_reminder_settings)
        .service(put_reminder_settings);
}

/// Read the reminder settings
///
/// The offsets (minutes before the start) at which customers get a reminder by SMS, email and push,
/// as far as they allow reminders on each channel.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The offsets", body = ReminderSettings, example = json!({"offsets_minutes": [1440, 120]})),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `catalog` scope", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/settings/reminders")]
#[tracing::instrument(skip_all)]
pub async fn get_reminder_settings(
    state: web::Data<AppState>,
    integrator: Integrator,
) -> ApiResult<web::Json<ReminderSettings>> {
    let scope = integrator.require(ApiScope::Catalog)?;
    Ok(web::Json(ReminderSettings {
        offsets_minutes: reminders::offsets(&state.db, scope.into()).await?,
    }))
}

/// Change the reminder settings
///
/// Replaces the offsets for the whole company (a company-wide key is needed). Reminders already
/// sent stay sent; a new offset applies from the next scheduler round.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    request_body(content = ReminderSettings, example = json!({"offsets_minutes": [2880, 180]})),
    responses(
        (status = 200, description = "Saved", body = ReminderSettings, example = json!({"offsets_minutes": [2880, 180]})),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `catalog` scope, or a branch key", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "More than 4 offsets or one outside 1–20160 minutes", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/settings/reminders")]
#[tracing::instrument(skip_all)]
pub async fn put_reminder_settings(
    state: web::Data<AppState>,
    integrator: Integrator,
    body: Json<ReminderSettings>,
) -> ApiResult<web::Json<ReminderSettings>> {
    let scope = integrator.require_company_wide(ApiScope::Catalog)?;
    let mut offsets = body.0.offsets_minutes;
    if offsets.len() > 4 {
        return Err(ApiError::invalid_field(
            ErrorCode::ValidationFailed,
            "offsets_minutes",
            "at most 4 offsets",
        ));
    }
    if let Some(i) = offsets
        .iter()
        .position(|m| !(1..=reminders::MAX_OFFSET_MINUTES).contains(m))
    {
        return Err(ApiError::invalid_field(
            ErrorCode::ValidationFailed,
            &format!("offsets_minutes[{i}]"),
            "between 1 and 20160 minutes",
        ));
    }
    offsets.sort_unstable_by(|a, b| b.cmp(a));
    offsets.dedup();
    reminders::set_offsets(&state.db, scope.into(), &offsets, state.clock.now()).await?;
    Ok(web::Json(ReminderSettings {
        offsets_minutes: offsets,
    }))
}
