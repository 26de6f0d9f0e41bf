//! Cancelling an appointment: by the customer within the company's notice, by the business at any
//! time before it took place.

use portal_api_types::{
    ErrorCode,
    webhooks::{AppointmentCancelled, WebhookEvent},
};
use portal_db::appointments::{self as repo, Appointment};
use portal_domain::{AppointmentStatus, schedule};
use portal_notify::messages::AppointmentEvent;
use sea_orm::TransactionTrait;
use uuid::Uuid;

use super::{Change, change_policy, changed_meanwhile, load, refusal};
use crate::{Actor, Ctx, Error, Result, effects::Effects, error::optional_text, messages};

/// Cancels appointment `id` with an optional `reason` (at most 500 characters). The customer gets
/// their confirmation; a customer's cancellation also tells the integrators (webhook). Answers the
/// cancelled appointment.
#[tracing::instrument(skip_all)]
pub async fn cancel_appointment(
    ctx: &Ctx<'_>,
    actor: Actor<'_>,
    id: Uuid,
    reason: Option<String>,
) -> Result<Appointment> {
    // Parse.
    let reason = optional_text("reason", reason, 500)?;
    let now = ctx.clock.now();
    let a = load(ctx, &actor, id).await?;
    let company = actor.company(ctx).await?;

    // Decide.
    if actor.is_customer() {
        let policy = change_policy(&a, &company, Change::Cancel);
        let decision = schedule::decide(a.status, a.starts_at, a.created_at, now, &policy);
        refusal(&decision, &a, ErrorCode::CancellationWindowClosed)?;
    } else {
        match a.status {
            AppointmentStatus::Cancelled => {
                return Err(Error::refused(
                    ErrorCode::AlreadyCancelled,
                    "This appointment is already cancelled.",
                ));
            }
            AppointmentStatus::Completed | AppointmentStatus::NoShow => {
                return Err(Error::refused(
                    ErrorCode::AppointmentNotActive,
                    "This appointment can no longer be changed.",
                ));
            }
            AppointmentStatus::Booked | AppointmentStatus::Confirmed => {}
        }
    }

    // Effects.
    let mut effects = Effects {
        messages: messages::for_appointment(
            ctx.db,
            &company,
            &a,
            AppointmentEvent::Cancelled,
            None,
            now,
        )
        .await?,
        webhook: actor.is_customer().then(|| {
            WebhookEvent::AppointmentCancelled(AppointmentCancelled {
                appointment_id: a.id,
                customer_id: a.customer_id.as_uuid(),
                external_ref: a.external_ref.clone(),
                starts_at: a.starts_at,
                reason: reason.clone(),
                cancelled_by: "customer".into(),
            })
        }),
        live: Some(crate::effects::appointment_changed(&a, "cancelled")),
    };

    // One atomic write.
    let txn = ctx.db.begin().await?;
    let outcome = repo::cancel(
        &txn,
        actor.tenant(),
        a.id,
        a.version,
        reason.as_deref(),
        &actor.changed_by(),
        now,
    )
    .await?;
    if outcome != repo::WriteOutcome::Done {
        return Err(changed_meanwhile());
    }
    effects.write(&txn, a.company_id, now).await?;
    ctx.faults.check("cancel_appointment.before_commit")?;
    txn.commit().await?;

    // Publish.
    effects.publish(ctx);
    load(ctx, &actor, a.id).await
}
