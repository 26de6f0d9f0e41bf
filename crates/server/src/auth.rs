//! Sign-in with phone and SMS code: the rules of DESIGN.md's "OTP" section.

use chrono::Duration;
use hmac::{Hmac, Mac};
use portal_api_types::{ErrorCode, auth::SignInChallenge};
use portal_db::{
    ActiveSession,
    companies::{self, Company},
    customers,
    otp::{self, NewChallenge},
    sessions::{self, NewSession},
};
use portal_domain::{
    ChallengeId, CompanyId, CompanySlug, OtpCode, PhoneNumber, phone::InvalidPhone,
};
use portal_notify::{SmsMessage, templates};
use rand::TryRngCore;
use sha2::Sha256;

use crate::{error::ApiError, state::AppState};

/// Who is asking, as far as the rate limits are concerned.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    /// The client's address (see `client_ip`).
    pub ip: String,
    /// The client's user agent.
    pub user_agent: Option<String>,
}

/// A new session and its first refresh token.
#[derive(Debug)]
pub struct SignedIn {
    /// The session.
    pub session: ActiveSession,
    /// The refresh token (shown to the client once).
    pub refresh_token: String,
}

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// HMAC of a code, bound to its challenge and company so a code can never be replayed elsewhere.
pub(crate) fn code_mac(
    state: &AppState,
    challenge: ChallengeId,
    company: CompanyId,
    code: &OtpCode,
) -> Result<HmacSha256, ApiError> {
    let mut mac = HmacSha256::new_from_slice(state.secrets.otp_hmac.expose().as_bytes())
        .map_err(ApiError::internal)?;
    mac.update(challenge.as_uuid().as_bytes());
    mac.update(company.as_uuid().as_bytes());
    mac.update(code.expose().as_bytes());
    Ok(mac)
}

/// A uniformly drawn 6-digit code from the OS generator.
pub(crate) fn random_code() -> Result<OtpCode, ApiError> {
    // Rejection sampling keeps the distribution uniform: 2^32 is not a multiple of 10^6.
    const LIMIT: u32 = u32::MAX - (u32::MAX % 1_000_000);
    loop {
        let n = rand::rngs::OsRng
            .try_next_u32()
            .map_err(ApiError::internal)?;
        if n < LIMIT {
            return Ok(OtpCode::from_number(n % 1_000_000));
        }
    }
}

/// Starts a sign-in: normalises the number, enforces locks and rate limits, stores the HMAC of a
/// fresh code and texts it — but only to a number that belongs to a customer. Unknown numbers get
/// the same answer and no SMS, so the endpoint reveals nothing about who is a customer.
#[tracing::instrument(skip_all, fields(company = %slug, ip = %client.ip))]
pub async fn start_sign_in(
    state: &AppState,
    slug: &CompanySlug,
    phone_input: &str,
    client: &ClientInfo,
) -> Result<SignInChallenge, ApiError> {
    let now = state.clock.now();
    let rules = &state.settings.otp;
    let company = companies::find_by_slug(&state.db, slug)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let phone = parse_phone(phone_input, &company)?;
    check_code_limits(state, &company, &phone, &client.ip, now).await?;

    let customer = customers::find_by_phone(&state.db, company.id, &phone).await?;
    let id = ChallengeId::new();
    let code = random_code()?;
    let code_hmac = hex::encode(
        code_mac(state, id, company.id, &code)?
            .finalize()
            .into_bytes(),
    );
    otp::insert(
        &state.db,
        NewChallenge {
            id,
            company_id: company.id,
            customer_id: customer.as_ref().map(|c| c.id),
            phone: phone.clone(),
            purpose: "sign_in",
            code_hmac,
            expires_at: now + Duration::seconds(rules.ttl_seconds.into()),
            ip: client.ip.clone(),
        },
        now,
    )
    .await?;

    if let Some(customer) = &customer {
        let host = state
            .settings
            .server
            .public_url
            .host_str()
            .unwrap_or("localhost");
        let locale = customer.locale.unwrap_or(company.locale);
        let body = templates::sign_in_code(
            locale,
            code.expose(),
            &company.name,
            host,
            rules.ttl_seconds / 60,
        );
        let sent = match state
            .sms
            .send(&SmsMessage {
                to: phone.as_str().to_owned(),
                body,
            })
            .await
        {
            Ok(sent) => sent,
            Err(err) => {
                // The customer must not pay for our provider's failure: forget the challenge entirely.
                otp::delete(&state.db, id).await?;
                state.metrics.sms_failures.inc();
                return Err(err.into());
            }
        };
        state.metrics.sms_sent.inc();
        // The message history shows that a code was sent, never the code. The code is already on
        // its way, so a failed history write must not fail the sign-in.
        if let Err(err) = portal_db::notifications::record_sent(
            &state.db,
            portal_db::notifications::NewNotification {
                company_id: company.id,
                customer_id: Some(customer.id),
                channel: "sms",
                kind: "sign_in_code",
                recipient: phone.as_str().to_owned(),
                body_text: portal_notify::messages::masked_sign_in_code(locale, &company.name),
                ..Default::default()
            },
            &sent.provider_id,
            now,
        )
        .await
        {
            tracing::warn!(error = %err, "could not record the sign-in SMS in the history");
        }
    }
    tracing::info!(phone = %phone.masked(), known = customer.is_some(), "sign-in code issued");
    Ok(SignInChallenge {
        challenge_id: id.as_uuid(),
        expires_in: rules.ttl_seconds,
        resend_in: rules.resend_seconds,
        phone_masked: phone.masked(),
    })
}

