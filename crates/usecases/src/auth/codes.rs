//! One-time codes (DESIGN.md "OTP"): 6 digits from the OS generator, stored only as an HMAC bound
//! to their challenge and company, valid for a few minutes, a few tries per challenge, and a lock
//! on the number after repeated failures — the same for sign-in and phone change.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use portal_api_types::{ErrorCode, auth::SignInChallenge};
use portal_db::{
    companies::{self, Company},
    limiter::{self, Decision, Limit},
    notifications::{self, NewNotification, Pending},
    otp::{self, Challenge, NewChallenge},
};
use portal_domain::{
    ChallengeId, Channel, CompanyId, CustomerId, OtpCode, PhoneNumber, phone::InvalidPhone,
};
use portal_notify::{SmsError, SmsMessage, messages::CODE_MASK};
use rand::TryRngCore;
use sea_orm::ConnectionTrait;
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

/// Stores a new challenge of `purpose` for `phone`, valid for the configured lifetime, and answers
/// its id. Its code is drawn only when its message is sent ([`deliver_code`]); until then it holds
/// the HMAC of a code nobody knows, as a challenge for an unknown number does for good.
pub(crate) async fn issue_challenge(
    ctx: &Ctx<'_>,
    db: &impl ConnectionTrait,
    company: CompanyId,
    customer: Option<CustomerId>,
    phone: &PhoneNumber,
    purpose: &'static str,
    ip: &str,
) -> Result<ChallengeId> {
    let now = ctx.clock.now();
    let id = ChallengeId::new();
    let challenge = NewChallenge {
        id,
        company_id: company,
        customer_id: customer,
        phone: phone.clone(),
        purpose,
        code_hmac: code_hmac(ctx, id, company, &random_code()?)?,
        expires_at: now + Duration::seconds(ctx.services.otp.ttl_seconds.into()),
        ip: ip.to_owned(),
    };
    otp::insert(db, challenge, now).await?;
    Ok(id)
}

fn code_hmac(
    ctx: &Ctx<'_>,
    challenge: ChallengeId,
    company: CompanyId,
    code: &OtpCode,
) -> Result<String> {
    Ok(hex::encode(
        code_mac(ctx, challenge, company, code)?
            .finalize()
            .into_bytes(),
    ))
}

