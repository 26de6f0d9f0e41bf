//! What reaches the logs when SMS are sent. Its own test binary: tracing caches per-callsite interest
//! process-wide, so a thread-local subscriber next to other tests running in parallel can miss spans.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap is a failed test"
)]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use portal_domain::SecretString;
use portal_notify::dev::DEV_SMS_TARGET;
use portal_notify::{DevSmsSender, SmsMessage, SmsSender, TwilioClient, TwilioConfig};
use url::Url;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "test-auth-token-4f2a";
const TO: &str = "+4915112345678";
const CODE: &str = "482913";

/// Collects formatted log output.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    fn take(&self) -> String {
        String::from_utf8(std::mem::take(&mut *self.0.lock().unwrap())).unwrap()
    }
}

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogBuffer {
    type Writer = LogBuffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn message() -> SmsMessage {
    SmsMessage {
        to: TO.to_owned(),
        body: format!("{CODE} is your code for Salon Rosa.\n\n@kunden.example.de #{CODE}"),
    }
}

async fn twilio_send(response: ResponseTemplate) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(response)
        .mount(&server)
        .await;
    let config = TwilioConfig {
        base_url: Url::parse(&server.uri()).unwrap(),
        from: Some("+15005550006".to_owned()),
        timeout: Duration::from_secs(5),
        ..TwilioConfig::new("AC0123", SecretString::new(TOKEN))
    };
    let _ = TwilioClient::new(config).unwrap().send(&message()).await;
}

#[tokio::test]
async fn twilio_logs_no_secrets_and_dev_sender_logs_everything() {
    let logs = LogBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(logs.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    twilio_send(ResponseTemplate::new(201).set_body_json(serde_json::json!({
        "sid": "SM42", "status": "queued", "body": message().body, "to": TO
    })))
    .await;
    twilio_send(ResponseTemplate::new(400).set_body_json(serde_json::json!({
        "code": 21211, "message": format!("The 'To' number {TO} is not a valid phone number."),
        "status": 400
    })))
    .await;
    twilio_send(ResponseTemplate::new(503)).await;

    let text = logs.take();
    assert!(text.contains("twilio.send{to_suffix=78"), "{text}");
    assert!(text.contains("provider_id=SM42"), "{text}");
    assert!(text.contains("21211"), "{text}");
    assert!(!text.contains(CODE), "code leaked: {text}");
    assert!(!text.contains(TOKEN), "token leaked: {text}");
    assert!(!text.contains(TO), "number leaked: {text}");

    DevSmsSender::new().send(&message()).await.unwrap();
    let text = logs.take();
    assert!(text.contains(" INFO "), "{text}");
    assert!(text.contains(DEV_SMS_TARGET), "{text}");
    assert!(text.contains(CODE) && text.contains(TO), "{text}");
}
