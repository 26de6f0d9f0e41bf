//! The customer's own details: name, email (confirmed by a code sent to it), language, postal
//! address and — at healthcare businesses — date of birth.

use chrono::{Duration, NaiveDate};
use hmac::{Hmac, Mac};
use portal_api_types::{ErrorCode, profile::UpdateProfile};
use portal_db::{
    CustomerScope, TransactionTrait,
    companies::Company,
    customers::{self, Address, Customer, ProfileUpdate},
    limiter::{self, Decision, Limit},
    notifications::{self, NewNotification},
};
use portal_domain::{Channel, CustomerId, EmailAddress, Industry, OtpCode};
use sha2::Sha256;

use crate::{Ctx, Error, Result, audit, auth::codes::random_code};

/// How long an email code stays valid.
const EMAIL_CODE_TTL: Duration = Duration::minutes(30);
/// Codes a pending email address accepts.
const EMAIL_CODE_ATTEMPTS: u32 = 5;
/// A new code for the same address is sent at most this often.
const EMAIL_RESEND: Duration = Duration::seconds(60);
/// Email codes one account may have sent per hour (to any addresses).
const EMAIL_CODES_PER_HOUR: u32 = 5;

/// The signed-in customer's record; unauthorized once erased.
pub async fn signed_in_customer(ctx: &Ctx<'_>, scope: &CustomerScope) -> Result<Customer> {
    customers::get(ctx.db, scope)
        .await?
        .ok_or(Error::Unauthorized)
}

