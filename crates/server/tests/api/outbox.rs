//! The outbox: a message claimed by a worker that died is sent once after its lease expires; several
//! workers never send a message twice; email goes out over SMTP with text, HTML and the ICS; push is
//! encrypted and VAPID-signed, and a gone subscription is forgotten.

use chrono::Duration;
use portal_db::notifications::{self, NewNotification};
use portal_domain::{Channel, Clock, CompanySlug};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::method};

use crate::appointments::{TESTER, berlin, cancel, fixture};
use crate::helpers::*;

both_databases!(manual_workers;
    crash_between_claim_and_send_delivers_once_after_the_lease,
    concurrent_workers_never_send_twice,
    a_slow_provider_never_makes_a_message_go_out_twice,
);

both_databases!(smtp_down;
    a_failing_mail_server_delays_only_the_email,
);

fn smtp_down(settings: &mut portal_server::config::Settings) {
    // Nothing listens on port 1.
    settings.smtp.port = 1;
}

async fn a_failing_mail_server_delays_only_the_email(app: TestApp) {
    let f = fixture(&app, WEBER).await;
    set_email(&app, TESTER, "tessa@example.com").await;
    let id = f.book(&app, berlin(2026, 12, 2, 10, 0)).await;
    let tokens = app.sign_in(WEBER, TESTER).await;
    assert_eq!(cancel(&app, &tokens.access, &id, None).await.status(), 200);
    let mut email = Value::Null;
    for _ in 0..100 {
        let history = app.history(&tokens.access, "?channel=email").await;
        email = history["items"][0].clone();
        let sms = app.history(&tokens.access, "?channel=sms").await;
        let sms_sent = sms["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["kind"] == "appointment_cancelled" && m["status"] == "sent");
        if sms_sent && email["status"] == "queued" {
            let row = app
                .db
                .query_one_raw(sea_orm::Statement::from_string(
                    app.db.get_database_backend(),
                    "SELECT attempts, last_error FROM notifications WHERE channel = 'email'",
                ))
                .await
                .unwrap()
                .unwrap();
            if row.try_get::<i32>("", "attempts").unwrap() == 1 {
                assert!(
                    row.try_get::<Option<String>>("", "last_error")
                        .unwrap()
                        .is_some_and(|e| e.contains("email unavailable"))
                );
                return;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the SMS went out and the email waits for a retry: {email}");
}

both_databases!(
    cancellation_email_has_text_html_and_calendar,
    push_is_encrypted_signed_and_gone_devices_are_forgotten,
);

async fn weber(app: &TestApp) -> portal_domain::CompanyId {
    portal_db::companies::find_by_slug(&app.db, &CompanySlug::parse(WEBER).unwrap())
        .await
        .unwrap()
        .unwrap()
        .id
}

fn sms(company: portal_domain::CompanyId, body: &str) -> NewNotification {
    NewNotification::new(
        company,
        Channel::Sms,
        "test",
        "+4915100000042".into(),
        body.into(),
    )
}

async fn sms_bodies_to(app: &TestApp, phone: &str) -> Vec<String> {
    app.sent_sms()
        .await
        .into_iter()
        .filter(|(to, _)| to == phone)
        .map(|(_, body)| body)
        .collect()
}

async fn crash_between_claim_and_send_delivers_once_after_the_lease(app: TestApp) {
    let company = weber(&app).await;
    let now = app.clock.now();
    let id = notifications::queue(&app.db, sms(company, "crash test"), now)
        .await
        .unwrap();
    // A worker claims the row and dies before sending.
    let claimed = notifications::claim_due(
        &app.db,
        Channel::Sms,
        notifications::Lane::All,
        10,
        Duration::seconds(120),
        now,
    )
    .await
    .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].id, id);

    // While its lease runs, nobody else sends it.
    assert_eq!(
        portal_server::outbox::deliver_due(&app.state)
            .await
            .unwrap(),
        0
    );
    assert!(sms_bodies_to(&app, "+4915100000042").await.is_empty());

    // After the lease (the restart), it goes out exactly once.
    app.clock.advance(Duration::seconds(121));
    assert_eq!(
        portal_server::outbox::deliver_due(&app.state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        portal_server::outbox::deliver_due(&app.state)
            .await
            .unwrap(),
        0
    );
    app.clock.advance(Duration::hours(1));
    assert_eq!(
        portal_server::outbox::deliver_due(&app.state)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        sms_bodies_to(&app, "+4915100000042").await,
        vec!["crash test"]
    );
    let row = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT status, provider_id, attempts FROM notifications WHERE recipient = '+4915100000042'",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<String>("", "status").unwrap(), "sent");
    assert_eq!(
        row.try_get::<String>("", "provider_id").unwrap(),
        "SM00000000000000000000000000000001"
    );
    assert_eq!(row.try_get::<i32>("", "attempts").unwrap(), 1);
}

async fn concurrent_workers_never_send_twice(app: TestApp) {
    let company = weber(&app).await;
    let now = app.clock.now();
    for i in 0..40 {
        notifications::queue(&app.db, sms(company, &format!("message {i}")), now)
            .await
            .unwrap();
    }
    // Four workers (as in four instances) deliver at the same time, twice over.
    for _ in 0..2 {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                let state = app.state.clone();
                tokio::spawn(async move { portal_server::outbox::deliver_due(&state).await })
            })
            .collect();
        for worker in workers {
            worker.await.unwrap().unwrap();
        }
    }
    let mut bodies = sms_bodies_to(&app, "+4915100000042").await;
    bodies.sort();
    let mut expected: Vec<String> = (0..40).map(|i| format!("message {i}")).collect();
    expected.sort();
    assert_eq!(bodies, expected, "every message exactly once");
}

/// A Twilio that takes 7 seconds (of the test's clock) to accept each message.
struct SlowTwilio(portal_domain::ManualClock);

impl wiremock::Respond for SlowTwilio {
    fn respond(&self, _: &wiremock::Request) -> ResponseTemplate {
        self.0.advance(Duration::seconds(7));
        // A little real time too: the test clock is shared by both workers, so a worker the
        // machine leaves unscheduled while the other sends 17 messages would see its own lease
        // expire in no real time at all — a starvation the real clock cannot produce.
        ResponseTemplate::new(201)
            .set_body_json(json!({"sid": "SM00000000000000000000000000000002", "status": "queued"}))
            .set_delay(std::time::Duration::from_millis(100))
    }
}

async fn a_slow_provider_never_makes_a_message_go_out_twice(app: TestApp) {
    // 7 s a message and a 120 s lease: a batch claimed at once would outlive its lease after 17
    // messages, and a second worker would claim the rest again.
    Mock::given(method("POST"))
        .respond_with(SlowTwilio(app.clock.clone()))
        .with_priority(1)
        .mount(&app.twilio)
        .await;
    let company = weber(&app).await;
    let now = app.clock.now();
    for i in 0..26 {
        notifications::queue(&app.db, sms(company, &format!("slow {i}")), now)
            .await
            .unwrap();
    }
    let first = {
        let state = app.state.clone();
        tokio::spawn(async move {
            portal_server::outbox::deliver_channel(
                &state,
                Channel::Sms,
                portal_db::notifications::Lane::All,
            )
            .await
        })
    };
    let second = {
        let state = app.state.clone();
        tokio::spawn(async move {
            for _ in 0..6 {
                portal_server::outbox::deliver_channel(
                    &state,
                    Channel::Sms,
                    portal_db::notifications::Lane::All,
                )
                .await?;
            }
            Ok::<_, portal_db::DbError>(())
        })
    };
    first.await.unwrap().unwrap();
    second.await.unwrap().unwrap();
    let mut bodies = sms_bodies_to(&app, "+4915100000042").await;
    bodies.sort();
    let mut expected: Vec<String> = (0..26).map(|i| format!("slow {i}")).collect();
    expected.sort();
    assert_eq!(bodies, expected, "every message exactly once");
}

async fn set_email(app: &TestApp, phone: &str, email: &str) {
    app.db
        .execute_unprepared(&format!(
            "UPDATE customers SET email = '{email}' WHERE phone = '{phone}'"
        ))
        .await
        .unwrap();
}

async fn cancellation_email_has_text_html_and_calendar(app: TestApp) {
    let f = fixture(&app, WEBER).await;
    set_email(&app, TESTER, "tessa@example.com").await;
    let id = f.book(&app, berlin(2026, 12, 2, 10, 0)).await;
    let tokens = app.sign_in(WEBER, TESTER).await;
    assert_eq!(cancel(&app, &tokens.access, &id, None).await.status(), 200);
    let mails = app.smtp.wait_for(1).await;
    assert_eq!(mails.len(), 1, "one email");
    let mail = &mails[0];
    assert!(mail.contains("To: tessa@example.com"), "{mail}");
    assert!(mail.contains("multipart/alternative"));
    assert!(mail.contains("text/plain"));
    assert!(mail.contains("text/html"));
    assert!(mail.contains("text/calendar"));
    assert!(mail.contains("termin.ics"));
    assert!(mail.contains("Subject: Praxis Dr. Weber: Ihr Termin ist storniert"));
}

async fn push_is_encrypted_signed_and_gone_devices_are_forgotten(app: TestApp) {
    let push_service = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201))
        .up_to_n_times(1)
        .mount(&push_service)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(410))
        .mount(&push_service)
        .await;
    let f = fixture(&app, WEBER).await;
    let first = f.book(&app, berlin(2026, 12, 2, 10, 0)).await;
    let second = f.book(&app, berlin(2026, 12, 3, 10, 0)).await;
    let tokens = app.sign_in(WEBER, TESTER).await;

    let key: Value = app
        .get_auth(
            "/api/customer/push-subscriptions/vapid-public-key",
            &tokens.access,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        key["public_key"].as_str().unwrap().len(),
        87,
        "65 bytes base64url"
    );
    // A real key pair, as a browser makes one, so the test can read what the device receives.
    let (device_key, device_auth) = ece::generate_keypair_and_auth_secret().unwrap();
    let b64 = |bytes: &[u8]| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    };
    let subscription = json!({
        "endpoint": format!("{}/push/device-1", push_service.uri()),
        "keys": {"p256dh": b64(&device_key.pub_as_raw().unwrap()), "auth": b64(&device_auth)},
        "expirationTime": null
    });
    let res = app
        .client
        .post(app.url("/api/customer/push-subscriptions"))
        .bearer_auth(&tokens.access)
        .json(&subscription)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let bad = json!({"endpoint": "http://push.example.com/x", "keys": {"p256dh": "AAAA", "auth": "xS03Fi5ErfTNH_l9WHE9Ig"}});
    let res = app
        .client
        .post(app.url("/api/customer/push-subscriptions"))
        .bearer_auth(&tokens.access)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_problem(res, 422, "validation_failed").await;

    assert_eq!(
        cancel(&app, &tokens.access, &first, None).await.status(),
        200
    );
    let requests = wait_for_requests(&push_service, 1).await;
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(header("content-encoding"), "aes128gcm");
    assert!(
        header("authorization").starts_with("vapid t="),
        "{}",
        header("authorization")
    );
    assert!(
        header("authorization").contains(&format!(", k={}", key["public_key"].as_str().unwrap()))
    );
    assert_eq!(header("ttl"), "86400");
    assert!(
        !String::from_utf8_lossy(&request.body).contains("storniert"),
        "encrypted"
    );
    // What the service worker gets: title, body, the appointment's page to open, and a tag.
    let plain = ece::decrypt(
        &device_key.raw_components().unwrap(),
        &device_auth,
        &request.body,
    )
    .unwrap();
    let payload: Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(
        payload["title"], "Praxis Dr. Weber: Ihr Termin ist storniert",
        "{payload}"
    );
    assert!(
        payload["body"].as_str().unwrap().contains("um 10:00 Uhr"),
        "{payload}"
    );
    assert_eq!(
        payload["url"],
        format!("/c/{WEBER}/appointments/{first}"),
        "{payload}"
    );
    assert_eq!(payload["tag"], format!("appointment-{first}"));

    // The second push meets 410 Gone: the subscription is removed.
    assert_eq!(
        cancel(&app, &tokens.access, &second, None).await.status(),
        200
    );
    wait_for_requests(&push_service, 2).await;
    for _ in 0..100 {
        if portal_db::push::for_customer(&app.db, f.company, f.anna)
            .await
            .unwrap()
            .is_empty()
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        portal_db::push::for_customer(&app.db, f.company, f.anna)
            .await
            .unwrap()
            .is_empty()
    );
    let history = app.history(&tokens.access, "?channel=push").await;
    let statuses: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["status"].as_str().unwrap())
        .collect();
    assert!(statuses.contains(&"sent"), "{history}");
}
