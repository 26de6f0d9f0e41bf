//! The consent register: what a customer agreed to be contacted about, on which channel, and who
//! recorded it.

use portal_api_types::{
    ErrorCode,
    preferences::{ConsentRecord, Preference, RecordConsent, RecordedConsentSource},
};
use portal_db::{CustomerScope, TransactionTrait, api_keys::IntegratorScope, consents};
use portal_domain::{Channel, ConsentSource, CustomerId, Purpose};
use uuid::Uuid;

use crate::{Actor, Ctx, Error, Result, audit, profile::signed_in_customer};

/// The business records an answer the customer gave it (on the phone, or in its own system),
/// with an audit entry in the same transaction.
#[tracing::instrument(skip_all)]
pub async fn record_consent(
    ctx: &Ctx<'_>,
    scope: &IntegratorScope,
    customer: Uuid,
    input: RecordConsent,
) -> Result<ConsentRecord> {
    let company = scope.company_id();
    let customer =
        portal_db::catalog::find_customer(ctx.db, scope.into(), CustomerId::from_uuid(customer))
            .await?
            .ok_or(Error::NotFound)?;
    let source = match input.source {
        RecordedConsentSource::Phone => ConsentSource::Phone,
        RecordedConsentSource::Integrator => ConsentSource::Integrator,
    };
    let now = ctx.clock.now();
    let by = Actor::Integrator(scope).changed_by().name;
    let target = format!("{} {}", input.channel.as_str(), input.purpose.as_str());
    let txn = ctx.db.begin().await?;
    consents::record(
        &txn,
        company,
        customer.id,
        input.channel,
        input.purpose,
        input.granted,
        source,
        now,
    )
    .await?;
    let action = "consent.record";
    audit::record(&txn, company, customer.id, &by, action, Some(target), now).await?;
    txn.commit().await?;
    Ok(ConsentRecord {
        channel: input.channel,
        purpose: input.purpose,
        granted: input.granted,
        source: source.as_str().to_owned(),
        at: now,
    })
}

/// The customer's current answer for every channel and purpose.
pub async fn preferences(ctx: &Ctx<'_>, scope: &CustomerScope) -> Result<Vec<Preference>> {
    Ok(
        consents::current(ctx.db, scope.company_id(), scope.customer_id())
            .await?
            .into_iter()
            .map(|(channel, purpose, granted)| Preference {
                channel,
                purpose,
                granted,
            })
            .collect(),
    )
}

/// Sets the customer's answers in `wanted` (each channel and purpose at most once). Transactional
/// messages must stay on for SMS or email. Every answer that changes is appended to the consent
/// register (source `portal`), with one audit entry, in one transaction. Answers the preferences
/// as they now stand.
#[tracing::instrument(skip_all)]
pub async fn update_preferences(
    ctx: &Ctx<'_>,
    scope: &CustomerScope,
    wanted: &[Preference],
) -> Result<Vec<Preference>> {
    if wanted.is_empty() {
        return Err(Error::invalid("items", "give at least one answer"));
    }
    for (i, item) in wanted.iter().enumerate() {
        if wanted[..i]
            .iter()
            .any(|o| o.channel == item.channel && o.purpose == item.purpose)
        {
            return Err(Error::invalid(
                format!("items[{i}]"),
                "this channel and purpose appear twice",
            ));
        }
    }
    let now = ctx.clock.now();
    let mut standing = consents::current(ctx.db, scope.company_id(), scope.customer_id()).await?;
    let mut changes = Vec::new();
    for item in wanted {
        if let Some(entry) = standing
            .iter_mut()
            .find(|(c, p, _)| *c == item.channel && *p == item.purpose)
            && entry.2 != item.granted
        {
            entry.2 = item.granted;
            changes.push(*item);
        }
    }
    let on = |channel: Channel| {
        standing
            .iter()
            .any(|(c, p, g)| *c == channel && *p == Purpose::Transactional && *g)
    };
    if !on(Channel::Sms) && !on(Channel::Email) {
        return Err(Error::refused(
            ErrorCode::TransactionalRequired,
            "Keep confirmations and changes on for SMS or email.",
        ));
    }
    signed_in_customer(ctx, scope).await?;
    if !changes.is_empty() {
        let txn = ctx.db.begin().await?;
        for change in &changes {
            consents::record(
                &txn,
                scope.company_id(),
                scope.customer_id(),
                change.channel,
                change.purpose,
                change.granted,
                ConsentSource::Portal,
                now,
            )
            .await?;
        }
        audit::by_customer(&txn, scope, "preferences.update", now).await?;
        txn.commit().await?;
    }
    preferences(ctx, scope).await
}

/// The consent register (newest first) and since when the customer consents to keeping a medical
/// history, if they do.
pub async fn consent_register(
    ctx: &Ctx<'_>,
    scope: &CustomerScope,
) -> Result<(Vec<ConsentRecord>, Option<chrono::DateTime<chrono::Utc>>)> {
    let me = signed_in_customer(ctx, scope).await?;
    let items = consents::history(ctx.db, scope.company_id(), scope.customer_id())
        .await?
        .into_iter()
        .map(crate::views::consent_record)
        .collect();
    Ok((items, me.medical_consent_at))
}