/// The HMAC an email code is stored as, bound to the customer and the address.
fn email_code_mac(
    ctx: &Ctx<'_>,
    customer: CustomerId,
    email: &str,
    code: &OtpCode,
) -> Result<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(ctx.services.otp_key.expose().as_bytes())
        .map_err(|e| Error::Internal(e.to_string()))?;
    mac.update(b"email_change");
    mac.update(customer.as_uuid().as_bytes());
    mac.update(email.as_bytes());
    mac.update(code.expose().as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// Whether saving `email` sends a new code: a different address, or the same one after the
/// resend wait.
async fn needs_new_code(
    ctx: &Ctx<'_>,
    scope: &CustomerScope,
    email: &EmailAddress,
) -> Result<bool> {
    let now = ctx.clock.now();
    Ok(match customers::pending_email(ctx.db, scope).await? {
        Some(pending) => {
            pending.email != email.as_str()
                || pending.expires_at - EMAIL_CODE_TTL + EMAIL_RESEND <= now
        }
        None => true,
    })
}

/// Replaces the profile with `input` (a field left out clears it). A new email address gets a
/// confirmation code and becomes the address once confirmed. Everything is checked before anything
/// is written; the change, the queued confirmation email and the audit entry are one transaction.
#[tracing::instrument(skip_all)]
pub async fn update_profile(
    ctx: &Ctx<'_>,
    scope: &CustomerScope,
    company: &Company,
    input: UpdateProfile,
) -> Result<Customer> {
    let now = ctx.clock.now();
    if let Some(born) = input.date_of_birth {
        if company.industry != Industry::Healthcare {
            return Err(Error::invalid(
                "date_of_birth",
                "only healthcare businesses keep a date of birth; send null",
            ));
        }
        let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
        if born < earliest || born > now.date_naive() {
            return Err(Error::invalid(
                "date_of_birth",
                "must lie between 1900-01-01 and today",
            ));
        }
    }
    let current = signed_in_customer(ctx, scope).await?;
    // A new address gets a code unless one was just sent; refuse before changing anything, so a
    // 429 leaves the profile as it was.
    let new_code = match &input.email {
        Some(email) if current.email.as_deref() != Some(email.as_str()) => {
            if needs_new_code(ctx, scope, email).await? {
                let key = format!("email-code:{}:{}", scope.company_id(), scope.customer_id());
                let limit = Limit {
                    max: EMAIL_CODES_PER_HOUR,
                    window: Duration::hours(1),
                };
                if let Decision::Refused { retry_after } =
                    limiter::hit(ctx.db, &key, limit, now).await?
                {
                    let seconds = u64::try_from(retry_after.num_seconds()).unwrap_or(1);
                    return Err(Error::refused(
                        ErrorCode::RateLimited,
                        "Too many confirmation emails were requested. Please try again later.",
                    )
                    .retry_after(seconds));
                }
                let code = random_code()?;
                let mac = email_code_mac(ctx, scope.customer_id(), email.as_str(), &code)?;
                let (subject, body) = portal_notify::messages::email_code(
                    input.language,
                    code.expose(),
                    &company.name,
                );
                let message = NewNotification {
                    customer_id: Some(scope.customer_id()),
                    subject: Some(subject),
                    ..NewNotification::new(
                        scope.company_id(),
                        Channel::Email,
                        customers::EMAIL_CODE_KIND,
                        email.as_str().to_owned(),
                        body,
                    )
                };
                Some((email.clone(), mac, message))
            } else {
                None
            }
        }
        _ => None,
    };
    let remove_email =
        input.email.is_none() && (current.email.is_some() || current.pending_email.is_some());
    let update = ProfileUpdate {
        name: input.name,
        locale: input.language,
        address: input.address.map(|a| Address {
            street: a.street.into(),
            postal_code: a.postal_code.into(),
            city: a.city.into(),
            country: a.country.into(),
        }),
        date_of_birth: input.date_of_birth,
    };

    let txn = ctx.db.begin().await?;
    if !customers::update_profile(&txn, scope, &update, now).await? {
        return Err(Error::Unauthorized);
    }
    if remove_email {
        customers::remove_email(&txn, scope, now).await?;
    }
    if let Some((email, mac, message)) = new_code {
        customers::start_email_change(&txn, scope, &email, &mac, now + EMAIL_CODE_TTL).await?;
        notifications::queue(&txn, message, now).await?;
        tracing::info!(customer = %scope.customer_id(), "email confirmation code queued");
    }
    audit::by_customer(&txn, scope, "profile.update", now).await?;
    txn.commit().await?;
    signed_in_customer(ctx, scope).await
}

/// Confirms the pending email address with the code sent to it: at most five tries, compared in
/// constant time.
#[tracing::instrument(skip_all)]
pub async fn confirm_email(
    ctx: &Ctx<'_>,
    scope: &CustomerScope,
    code: &OtpCode,
) -> Result<Customer> {
    let now = ctx.clock.now();
    let expired = || {
        Error::refused(
            ErrorCode::CodeExpired,
            "No code is waiting, or it expired. Save the address again for a new code.",
        )
    };
    let pending = customers::pending_email(ctx.db, scope)
        .await?
        .ok_or_else(expired)?;
    if !customers::claim_email_attempt(ctx.db, scope, EMAIL_CODE_ATTEMPTS, now).await? {
        return Err(expired());
    }
    let mac = email_code_mac(ctx, scope.customer_id(), &pending.email, code)?;
    let matches: bool =
        subtle::ConstantTimeEq::ct_eq(mac.as_bytes(), pending.code_hmac.as_bytes()).into();
    if !matches {
        return Err(
            Error::refused(ErrorCode::InvalidCode, "The code is not correct.")
                .attempts_remaining(EMAIL_CODE_ATTEMPTS.saturating_sub(pending.attempts + 1)),
        );
    }
    let txn = ctx.db.begin().await?;
    if !customers::confirm_email(&txn, scope, &pending.code_hmac, now).await? {
        return Err(
            Error::refused(ErrorCode::InvalidCode, "The code is not correct.")
                .attempts_remaining(EMAIL_CODE_ATTEMPTS.saturating_sub(pending.attempts + 1)),
        );
    }
    audit::by_customer(&txn, scope, "profile.email_confirmed", now).await?;
    txn.commit().await?;
    signed_in_customer(ctx, scope).await
}
