//! GDPR rights: the export of everything stored about the customer, erasure, and the log of who
//! accessed their data.

use portal_api_types::{
    ErrorCode,
    notifications::NotificationStatus,
    privacy::{
        AuditEntry, DataExport, ExportAppointment, ExportAppointmentEvent, ExportDevices,
        ExportMessage, ExportPushSubscription, ExportSession, ExportSupportMessage,
    },
    support::SupportAuthor,
    webhooks::{CustomerErased, WebhookEvent},
};
use portal_db::{
    CustomerScope, TransactionTrait,
    privacy::{self, Erased},
    retention,
};
use portal_domain::{AppointmentStatus, Channel, Industry};

use crate::{
    Actor, Ctx, Error, Result, audit,
    effects::Effects,
    events::{Event, Update},
    medical,
    profile::signed_in_customer,
    views::{consent_record, profile_response},
};

/// The audit log about the signed-in customer, newest first.
#[tracing::instrument(skip_all)]
pub async fn access_log(ctx: &Ctx<'_>, scope: &CustomerScope) -> Result<Vec<AuditEntry>> {
    Ok(audit_entries(privacy::audit_entries(ctx.db, scope).await?))
}

/// Erases the signed-in customer's personal data for good (GDPR Art. 17), once they `confirm`:
/// the erasure, the `customer.erased` webhook and the audit entry are one transaction.
#[tracing::instrument(skip_all)]
pub async fn erase_account(ctx: &Ctx<'_>, actor: Actor<'_>, confirm: bool) -> Result<Erased> {
    let Actor::Customer { scope, .. } = actor else {
        return Err(Error::NotFound);
    };
    if !confirm {
        return Err(Error::refused(
            ErrorCode::ConfirmationRequired,
            "Send confirm=true to erase the account.",
        ));
    }
    let now = ctx.clock.now();
    let keep_since = retention::keep_appointments_since(ctx.db, scope.company_id(), now).await?;
    let mut effects = Effects {
        webhook: Some(WebhookEvent::CustomerErased(CustomerErased {
            customer_id: scope.customer_id().as_uuid(),
        })),
        live: Some(Event {
            company_id: scope.company_id(),
            customer_id: scope.customer_id(),
            update: Update::SessionsEnded,
        }),
        ..Effects::default()
    };
    let txn = ctx.db.begin().await?;
    let erased = privacy::erase(&txn, scope, keep_since, now)
        .await?
        .ok_or(Error::Unauthorized)?;
    effects.write(&txn, scope.company_id(), now).await?;
    audit::by_customer(&txn, scope, "privacy.erase", now).await?;
    ctx.faults.check("erase_account.before_commit")?;
    txn.commit().await?;
    effects.publish(ctx);
    tracing::info!(
        customer = %scope.customer_id(),
        kept = erased.appointments_kept,
        deleted = erased.appointments_deleted,
        sessions = erased.sessions_ended,
        "customer erased"
    );
    Ok(erased)
}

fn audit_entries(records: Vec<privacy::AuditRecord>) -> Vec<AuditEntry> {
    records
        .into_iter()
        .map(|r| AuditEntry {
            actor: r.actor,
            action: r.action,
            target: r.target,
            ip: r.ip,
            at: r.at,
        })
        .collect()
}

/// Everything the portal stores about the signed-in customer, as one document (GDPR Art. 15 and
/// 20); the export is recorded in the audit log.
#[tracing::instrument(skip_all)]
pub async fn export_personal_data(ctx: &Ctx<'_>, actor: Actor<'_>) -> Result<DataExport> {
    let Actor::Customer { scope, company } = actor else {
        return Err(Error::NotFound);
    };
    let now = ctx.clock.now();
    let me = signed_in_customer(ctx, scope).await?;
    let consent_at = me.medical_consent_at;
    let medical_history = if company.industry == Industry::Healthcare {
        medical::all_versions(ctx, &me).await?
    } else {
        Vec::new()
    };
    let appointments = privacy::appointments(ctx.db, scope)
        .await?
        .into_iter()
        .map(|a| {
            Ok(ExportAppointment {
                id: a.id,
                branch: a.branch,
                staff: a.staff,
                service: a.service,
                starts_at: a.starts_at,
                ends_at: a.ends_at,
                status: AppointmentStatus::parse(&a.status)
                    .ok_or_else(|| Error::Internal(format!("appointment {} status", a.id)))?,
                source: a.source,
                notes: a.notes,
                cancel_reason: a.cancel_reason,
                history: a
                    .events
                    .into_iter()
                    .map(|e| ExportAppointmentEvent {
                        kind: e.kind,
                        actor: e.actor,
                        from_starts_at: e.from_starts_at,
                        to_starts_at: e.to_starts_at,
                        reason: e.reason,
                        at: e.at,
                    })
                    .collect(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let messages = privacy::messages(ctx.db, scope)
        .await?
        .into_iter()
        .map(|m| {
            let corrupt = |column: &str| Error::Internal(format!("notification {} {column}", m.id));
            Ok(ExportMessage {
                id: m.id,
                channel: Channel::parse(&m.channel).ok_or_else(|| corrupt("channel"))?,
                kind: m.kind,
                recipient: m.recipient,
                subject: m.subject,
                body: m.body,
                status: NotificationStatus::parse(&m.status).ok_or_else(|| corrupt("status"))?,
                created_at: m.created_at,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let support_messages = privacy::support_messages(ctx.db, scope)
        .await?
        .into_iter()
        .map(|m| ExportSupportMessage {
            thread_id: m.thread_id,
            author: SupportAuthor::parse(&m.author).unwrap_or(SupportAuthor::Staff),
            body: m.body,
            created_at: m.created_at,
        })
        .collect();
    let devices = ExportDevices {
        sessions: privacy::sessions(ctx.db, scope)
            .await?
            .into_iter()
            .map(|s| ExportSession {
                id: s.id,
                user_agent: s.user_agent,
                ip: s.ip,
                created_at: s.created_at,
                last_used_at: s.last_used_at,
                ended_at: s.revoked_at,
            })
            .collect(),
        push_subscriptions: privacy::push_subscriptions(ctx.db, scope)
            .await?
            .into_iter()
            .map(|p| ExportPushSubscription {
                endpoint: p.endpoint,
                user_agent: p.user_agent,
                created_at: p.created_at,
            })
            .collect(),
    };
    let export = DataExport {
        exported_at: now,
        profile: profile_response(me, company),
        appointments,
        messages,
        support_messages,
        consents: portal_db::consents::history(ctx.db, scope.company_id(), scope.customer_id())
            .await?
            .into_iter()
            .map(consent_record)
            .collect(),
        medical_history_consent_at: consent_at,
        medical_history,
        devices,
        audit: audit_entries(privacy::audit_entries(ctx.db, scope).await?),
    };
    audit::by_customer(ctx.db, scope, "privacy.export", now).await?;
    Ok(export)
}