/// Queues the SMS of challenge `id` in `db` (the challenge's transaction): a message of `kind`
/// to `customer`, or — when `customer` is `None` — a stand-in that goes through the same queue
/// and is never sent. `text` is the message rendered with [`CODE_MASK`] for the code: what the
/// message history shows.
pub(crate) async fn queue_code(
    ctx: &Ctx<'_>,
    db: &impl ConnectionTrait,
    id: ChallengeId,
    company: CompanyId,
    phone: &PhoneNumber,
    (kind, customer): (&'static str, Option<CustomerId>),
    text: String,
) -> Result<()> {
    let kind = if customer.is_some() {
        kind
    } else {
        notifications::NO_CODE_KIND
    };
    let message = NewNotification {
        customer_id: customer,
        ..NewNotification::new(company, Channel::Sms, kind, phone.as_str().to_owned(), text)
    };
    notifications::queue_code(db, id, message, ctx.clock.now()).await?;
    Ok(())
}

/// What became of a queued code message.
#[derive(Debug, PartialEq, Eq)]
pub enum CodeDelivery {
    /// The provider took it; its id.
    Sent(String),
    /// Not sent and never will be, and why (the customer may simply ask for a new code).
    Dropped(String),
    /// A stand-in for a code nobody gets: done with, to be forgotten.
    StandIn,
}

/// Sends the queued code message `message` (the outbox's code lane calls this): draws the code,
/// stores its HMAC on the challenge and texts it. Nothing is sent for a challenge that is used or
/// expired by now, or when the company's daily cap is reached — the cap counts only codes that
/// are sent, so requests for numbers nobody has cannot use it up. A code that was not sent gives
/// the customer's hourly limits back; a provider that did not answer in time may still have sent
/// it, so then the code stays valid and the limits stay counted.
pub async fn deliver_code(ctx: &Ctx<'_>, message: &Pending) -> Result<CodeDelivery> {
    let now = ctx.clock.now();
    let id = ChallengeId::from_uuid(message.id);
    if message.kind == notifications::NO_CODE_KIND {
        // Fares like the last real code: while the provider fails, real codes give their limits
        // back, so this one does too — the limits after an outage tell nothing either.
        if ctx.services.codes.provider_failing()
            && let Some(challenge) = otp::find(ctx.db, id).await?
        {
            give_back(ctx, &challenge, None).await?;
        }
        return Ok(CodeDelivery::StandIn);
    }
    let Some(challenge) = otp::find(ctx.db, id)
        .await?
        .filter(|c| c.consumed_at.is_none() && c.expires_at > now)
    else {
        return Ok(CodeDelivery::Dropped("the code is no longer valid".into()));
    };
    let company = companies::find(ctx.db, challenge.company_id)
        .await?
        .ok_or(Error::NotFound)?;
    let (cap, cap_limit) = company_cap(&company);
    if !limiter::hit(ctx.db, &cap, cap_limit, now).await?.allowed() {
        give_back(ctx, &challenge, None).await?;
        tracing::warn!(company = %company.slug, "daily SMS code cap reached; code not sent");
        ctx.services.telemetry.count(Counted::SmsFailed);
        return Ok(CodeDelivery::Dropped(
            "the daily code cap is reached".into(),
        ));
    }
    let code = random_code()?;
    if !otp::set_code(ctx.db, id, code_hmac(ctx, id, company.id, &code)?, now).await? {
        give_back(ctx, &challenge, Some(&cap)).await?;
        return Ok(CodeDelivery::Dropped("the code is no longer valid".into()));
    }
    let sms = SmsMessage {
        to: message.recipient.clone(),
        body: message.body_text.replace(CODE_MASK, code.expose()),
    };
    let sent = ctx.services.sms.send(&sms).await;
    let definite_failure = matches!(&sent, Err(err) if !matches!(err, SmsError::Unanswered(_)));
    ctx.services.codes.record_provider(definite_failure);
    match sent {
        Ok(sent) => {
            ctx.services.telemetry.count(Counted::SmsSent);
            Ok(CodeDelivery::Sent(sent.provider_id))
        }
        Err(err) => {
            ctx.services.telemetry.count(Counted::SmsFailed);
            tracing::warn!(company = %company.slug, phone = %challenge.phone.masked(), error = %err, "code SMS not sent");
            if definite_failure {
                give_back(ctx, &challenge, Some(&cap)).await?;
            }
            Ok(CodeDelivery::Dropped(err.to_string()))
        }
    }
}

/// Gives back what a code that was not sent counted: the number's and the address's hourly
/// limits, and the company's daily cap when it was counted. The wait between codes stays: it is
/// short, and a newer request may already own it.
async fn give_back(ctx: &Ctx<'_>, challenge: &Challenge, cap: Option<&str>) -> Result<()> {
    let [_, phone, address] = customer_keys(challenge.company_id, &challenge.phone, &challenge.ip);
    for key in [Some(phone.as_str()), Some(address.as_str()), cap]
        .into_iter()
        .flatten()
    {
        limiter::refund(ctx.db, key).await?;
    }
    Ok(())
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

/// The keys of the limits a code request counts against: the wait between codes, codes per
/// number and per address (IPv6: per /64) an hour.
fn customer_keys(company: CompanyId, phone: &PhoneNumber, ip: &str) -> [String; 3] {
    let number = phone.as_str();
    [
        format!("code:wait:{company}:{number}"),
        format!("code:phone:{company}:{number}"),
        format!("code:address:{}", limiter::address_key(ip)),
    ]
}

/// The company's daily cap on codes sent.
fn company_cap(company: &Company) -> (String, Limit) {
    (
        format!("code:company:{}", company.id),
        Limit {
            max: company.otp_daily_cap,
            window: Duration::days(1),
        },
    )
}

/// Counts a new code request for `phone` (sign-in or phone change) against the customer's limits,
/// or refuses it while the number is locked, a limit is used up, or the company's daily cap is
/// reached: the wait between codes, codes per number and per address an hour (each one atomic
/// decision of the limiter; when a later limit refuses, the hits already counted are given back).
/// Requests for known and unknown numbers count alike, so the limits tell nothing; the company cap
/// is only read here and counted when a code is sent.
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
    let busy = "Codes are busy right now. Please try again later.";
    let (cap, cap_limit) = company_cap(company);
    if let Decision::Refused { retry_after } = limiter::peek(ctx.db, &cap, cap_limit, now).await? {
        return Err(
            Error::refused(ErrorCode::RateLimited, busy).retry_after(seconds_up(retry_after))
        );
    }
    let hour = Duration::hours(1);
    let too_many = "Too many codes were requested. Please try again later.";
    let [wait, per_phone, per_address] = customer_keys(company.id, phone, ip);
    let limits = [
        (
            wait,
            Limit {
                max: 1,
                window: Duration::seconds(rules.resend_seconds.into()),
            },
            ErrorCode::ResendTooSoon,
            "A code was just sent. Please wait before requesting another.",
        ),
        (
            per_phone,
            Limit {
                max: rules.per_phone_per_hour,
                window: hour,
            },
            ErrorCode::RateLimited,
            too_many,
        ),
        (
            per_address,
            Limit {
                max: rules.per_ip_per_hour,
                window: hour,
            },
            ErrorCode::RateLimited,
            too_many,
        ),
    ];
    for (n, (key, limit, code, detail)) in limits.iter().enumerate() {
        if let Decision::Refused { retry_after } = limiter::hit(ctx.db, key, *limit, now).await? {
            for (counted, ..) in &limits[..n] {
                limiter::refund(ctx.db, counted).await?;
            }
            return Err(Error::refused(*code, *detail).retry_after(seconds_up(retry_after)));
        }
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
