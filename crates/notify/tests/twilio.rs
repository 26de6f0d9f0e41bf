//! The Twilio client against a fake Twilio (wiremock), and `X-Twilio-Signature` checks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap is a failed test"
)]

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use portal_domain::SecretString;
use portal_notify::{
    SmsError, SmsMessage, SmsSender, TwilioClient, TwilioConfig, sign, verify_signature,
};
use url::Url;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SID: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "test-auth-token-4f2a";
const FROM: &str = "+15005550006";
const TO: &str = "+4915112345678";
const MESSAGES_PATH: &str = "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json";

fn config(base: &str) -> TwilioConfig {
    TwilioConfig {
        base_url: Url::parse(base).unwrap(),
        from: Some(FROM.to_owned()),
        timeout: Duration::from_secs(5),
        ..TwilioConfig::new(SID, SecretString::new(TOKEN))
    }
}

fn message() -> SmsMessage {
    SmsMessage {
        to: TO.to_owned(),
        body: "482913 ist Ihr Code für Salon Rosa. Gültig 5 Minuten.\n\n@kunden.example.de #482913"
            .to_owned(),
    }
}

fn created_body() -> serde_json::Value {
    serde_json::json!({
        "sid": "SM1234567890abcdef1234567890abcdef",
        "status": "queued",
        "to": TO,
        "from": FROM,
        "body": message().body,
        "account_sid": SID,
        "error_code": null,
        "error_message": null,
        "num_segments": "1",
        "uri": "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages/SM1234567890abcdef1234567890abcdef.json"
    })
}

fn twilio_error(code: i64, message: &str, status: u16) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(serde_json::json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status,
    }))
}

async fn only_request_form(server: &MockServer) -> (wiremock::Request, BTreeMap<String, String>) {
    let mut requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "exactly one request to Twilio");
    let request = requests.remove(0);
    let form = url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect::<BTreeMap<_, _>>();
    (request, form)
}

#[tokio::test]
async fn sends_the_request_twilio_expects_and_parses_success() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES_PATH))
        .respond_with(ResponseTemplate::new(201).set_body_json(created_body()))
        .expect(1)
        .mount(&server)
        .await;

    let client = TwilioClient::new(config(&server.uri())).unwrap();
    let sent = client.send(&message()).await.unwrap();
    assert_eq!(sent.provider_id, "SM1234567890abcdef1234567890abcdef");
    assert_eq!(sent.status, "queued");

    let (request, form) = only_request_form(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), MESSAGES_PATH);
    let expected_auth = format!("Basic {}", BASE64.encode(format!("{SID}:{TOKEN}")));
    assert_eq!(request.headers["authorization"], expected_auth.as_str());
    assert_eq!(
        request.headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    let expected: BTreeMap<String, String> = [
        ("To", TO.to_owned()),
        ("Body", message().body),
        ("From", FROM.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(form, expected);
}

#[tokio::test]
async fn sends_status_callback_and_messaging_service_when_configured() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES_PATH))
        .respond_with(ResponseTemplate::new(201).set_body_json(created_body()))
        .mount(&server)
        .await;

    let config = TwilioConfig {
        from: None,
        messaging_service_sid: Some("MG0123456789abcdef0123456789abcdef".to_owned()),
        status_callback: Some(
            Url::parse("https://portal.example.com/hooks/twilio/status?x=1").unwrap(),
        ),
        ..config(&server.uri())
    };
    TwilioClient::new(config)
        .unwrap()
        .send(&message())
        .await
        .unwrap();

    let (_, form) = only_request_form(&server).await;
    assert_eq!(
        form.get("StatusCallback").map(String::as_str),
        Some("https://portal.example.com/hooks/twilio/status?x=1")
    );
    assert_eq!(
        form.get("MessagingServiceSid").map(String::as_str),
        Some("MG0123456789abcdef0123456789abcdef")
    );
    assert!(!form.contains_key("From"));
    assert_eq!(form.len(), 4);
}

