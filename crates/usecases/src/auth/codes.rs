//! One-time codes (DESIGN.md "OTP"): 6 digits from the OS generator, stored only as an HMAC bound
//! to their challenge and company, valid for a few minutes, a few tries per challenge, and a lock
//! on the number after repeated failures — the same for sign-in and phone change.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use portal_api_types::{ErrorCode, auth::SignInChallenge};
use portal_db::{
    companies::Company,
    limiter::{self, Decision, Limit},
    otp::{self, Challenge, NewChallenge},
};
use portal_domain::{
    ChallengeId, CompanyId, CustomerId, OtpCode, PhoneNumber, phone::InvalidPhone,
};
use portal_notify::{SentSms, SmsError, SmsMessage};
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

/// Stores a new challenge of `purpose` for `phone` (the code only as its HMAC, valid for the
/// configured lifetime) and answers its id and the code to send.
pub(crate) async fn issue_challenge(
    ctx: &Ctx<'_>,
    company: CompanyId,
    customer: Option<CustomerId>,
    phone: &PhoneNumber,
    purpose: &'static str,
    ip: &str,
) -> Result<(ChallengeId, OtpCode)> {
    let now = ctx.clock.now();
    let id = ChallengeId::new();
    let code = random_code()?;
    let code_hmac = hex::encode(code_mac(ctx, id, company, &code)?.finalize().into_bytes());
    let challenge = NewChallenge {
        id,
        company_id: company,
        customer_id: customer,
        phone: phone.clone(),
        purpose,
        code_hmac,
        expires_at: now + Duration::seconds(ctx.services.otp.ttl_seconds.into()),
        ip: ip.to_owned(),
    };
    otp::insert(ctx.db, challenge, now).await?;
    Ok((id, code))
}

/// Texts `body` (carrying challenge `id`'s code) to `phone`. When the provider fails, the challenge
/// is forgotten and the `quota` it used given back — the customer must not pay for our provider's
/// failure with their limits.
pub(crate) async fn send_code(
    ctx: &Ctx<'_>,
    id: ChallengeId,
    phone: &PhoneNumber,
    body: String,
    quota: Quota,
) -> Result<SentSms> {
    let message = SmsMessage {
        to: phone.as_str().to_owned(),
        body,
    };
    match ctx.services.sms.send(&message).await {
        Ok(sent) => {
            ctx.services.telemetry.count(Counted::SmsSent);
            Ok(sent)
        }
        // The provider may have accepted it: the code and its place in the limits stay, so an
        // impatient retry waits like after any sent code (a late answer cannot open the limits).
        Err(err @ SmsError::Unanswered(_)) => {
            ctx.services.telemetry.count(Counted::SmsFailed);
            Err(Error::SmsUnavailable(err.to_string()))
        }
        Err(err) => {
            otp::delete(ctx.db, id).await?;
            quota.refund(ctx).await?;
            ctx.services.telemetry.count(Counted::SmsFailed);
            Err(Error::SmsUnavailable(err.to_string()))
        }
    }
}

/// What the client is told about a challenge: its id, lifetimes and the masked number.
pub(crate) fn answer(ctx: &Ctx<'_>, id: ChallengeId, phone: &PhoneNumber) -> SignInChallenge {
    SignInChallenge {
        challenge_id: id.as_uuid(),
        expires_in: ctx.services.otp.ttl_seconds,
        resend_in: ctx.services.otp.resend_seconds,
        phone_masked: phone.masked(),
    }
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

/// Counts a new code to `phone` (sign-in or phone change) against every limit, or refuses it
/// while the number is locked or a limit is used up: the wait between codes, codes per number and
/// per address (IPv6: per /64) an hour, and the company's daily cap. Each limit is one atomic
/// decision of the limiter; when a later limit refuses, the hits already counted are given back.
pub(crate) async fn check_code_limits(
    ctx: &Ctx<'_>,
    company: &Company,
    phone: &PhoneNumber,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<Quota> {
    let rules = &ctx.services.otp;
    if let Some(until) = otp::locked_until(ctx.db, company.id, phone, now).await? {
        return Err(locked(until - now));
    }
    let (id, number) = (company.id, phone.as_str());
    let hour = Duration::hours(1);
    let limits = [
        (
            format!("code:wait:{id}:{number}"),
            Limit {
                max: 1,
                window: Duration::seconds(rules.resend_seconds.into()),
            },
            ErrorCode::ResendTooSoon,
            "A code was just sent. Please wait before requesting another.",
        ),
        (
            format!("code:phone:{id}:{number}"),
            Limit {
                max: rules.per_phone_per_hour,
                window: hour,
            },
            ErrorCode::RateLimited,
            "Too many codes were requested. Please try again later.",
        ),
        (
            format!("code:address:{}", limiter::address_key(ip)),
            Limit {
                max: rules.per_ip_per_hour,
                window: hour,
            },
            ErrorCode::RateLimited,
            "Too many codes were requested. Please try again later.",
        ),
        (
            format!("code:company:{id}"),
            Limit {
                max: company.otp_daily_cap,
                window: Duration::days(1),
            },
            ErrorCode::RateLimited,
            "Codes are busy right now. Please try again later.",
        ),
    ];
    for (n, (key, limit, code, detail)) in limits.iter().enumerate() {
        if let Decision::Refused { retry_after } = limiter::hit(ctx.db, key, *limit, now).await? {
            for (counted, ..) in &limits[..n] {
                limiter::refund(ctx.db, counted).await?;
            }
            if *code == ErrorCode::RateLimited && key.starts_with("code:company:") {
                tracing::warn!(company = %company.slug, "daily SMS code cap reached");
            }
            return Err(Error::refused(*code, *detail).retry_after(seconds_up(retry_after)));
        }
    }
    Ok(Quota(limits.into_iter().map(|(key, ..)| key).collect()))
}

/// The limits one code was counted against, to give back if it could not be sent.
#[derive(Debug)]
pub(crate) struct Quota(Vec<String>);

impl Quota {
    async fn refund(self, ctx: &Ctx<'_>) -> Result<()> {
        for key in &self.0 {
            limiter::refund(ctx.db, key).await?;
        }
        Ok(())
    }
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
    // Every comparison, over every challenge of the number, is counted before it is made: a
    // burst of guesses spread over several challenges gets no more than the lock threshold.
    let guesses = format!("code:guess:{company}:{}", challenge.phone.as_str());
    let limit = Limit {
        max: rules.lock_threshold,
        window: Duration::minutes(rules.lock_minutes.into()),
    };
    if let Decision::Refused { retry_after } = limiter::hit(ctx.db, &guesses, limit, now).await? {
        return Err(locked(retry_after));
    }
    let stored = hex::decode(&challenge.code_hmac).map_err(|e| Error::Internal(e.to_string()))?;
    let matches = code_mac(ctx, challenge.id, company, code)?
        .verify_slice(&stored)
        .is_ok();
    if matches && succeeds && otp::consume(ctx.db, challenge.id, now).await? {
        otp::clear_failures(ctx.db, company, &challenge.phone).await?;
        limiter::reset(ctx.db, &guesses).await?;
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
