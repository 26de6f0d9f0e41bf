//! One-time codes (DESIGN.md "OTP"): 6 digits from the OS generator, stored only as an HMAC bound
//! to their challenge and company, valid for a few minutes, a few tries per challenge, and a lock
//! on the number after repeated failures — the same for sign-in and phone change.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use portal_api_types::ErrorCode;
use portal_db::{
    companies::Company,
    otp::{self, Challenge},
};
use portal_domain::{ChallengeId, CompanyId, OtpCode, PhoneNumber, phone::InvalidPhone};
use rand::TryRngCore;
use serde::Deserialize;
use sha2::Sha256;

use crate::{Counted, Ctx, Error, Result};

/// Code rules (the numbers in DESIGN.md are the defaults in `config/default.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtpRules {
    /// Code lifetime.
    pub ttl_seconds: u32,
    /// Wait before a new code for the same number.
    pub resend_seconds: u32,
    /// Wrong codes that end a challenge.
    pub max_attempts: u32,
    /// Consecutive failures that lock a number.
    pub lock_threshold: u32,
    /// How long a number stays locked.
    pub lock_minutes: u32,
    /// Codes per number per hour.
    pub per_phone_per_hour: u32,
    /// Codes per client address per hour.
    pub per_ip_per_hour: u32,
}

type HmacSha256 = Hmac<Sha256>;

/// HMAC of a code, bound to its challenge and company so a code can never be replayed elsewhere.
fn code_mac(
    ctx: &Ctx<'_>,
    challenge: ChallengeId,
    company: CompanyId,
    code: &OtpCode,
) -> Result<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(ctx.services.otp_key.expose().as_bytes())
        .map_err(|e| Error::Internal(e.to_string()))?;
    mac.update(challenge.as_uuid().as_bytes());
    mac.update(company.as_uuid().as_bytes());
    mac.update(code.expose().as_bytes());
    Ok(mac)
}

/// A fresh code and the hex HMAC to store for challenge `id` of `company`.
pub(crate) fn new_code(
    ctx: &Ctx<'_>,
    id: ChallengeId,
    company: CompanyId,
) -> Result<(OtpCode, String)> {
    let code = random_code()?;
    let mac = hex::encode(code_mac(ctx, id, company, &code)?.finalize().into_bytes());
    Ok((code, mac))
}

/// A uniformly drawn 6-digit code from the OS generator.
pub(crate) fn random_code() -> Result<OtpCode> {
    // Rejection sampling keeps the distribution uniform: 2^32 is not a multiple of 10^6.
    const LIMIT: u32 = u32::MAX - (u32::MAX % 1_000_000);
    loop {
        let n = rand::rngs::OsRng
            .try_next_u32()
            .map_err(|e| Error::Internal(e.to_string()))?;
        if n < LIMIT {
            return Ok(OtpCode::from_number(n % 1_000_000));
        }
    }
}

/// The number the customer typed, normalised for `company`: 422 `invalid_phone` or
/// `country_not_allowed`, naming the field.
pub(crate) fn parse_phone(input: &str, company: &Company) -> Result<PhoneNumber> {
    PhoneNumber::normalize(input, &company.region, &company.allowed_countries).map_err(|e| {
        let code = match e {
            InvalidPhone::Invalid => ErrorCode::InvalidPhone,
            InvalidPhone::CountryNotAllowed(_) => ErrorCode::CountryNotAllowed,
        };
        Error::Invalid {
            code,
            field: "phone".into(),
            message: e.to_string(),
        }
    })
}

/// Refuses a new code to `phone` (sign-in or phone change) while the number is locked or a limit
/// is used up: the wait between codes, codes per number and per IP per hour, and the company's
/// daily cap.
pub(crate) async fn check_code_limits(
    ctx: &Ctx<'_>,
    company: &Company,
    phone: &PhoneNumber,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let rules = &ctx.services.otp;
    if let Some(until) = otp::locked_until(ctx.db, company.id, phone, now).await? {
        return Err(locked(until - now));
    }
    let counts = otp::issue_counts(ctx.db, company.id, phone, ip, now).await?;
    if let Some(latest) = counts.latest_for_phone {
        let wait = latest + Duration::seconds(rules.resend_seconds.into()) - now;
        if wait > Duration::zero() {
            return Err(Error::refused(
                ErrorCode::ResendTooSoon,
                "A code was just sent. Please wait before requesting another.",
            )
            .retry_after(seconds_up(wait)));
        }
    }
    if counts.phone_last_hour >= u64::from(rules.per_phone_per_hour)
        || counts.ip_last_hour >= u64::from(rules.per_ip_per_hour)
    {
        return Err(Error::refused(
            ErrorCode::RateLimited,
            "Too many codes were requested. Please try again later.",
        )
        .retry_after(3600));
    }
    if counts.company_last_day >= u64::from(company.otp_daily_cap) {
        tracing::warn!(company = %company.slug, "daily SMS code cap reached");
        return Err(Error::refused(
            ErrorCode::RateLimited,
            "Codes are busy right now. Please try again later.",
        )
        .retry_after(3600));
    }
    Ok(())
}

fn seconds_up(d: Duration) -> u64 {
    u64::try_from((d.num_milliseconds() + 999) / 1000).unwrap_or(1)
}

fn locked(remaining: Duration) -> Error {
    Error::refused(
        ErrorCode::PhoneLocked,
        "Too many wrong codes. This number is locked for a while.",
    )
    .retry_after(seconds_up(remaining))
}

/// 422 `code_expired`.
pub(crate) fn expired() -> Error {
    Error::refused(
        ErrorCode::CodeExpired,
        "This code is no longer valid. Please request a new one.",
    )
}

/// Checks `code` against `challenge`: the number's lock first, then one of the challenge's
/// attempts (claimed atomically, so concurrent guesses cannot exceed them), then the comparison in
/// constant time. A right code consumes the challenge (once); every wrong one counts towards the
/// number's lock, across challenges. `succeeds` says whether a right code may succeed at all (a
/// sign-in challenge for an unknown number never does, but is compared and counted alike).
pub(crate) async fn check_code(
    ctx: &Ctx<'_>,
    challenge: &Challenge,
    code: &OtpCode,
    succeeds: bool,
) -> Result<()> {
    let now = ctx.clock.now();
    let rules = &ctx.services.otp;
    let company = challenge.company_id;
    if let Some(until) = otp::locked_until(ctx.db, company, &challenge.phone, now).await? {
        return Err(locked(until - now));
    }
    if !otp::claim_attempt(ctx.db, challenge.id, rules.max_attempts, now).await? {
        return Err(expired());
    }
    let stored = hex::decode(&challenge.code_hmac).map_err(|e| Error::Internal(e.to_string()))?;
    let matches = code_mac(ctx, challenge.id, company, code)?
        .verify_slice(&stored)
        .is_ok();
    if matches && succeeds && otp::consume(ctx.db, challenge.id, now).await? {
        otp::clear_failures(ctx.db, company, &challenge.phone).await?;
        return Ok(());
    }
    ctx.services.telemetry.count(Counted::CodeRefused);
    tracing::info!(company = %company, phone = %challenge.phone.masked(), purpose = challenge.purpose, "code refused");
    if let Some(until) = otp::record_failure(
        ctx.db,
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
    Err(
        Error::refused(ErrorCode::InvalidCode, "The code is not correct.")
            .attempts_remaining(remaining),
    )
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
