//! The customer's message history (every SMS, email and push message the business sent) and Web
//! Push subscriptions.

use portal_domain::Channel;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One message in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationSummary {
    /// Id.
    pub id: Uuid,
    /// How it went out.
    pub channel: Channel,
    /// What it was about: `sign_in_code`, `appointment_booked`, `appointment_rescheduled`,
    /// `appointment_cancelled`, `appointment_reminder`.
    #[cfg_attr(feature = "openapi", schema(example = "appointment_cancelled"))]
    pub kind: String,
    /// Where it went: the phone number or email address (push: `device`).
    pub recipient: String,
    /// Email subject or push title.
    pub subject: Option<String>,
    /// The first 160 characters of the text (sign-in codes masked).
    pub preview: String,
    /// Where it stands.
    pub status: NotificationStatus,
    /// When it was written (RFC 3339, UTC).
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    /// When it was handed to the provider.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub sent_at: Option<String>,
    /// When the provider confirmed delivery.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub delivered_at: Option<String>,
    /// Whether the customer opened it in the portal.
    pub read: bool,
}

/// A page of the history, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationList {
    /// The messages.
    pub items: Vec<NotificationSummary>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
    /// How many messages (all channels) are unread.
    pub unread_count: u64,
}

/// One message in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationDetail {
    /// The summary fields.
    #[serde(flatten)]
    pub summary: NotificationSummary,
    /// The whole text.
    pub body_text: String,
    /// Email HTML, sanitised (no scripts, styles, event handlers or remote images).
    pub body_html: Option<String>,
    /// Whether a calendar file was attached.
    pub has_attachment: bool,
}

/// How many messages are unread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnreadCount {
    /// Unread messages.
    pub unread_count: u64,
}

/// Keys of a Push API subscription (`PushSubscription.toJSON().keys`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushKeys {
    /// The browser's P-256 public key, base64url.
    pub p256dh: String,
    /// The 16-byte auth secret, base64url.
    pub auth: String,
}

/// A browser's push subscription, as `PushSubscription.toJSON()` gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushSubscriptionRequest {
    /// The push service URL (https).
    pub endpoint: String,
    /// Keys.
    pub keys: PushKeys,
    /// Ignored; browsers send it.
    #[serde(default, rename = "expirationTime")]
    pub expiration_time: Option<f64>,
}

/// Which subscription to remove (the query of `DELETE /api/customer/push-subscriptions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct PushUnsubscribe {
    /// The push service URL of the subscription.
    #[cfg_attr(
        feature = "openapi",
        param(example = "https://fcm.googleapis.com/fcm/send/abc…")
    )]
    pub endpoint: String,
}

/// The server's VAPID public key for `pushManager.subscribe({applicationServerKey})`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VapidPublicKey {
    /// Base64url of the uncompressed P-256 point.
    pub public_key: String,
}

/// When a company's customers are reminded of their appointments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReminderSettings {
    /// Minutes before the start, at most 4 values of 1–20160 (14 days); empty turns reminders off.
    /// Default `[1440, 120]` (24 h and 2 h).
    #[cfg_attr(feature = "openapi", schema(example = json!([1440, 120])))]
    pub offsets_minutes: Vec<i32>,
}

closed_set! {
    /// Where a message stands.
    NotificationStatus {
        /// Waiting to be sent.
        Queued = "queued",
        /// Handed to the provider.
        Sent = "sent",
        /// The provider confirmed delivery.
        Delivered = "delivered",
        /// Not delivered, for good.
        Failed = "failed",
    }
}
