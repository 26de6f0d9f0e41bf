//! Twilio's callbacks: delivery status of our SMS, and inbound messages (STOP / START).
//!
//! Both are refused unless `X-Twilio-Signature` is Twilio's HMAC of the URL as configured in Twilio
//! (our `server.public_url` + path + query) and the form parameters, keyed by our auth token.

use actix_web::{HttpRequest, HttpResponse, http::header, post, web};
use portal_api_types::{ErrorCode, Problem};
use portal_db::{consents, notifications};
use portal_domain::{Channel, ConsentSource, PhoneNumber, Purpose};
use portal_usecases::events::Update;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    error::{ApiError, ApiResult},
    state::AppState,
};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(twilio_status).service(twilio_inbound);
}

/// Twilio's standard opt-out and opt-in keywords (plus the German `STOPP`).
const STOP_WORDS: &[&str] = &[
    "STOP",
    "STOPP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
];
const START_WORDS: &[&str] = &["START", "YES", "UNSTOP"];

/// The form parameters, after checking the content type and the signature.
fn verified_form(
    state: &AppState,
    req: &HttpRequest,
    body: &[u8],
) -> ApiResult<Vec<(String, String)>> {
    let form_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_type {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "Send application/x-www-form-urlencoded.",
        ));
    }
    let params: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let refused = || {
        ApiError::new(
            ErrorCode::InvalidSignature,
            "The request signature is missing or wrong.",
        )
    };
    let Some(token) = state
        .settings
        .twilio
        .auth_token
        .as_ref()
        .filter(|t| !t.is_empty())
    else {
        // Without our token nothing can be verified, so nothing is believed.
        return Err(refused().with_cause("no Twilio auth token configured"));
    };
    let signature = req
        .headers()
        .get("X-Twilio-Signature")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(refused)?;
    let mut url = state
        .settings
        .server
        .public_url
        .join(req.path())
        .map_err(ApiError::internal)?;
    url.set_query(Some(req.query_string()).filter(|q| !q.is_empty()));
    if !portal_notify::verify_signature(token, url.as_str(), &params, signature) {
        tracing::warn!(path = %req.path(), "Twilio callback with a wrong signature refused");
        return Err(refused());
    }
    Ok(params)
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Twilio delivery status callback
///
/// Twilio reports each SMS's progress here (`StatusCallback`). `delivered` marks the message
/// delivered, `undelivered` and `failed` mark it failed; other states are ignored. Needs a valid
/// `X-Twilio-Signature`.
#[utoipa::path(
    tag = "Webhooks",
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "Twilio's form: `MessageSid`, `MessageStatus`, `ErrorCode`, …",
        example = "MessageSid=SM00000000000000000000000000000001&MessageStatus=delivered&AccountSid=AC…"),
    responses(
        (status = 204, description = "Recorded (or not ours)"),
        (status = 403, description = "`invalid_signature`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a form", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable; Twilio retries", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/twilio/status")]
#[tracing::instrument(skip_all)]
pub async fn twilio_status(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let params = verified_form(&state, &req, &body)?;
    let (Some(sid), Some(status)) = (
        param(&params, "MessageSid"),
        param(&params, "MessageStatus"),
    ) else {
        return Ok(HttpResponse::NoContent().finish());
    };
    let delivered = match status {
        "delivered" => true,
        "undelivered" | "failed" => false,
        _ => return Ok(HttpResponse::NoContent().finish()),
    };
    let error = param(&params, "ErrorCode").map(|c| format!("Twilio error {c}"));
    let receipt = notifications::record_receipt(
        &state.db,
        "sms",
        sid,
        delivered,
        error.as_deref(),
        state.clock.now(),
    )
    .await?;
    if let Some(receipt) = receipt
        && let Some(customer) = receipt.customer_id
    {
        state.events.send(
            receipt.company_id,
            customer,
            Update::Notification {
                id: receipt.id,
                channel: Channel::Sms,
                kind: None,
                status: if delivered { "delivered" } else { "failed" },
            },
        );
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Twilio inbound SMS
///
/// A customer's reply. `STOP` (and Twilio's other opt-out words) withdraws SMS consent for every
/// purpose; `START` grants transactional messages and reminders again (marketing stays opt-in).
/// Applies to every account with that phone number, since Twilio blocks the sender for it.
/// Answers empty TwiML; needs a valid `X-Twilio-Signature`.
#[utoipa::path(
    tag = "Webhooks",
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "Twilio's form: `From`, `Body`, `OptOutType`, …",
        example = "From=%2B4915100000001&Body=STOP&OptOutType=STOP&AccountSid=AC…"),
    responses(
        (status = 200, description = "Empty TwiML", content_type = "text/xml", body = String),
        (status = 403, description = "`invalid_signature`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a form", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable; Twilio retries", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/twilio/inbound")]
#[tracing::instrument(skip_all)]
pub async fn twilio_inbound(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let params = verified_form(&state, &req, &body)?;
    let twiml = HttpResponse::Ok()
        .content_type("text/xml")
        .body("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>");
    let keyword = param(&params, "OptOutType")
        .or_else(|| param(&params, "Body"))
        .map(|b| b.trim().to_uppercase())
        .unwrap_or_default();
    let granted = if STOP_WORDS.contains(&keyword.as_str()) {
        false
    } else if START_WORDS.contains(&keyword.as_str()) {
        true
    } else {
        return Ok(twiml);
    };
    let Some(phone) = param(&params, "From").and_then(|p| PhoneNumber::from_e164(p).ok()) else {
        return Ok(twiml);
    };
    let now = state.clock.now();
    let purposes: &[Purpose] = if granted {
        &[Purpose::Transactional, Purpose::Reminders]
    } else {
        &Purpose::ALL
    };
    let customers = notifications::customers_with_phone(&state.db, &phone).await?;
    for (company, customer) in &customers {
        for purpose in purposes {
            consents::record(
                &state.db,
                *company,
                *customer,
                Channel::Sms,
                *purpose,
                granted,
                ConsentSource::Sms,
                now,
            )
            .await?;
        }
    }
    tracing::info!(phone = %phone.masked(), granted, accounts = customers.len(), "SMS consent changed by reply");
    Ok(twiml)
}