#[tokio::test]
async fn base_url_path_is_kept() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/twilio{MESSAGES_PATH}")))
        .and(header(
            "authorization",
            format!("Basic {}", BASE64.encode(format!("{SID}:{TOKEN}"))).as_str(),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(created_body()))
        .expect(1)
        .mount(&server)
        .await;
    let client = TwilioClient::new(config(&format!("{}/twilio", server.uri()))).unwrap();
    assert!(client.send(&message()).await.is_ok());
}

async fn send_against(response: ResponseTemplate) -> Result<portal_notify::SentSms, SmsError> {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(response)
        .mount(&server)
        .await;
    TwilioClient::new(config(&server.uri()))
        .unwrap()
        .send(&message())
        .await
}

#[tokio::test]
async fn invalid_recipient_is_rejected_with_code() {
    let result = send_against(twilio_error(
        21211,
        &format!("The 'To' number {TO} is not a valid phone number."),
        400,
    ))
    .await;
    match result {
        Err(SmsError::Rejected { code, message }) => {
            assert_eq!(code, Some(21211));
            assert!(message.contains("is not a valid phone number"), "{message}");
            assert!(!message.contains(TO), "number masked: {message}");
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn unsubscribed_recipient_is_rejected() {
    let result = send_against(twilio_error(
        21610,
        "Attempt to send to unsubscribed recipient",
        400,
    ))
    .await;
    assert!(
        matches!(
            result,
            Err(SmsError::Rejected {
                code: Some(21610),
                ..
            })
        ),
        "{result:?}"
    );
}

#[tokio::test]
async fn our_configuration_errors_are_unavailable_not_rejected() {
    // 21606: the From number cannot send — our mistake, not the customer's.
    let result = send_against(twilio_error(
        21606,
        "The From phone number is not a valid, SMS-capable number",
        400,
    ))
    .await;
    assert!(
        matches!(&result, Err(SmsError::Unavailable(reason)) if reason.contains("21606")),
        "{result:?}"
    );
}

#[tokio::test]
async fn server_error_is_unavailable() {
    let result =
        send_against(ResponseTemplate::new(500).set_body_string("Internal Server Error")).await;
    assert!(
        matches!(&result, Err(SmsError::Unavailable(reason)) if reason.contains("500")),
        "{result:?}"
    );
}

#[tokio::test]
async fn too_many_requests_is_unavailable() {
    let result = send_against(twilio_error(20429, "Too Many Requests", 429)).await;
    assert!(
        matches!(result, Err(SmsError::Unavailable(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn authentication_failure_is_unavailable() {
    let result = send_against(twilio_error(20003, "Authenticate", 401)).await;
    match result {
        Err(SmsError::Unavailable(reason)) => {
            assert!(
                reason.contains("401") && reason.contains("20003"),
                "{reason}"
            );
            assert!(!reason.contains(TOKEN));
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn unreadable_success_body_is_unavailable() {
    let result = send_against(ResponseTemplate::new(201).set_body_string("not json")).await;
    assert!(
        matches!(result, Err(SmsError::Unavailable(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn connection_refused_is_unavailable() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }; // dropped: nothing listens there any more
    let client = TwilioClient::new(config(&format!("http://127.0.0.1:{port}"))).unwrap();
    let result = client.send(&message()).await;
    match result {
        Err(SmsError::Unavailable(reason)) => {
            assert!(reason.starts_with("connection failed"), "{reason}");
            assert!(!reason.contains(SID), "no URL in the reason: {reason}");
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn slow_server_times_out_as_unavailable() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(created_body())
                .set_delay(Duration::from_secs(10)),
        )
        .mount(&server)
        .await;
    let config = TwilioConfig {
        timeout: Duration::from_millis(300),
        ..config(&server.uri())
    };
    let started = std::time::Instant::now();
    let result = TwilioClient::new(config).unwrap().send(&message()).await;
    assert!(started.elapsed() < Duration::from_secs(5));
    match result {
        // No answer in time: the message may have gone out.
        Err(SmsError::Unanswered(reason)) => assert!(reason.starts_with("timeout"), "{reason}"),
        other => panic!("expected Unanswered, got {other:?}"),
    }
}

// --- X-Twilio-Signature ---

const DOC_TOKEN: &str = "12345";
const DOC_URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";
const DOC_SIGNATURE: &str = "GvWf1cFY/Q7PnoempGyD5oXAezc=";

fn doc_params() -> Vec<(String, String)> {
    // Deliberately not in sorted order.
    [
        ("To", "+18005551212"),
        ("CallSid", "CA1234567890ABCDE"),
        ("Digits", "1234"),
        ("From", "+14158675310"),
        ("Caller", "+14158675310"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

#[test]
fn documented_vector_computed_independently() {
    // Twilio's algorithm spelled out by hand: URL, then name+value sorted by name. (The example in
    // Twilio's security docs uses From/Caller +14158675310; with +12349013030 the signature differs.)
    let data = "https://mycompany.com/myapp.php?foo=1&bar=2\
                CallSidCA1234567890ABCDE\
                Caller+14158675310\
                Digits1234\
                From+14158675310\
                To+18005551212";
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(DOC_TOKEN.as_bytes()).unwrap();
    mac.update(data.as_bytes());
    let independent = BASE64.encode(mac.finalize().into_bytes());
    assert_eq!(independent, DOC_SIGNATURE);

    let token = SecretString::new(DOC_TOKEN);
    assert_eq!(sign(&token, DOC_URL, &doc_params()), DOC_SIGNATURE);
    assert!(verify_signature(
        &token,
        DOC_URL,
        &doc_params(),
        DOC_SIGNATURE
    ));
}

#[test]
fn tampered_requests_fail() {
    let token = SecretString::new(DOC_TOKEN);
    let mut changed_value = doc_params();
    changed_value[2].1 = "1235".to_owned();
    assert!(!verify_signature(
        &token,
        DOC_URL,
        &changed_value,
        DOC_SIGNATURE
    ));

    let mut extra = doc_params();
    extra.push(("Extra".to_owned(), "1".to_owned()));
    assert!(!verify_signature(&token, DOC_URL, &extra, DOC_SIGNATURE));

    let missing = doc_params()[1..].to_vec();
    assert!(!verify_signature(&token, DOC_URL, &missing, DOC_SIGNATURE));

    let other_url = "https://mycompany.com/myapp.php?foo=1&bar=3";
    assert!(!verify_signature(
        &token,
        other_url,
        &doc_params(),
        DOC_SIGNATURE
    ));
}

#[test]
fn wrong_token_or_malformed_signature_fails() {
    let wrong = SecretString::new("54321");
    assert!(!verify_signature(
        &wrong,
        DOC_URL,
        &doc_params(),
        DOC_SIGNATURE
    ));
    let token = SecretString::new(DOC_TOKEN);
    assert!(!verify_signature(&token, DOC_URL, &doc_params(), ""));
    assert!(!verify_signature(
        &token,
        DOC_URL,
        &doc_params(),
        "not base64!"
    ));
    assert!(!verify_signature(
        &token,
        DOC_URL,
        &doc_params(),
        "GvWf1cFY/Q7Pnoemp=="
    ));
}

#[test]
fn default_port_written_or_not_both_verify() {
    let token = SecretString::new(DOC_TOKEN);
    let with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
    assert!(verify_signature(
        &token,
        with_port,
        &doc_params(),
        DOC_SIGNATURE
    ));
    let signed_with_port = sign(&token, with_port, &doc_params());
    assert!(verify_signature(
        &token,
        DOC_URL,
        &doc_params(),
        &signed_with_port
    ));
    assert!(!verify_signature(
        &token,
        "https://mycompany.com:8443/myapp.php?foo=1&bar=2",
        &doc_params(),
        DOC_SIGNATURE
    ));
}
