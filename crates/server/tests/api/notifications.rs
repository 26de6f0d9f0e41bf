//! The message history: a customer who cancels sees the SMS and the email with their delivery
//! status; sign-in codes appear masked; unread count, read, channel filter, paging, tenancy.

use sea_orm::ConnectionTrait;
use serde_json::Value;
use wiremock::{
    Mock, ResponseTemplate,
    matchers::{body_string_contains, method},
};

use crate::appointments::{TESTER, berlin, cancel, fixture};
use crate::helpers::*;

both_databases!(
    cancellation_appears_in_the_history_with_status,
    history_pages_filters_and_counts_unread,
    integrator_booking_confirms_by_sms_and_email_in_english,
);

async fn integrator_booking_confirms_by_sms_and_email_in_english(app: TestApp) {
    let f = fixture(&app, WEBER).await;
    app.db
        .execute_unprepared(&format!(
            "UPDATE customers SET email = 'tessa@example.com', locale = 'en' WHERE phone = '{TESTER}'"
        ))
        .await
        .unwrap();
    let key =
        crate::integrations::api_key(&app, WEBER, None, crate::integrations::ALL_SCOPES).await;
    let res = crate::integrations::post(
        &app,
        &key,
        "/appointments",
        &serde_json::json!({"branch_id": f.branch.as_uuid(), "staff_id": f.staff.as_uuid(), "service_id": f.service.as_uuid(),
            "customer_id": f.anna.as_uuid(), "starts_at": "2026-12-02T10:00:00+01:00"}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let mails = app.smtp.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].contains("Subject: Praxis Dr. Weber: Your appointment is booked"),
        "{}",
        mails[0]
    );
    assert!(mails[0].contains("text/calendar"));
    let texts: Vec<String> = wait_for_requests(&app.twilio, 1)
        .await
        .iter()
        .filter_map(|r| {
            let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&r.body).ok()?;
            form.into_iter().find(|(k, _)| k == "Body").map(|(_, v)| v)
        })
        .filter(|b| b.contains("booked"))
        .collect();
    assert_eq!(
        texts,
        vec![format!(
            "Praxis Dr. Weber: your appointment Kontrolle on Wed 2 Dec 2026 at 10:00 is booked. Ref. {}",
            created["reference"].as_str().unwrap_or_default()
        )]
    );
}

