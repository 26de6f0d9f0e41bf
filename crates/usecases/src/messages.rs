//! What the customer is sent when an appointment is booked, moved, cancelled or coming up: one
//! outbox row per channel the customer can be reached on and has not declined (the consent register
//! decides, at the moment the message is built), rendered in the customer's language with the
//! branch's local time.

use chrono::{DateTime, Utc};
use portal_db::{
    SystemScope, appointments::Appointment, catalog, companies::Company, consents,
    notifications::NewNotification, push,
};
use portal_domain::{Channel, Purpose, appointment::reference};
use portal_notify::{
    messages::{self, AppointmentEvent, AppointmentFacts},
    templates,
};
use sea_orm::ConnectionTrait;

use crate::{
    Result,
    confirmation::{self, Pending},
};

/// The messages for `event` about `a` (for a move, `moved_to` is the new start and end). Empty when
/// the customer is gone or reachable on no allowed channel.
pub async fn for_appointment(
    db: &impl ConnectionTrait,
    company: &Company,
    a: &Appointment,
    event: AppointmentEvent,
    moved_to: Option<(DateTime<Utc>, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> Result<Vec<NewNotification>> {
    let system = SystemScope::for_company(company.id);
    let Some(customer) = catalog::find_customer(db, (&system).into(), a.customer_id).await? else {
        return Ok(Vec::new());
    };
    let purpose = match event {
        AppointmentEvent::Reminder => Purpose::Reminders,
        _ => Purpose::Transactional,
    };
    let tz = a.branch.zone()?;
    let locale = customer.locale.unwrap_or(company.locale);
    let (starts_at, ends_at) = moved_to.unwrap_or((a.starts_at, a.ends_at));
    let local = starts_at.with_timezone(&tz);
    let facts = AppointmentFacts {
        locale,
        company: company.name.clone(),
        service: a.service.name.clone(),
        branch: a.branch.name.clone(),
        address: a.branch.address_lines().join(", "),
        date: templates::local_date(locale, local.date_naive()),
        time: templates::local_time(local.time()),
        reference: reference(a.id),
        customer_name: customer.name.clone(),
    };
    // One message per channel, each about this customer and appointment.
    let message = |channel, recipient: String, body_text| NewNotification {
        customer_id: Some(customer.id),
        appointment_id: Some(a.id),
        ..NewNotification::new(company.id, channel, event.kind(), recipient, body_text)
    };
    let allows = |channel| consents::allows(db, company.id, customer.id, channel, purpose);
    let mut out = Vec::new();

    if let Some(phone) = &customer.phone
        && allows(Channel::Sms).await?
    {
        out.push(message(
            Channel::Sms,
            phone.as_str().to_owned(),
            messages::sms(event, &facts),
        ));
    }
    if let Some(email) = customer.email.as_deref().filter(|e| !e.is_empty())
        && allows(Channel::Email).await?
    {
        let content = messages::email(event, &facts);
        let pending = match event {
            AppointmentEvent::Cancelled => Pending::Cancel,
            AppointmentEvent::Rescheduled => Pending::Move(starts_at, ends_at),
            AppointmentEvent::Booked | AppointmentEvent::Reminder => Pending::Nothing,
        };
        let document = confirmation::document(company, &customer, a, pending, now)?;
        out.push(NewNotification {
            subject: Some(content.subject),
            body_html: Some(content.html),
            attachment: Some(portal_documents::ics(&document)),
            ..message(Channel::Email, email.to_owned(), content.text)
        });
    }
    if allows(Channel::Push).await?
        && !push::for_customer(db, company.id, customer.id)
            .await?
            .is_empty()
    {
        let (title, body) = messages::push(event, &facts);
        out.push(NewNotification {
            subject: Some(title),
            ..message(Channel::Push, customer.id.to_string(), body)
        });
    }
    Ok(out)
}
