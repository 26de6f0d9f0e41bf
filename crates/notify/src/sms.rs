//! The provider-neutral SMS interface: what the outbox worker and the sign-in flow send through.

use std::fmt;

/// One text message to send.
///
/// `Debug` shows only the last two digits of the recipient and the length of the body: bodies carry
/// sign-in codes and must not reach a log through a stray `{:?}`.
#[derive(Clone, PartialEq, Eq)]
pub struct SmsMessage {
    /// Recipient in E.164 (`+4917612345678`).
    pub to: String,
    /// The text, already rendered in the recipient's language.
    pub body: String,
}

impl fmt::Debug for SmsMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmsMessage")
            .field("to", &format_args!("…{}", phone_suffix(&self.to)))
            .field(
                "body",
                &format_args!("[{} chars]", self.body.chars().count()),
            )
            .finish()
    }
}

/// What the provider answered for an accepted message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentSms {
    /// The provider's id for the message (Twilio: `SM…`), stored with the notification so status
    /// callbacks can be matched to it.
    pub provider_id: String,
    /// The provider's status at acceptance (Twilio: `queued`, `accepted`, …).
    pub status: String,
}

/// Why a message was not sent.
///
/// The split decides who pays: `Unavailable` is our side or the provider's (retry later, answer
/// `503 sms_unavailable`, do not count it against the customer); `Rejected` is about the recipient
/// (retrying the same message will not help).
#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    /// Network error, timeout, provider 5xx or 429, authentication failure, a provider answer we cannot
    /// read, or a configuration error found when building the client.
    #[error("SMS provider unavailable: {0}")]
    Unavailable(String),
    /// The request went out but no answer came in time: the provider may have accepted the
    /// message, so it must count as sent for the limits.
    #[error("SMS provider did not answer in time: {0}")]
    Unanswered(String),
    /// The provider refused the message because of the recipient (invalid number, landline,
    /// unsubscribed). `code` is the provider's error code (Twilio: 21211, 21610, …).
    #[error("SMS rejected by provider: {code:?} {message}")]
    Rejected {
        /// The provider's error code, when it gave one.
        code: Option<i64>,
        /// The provider's explanation, with the recipient's number masked.
        message: String,
    },
}

/// Something that can send an SMS: Twilio in production, [`crate::DevSmsSender`] in development and tests.
#[async_trait::async_trait]
pub trait SmsSender: Send + Sync + fmt::Debug {
    /// Sends one message. Does not retry: retries belong to the outbox, which knows the attempt count.
    async fn send(&self, message: &SmsMessage) -> Result<SentSms, SmsError>;
}

/// The last two characters of a phone number: enough to tell messages apart in logs, too little to
/// identify anyone.
pub(crate) fn phone_suffix(phone: &str) -> &str {
    let count = phone.chars().count();
    match phone.char_indices().nth(count.saturating_sub(2)) {
        Some((index, _)) if count > 4 => &phone[index..],
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_body_and_number() {
        let message = SmsMessage {
            to: "+4917612345678".into(),
            body: "123456 is your code".into(),
        };
        let debug = format!("{message:?}");
        assert_eq!(debug, r#"SmsMessage { to: …78, body: [19 chars] }"#);
        assert!(!debug.contains("123456"));
    }

    #[test]
    fn suffix_is_last_two_characters() {
        assert_eq!(phone_suffix("+4917612345678"), "78");
        assert_eq!(phone_suffix("+49"), "");
        assert_eq!(phone_suffix(""), "");
    }
}