/// Checks a code. At most `max_attempts` comparisons per challenge, ever; every wrong code counts
/// towards the number's lock, across challenges.
#[tracing::instrument(skip_all, fields(challenge = %challenge_id, ip = %client.ip))]
pub async fn verify_sign_in(
    state: &AppState,
    challenge_id: ChallengeId,
    code: &OtpCode,
    client: &ClientInfo,
) -> Result<SignedIn, ApiError> {
    let now = state.clock.now();
    let rules = &state.settings.otp;
    let expired = || {
        ApiError::new(
            ErrorCode::CodeExpired,
            "This code is no longer valid. Please request a new one.",
        )
    };
    let challenge = otp::find(&state.db, challenge_id)
        .await?
        .ok_or_else(expired)?;
    let company = challenge.company_id;
    if let Some(until) = otp::locked_until(&state.db, company, &challenge.phone, now).await? {
        return Err(locked(until - now));
    }
    if !otp::claim_attempt(&state.db, challenge_id, rules.max_attempts, now).await? {
        return Err(expired());
    }
    let matches = code_mac(state, challenge_id, company, code)?
        .verify_slice(&hex::decode(&challenge.code_hmac).map_err(ApiError::internal)?)
        .is_ok();
    // A challenge for an unknown number has no customer and can never succeed, but it is
    // compared and counted exactly like any other.
    let customer_id = match (matches, challenge.customer_id) {
        (true, Some(customer)) if otp::consume(&state.db, challenge_id, now).await? => customer,
        _ => {
            state.metrics.auth_failures.inc();
            tracing::info!(company = %company, phone = %challenge.phone.masked(), "sign-in code refused");
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
                tracing::warn!(company = %company, phone = %challenge.phone.masked(), "phone locked after repeated failures");
                return Err(locked(until - now));
            }
            let remaining = rules.max_attempts.saturating_sub(challenge.attempts + 1);
            return Err(
                ApiError::new(ErrorCode::InvalidCode, "The code is not correct.")
                    .attempts_remaining(remaining),
            );
        }
    };
    otp::clear_failures(&state.db, company, &challenge.phone).await?;

    let company_row = companies::find(&state.db, company)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let (refresh_token, refresh_hash) =
        crate::tokens::new_refresh_token().map_err(ApiError::internal)?;
    let session = sessions::create(
        &state.db,
        NewSession {
            company_id: company,
            customer_id,
            user_agent: client.user_agent.as_deref(),
            ip: Some(&client.ip),
            idle: company_row.session_idle,
            absolute: company_row.session_absolute,
        },
        refresh_hash,
        now,
    )
    .await?;
    portal_db::audit::record(
        &state.db,
        portal_db::audit::AuditEntry {
            company_id: company,
            customer_id: Some(customer_id),
            actor: "customer",
            action: "auth.sign_in",
            target: Some(session.id.to_string()),
            ip: Some(&client.ip),
        },
        now,
    )
    .await?;
    state.metrics.sign_ins.inc();
    tracing::info!(company = %company, session = %session.id, "signed in");
    Ok(SignedIn {
        session,
        refresh_token,
    })
}

/// The number the customer typed, normalised for `company`: 422 `invalid_phone` or
/// `country_not_allowed`, naming the field.
pub(crate) fn parse_phone(input: &str, company: &Company) -> Result<PhoneNumber, ApiError> {
    PhoneNumber::normalize(input, &company.region, &company.allowed_countries).map_err(
        |e| match e {
            InvalidPhone::Invalid => {
                ApiError::invalid_field(ErrorCode::InvalidPhone, "phone", e.to_string())
            }
            InvalidPhone::CountryNotAllowed(_) => {
                ApiError::invalid_field(ErrorCode::CountryNotAllowed, "phone", e.to_string())
            }
        },
    )
}

/// Refuses a new code to `phone` (sign-in or phone change) while the number is locked or a limit
/// is used up: the wait between codes, codes per number and per IP per hour, and the company's
/// daily cap.
pub(crate) async fn check_code_limits(
    state: &AppState,
    company: &Company,
    phone: &PhoneNumber,
    ip: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ApiError> {
    let rules = &state.settings.otp;
    if let Some(until) = otp::locked_until(&state.db, company.id, phone, now).await? {
        return Err(locked(until - now));
    }
    let counts = otp::issue_counts(&state.db, company.id, phone, ip, now).await?;
    if let Some(latest) = counts.latest_for_phone {
        let wait = latest + Duration::seconds(rules.resend_seconds.into()) - now;
        if wait > Duration::zero() {
            return Err(ApiError::new(
                ErrorCode::ResendTooSoon,
                "A code was just sent. Please wait before requesting another.",
            )
            .retry_after(seconds_up(wait)));
        }
    }
    if counts.phone_last_hour >= u64::from(rules.per_phone_per_hour)
        || counts.ip_last_hour >= u64::from(rules.per_ip_per_hour)
    {
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            "Too many codes were requested. Please try again later.",
        )
        .retry_after(3600));
    }
    if counts.company_last_day >= u64::from(company.otp_daily_cap) {
        tracing::warn!(company = %company.slug, "daily SMS code cap reached");
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            "Codes are busy right now. Please try again later.",
        )
        .retry_after(3600));
    }
    Ok(())
}

pub(crate) fn seconds_up(d: Duration) -> u64 {
    u64::try_from((d.num_milliseconds() + 999) / 1000).unwrap_or(1)
}

pub(crate) fn locked(remaining: Duration) -> ApiError {
    ApiError::new(
        ErrorCode::PhoneLocked,
        "Too many wrong codes. This number is locked for a while.",
    )
    .retry_after(seconds_up(remaining))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_vary() {
        let codes: std::collections::HashSet<String> = (0..50)
            .map(|_| random_code().unwrap().expose().to_owned())
            .collect();
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()))
        );
        assert!(
            codes.len() > 40,
            "50 draws from a million should rarely collide"
        );
    }
}
