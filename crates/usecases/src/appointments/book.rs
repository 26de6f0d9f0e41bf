//! The business (its phone assistant, booking system or staff) books an appointment.

use chrono::{DateTime, Duration, Utc};
use portal_db::{
    SystemScope, Tenant,
    api_keys::IntegratorScope,
    appointments::{self as repo, Appointment, NewAppointment},
    catalog,
};
use portal_domain::{
    AppointmentStatus, CustomerId,
    ids::{BranchId, ServiceId, StaffId},
};
use portal_notify::messages::AppointmentEvent;
use sea_orm::TransactionTrait;
use uuid::Uuid;

use super::{load, written};
use crate::{Actor, Ctx, Error, Result, effects::Effects, error::optional_text, messages};

const BUSY: &str = "The staff member is not free at that time.";

/// How a booking arrived.
pub const SOURCES: [&str; 3] = ["phone_assistant", "integrator", "staff"];

/// What to book.
#[derive(Debug, Clone)]
pub struct BookAppointment {
    /// Branch.
    pub branch_id: Uuid,
    /// Staff member (must perform the service).
    pub staff_id: Uuid,
    /// Service (its duration sets the end).
    pub service_id: Uuid,
    /// Customer.
    pub customer_id: Uuid,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// `booked` (default) or `confirmed`.
    pub status: Option<AppointmentStatus>,
    /// One of [`SOURCES`] (default `phone_assistant`).
    pub source: Option<String>,
    /// The integrator's reference (at most 200 characters).
    pub external_ref: Option<String>,
    /// Notes (at most 2,000 characters).
    pub notes: Option<String>,
}

/// Checks that `staff` (visible to the key) performs `service`.
pub(super) async fn check_performer(
    ctx: &Ctx<'_>,
    scope: &IntegratorScope,
    staff: Uuid,
    service: Uuid,
) -> Result<()> {
    let services = catalog::staff_services(ctx.db, scope.into(), StaffId::from_uuid(staff))
        .await?
        .ok_or_else(|| Error::invalid("staff_id", "no such staff member"))?;
    if services.contains(&ServiceId::from_uuid(service)) {
        Ok(())
    } else {
        Err(Error::invalid(
            "staff_id",
            "this staff member does not perform the service",
        ))
    }
}

/// Books an appointment unless the staff member is busy then (409 `slot_unavailable`, decided in
/// the same transaction as the insert). The booking, its history entry and the customer's
/// confirmation are written together: no crash can keep one without the other.
#[tracing::instrument(skip_all)]
pub async fn book_appointment(
    ctx: &Ctx<'_>,
    actor: Actor<'_>,
    input: BookAppointment,
) -> Result<Appointment> {
    let Actor::Integrator(scope) = actor else {
        return Err(Error::NotFound);
    };
    let now = ctx.clock.now();
    let company_id = scope.company_id();

    // Parse and check everything before anything is written.
    catalog::find_branch(ctx.db, scope.into(), BranchId::from_uuid(input.branch_id))
        .await?
        .ok_or_else(|| Error::invalid("branch_id", "no such branch"))?;
    let service =
        catalog::find_service(ctx.db, scope.into(), ServiceId::from_uuid(input.service_id))
            .await?
            .ok_or_else(|| Error::invalid("service_id", "no such service"))?;
    check_performer(ctx, scope, input.staff_id, input.service_id).await?;
    // Any customer of the company: a branch key books people it cannot list.
    let company_wide = Tenant::System(SystemScope::for_company(company_id));
    catalog::find_customer(
        ctx.db,
        company_wide,
        CustomerId::from_uuid(input.customer_id),
    )
    .await?
    .ok_or_else(|| Error::invalid("customer_id", "no such customer"))?;
    let status = match input.status {
        None => AppointmentStatus::Booked,
        Some(s @ (AppointmentStatus::Booked | AppointmentStatus::Confirmed)) => s,
        Some(_) => {
            return Err(Error::invalid(
                "status",
                "a new appointment is booked or confirmed",
            ));
        }
    };
    let source = input.source.unwrap_or_else(|| SOURCES[0].into());
    if !SOURCES.contains(&source.as_str()) {
        return Err(Error::invalid(
            "source",
            "one of phone_assistant, integrator, staff",
        ));
    }
    let new = NewAppointment {
        id: Uuid::now_v7(),
        company_id,
        branch_id: input.branch_id,
        staff_id: input.staff_id,
        service_id: input.service_id,
        customer_id: CustomerId::from_uuid(input.customer_id),
        starts_at: input.starts_at,
        ends_at: input.starts_at + Duration::minutes(service.duration_minutes.into()),
        status,
        source,
        external_ref: optional_text("external_ref", input.external_ref, 200)?,
        notes: optional_text("notes", input.notes, 2000)?,
    };

    // Effects: the confirmation of the appointment as it will be.
    let draft = repo::draft(ctx.db, &new, now)
        .await?
        .ok_or_else(|| Error::Internal("booking draft: catalog row vanished".into()))?;
    let company = actor.company(ctx).await?;
    let mut effects = Effects {
        messages: messages::for_appointment(
            ctx.db,
            &company,
            &draft,
            AppointmentEvent::Booked,
            None,
            now,
        )
        .await?,
        webhook: None,
        live: Some(crate::effects::appointment_changed(&draft, "booked")),
    };

    // One atomic write.
    let txn = ctx.db.begin().await?;
    written(
        repo::create(&txn, &new, &actor.changed_by(), now).await?,
        BUSY,
    )?;
    effects.write(&txn, company_id, now).await?;
    ctx.faults.check("book_appointment.before_commit")?;
    txn.commit().await?;

    effects.publish(ctx);
    load(ctx, &actor, new.id).await
}
