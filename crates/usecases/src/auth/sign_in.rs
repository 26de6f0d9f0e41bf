//! Signing in with a code texted to the customer's number.

use portal_api_types::auth::SignInChallenge;
use portal_db::{
    ActiveSession, TransactionTrait, audit,
    companies::{self, Company},
    customers,
    notifications::{self, NewNotification},
    otp,
    sessions::{self, NewSession},
};
use portal_domain::{ChallengeId, Channel, CompanySlug, OtpCode};
use portal_notify::templates;

use super::codes::{
    answer, check_code, check_code_limits, expired, issue_challenge, parse_phone, send_code,
};
use crate::{Counted, Ctx, Error, Result};

/// Who is asking, as far as the rate limits and the device list are concerned.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    /// The client's address (the socket's, or a trusted proxy's `X-Forwarded-For`).
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
    /// The company signed in to.
    pub company: Company,
}

/// Starts a sign-in: normalises the number, enforces locks and rate limits, stores the HMAC of a
/// fresh code and texts it — but only to a number that belongs to a customer. Unknown numbers get
/// the same answer and no SMS, so the answer reveals nothing about who is a customer.
#[tracing::instrument(skip_all, fields(company = %slug, ip = %client.ip))]
pub async fn start_sign_in(
    ctx: &Ctx<'_>,
    slug: &CompanySlug,
    phone_input: &str,
    client: &ClientInfo,
) -> Result<SignInChallenge> {
    let now = ctx.clock.now();
    let rules = &ctx.services.otp;
    let company = companies::find_by_slug(ctx.db, slug)
        .await?
        .ok_or(Error::NotFound)?;
    let phone = parse_phone(phone_input, &company)?;
    let quota = check_code_limits(ctx, &company, &phone, &client.ip, now).await?;

    let customer = customers::find_by_phone(ctx.db, company.id, &phone).await?;
    let customer_id = customer.as_ref().map(|c| c.id);
    let (id, code) =
        issue_challenge(ctx, company.id, customer_id, &phone, "sign_in", &client.ip).await?;

    if let Some(customer) = &customer {
        let locale = customer.locale.unwrap_or(company.locale);
        let body = templates::sign_in_code(
            locale,
            code.expose(),
            &company.name,
            &ctx.services.public_host,
            rules.ttl_seconds / 60,
        );
        let sent = send_code(ctx, id, &phone, body, quota).await?;
        // The message history shows that a code was sent, never the code. The code is already on
        // its way, so a failed history write must not fail the sign-in.
        let record = NewNotification {
            customer_id: Some(customer.id),
            ..NewNotification::new(
                company.id,
                Channel::Sms,
                "sign_in_code",
                phone.as_str().to_owned(),
                portal_notify::messages::masked_sign_in_code(locale, &company.name),
            )
        };
        if let Err(err) = notifications::record_sent(ctx.db, record, &sent.provider_id, now).await {
            tracing::warn!(error = %err, "could not record the sign-in SMS in the history");
        }
    }
    tracing::info!(phone = %phone.masked(), known = customer.is_some(), "sign-in code issued");
    Ok(answer(ctx, id, &phone))
}

/// Exchanges a sign-in code for a new session (with the company's idle and absolute lifetimes)
/// and records the sign-in in the audit log.
#[tracing::instrument(skip_all, fields(challenge = %challenge_id, ip = %client.ip))]
pub async fn verify_code(
    ctx: &Ctx<'_>,
    challenge_id: ChallengeId,
    code: &OtpCode,
    client: &ClientInfo,
) -> Result<SignedIn> {
    let now = ctx.clock.now();
    let challenge = otp::find(ctx.db, challenge_id)
        .await?
        .filter(|c| c.purpose == "sign_in")
        .ok_or_else(expired)?;
    check_code(ctx, &challenge, code, challenge.customer_id.is_some()).await?;
    let customer_id = challenge.customer_id.ok_or_else(expired)?;
    let company = companies::find(ctx.db, challenge.company_id)
        .await?
        .ok_or(Error::NotFound)?;
    let (refresh_token, refresh_hash) =
        sessions::new_refresh_token().map_err(|e| Error::Internal(e.to_string()))?;
    // The session and its audit entry are one write.
    let txn = ctx.db.begin().await?;
    let session = sessions::create(
        &txn,
        NewSession {
            company_id: company.id,
            customer_id,
            user_agent: client.user_agent.as_deref(),
            ip: Some(&client.ip),
            idle: company.session_idle,
            absolute: company.session_absolute,
        },
        refresh_hash,
        now,
    )
    .await?;
    audit::record(
        &txn,
        audit::AuditEntry {
            company_id: company.id,
            customer_id: Some(customer_id),
            actor: "customer",
            action: "auth.sign_in",
            target: Some(session.id.to_string()),
            ip: Some(&client.ip),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    ctx.services.telemetry.count(Counted::SignedIn);
    tracing::info!(company = %company.id, session = %session.id, "signed in");
    Ok(SignedIn {
        session,
        refresh_token,
        company,
    })
}
