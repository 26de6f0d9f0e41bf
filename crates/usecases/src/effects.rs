//! What a change causes besides itself, as typed values: the customer's messages, the integrators'
//! webhook and the live update of the customer's open pages. A use case builds them before it
//! writes, [`Effects::write`] puts them in the change's transaction, and [`Effects::publish`]
//! announces the live update once that transaction has committed.

use chrono::{DateTime, Utc};
use portal_api_types::webhooks::{WebhookEvent, WebhookPayload};
use portal_db::notifications::{self, NewNotification};
use portal_domain::CompanyId;
use sea_orm::ConnectionTrait;

use crate::{
    Ctx, Error, Result,
    events::{Event, Update},
};

/// Everything a change causes.
#[derive(Debug, Default)]
pub struct Effects {
    /// Messages to the customer (SMS, email, push), queued in the outbox.
    pub messages: Vec<NewNotification>,
    /// The event for subscribed integrator endpoints.
    pub webhook: Option<WebhookEvent>,
    /// The live update for the customer's open pages.
    pub live: Option<Event>,
}

impl Effects {
    /// Writes the messages and the webhook deliveries in `txn`.
    pub(crate) async fn write(
        &mut self,
        txn: &impl ConnectionTrait,
        company: CompanyId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        for message in std::mem::take(&mut self.messages) {
            notifications::queue(txn, message, now).await?;
        }
        if let Some(event) = self.webhook.take() {
            let name = event.name();
            let payload = serde_json::to_value(WebhookPayload {
                created_at: now,
                event,
            })
            .map_err(|e| Error::Internal(format!("webhook payload: {e}")))?;
            portal_db::webhooks::enqueue(txn, company, name, &payload, now).await?;
        }
        Ok(())
    }

    /// Announces the live update (after the commit).
    pub(crate) fn publish(self, ctx: &Ctx<'_>) {
        if let Some(event) = self.live {
            ctx.events.publish(event);
        }
    }
}

/// The `appointment_changed` live event.
pub(crate) fn appointment_changed(
    a: &portal_db::appointments::Appointment,
    change: &'static str,
) -> Event {
    Event {
        company_id: a.company_id,
        customer_id: a.customer_id,
        update: Update::AppointmentChanged {
            appointment_id: a.id,
            change,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_names_are_the_ones_endpoints_subscribe_to() {
        assert_eq!(WebhookEvent::NAMES, portal_db::webhooks::EVENTS);
    }
}
