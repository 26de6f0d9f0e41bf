//! Support chat between a customer and the business's staff.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupportMessage {
    /// Id.
    pub id: Uuid,
    /// Who wrote it.
    pub author: SupportAuthor,
    /// The staff member's name, for staff messages.
    pub author_name: Option<String>,
    /// The text.
    pub body: String,
    /// When it was written (RFC 3339, UTC).
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    /// When the other side read it.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub read_at: Option<String>,
}

/// The customer's conversation, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupportMessageList {
    /// Messages (the latest 200).
    pub items: Vec<SupportMessage>,
}

/// A new message from the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewSupportMessage {
    /// 1–2,000 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Kann ich meinen Termin auch telefonisch bestätigen?")
    )]
    pub body: String,
}

/// A staff reply through the integrator API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StaffReply {
    /// 1–2,000 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Gern, rufen Sie uns einfach an.")
    )]
    pub body: String,
    /// The name shown to the customer.
    pub author_name: Option<String>,
}

closed_set! {
    /// Who wrote a support message.
    SupportAuthor {
        /// The customer, in the portal.
        Customer = "customer",
        /// The business, through its systems.
        Staff = "staff",
    }
}
