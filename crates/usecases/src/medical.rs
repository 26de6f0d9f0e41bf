//! The medical history at healthcare businesses (DESIGN.md "Health data"): sealed with AES-256-GCM
//! before it reaches the database ([`crate::crypto`]), every write a new version (earlier ones stay
//! readable), and every access in the audit log — written in the same transaction as the access it
//! records. The customer and the practice (an integrator key with the `medical` scope) use the same
//! functions; the step-up check (a recent sign-in) is the customer extractor's.

use portal_api_types::{
    ErrorCode,
    medical::{MedicalConsentResponse, MedicalHistory, MedicalHistoryVersion},
};
use portal_db::{
    DbError, TransactionTrait,
    companies::Company,
    customers::{self, Customer},
    medical::{self, StoredVersion},
};
use portal_domain::{CustomerId, Industry};
use uuid::Uuid;

use crate::{
    Actor, Ctx, Error, Result, audit, crypto::associated_data, profile::signed_in_customer,
};

/// Not found unless `company` is a healthcare business: elsewhere the medical history does not
/// exist (customer handlers check this before the step-up, so the answer there is 404, not 401).
pub fn require_healthcare(company: &Company) -> Result<()> {
    if company.industry == Industry::Healthcare {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

/// Whose history: the signed-in customer, or for a practice the customer it names.
async fn subject(ctx: &Ctx<'_>, actor: &Actor<'_>, customer: Option<Uuid>) -> Result<Customer> {
    require_healthcare(&*actor.company(ctx).await?)?;
    match (actor, customer) {
        (Actor::Customer { scope, .. }, _) => signed_in_customer(ctx, scope).await,
        (Actor::Integrator(scope), Some(id)) => {
            portal_db::catalog::find_customer(ctx.db, (*scope).into(), CustomerId::from_uuid(id))
                .await?
                .ok_or(Error::NotFound)
        }
        _ => Err(Error::NotFound),
    }
}

/// Who wrote a version, as customers see it.
pub fn written_by(actor: &str) -> String {
    if actor == "customer" {
        "customer".into()
    } else {
        "practice".into()
    }
}

/// Opens a stored version.
fn open(ctx: &Ctx<'_>, stored: &StoredVersion) -> Result<MedicalHistoryVersion> {
    let plaintext = ctx
        .services
        .medical
        .open(stored)
        .map_err(|e| Error::Internal(e.to_string()))?;
    let content: MedicalHistory =
        serde_json::from_slice(&plaintext).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(MedicalHistoryVersion {
        version: stored.version,
        created_at: stored.created_at,
        written_by: written_by(&stored.actor),
        content,
    })
}

/// Records that `actor` read `subject`'s medical data.
async fn audit_access(
    ctx: &Ctx<'_>,
    actor: &Actor<'_>,
    subject: &Customer,
    action: &str,
    target: Option<String>,
) -> Result<()> {
    let name = actor.changed_by().name;
    let (company, customer, now) = (subject.company_id, subject.id, ctx.clock.now());
    audit::record(ctx.db, company, customer, &name, action, target, now).await
}

/// Whether the customer consents, and since when.
pub fn consent(customer: &Customer) -> MedicalConsentResponse {
    MedicalConsentResponse {
        granted: customer.medical_consent_at.is_some(),
        granted_at: customer.medical_consent_at,
    }
}

/// The newest version (`None` before the first) and the consent, read and audited.
#[tracing::instrument(skip_all)]
pub async fn current_medical_history(
    ctx: &Ctx<'_>,
    actor: Actor<'_>,
) -> Result<(MedicalConsentResponse, Option<MedicalHistoryVersion>)> {
    let me = subject(ctx, &actor, None).await?;
    let stored = medical::get(ctx.db, me.company_id, me.id, None).await?;
    let current = stored.as_ref().map(|v| open(ctx, v)).transpose()?;
    let target = current.as_ref().map(|v| format!("version {}", v.version));
    audit_access(ctx, &actor, &me, "medical_history.read", target).await?;
    Ok((consent(&me), current))
}

/// Every version, newest first: summaries for the customer (`open = false`), opened for the
/// practice; audited.
#[tracing::instrument(skip_all)]
pub async fn medical_history_versions(
    ctx: &Ctx<'_>,
    actor: Actor<'_>,
    customer: Option<Uuid>,
) -> Result<Vec<(StoredVersion, Option<MedicalHistoryVersion>)>> {
    let subject = subject(ctx, &actor, customer).await?;
    let opened = matches!(actor, Actor::Integrator(_));
    let mut items = medical::list(ctx.db, subject.company_id, subject.id)
        .await?
        .into_iter()
        .map(|v| {
            let content = opened.then(|| open(ctx, &v)).transpose()?;
            Ok((v, content))
        })
        .collect::<Result<Vec<_>>>()?;
    items.reverse();
    let (action, target) = if opened {
        let newest = items.first().map(|(v, _)| format!("version {}", v.version));
        ("medical_history.read", newest)
    } else {
        ("medical_history.list_versions", None)
    };
    audit_access(ctx, &actor, &subject, action, target).await?;
    Ok(items)
}

/// Version `number` of the signed-in customer's history, read and audited.
#[tracing::instrument(skip_all)]
pub async fn medical_history_version(
    ctx: &Ctx<'_>,
    actor: Actor<'_>,
    number: i32,
) -> Result<MedicalHistoryVersion> {
    let me = subject(ctx, &actor, None).await?;
    let stored = medical::get(ctx.db, me.company_id, me.id, Some(number))
        .await?
        .ok_or(Error::NotFound)?;
    let opened = open(ctx, &stored)?;
    let target = Some(format!("version {number}"));
    audit_access(ctx, &actor, &me, "medical_history.read", target).await?;
    Ok(opened)
}

/// Seals and stores `content` as the next version of the history (the customer's own, with their
/// consent; or, for a practice, the named customer's) together with its audit entry. Two writers
/// racing for the same number: the loser tries the next one (the unique index guarantees no
/// version is overwritten).
#[tracing::instrument(skip_all)]
pub async fn save_medical_history(
    ctx: &Ctx<'_>,
    actor: Actor<'_>,
    customer: Option<Uuid>,
    content: &MedicalHistory,
) -> Result<MedicalHistoryVersion> {
    let subject = subject(ctx, &actor, customer).await?;
    if actor.is_customer() && subject.medical_consent_at.is_none() {
        return Err(Error::refused(
            ErrorCode::ConsentRequired,
            "Please consent to keeping your medical history first.",
        ));
    }
    let (company, customer) = (subject.company_id, subject.id);
    let name = actor.changed_by().name;
    let plaintext = serde_json::to_vec(content).map_err(|e| Error::Internal(e.to_string()))?;
    for _ in 0..5 {
        let now = ctx.clock.now();
        let version = medical::next_version(ctx.db, company, customer).await?;
        let sealed = ctx
            .services
            .medical
            .seal(&plaintext, &associated_data(company, customer, version))
            .map_err(|e| Error::Internal(e.to_string()))?;
        let txn = ctx.db.begin().await?;
        let stored =
            match medical::insert(&txn, company, customer, version, sealed, &name, now).await {
                Ok(stored) => stored,
                Err(DbError::Conflict(_)) => continue,
                Err(err) => return Err(err.into()),
            };
        let target = Some(format!("version {version}"));
        audit::record(
            &txn,
            company,
            customer,
            &name,
            "medical_history.write",
            target,
            now,
        )
        .await?;
        txn.commit().await?;
        return open(ctx, &stored);
    }
    Err(Error::refused(
        ErrorCode::Conflict,
        "The medical history is being changed right now; please try again.",
    ))
}

/// Gives or withdraws the signed-in customer's consent to keep a medical history; a change is
/// audited in the same transaction.
#[tracing::instrument(skip_all)]
pub async fn set_medical_consent(
    ctx: &Ctx<'_>,
    actor: Actor<'_>,
    granted: bool,
) -> Result<MedicalConsentResponse> {
    let Actor::Customer { scope, .. } = actor else {
        return Err(Error::NotFound);
    };
    let me = subject(ctx, &actor, None).await?;
    let now = ctx.clock.now();
    let at = match (granted, me.medical_consent_at) {
        (true, Some(since)) => Some(since),
        (true, None) => Some(now),
        (false, _) => None,
    };
    if at != me.medical_consent_at {
        let action = if at.is_some() {
            "medical_history.consent_granted"
        } else {
            "medical_history.consent_withdrawn"
        };
        let txn = ctx.db.begin().await?;
        customers::set_medical_consent(&txn, scope, at).await?;
        audit::record(&txn, me.company_id, me.id, "customer", action, None, now).await?;
        txn.commit().await?;
    }
    Ok(MedicalConsentResponse {
        granted: at.is_some(),
        granted_at: at,
    })
}

/// Every version of `customer`'s history, opened, oldest first (for the GDPR export, which
/// records its own audit entry).
pub(crate) async fn all_versions(
    ctx: &Ctx<'_>,
    customer: &Customer,
) -> Result<Vec<MedicalHistoryVersion>> {
    medical::list(ctx.db, customer.company_id, customer.id)
        .await?
        .iter()
        .map(|v| open(ctx, v))
        .collect()
}