async fn cancellation_appears_in_the_history_with_status(app: TestApp) {
    let f = fixture(&app, WEBER).await;
    app.db
        .execute_unprepared(&format!(
            "UPDATE customers SET email = 'tessa@example.com' WHERE phone = '{TESTER}'"
        ))
        .await
        .unwrap();
    // The fake Twilio answers the cancellation with its own message id.
    Mock::given(method("POST"))
        .and(body_string_contains("storniert"))
        .respond_with(ResponseTemplate::new(201).set_body_json(
            serde_json::json!({"sid": "SMcancel0000000000000000000000001", "status": "queued"}),
        ))
        .with_priority(1)
        .mount(&app.twilio)
        .await;
    let id = f.book(&app, berlin(2026, 12, 2, 10, 0)).await;
    let tokens = app.sign_in(WEBER, TESTER).await;
    let code = app.last_code(TESTER).await;
    assert_eq!(code.len(), 6);
    assert_eq!(cancel(&app, &tokens.access, &id, None).await.status(), 200);
    app.smtp.wait_for(1).await;

    // Wait until the worker handed both messages over.
    let mut history = Value::Null;
    for _ in 0..100 {
        history = app.history(&tokens.access, "").await;
        let sent = history["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["kind"] == "appointment_cancelled" && m["status"] == "sent")
            .count();
        if sent == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let items = history["items"].as_array().unwrap();
    let sms = items
        .iter()
        .find(|m| m["kind"] == "appointment_cancelled" && m["channel"] == "sms")
        .expect("the cancellation SMS");
    let email = items
        .iter()
        .find(|m| m["kind"] == "appointment_cancelled" && m["channel"] == "email")
        .expect("the cancellation email");
    assert_eq!(sms["status"], "sent");
    assert_eq!(sms["recipient"], TESTER);
    assert_eq!(
        sms["preview"],
        "Praxis Dr. Weber: Ihr Termin Kontrolle am Mi. 02.12.2026 um 10:00 Uhr ist storniert."
    );
    assert!(sms["sent_at"].is_string());
    assert_eq!(email["status"], "sent");
    assert_eq!(email["recipient"], "tessa@example.com");
    assert_eq!(
        email["subject"],
        "Praxis Dr. Weber: Ihr Termin ist storniert"
    );

    // The sign-in code is in the history, masked.
    let sign_in = items
        .iter()
        .find(|m| m["kind"] == "sign_in_code")
        .expect("the sign-in SMS");
    assert!(sign_in["preview"].as_str().unwrap().contains("••••••"));
    assert!(
        !history.to_string().contains(&code),
        "the code is never returned"
    );

    // Twilio reports delivery: the history says delivered.
    let sid = "SMcancel0000000000000000000000001";
    let params = [("MessageSid", sid), ("MessageStatus", "delivered")];
    let signature = twilio_signature("/api/webhooks/twilio/status", &params);
    let res = app
        .twilio_callback("/api/webhooks/twilio/status", &params, Some(&signature))
        .await;
    assert_eq!(res.status(), 204);
    let history = app.history(&tokens.access, "?channel=sms").await;
    let sms = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "appointment_cancelled")
        .unwrap()
        .clone();
    assert_eq!(sms["status"], "delivered");
    assert!(sms["delivered_at"].is_string());
    assert!(
        history["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["channel"] == "sms")
    );

    // The full email: sanitised HTML, the calendar file noted.
    let detail: Value = app
        .get_auth(
            &format!(
                "/api/customer/notifications/{}",
                email["id"].as_str().unwrap()
            ),
            &tokens.access,
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(detail["body_text"].as_str().unwrap().contains("Kontrolle"));
    let html = detail["body_html"].as_str().unwrap();
    assert!(html.contains("Ihr Termin ist storniert"), "{html}");
    assert!(!html.contains("<script"));
    assert_eq!(detail["has_attachment"], true);
}

async fn history_pages_filters_and_counts_unread(app: TestApp) {
    let tokens = app.sign_in(WEBER, ANNA).await;
    app.sign_in(WEBER, ANNA).await;
    app.sign_in(WEBER, ANNA).await;
    let all = app.history(&tokens.access, "").await;
    let total = all["items"].as_array().unwrap().len();
    assert!(total >= 3, "{all}");
    assert_eq!(all["unread_count"].as_u64().unwrap() as usize, total);

    // Two at a time, newest first, no repeats.
    let mut seen = Vec::new();
    let mut query = "?limit=2".to_owned();
    loop {
        let page = app.history(&tokens.access, &query).await;
        for item in page["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    let expected: Vec<String> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(seen, expected);

    // Reading one lowers the count; reading it again changes nothing.
    let first = &expected[0];
    for _ in 0..2 {
        let res = app
            .client
            .post(app.url(&format!("/api/customer/notifications/{first}/read")))
            .bearer_auth(&tokens.access)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 204);
    }
    let count: Value = app
        .get_auth("/api/customer/notifications/unread-count", &tokens.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(count["unread_count"].as_u64().unwrap() as usize, total - 1);

    // Bad input is refused with a code.
    let res = app
        .get_auth("/api/customer/notifications?channel=fax", &tokens.access)
        .await;
    assert_problem(res, 422, "validation_failed").await;
    let res = app
        .get_auth(
            "/api/customer/notifications?cursor=nonsense",
            &tokens.access,
        )
        .await;
    assert_problem(res, 422, "validation_failed").await;

    // Another customer (and the same person at another company) cannot see it.
    for (company, phone) in [(WEBER, "+4915100000002"), (LUMIERE, ANNA)] {
        let other = app.sign_in(company, phone).await;
        let res = app
            .get_auth(
                &format!("/api/customer/notifications/{first}"),
                &other.access,
            )
            .await;
        assert_problem(res, 404, "not_found").await;
        let res = app
            .client
            .post(app.url(&format!("/api/customer/notifications/{first}/read")))
            .bearer_auth(&other.access)
            .send()
            .await
            .unwrap();
        assert_problem(res, 404, "not_found").await;
    }
    let res = app
        .client
        .get(app.url("/api/customer/notifications"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "unauthorized").await;
}
