//! Moving the account to a new phone number, proven by a code texted to that number. The old
//! number is told, and every other session ends.

use chrono::Duration;
use portal_api_types::{ErrorCode, auth::SignInChallenge};
use portal_db::{
    CustomerScope, DbError,
    companies::Company,
    customers::{self, Customer},
    notifications::NewNotification,
    otp::{self, NewChallenge},
};
use portal_domain::{ChallengeId, Channel, Locale, OtpCode, SessionId};
use portal_notify::SmsMessage;

use super::codes::{check_code, check_code_limits, expired, new_code, parse_phone};
use crate::{Counted, Ctx, Error, Result};

const PURPOSE: &str = "phone_change";

fn taken() -> Error {
    Error::refused(
        ErrorCode::PhoneTaken,
        "Another customer of this business already has this number.",
    )
}

/// The customer whose scope this is; unauthorized once erased.
async fn signed_in(ctx: &Ctx<'_>, scope: &CustomerScope) -> Result<Customer> {
    customers::get(ctx.db, scope)
        .await?
        .ok_or(Error::Unauthorized)
}

/// Texts a code to `phone_input` so the signed-in customer can prove it is theirs.
#[tracing::instrument(skip_all)]
pub async fn change_phone(
    ctx: &Ctx<'_>,
    scope: &CustomerScope,
    company: &Company,
    phone_input: &str,
    ip: &str,
) -> Result<SignInChallenge> {
    let now = ctx.clock.now();
    let rules = &ctx.services.otp;
    let me = signed_in(ctx, scope).await?;
    let phone = parse_phone(phone_input, company)?;
    if me.phone.as_ref() == Some(&phone) {
        return Err(Error::invalid("phone", "this is already your number"));
    }
    if customers::find_by_phone(ctx.db, company.id, &phone)
        .await?
        .is_some()
    {
        return Err(taken());
    }
    check_code_limits(ctx, company, &phone, ip, now).await?;
    let id = ChallengeId::new();
    let (code, code_hmac) = new_code(ctx, id, company.id)?;
    otp::insert(
        ctx.db,
        NewChallenge {
            id,
            company_id: company.id,
            customer_id: Some(scope.customer_id()),
            phone: phone.clone(),
            purpose: PURPOSE,
            code_hmac,
            expires_at: now + Duration::seconds(rules.ttl_seconds.into()),
            ip: ip.to_owned(),
        },
        now,
    )
    .await?;
    let minutes = rules.ttl_seconds / 60;
    let text = match me.locale.unwrap_or(company.locale) {
        Locale::De => format!(
            "{} ist Ihr Code, um diese Nummer bei {} zu hinterlegen. Gültig {minutes} Minuten.",
            code.expose(),
            company.name,
        ),
        Locale::En => format!(
            "{} is your code to use this number at {}. Valid for {minutes} minutes.",
            code.expose(),
            company.name,
        ),
    };
    let message = SmsMessage {
        to: phone.as_str().to_owned(),
        body: text,
    };
    if let Err(err) = ctx.services.sms.send(&message).await {
        otp::delete(ctx.db, id).await?;
        ctx.services.telemetry.count(Counted::SmsFailed);
        return Err(Error::SmsUnavailable(err.to_string()));
    }
    ctx.services.telemetry.count(Counted::SmsSent);
    tracing::info!(phone = %phone.masked(), "phone change code issued");
    Ok(SignInChallenge {
        challenge_id: id.as_uuid(),
        expires_in: rules.ttl_seconds,
        resend_in: rules.resend_seconds,
        phone_masked: phone.masked(),
    })
}

/// What a confirmed phone change did.
#[derive(Debug)]
pub struct PhoneChanged {
    /// The customer with the new number.
    pub customer: Customer,
    /// Other sessions that ended.
    pub sessions_ended: u64,
}

/// Confirms a phone change with the code sent to the new number: the number moves, the old number
/// is told (in the same transaction), and every session but `session` ends.
#[tracing::instrument(skip_all)]
pub async fn confirm_phone_change(
    ctx: &Ctx<'_>,
    scope: &CustomerScope,
    company: &Company,
    session: SessionId,
    challenge_id: ChallengeId,
    code: &OtpCode,
) -> Result<PhoneChanged> {
    let now = ctx.clock.now();
    let challenge = otp::find(ctx.db, challenge_id)
        .await?
        .filter(|c| {
            c.purpose == PURPOSE
                && c.company_id == scope.company_id()
                && c.customer_id == Some(scope.customer_id())
        })
        .ok_or_else(expired)?;
    check_code(ctx, &challenge, code, true).await?;

    let me = signed_in(ctx, scope).await?;
    let notice = match me.locale.unwrap_or(company.locale) {
        Locale::De => format!(
            "Ihre Telefonnummer bei {} wurde soeben auf {} geändert. Waren Sie das nicht? Rufen Sie uns bitte an.",
            company.name,
            challenge.phone.masked()
        ),
        Locale::En => format!(
            "Your phone number at {} was just changed to {}. Not you? Please call us.",
            company.name,
            challenge.phone.masked()
        ),
    };
    let notice = me.phone.as_ref().map(|old| NewNotification {
        customer_id: Some(scope.customer_id()),
        ..NewNotification::new(
            company.id,
            Channel::Sms,
            "phone_changed",
            old.as_str().to_owned(),
            notice,
        )
    });
    let sessions_ended = match customers::change_phone(
        ctx.db,
        scope,
        &challenge.phone,
        notice,
        session,
        now,
    )
    .await
    {
        Ok(Some(ended)) => ended,
        Ok(None) => return Err(Error::Unauthorized),
        Err(DbError::Conflict(_)) => return Err(taken()),
        Err(err) => return Err(err.into()),
    };
    tracing::info!(phone = %challenge.phone.masked(), sessions_ended, "phone number changed");
    Ok(PhoneChanged {
        customer: signed_in(ctx, scope).await?,
        sessions_ended,
    })
}
