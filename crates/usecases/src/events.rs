//! Live updates for the customer's open pages: an in-process broadcast hub that the SSE endpoint
//! (`GET /api/customer/events`) subscribes to and use cases publish to.
//!
//! One process only: an event published by instance A reaches the SSE clients connected to A. With
//! several instances behind a load balancer the hub needs a shared bus (PostgreSQL
//! `LISTEN`/`NOTIFY`, or Redis pub/sub) that every instance forwards into its local hub.

use portal_api_types::support::SupportMessage;
use portal_domain::{Channel, CompanyId, CustomerId};
use serde::Serialize;
use tokio::sync::broadcast;
use uuid::Uuid;

/// Events kept for slow subscribers before they start missing some.
const CAPACITY: usize = 256;

/// One live update for one customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Company.
    pub company_id: CompanyId,
    /// Customer it is for.
    pub customer_id: CustomerId,
    /// What changed (the SSE event's name and data).
    pub update: Update,
}

/// What a live event tells the customer's open pages; serialises to the SSE event's data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Update {
    /// `appointment_changed`: `{appointment_id, change}` (booked, rescheduled, cancelled, updated).
    AppointmentChanged {
        /// The appointment.
        appointment_id: Uuid,
        /// What happened to it.
        change: &'static str,
    },
    /// `support_message`: the new message, as the support list shows it.
    SupportMessage(SupportMessage),
    /// Some of the customer's sessions ended (sign-out, a device removed, a phone change, erasure):
    /// each open stream checks its own session. Never sent to clients.
    #[serde(skip)]
    SessionsEnded,
    /// `notification`: a message's delivery status changed.
    Notification {
        /// The message.
        id: Uuid,
        /// Its channel.
        channel: Channel,
        /// Its kind, when known.
        #[serde(skip_serializing_if = "Option::is_none")]
        kind: Option<String>,
        /// `sent`, `delivered` or `failed`.
        status: &'static str,
    },
}

impl Update {
    /// The SSE event name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::AppointmentChanged { .. } => "appointment_changed",
            Self::SupportMessage(_) => "support_message",
            Self::Notification { .. } => "notification",
            Self::SessionsEnded => "sessions_ended",
        }
    }
}

/// Publish/subscribe hub; cheap to clone.
#[derive(Debug, Clone)]
pub struct EventHub {
    sender: broadcast::Sender<Event>,
}

impl Default for EventHub {
    fn default() -> Self {
        Self::new()
    }
}

impl EventHub {
    /// An empty hub.
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(CAPACITY);
        Self { sender }
    }

    /// Sends `event` to every subscriber (none listening is fine).
    pub fn publish(&self, event: Event) {
        let _ = self.sender.send(event);
    }

    /// Shorthand for [`Self::publish`].
    pub fn send(&self, company_id: CompanyId, customer_id: CustomerId, update: Update) {
        self.publish(Event {
            company_id,
            customer_id,
            update,
        });
    }

    /// A receiver of every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }
}
