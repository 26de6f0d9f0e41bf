//! Reading appointments: the customer's list, the company's list, one appointment, its history.

use chrono::{DateTime, Utc};
use portal_db::appointments::{self as repo, Appointment, AppointmentEvent, ListFilter, Period};
use portal_domain::CustomerId;
use uuid::Uuid;

use super::{decode_cursor, encode_cursor, load, page_size};
use crate::{Actor, Ctx, Result};

/// A page of appointments and the cursor of the next one.
#[derive(Debug, Clone)]
pub struct Page {
    /// The appointments.
    pub items: Vec<Appointment>,
    /// Where the next page starts, if there is one.
    pub next_cursor: Option<String>,
}

/// Cuts a page fetched with one extra item.
fn page(mut items: Vec<Appointment>, limit: u64) -> Page {
    let next_cursor = if items.len() as u64 > limit {
        items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        items.last().map(encode_cursor)
    } else {
        None
    };
    Page { items, next_cursor }
}

/// The signed-in customer's appointments of `period`, a page at a time (default 20).
#[tracing::instrument(skip_all, fields(period = ?period))]
pub async fn list_customer_appointments(
    ctx: &Ctx<'_>,
    scope: &portal_db::CustomerScope,
    period: Period,
    cursor: Option<&str>,
    limit: Option<u64>,
) -> Result<Page> {
    let limit = page_size(limit, 20)?;
    let after = cursor.map(decode_cursor).transpose()?;
    let items =
        repo::list_for_customer(ctx.db, scope, period, after, limit + 1, ctx.clock.now()).await?;
    Ok(page(items, limit))
}

/// Filters of the integrator's list.
#[derive(Debug, Clone, Default)]
pub struct CompanyListInput {
    /// Only this customer's.
    pub customer_id: Option<Uuid>,
    /// Only this branch's.
    pub branch_id: Option<Uuid>,
    /// Only this staff member's.
    pub staff_id: Option<Uuid>,
    /// Starting at or after.
    pub from: Option<DateTime<Utc>>,
    /// Starting before.
    pub to: Option<DateTime<Utc>>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size (default 50).
    pub limit: Option<u64>,
}

/// The appointments an integrator key sees (a branch key: its branch's), by start, a page at a
/// time.
#[tracing::instrument(skip_all)]
pub async fn list_company_appointments(
    ctx: &Ctx<'_>,
    scope: &portal_db::api_keys::IntegratorScope,
    input: CompanyListInput,
) -> Result<Page> {
    let limit = page_size(input.limit, 50)?;
    let after = input.cursor.as_deref().map(decode_cursor).transpose()?;
    let filter = ListFilter {
        customer: input.customer_id.map(CustomerId::from_uuid),
        branch: input.branch_id,
        staff: input.staff_id,
        from: input.from,
        to: input.to,
    };
    let items = repo::list(ctx.db, scope, &filter, after, limit + 1).await?;
    Ok(page(items, limit))
}

/// One appointment the actor may see.
#[tracing::instrument(skip_all)]
pub async fn get_appointment(ctx: &Ctx<'_>, actor: Actor<'_>, id: Uuid) -> Result<Appointment> {
    load(ctx, &actor, id).await
}

/// An appointment with its history.
#[derive(Debug, Clone)]
pub struct History {
    /// The appointment.
    pub appointment: Appointment,
    /// Booked, moved, cancelled…, oldest first.
    pub events: Vec<AppointmentEvent>,
}

/// One appointment the actor may see, with its history.
#[tracing::instrument(skip_all)]
pub async fn appointment_history(ctx: &Ctx<'_>, actor: Actor<'_>, id: Uuid) -> Result<History> {
    let appointment = load(ctx, &actor, id).await?;
    let events = repo::events(ctx.db, &appointment).await?;
    Ok(History {
        appointment,
        events,
    })
}
