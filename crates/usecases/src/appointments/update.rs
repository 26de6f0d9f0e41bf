//! The business changes an appointment: moves it, sets its status, notes or reference — all of it
//! or nothing.

use chrono::{DateTime, Utc};
use portal_api_types::ErrorCode;
use portal_db::appointments::{self as repo, Appointment, Move};
use portal_domain::AppointmentStatus;
use portal_notify::messages::AppointmentEvent;
use sea_orm::TransactionTrait;
use uuid::Uuid;

use super::{book::check_performer, load, written};
use crate::{Actor, Ctx, Error, Result, effects::Effects, error::optional_text, messages};

const BUSY: &str = "The staff member is not free at that time.";

/// What to change; `None` keeps a field.
#[derive(Debug, Clone)]
pub struct UpdateAppointment {
    /// The version the caller read; a newer one answers 409 `conflict`.
    pub version: i32,
    /// New start (the end follows the current length).
    pub starts_at: Option<DateTime<Utc>>,
    /// Another staff member who performs the service.
    pub staff_id: Option<Uuid>,
    /// `confirmed`, `completed` or `no_show`.
    pub status: Option<AppointmentStatus>,
    /// Notes (at most 2,000 characters; empty clears them).
    pub notes: Option<String>,
    /// The integrator's reference (at most 200 characters; empty clears it).
    pub external_ref: Option<String>,
}

/// Applies `input` to appointment `id`: every field is checked before anything is written, and the
/// move, the status and the details are one transaction with the customer's message about a move.
#[tracing::instrument(skip_all)]
pub async fn update_appointment(
    ctx: &Ctx<'_>,
    actor: Actor<'_>,
    id: Uuid,
    input: UpdateAppointment,
) -> Result<Appointment> {
    let Actor::Integrator(scope) = actor else {
        return Err(Error::NotFound);
    };
    let now = ctx.clock.now();

    // Parse everything first.
    let status = match input.status {
        None => None,
        Some(
            s @ (AppointmentStatus::Confirmed
            | AppointmentStatus::Completed
            | AppointmentStatus::NoShow),
        ) => Some(s),
        Some(_) => {
            return Err(Error::invalid(
                "status",
                "one of confirmed, completed, no_show (cancel with the cancel operation)",
            ));
        }
    };
    let notes = input
        .notes
        .map(|n| optional_text("notes", Some(n), 2000))
        .transpose()?;
    let external_ref = input
        .external_ref
        .map(|r| optional_text("external_ref", Some(r), 200))
        .transpose()?;

    // Decide.
    let a = load(ctx, &actor, id).await?;
    let stale = || {
        Error::refused(
            ErrorCode::Conflict,
            format!(
                "The appointment changed since version {}; read it again.",
                input.version
            ),
        )
    };
    if a.version != input.version {
        return Err(stale());
    }
    if a.status == AppointmentStatus::Cancelled {
        return Err(Error::refused(
            ErrorCode::AlreadyCancelled,
            "This appointment is cancelled.",
        ));
    }
    let to = if input.starts_at.is_some() || input.staff_id.is_some() {
        let staff = input.staff_id.unwrap_or(a.staff_id);
        if staff != a.staff_id {
            check_performer(ctx, scope, staff, a.service.id).await?;
        }
        let starts_at = input.starts_at.unwrap_or(a.starts_at);
        Some(Move {
            from_starts_at: a.starts_at,
            staff,
            starts_at,
            ends_at: starts_at + (a.ends_at - a.starts_at),
        })
    } else {
        None
    };
    let details = status.is_some() || notes.is_some() || external_ref.is_some();
    if to.is_none() && !details {
        return Ok(a);
    }

    // Effects: the customer hears about a new time, not about a new staff member or status.
    let mut effects = Effects::default();
    if let Some(to) = to.filter(|to| to.starts_at != a.starts_at) {
        let company = actor.company(ctx).await?;
        effects.messages = messages::for_appointment(
            ctx.db,
            &company,
            &a,
            AppointmentEvent::Rescheduled,
            Some((to.starts_at, to.ends_at)),
            now,
        )
        .await?;
    }
    effects.live = Some(crate::effects::appointment_changed(&a, "updated"));

    // One atomic write.
    let by = actor.changed_by();
    let txn = ctx.db.begin().await?;
    let mut version = a.version;
    if let Some(to) = to {
        let outcome = repo::reschedule(&txn, actor.tenant(), a.id, version, to, &by, now).await?;
        if outcome == repo::WriteOutcome::Stale {
            return Err(stale());
        }
        written(outcome, BUSY)?;
        version += 1;
    }
    if details {
        let outcome = repo::update_details(
            &txn,
            actor.tenant(),
            a.id,
            version,
            status,
            notes,
            external_ref,
            &by,
            now,
        )
        .await?;
        if outcome != repo::WriteOutcome::Done {
            return Err(stale());
        }
    }
    effects.write(&txn, a.company_id, now).await?;
    ctx.faults.check("update_appointment.before_commit")?;
    txn.commit().await?;

    effects.publish(ctx);
    load(ctx, &actor, a.id).await
}
