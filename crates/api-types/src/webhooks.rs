//! Webhook endpoints integrators register, and the delivery log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Registers an endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookEndpoint {
    /// `https://` URL (plain `http://` only for localhost).
    #[cfg_attr(
        feature = "openapi",
        schema(
            example = "https://booking.example.com/hooks/portal",
            max_length = 2000
        )
    )]
    pub url: String,
    /// Events: `appointment.cancelled`, `appointment.rescheduled`, `customer.erased` (data:
    /// `customer_id`; the customer erased their account — delete what you hold about them).
    #[cfg_attr(feature = "openapi", schema(example = json!(["appointment.cancelled", "appointment.rescheduled"])))]
    pub events: Vec<String>,
}

/// A registered endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpoint {
    /// Id.
    pub id: Uuid,
    /// Target.
    pub url: String,
    /// Subscribed events.
    pub events: Vec<String>,
    /// Deliveries are made.
    pub active: bool,
    /// Registered at.
    pub created_at: DateTime<Utc>,
    /// The signing secret — only in the answer to the registration; store it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// The company's endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpointList {
    /// Oldest first.
    pub items: Vec<WebhookEndpoint>,
}

/// One HTTP attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookAttempt {
    /// 1, 2, …
    pub attempt: i32,
    /// HTTP status received, if any.
    pub response_status: Option<i32>,
    /// Transport error, if any.
    pub error: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// A delivery and its attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    /// Id (also the `id` in the body and the `X-Portal-Delivery` header).
    pub id: Uuid,
    /// Endpoint.
    pub endpoint_id: Uuid,
    /// Event.
    pub event: String,
    /// Where the delivery stands.
    pub status: DeliveryStatus,
    /// Every attempt, oldest first.
    pub attempts: Vec<WebhookAttempt>,
    /// Queued at.
    pub created_at: DateTime<Utc>,
}

/// The latest deliveries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDeliveryList {
    /// Newest first.
    pub items: Vec<WebhookDelivery>,
}

/// A webhook event with its data, as integrators receive it in the body of a delivery:
/// `{"id": …, "event": "appointment.cancelled", "created_at": …, "data": {…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "event", content = "data")]
pub enum WebhookEvent {
    /// The customer cancelled an appointment in the portal.
    #[serde(rename = "appointment.cancelled")]
    AppointmentCancelled(AppointmentCancelled),
    /// The customer moved an appointment in the portal.
    #[serde(rename = "appointment.rescheduled")]
    AppointmentRescheduled(AppointmentRescheduled),
    /// The customer erased their account: delete what you hold about them.
    #[serde(rename = "customer.erased")]
    CustomerErased(CustomerErased),
    /// A support message was written (by the customer or by staff).
    #[serde(rename = "support.message_created")]
    SupportMessageCreated(SupportMessageCreated),
}

impl WebhookEvent {
    /// Every event name, as endpoints subscribe to them.
    pub const NAMES: [&'static str; 4] = [
        "appointment.cancelled",
        "appointment.rescheduled",
        "customer.erased",
        "support.message_created",
    ];

    /// The event's name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::AppointmentCancelled(_) => Self::NAMES[0],
            Self::AppointmentRescheduled(_) => Self::NAMES[1],
            Self::CustomerErased(_) => Self::NAMES[2],
            Self::SupportMessageCreated(_) => Self::NAMES[3],
        }
    }
}

/// The body of a webhook delivery (without the `id`, which each delivery adds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookPayload {
    /// When the event happened.
    pub created_at: DateTime<Utc>,
    /// The event and its data.
    #[serde(flatten)]
    pub event: WebhookEvent,
}

/// Data of `appointment.cancelled`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppointmentCancelled {
    /// Appointment.
    pub appointment_id: Uuid,
    /// Customer.
    pub customer_id: Uuid,
    /// Your reference, if you set one.
    pub external_ref: Option<String>,
    /// Its start (UTC).
    pub starts_at: DateTime<Utc>,
    /// The customer's reason, if given.
    pub reason: Option<String>,
    /// Always `customer` (your own cancellations are not echoed).
    pub cancelled_by: String,
}

/// Data of `appointment.rescheduled`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppointmentRescheduled {
    /// Appointment.
    pub appointment_id: Uuid,
    /// Customer.
    pub customer_id: Uuid,
    /// Your reference, if you set one.
    pub external_ref: Option<String>,
    /// The start before the move (UTC).
    pub previous_starts_at: DateTime<Utc>,
    /// New start (UTC).
    pub starts_at: DateTime<Utc>,
    /// New end (UTC).
    pub ends_at: DateTime<Utc>,
    /// Staff member afterwards.
    pub staff_id: Uuid,
    /// Always `customer`.
    pub rescheduled_by: String,
}

/// Data of `customer.erased`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerErased {
    /// The erased customer.
    pub customer_id: Uuid,
}

/// Data of `support.message_created`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupportMessageCreated {
    /// Message.
    pub message_id: Uuid,
    /// The customer of the conversation.
    pub customer_id: Uuid,
    /// Who wrote it.
    pub author: crate::support::SupportAuthor,
    /// Text.
    pub body: String,
    /// Written at.
    pub created_at: DateTime<Utc>,
}

closed_set! {
    /// Where a webhook delivery stands.
    DeliveryStatus {
        /// Waiting for its (next) attempt.
        Pending = "pending",
        /// An attempt is under way.
        Sending = "sending",
        /// The endpoint answered 2xx.
        Delivered = "delivered",
        /// Given up after the last attempt.
        Failed = "failed",
    }
}
