//! Moving the account to a new phone number, proven by a code texted to that number. The old
//! number is told, and every other session ends.

use portal_api_types::{ErrorCode, auth::SignInChallenge};
use portal_db::{
    CustomerScope, DbError, TransactionTrait,
    companies::Company,
    customers::{self, Customer},
    notifications::{self, NewNotification},
    otp,
};
use portal_domain::{ChallengeId, Channel, Locale, OtpCode, SessionId};
use portal_notify::{messages::CODE_MASK, templates};

use super::codes::{
    answer, check_code, check_code_limits, expired, issue_challenge, parse_phone, queue_code,
};
use crate::{Ctx, Error, Result, profile::signed_in_customer};

const PURPOSE: &str = "phone_change";

fn taken() -> Error {
    Error::refused(
        ErrorCode::PhoneTaken,
        "Another customer of this business already has this number.",
    )
}

/// Texts a code to `phone_input` so the signed-in customer can prove it is theirs. A number another
/// customer of the company has gets the same answer but no code.
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
    let me = signed_in_customer(ctx, scope).await?;
    let phone = parse_phone(phone_input, company)?;
    if me.phone.as_ref() == Some(&phone) {
        return Err(Error::invalid("phone", "this is already your number"));
    }
    // A number another customer has gets the same answer and no code, so the change simply cannot
    // be confirmed: the answer tells nobody who is a customer, and that customer hears nothing.
    let taken = customers::find_by_phone(ctx.db, company.id, &phone)
        .await?
        .is_some();
    check_code_limits(ctx, company, &phone, ip, now).await?;
    let txn = ctx.db.begin().await?;
    let id = issue_challenge(
        ctx,
        &txn,
        company.id,
        Some(scope.customer_id()),
        &phone,
        PURPOSE,
        ip,
    )
    .await?;
    let text = templates::phone_change_code(
        me.locale.unwrap_or(company.locale),
        CODE_MASK,
        &company.name,
        &ctx.services.public_host,
        rules.ttl_seconds / 60,
    );
    let to = (
        notifications::PHONE_CHANGE_CODE_KIND,
        (!taken).then(|| scope.customer_id()),
    );
    queue_code(ctx, &txn, id, company.id, &phone, to, text).await?;
    txn.commit().await?;
    ctx.services.codes.ring();
    tracing::info!(phone = %phone.masked(), taken, "phone change requested");
    Ok(answer(ctx, id, &phone))
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

    let me = signed_in_customer(ctx, scope).await?;
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
    crate::sessions::announce_ended(ctx, scope.company_id(), scope.customer_id());
    tracing::info!(phone = %challenge.phone.masked(), sessions_ended, "phone number changed");
    Ok(PhoneChanged {
        customer: signed_in_customer(ctx, scope).await?,
        sessions_ended,
    })
}
