//! Twilio's callbacks: forged ones are refused; STOP withdraws SMS consent (the next confirmation
//! goes by email only) and START grants it again.

use portal_domain::{Channel, Purpose};
use sea_orm::ConnectionTrait;

use crate::appointments::{TESTER, berlin, cancel, fixture};
use crate::helpers::*;

both_databases!(forged_callbacks_are_refused, stop_and_start_are_honoured);

async fn forged_callbacks_are_refused(app: TestApp) {
    let tokens = app.sign_in(WEBER, ANNA).await;
    let path = "/api/webhooks/twilio/status";
    let params = [
        ("MessageSid", "SM00000000000000000000000000000001"),
        ("MessageStatus", "delivered"),
    ];
    // No signature, a signature over other values, one for another URL, and garbage.
    let other_values = twilio_signature(
        path,
        &[("MessageSid", "SMx"), ("MessageStatus", "delivered")],
    );
    let other_url = twilio_signature("/api/webhooks/twilio/inbound", &params);
    for signature in [
        None,
        Some(other_values.as_str()),
        Some(other_url.as_str()),
        Some("AAAA"),
    ] {
        let res = app.twilio_callback(path, &params, signature).await;
        assert_problem(res, 403, "invalid_signature").await;
    }
    let stop = [("From", ANNA), ("Body", "STOP")];
    let res = app
        .twilio_callback("/api/webhooks/twilio/inbound", &stop, Some("AAAA"))
        .await;
    assert_problem(res, 403, "invalid_signature").await;
    // Not a form.
    let res = app
        .client
        .post(app.url(path))
        .header("X-Twilio-Signature", twilio_signature(path, &params))
        .json(&serde_json::json!({"MessageSid": "x"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 415, "unsupported_media_type").await;

    // Nothing changed.
    let history = app.history(&tokens.access, "").await;
    assert!(
        history["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["status"] != "delivered"),
        "{history}"
    );
    let company = portal_db::companies::find_by_slug(
        &app.db,
        &portal_domain::CompanySlug::parse(WEBER).unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    let customer = portal_domain::CustomerId::from_uuid(tokens.customer_id.parse().unwrap());
    assert!(
        portal_db::consents::allows(
            &app.db,
            company.id,
            customer,
            Channel::Sms,
            Purpose::Transactional
        )
        .await
        .unwrap()
    );
}

async fn stop_and_start_are_honoured(app: TestApp) {
    let f = fixture(&app, WEBER).await;
    app.db
        .execute_unprepared(&format!(
            "UPDATE customers SET email = 'tessa@example.com' WHERE phone = '{TESTER}'"
        ))
        .await
        .unwrap();
    let first = f.book(&app, berlin(2026, 12, 2, 10, 0)).await;
    let second = f.book(&app, berlin(2026, 12, 3, 10, 0)).await;
    let tokens = app.sign_in(WEBER, TESTER).await;

    let stop = [("From", TESTER), ("To", "+15005550006"), ("Body", " stop ")];
    let signature = twilio_signature("/api/webhooks/twilio/inbound", &stop);
    let res = app
        .twilio_callback("/api/webhooks/twilio/inbound", &stop, Some(&signature))
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("<Response>"));
    for purpose in [
        Purpose::Transactional,
        Purpose::Reminders,
        Purpose::Marketing,
    ] {
        assert!(
            !portal_db::consents::allows(&app.db, f.company, f.anna, Channel::Sms, purpose)
                .await
                .unwrap()
        );
    }
    let history = portal_db::consents::history(&app.db, f.company, f.anna)
        .await
        .unwrap();
    assert!(history.iter().all(|e| e.source == "sms"));

    let before = app.sent_sms().await.len();
    assert_eq!(
        cancel(&app, &tokens.access, &first, None).await.status(),
        200
    );
    app.smtp.wait_for(1).await;
    let history = app.history(&tokens.access, "").await;
    let kinds: Vec<(String, String)> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "appointment_cancelled")
        .map(|m| {
            (
                m["channel"].as_str().unwrap().into(),
                m["kind"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![("email".to_owned(), "appointment_cancelled".to_owned())]
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.sent_sms().await.len(), before, "no SMS after STOP");

    // START: SMS again (marketing stays off).
    let start = [("From", TESTER), ("Body", "START")];
    let signature = twilio_signature("/api/webhooks/twilio/inbound", &start);
    let res = app
        .twilio_callback("/api/webhooks/twilio/inbound", &start, Some(&signature))
        .await;
    assert_eq!(res.status(), 200);
    assert!(
        !portal_db::consents::allows(&app.db, f.company, f.anna, Channel::Sms, Purpose::Marketing)
            .await
            .unwrap()
    );
    assert_eq!(
        cancel(&app, &tokens.access, &second, None).await.status(),
        200
    );
    let texts = wait_for_requests(&app.twilio, before + 1).await;
    assert_eq!(texts.len(), before + 1);
    let last = app.sent_sms().await.pop().unwrap();
    assert_eq!(last.0, TESTER);
    assert!(last.1.contains("03.12.2026"), "{}", last.1);
}
