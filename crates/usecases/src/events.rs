//! Live updates for the customer's open pages: an in-process broadcast hub that the SSE endpoint
//! (`GET /api/customer/events`) subscribes to and use cases publish to.
//!
//! One process only: an event published by instance A reaches the SSE clients connected to A. With
//! several instances behind a load balancer the hub needs a shared bus (PostgreSQL
//! `LISTEN`/`NOTIFY`, or Redis pub/sub) that every instance forwards into its local hub.

use portal_domain::{CompanyId, CustomerId};
use tokio::sync::broadcast;

/// Events kept for slow subscribers before they start missing some.
const CAPACITY: usize = 256;

/// One live update for one customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Company.
    pub company_id: CompanyId,
    /// Customer it is for.
    pub customer_id: CustomerId,
    /// SSE event name: `support_message`, `appointment_changed`, `notification`.
    pub name: &'static str,
    /// JSON data.
    pub data: serde_json::Value,
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
    pub fn send(
        &self,
        company_id: CompanyId,
        customer_id: CustomerId,
        name: &'static str,
        data: serde_json::Value,
    ) {
        self.publish(Event {
            company_id,
            customer_id,
            name,
            data,
        });
    }

    /// A receiver of every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }
}
