//! The development SMS sender: logs and records messages instead of sending them.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::sms::{SentSms, SmsError, SmsMessage, SmsSender};

/// Log target of [`DevSmsSender`]: filter on it to read sign-in codes while developing.
pub const DEV_SMS_TARGET: &str = "portal::dev_sms";

/// Used when no Twilio credentials are configured. Logs every message in full at INFO under
/// [`DEV_SMS_TARGET`] (the only place a sign-in code may appear in a log) and keeps it, so tests can
/// read what was "sent". Clones share the same record.
#[derive(Debug, Clone, Default)]
pub struct DevSmsSender {
    sent: Arc<Mutex<Vec<SmsMessage>>>,
}

impl DevSmsSender {
    /// A sender with an empty record.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every message sent so far, oldest first.
    pub fn sent(&self) -> Vec<SmsMessage> {
        self.lock().clone()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<SmsMessage>> {
        // A panic elsewhere while holding the lock leaves the Vec intact; keep using it.
        self.sent.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait::async_trait]
impl SmsSender for DevSmsSender {
    async fn send(&self, message: &SmsMessage) -> Result<SentSms, SmsError> {
        let count = {
            let mut sent = self.lock();
            sent.push(message.clone());
            sent.len()
        };
        let provider_id = format!("dev-{count}");
        tracing::info!(
            target: DEV_SMS_TARGET,
            to = %message.to,
            body = %message.body,
            %provider_id,
            "development SMS (not sent)"
        );
        Ok(SentSms {
            provider_id,
            status: "sent".to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(n: u32) -> SmsMessage {
        SmsMessage {
            to: "+4915100000001".into(),
            body: format!("{n:06} is your code"),
        }
    }

    #[tokio::test]
    async fn records_messages_shared_between_clones() {
        let sender = DevSmsSender::new();
        let clone = sender.clone();
        let first = sender.send(&message(1)).await.unwrap();
        let second = clone.send(&message(2)).await.unwrap();
        assert_eq!(first.provider_id, "dev-1");
        assert_eq!(second.provider_id, "dev-2");
        assert_eq!(second.status, "sent");
        assert_eq!(sender.sent(), vec![message(1), message(2)]);
        assert_eq!(clone.sent(), sender.sent());
    }

    #[tokio::test]
    async fn survives_a_poisoned_lock() {
        let sender = DevSmsSender::new();
        let poisoner = sender.clone();
        let _ = std::thread::spawn(move || {
            let _guard = poisoner.sent.lock();
            panic!("poison the lock");
        })
        .join();
        assert!(sender.sent.is_poisoned());
        sender.send(&message(3)).await.unwrap();
        assert_eq!(sender.sent(), vec![message(3)]);
    }

    #[test]
    fn usable_as_trait_object() {
        let sender: Arc<dyn SmsSender> = Arc::new(DevSmsSender::new());
        assert!(format!("{sender:?}").contains("DevSmsSender"));
    }
}
