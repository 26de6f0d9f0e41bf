//! A customer moves an appointment to a free slot.

use chrono::{DateTime, Utc};
use portal_api_types::{
    ErrorCode,
    webhooks::{AppointmentRescheduled, WebhookEvent},
};
use portal_db::{
    appointments::{self as repo, Appointment, Move},
    availability,
};
use portal_domain::schedule;
use portal_notify::messages::AppointmentEvent;
use sea_orm::TransactionTrait;
use uuid::Uuid;

use super::{
    Change, change_policy, load, refusal, slot_unavailable,
    slots::{Spec, duration},
    written,
};
use crate::{Actor, Ctx, Error, Result, effects::Effects, messages};

const TAKEN: &str = "This time is not available. Please pick another one.";

/// Where to move to.
#[derive(Debug, Clone, Copy)]
pub struct RescheduleAppointment {
    /// A start the slot list offered.
    pub starts_at: DateTime<Utc>,
    /// Another staff member who performs the service (default: the same).
    pub staff_id: Option<Uuid>,
}

/// Moves the signed-in customer's appointment `id` to a free slot within the company's notice
/// rules; the customer gets a confirmation and the integrators a webhook.
#[tracing::instrument(skip_all)]
pub async fn reschedule_appointment(
    ctx: &Ctx<'_>,
    actor: Actor<'_>,
    id: Uuid,
    input: RescheduleAppointment,
) -> Result<Appointment> {
    let Actor::Customer { scope, company } = actor else {
        // Integrators move appointments with `update_appointment` (their own rules).
        return Err(Error::NotFound);
    };
    let now = ctx.clock.now();
    let a = load(ctx, &actor, id).await?;

    // Decide: the notice, then the slot (working hours, buffers, notice, horizon).
    let policy = change_policy(&a, company, Change::Reschedule);
    let decision = schedule::decide(a.status, a.starts_at, a.created_at, now, &policy);
    refusal(&decision, &a, ErrorCode::RescheduleWindowClosed)?;
    let starts_at = input.starts_at;
    let staff = input.staff_id.unwrap_or(a.staff_id);
    if staff != a.staff_id {
        let performers =
            availability::staff_for_service(ctx.db, a.company_id, a.branch.id, a.service.id)
                .await?;
        if !performers.iter().any(|(id, _)| *id == staff) {
            return Err(slot_unavailable(TAKEN));
        }
    }
    let spec = Spec::moving(&a, company, now)?;
    let one_second = chrono::Duration::seconds(1);
    let free = spec
        .free_starts(ctx, staff, starts_at, starts_at + one_second)
        .await?;
    if !free.contains(&starts_at) {
        return Err(slot_unavailable(TAKEN));
    }
    let ends_at = starts_at + duration(&a);

    // Effects.
    let mut effects = Effects {
        messages: messages::for_appointment(
            ctx.db,
            company,
            &a,
            AppointmentEvent::Rescheduled,
            Some((starts_at, ends_at)),
            now,
        )
        .await?,
        webhook: Some(WebhookEvent::AppointmentRescheduled(
            AppointmentRescheduled {
                appointment_id: a.id,
                customer_id: scope.customer_id().as_uuid(),
                external_ref: a.external_ref.clone(),
                previous_starts_at: a.starts_at,
                starts_at,
                ends_at,
                staff_id: staff,
                rescheduled_by: "customer".into(),
            },
        )),
        live: Some(crate::effects::appointment_changed(&a, "rescheduled")),
    };

    // One atomic write.
    let txn = ctx.db.begin().await?;
    let to = Move {
        from_starts_at: a.starts_at,
        staff,
        starts_at,
        ends_at,
    };
    let outcome = repo::reschedule(
        &txn,
        actor.tenant(),
        a.id,
        a.version,
        to,
        &actor.changed_by(),
        now,
    )
    .await?;
    written(outcome, TAKEN)?;
    effects.write(&txn, a.company_id, now).await?;
    ctx.faults.check("reschedule_appointment.before_commit")?;
    txn.commit().await?;

    effects.publish(ctx);
    load(ctx, &actor, a.id).await
}
