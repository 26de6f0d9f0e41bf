//! What the customer is sent when an appointment is booked, moved, cancelled or coming up: one
//! outbox row per channel the customer can be reached on and has not declined (the consent register
//! decides, at the moment the message is queued), rendered in the customer's language with the
//! branch's local time.

use chrono::{DateTime, Utc};
use portal_db::{
    appointments::Appointment, catalog, companies::Company, consents, customers::Customer,
    notifications::NewNotification, push,
};
use portal_domain::{Channel, Purpose, schedule::AppointmentStatus};
use portal_notify::{
    messages::{self, AppointmentEvent, AppointmentFacts},
    templates,
};
use serde_json::json;

use crate::{
    appointments::{address, reference, status_label, zone},
    error::ApiResult,
    state::AppState,
};

/// The messages for `event` about `a` (for a move, `moved_to` is the new start). Empty when the
/// customer is gone or reachable on no allowed channel.
pub async fn for_appointment(
    state: &AppState,
    company: &Company,
    a: &Appointment,
    event: AppointmentEvent,
    moved_to: Option<(DateTime<Utc>, DateTime<Utc>)>,
) -> ApiResult<Vec<NewNotification>> {
    let Some(customer) = catalog::find_customer(&state.db, company.id, a.customer_id).await? else {
        return Ok(Vec::new());
    };
    let purpose = match event {
        AppointmentEvent::Reminder => Purpose::Reminders,
        _ => Purpose::Transactional,
    };
    let tz = zone(a)?;
    let locale = customer.locale.unwrap_or(company.locale);
    let (starts_at, ends_at) = moved_to.unwrap_or((a.starts_at, a.ends_at));
    let local = starts_at.with_timezone(&tz);
    let facts = AppointmentFacts {
        locale,
        company: company.name.clone(),
        service: a.service.name.clone(),
        branch: a.branch.name.clone(),
        address: address(&a.branch).join(", "),
        date: templates::local_date(locale, local.date_naive()),
        time: templates::local_time(local.time()),
        reference: reference(a.id),
        customer_name: customer.name.clone(),
    };
    let base = NewNotification {
        company_id: company.id,
        customer_id: Some(customer.id),
        kind: event.kind(),
        appointment_id: Some(a.id),
        ..NewNotification::default()
    };
    let allows = |channel| consents::allows(&state.db, company.id, customer.id, channel, purpose);
    let mut out = Vec::new();

    if let Some(phone) = &customer.phone
        && allows(Channel::Sms).await?
    {
        out.push(NewNotification {
            channel: "sms",
            recipient: phone.as_str().to_owned(),
            body_text: messages::sms(event, &facts),
            ..base.clone()
        });
    }
    if let Some(email) = customer.email.as_deref().filter(|e| !e.is_empty())
        && allows(Channel::Email).await?
    {
        let content = messages::email(event, &facts);
        let ics = ics(
            company,
            &customer,
            a,
            event,
            starts_at,
            ends_at,
            state.clock.now(),
        )?;
        out.push(NewNotification {
            channel: "email",
            recipient: email.to_owned(),
            subject: Some(content.subject),
            body_text: content.text,
            body_html: Some(content.html),
            attachment: Some(ics),
            ..base.clone()
        });
    }
    if allows(Channel::Push).await?
        && !push::for_customer(&state.db, company.id, customer.id)
            .await?
            .is_empty()
    {
        let (title, body) = messages::push(event, &facts);
        out.push(NewNotification {
            channel: "push",
            recipient: customer.id.to_string(),
            subject: Some(title),
            body_text: body,
            ..base
        });
    }
    Ok(out)
}

/// The calendar file for the confirmation, as it stands after `event`.
#[allow(clippy::too_many_arguments, reason = "the facts of one document")]
fn ics(
    company: &Company,
    customer: &Customer,
    a: &Appointment,
    event: AppointmentEvent,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ApiResult<String> {
    let changed = matches!(
        event,
        AppointmentEvent::Rescheduled | AppointmentEvent::Cancelled
    );
    let cancelled =
        event == AppointmentEvent::Cancelled || a.status == AppointmentStatus::Cancelled;
    let locale = customer.locale.unwrap_or(company.locale);
    let status = if cancelled {
        AppointmentStatus::Cancelled
    } else {
        a.status
    };
    // A change raises the version once more than the copy we hold.
    let version = if changed { a.version } else { a.version - 1 };
    let confirmation = portal_documents::Confirmation {
        uid: format!("{}@customer-portal", a.id),
        sequence: u32::try_from(version).unwrap_or(0),
        cancelled,
        reference: reference(a.id),
        company_name: company.name.clone(),
        branch_name: a.branch.name.clone(),
        branch_address: address(&a.branch),
        branch_phone: a.branch.phone.clone(),
        zone: zone(a)?,
        starts_at,
        ends_at,
        service_name: a.service.name.clone(),
        staff_name: Some(a.staff_name.clone()),
        customer_name: customer.name.clone(),
        status_label: status_label(status, locale).to_owned(),
        locale,
        generated_at: now,
    };
    Ok(portal_documents::ics(&confirmation))
}

/// Tells the customer's open pages that an appointment changed.
pub fn appointment_changed(state: &AppState, a: &Appointment, what: &str) {
    state.events.send(
        a.company_id,
        a.customer_id,
        "appointment_changed",
        json!({"appointment_id": a.id, "change": what}),
    );
}
