//! `notifications`: the outbox of SMS, email and push messages, and the customer's inbox.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    /// `None` for messages to non-customers and after the customer is deleted.
    pub customer_id: Option<Uuid>,
    /// `sms` | `email` | `push`.
    pub channel: String,
    /// What the message is about, e.g. `otp`, `appointment_reminder`.
    pub kind: String,
    /// Phone number, email address or push endpoint.
    pub recipient: String,
    pub subject: Option<String>,
    pub body_text: Option<String>,
    pub body_html: Option<String>,
    /// `queued` | `sent` | `delivered` | `failed`.
    pub status: String,
    /// The provider's message id; delivery receipts are matched on it.
    pub provider_id: Option<String>,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTimeUtc>,
    /// Lease of the worker that claimed the row; an expired lease may be claimed again.
    pub locked_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub read_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    pub delivered_at: Option<DateTimeUtc>,
    /// The appointment the message is about, if any.
    pub appointment_id: Option<Uuid>,
    /// An ICS file attached to a confirmation email.
    pub attachment: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
