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
    /// `pending`, `sending`, `delivered` or `failed`.
    pub status: String,
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
