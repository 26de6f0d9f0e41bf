//! Signing in with a code texted to the customer's number.

use portal_api_types::auth::SignInChallenge;
use portal_db::{
    ActiveSession, TransactionTrait, audit,
    companies::{self, Company},
    customers, notifications, otp,
    sessions::{self, NewSession},
};
use portal_domain::{ChallengeId, CompanySlug, OtpCode};
use portal_notify::{messages::CODE_MASK, templates};

use super::codes::{
    answer, check_code, check_code_limits, expired, issue_challenge, parse_phone, queue_code,
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

/// Starts a sign-in: normalises the number, enforces locks and rate limits, stores a challenge
/// and — only for a number that belongs to a customer — queues its SMS, in one transaction. The
/// code goes out from the outbox's code lane, so the answer never waits for the SMS provider:
/// known and unknown numbers get the same answer after the same work, even during a provider
/// outage, and the answer tells nothing about who is a customer.
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
    check_code_limits(ctx, &company, &phone, &client.ip, now).await?;

    let customer = customers::find_by_phone(ctx.db, company.id, &phone).await?;
    let txn = ctx.db.begin().await?;
    let id = issue_challenge(
        ctx,
        &txn,
        company.id,
        customer.as_ref().map(|c| c.id),
        &phone,
        "sign_in",
        &client.ip,
    )
    .await?;
    let text = templates::sign_in_code(
        customer
            .as_ref()
            .and_then(|c| c.locale)
            .unwrap_or(company.locale),
        CODE_MASK,
        &company.name,
        &ctx.services.public_host,
        rules.ttl_seconds / 60,
    );
    let to = (
        notifications::SIGN_IN_CODE_KIND,
        customer.as_ref().map(|c| c.id),
    );
    queue_code(ctx, &txn, id, company.id, &phone, to, text).await?;
    txn.commit().await?;
    ctx.services.codes.ring();
    tracing::info!(phone = %phone.masked(), known = customer.is_some(), "sign-in code requested");
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
