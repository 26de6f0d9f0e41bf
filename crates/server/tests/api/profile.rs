//! Profile read and update, and the body rules every JSON endpoint shares.

use serde_json::{Value, json};

use crate::helpers::*;

both_databases!(
    profile_round_trips,
    profile_validation_names_the_field,
    body_rules_415_413_400_422,
    new_email_is_used_only_after_its_code,
    address_and_date_of_birth_round_trip,
    phone_change_notifies_the_old_number_and_ends_other_sessions,
    phone_change_refuses_a_taken_number_and_needs_a_recent_sign_in,
    phone_change_during_an_sms_outage_costs_nothing,
);

async fn put_profile(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.client
        .put(app.url("/api/customer/profile"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn profile_round_trips(app: TestApp) {
    let tokens = app.sign_in(WEBER, ANNA).await;
    let body: Value = app
        .get_auth("/api/customer/profile", &tokens.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["phone"], ANNA);
    assert_eq!(body["name"], "Anna Schmidt");
    assert_eq!(
        body["company"],
        json!({"slug": WEBER, "name": "Praxis Dr. Weber"})
    );
    let res = put_profile(
        &app,
        &tokens.access,
        &json!({"name": "  Anna Maria Schmidt ", "email": "Anna@Example.ORG", "language": "en", "address": null, "date_of_birth": null}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["name"], "Anna Maria Schmidt");
    // A new address waits for its code; the confirmed one stays in use.
    assert_eq!(updated["email"], "anna.praxis@example.org");
    assert_eq!(updated["pending_email"], "Anna@example.org");
    assert_eq!(updated["language"], "en");
    let again: Value = app
        .get_auth("/api/customer/profile", &tokens.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again, updated);
    // The same phone at the other company is another person's profile, untouched.
    let other = app.sign_in(LUMIERE, ANNA).await;
    let theirs: Value = app
        .get_auth("/api/customer/profile", &other.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["name"], "Anna Schmidt");
    assert_eq!(theirs["language"], "de");
    // Removing the email.
    let res = put_profile(
        &app,
        &tokens.access,
        &json!({"name": "Anna", "email": null, "language": "de", "address": null, "date_of_birth": null}),
    )
    .await;
    assert_eq!(res.json::<Value>().await.unwrap()["email"], Value::Null);
}

async fn profile_validation_names_the_field(app: TestApp) {
    let tokens = app.sign_in(WEBER, ANNA).await;
    for (body, field) in [
        (
            json!({"name": "", "email": null, "language": "de", "address": null, "date_of_birth": null}),
            "name",
        ),
        (
            json!({"name": "x".repeat(101), "email": null, "language": "de", "address": null, "date_of_birth": null}),
            "name",
        ),
        (
            json!({"name": "Anna", "email": "not-an-email", "language": "de", "address": null, "date_of_birth": null}),
            "email",
        ),
        (
            json!({"name": "Anna", "email": null, "language": "fr", "address": null, "date_of_birth": null}),
            "language",
        ),
        (
            json!({"name": "Anna", "email": null, "language": "de", "phone": "+491", "address": null, "date_of_birth": null}),
            "phone",
        ),
        // A replacing PUT needs every field: leaving one out is refused, never read as "remove".
        (json!({"name": "Anna", "email": null}), "language"),
        (
            json!({"name": "Anna", "language": "de", "address": null, "date_of_birth": null}),
            "email",
        ),
        (
            json!({"name": "Anna", "email": null, "language": "de", "date_of_birth": null}),
            "address",
        ),
    ] {
        let res = put_profile(&app, &tokens.access, &body).await;
        let problem = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    // Nothing was changed by the refused requests.
    let body: Value = app
        .get_auth("/api/customer/profile", &tokens.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["name"], "Anna Schmidt");
}

async fn body_rules_415_413_400_422(app: TestApp) {
    let send = |content_type: &'static str, body: Vec<u8>| {
        let req = app
            .client
            .post(app.url("/api/customer/auth"))
            .header("content-type", content_type)
            .body(body);
        async move { req.send().await.unwrap() }
    };
    assert_problem(
        send(
            "text/plain",
            br#"{"company":"praxis-weber","phone":"x"}"#.to_vec(),
        )
        .await,
        415,
        "unsupported_media_type",
    )
    .await;
    assert_problem(
        send("application/json", vec![b' '; 70_000]).await,
        413,
        "payload_too_large",
    )
    .await;
    assert_problem(
        send("application/json", b"{\"company\":".to_vec()).await,
        400,
        "invalid_json",
    )
    .await;
    let problem = assert_problem(
        send(
            "application/json",
            br#"{"company":"praxis-weber","phone":"1","x":1}"#.to_vec(),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("unknown field `x`"),
        "{problem}"
    );
    assert!(app.sent_sms().await.is_empty());
}

async fn new_email_is_used_only_after_its_code(app: TestApp) {
    use crate::personal_helpers::*;
    let tokens = app.sign_in(WEBER, ANNA).await;
    let body = json!({"name": "Anna Schmidt", "email": "anna.neu@example.net", "language": "de", "address": null, "date_of_birth": null});
    let profile = ok_json(put_profile(&app, &tokens.access, &body).await, 200).await;
    assert_eq!(profile["email"], "anna.praxis@example.org");
    assert_eq!(profile["pending_email"], "anna.neu@example.net");
    let code = last_email_code(&app, "anna.neu@example.net").await;
    assert_eq!(code.len(), 6);
    // Once sent, the stored copy (the message history) shows the code masked.
    let mut stored = Vec::new();
    for _ in 0..100 {
        stored = stored_emails(&app, "anna.neu@example.net").await;
        if stored.iter().all(|text| !text.contains(&code)) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(stored.len(), 1);
    assert!(stored[0].starts_with("•••••• "), "{}", stored[0]);
    // Saving the same address again at once sends no second code.
    put_profile(&app, &tokens.access, &body).await;
    assert_eq!(stored_emails(&app, "anna.neu@example.net").await.len(), 1);
    assert_eq!(last_email_code(&app, "anna.neu@example.net").await, code);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let problem = assert_problem(
        post(
            &app,
            "/api/customer/profile/email/verify",
            &tokens.access,
            &json!({"code": wrong}),
        )
        .await,
        401,
        "invalid_code",
    )
    .await;
    assert_eq!(problem["attempts_remaining"], 4);
    let profile = ok_json(
        post(
            &app,
            "/api/customer/profile/email/verify",
            &tokens.access,
            &json!({"code": code}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(profile["email"], "anna.neu@example.net");
    assert_eq!(profile["email_verified"], true);
    assert_eq!(profile["pending_email"], Value::Null);
    // The code is used up.
    assert_problem(
        post(
            &app,
            "/api/customer/profile/email/verify",
            &tokens.access,
            &json!({"code": code}),
        )
        .await,
        401,
        "code_expired",
    )
    .await;

    // Five wrong codes end a pending change; the old address stays.
    app.clock.advance(chrono::Duration::minutes(2));
    let body = json!({"name": "Anna Schmidt", "email": "other@example.net", "language": "de", "address": null, "date_of_birth": null});
    put_profile(&app, &tokens.access, &body).await;
    let code = last_email_code(&app, "other@example.net").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let res = post(
            &app,
            "/api/customer/profile/email/verify",
            &tokens.access,
            &json!({"code": wrong}),
        )
        .await;
        assert_eq!(res.status(), 401);
    }
    assert_problem(
        post(
            &app,
            "/api/customer/profile/email/verify",
            &tokens.access,
            &json!({"code": code}),
        )
        .await,
        401,
        "code_expired",
    )
    .await;
    // And a code is worth nothing after 30 minutes.
    app.clock.advance(chrono::Duration::minutes(2));
    let body = json!({"name": "Anna Schmidt", "email": "late@example.net", "language": "de", "address": null, "date_of_birth": null});
    put_profile(&app, &tokens.access, &body).await;
    let code = last_email_code(&app, "late@example.net").await;
    app.clock.advance(chrono::Duration::minutes(31));
    let tokens = app.sign_in(WEBER, ANNA).await;
    assert_problem(
        post(
            &app,
            "/api/customer/profile/email/verify",
            &tokens.access,
            &json!({"code": code}),
        )
        .await,
        401,
        "code_expired",
    )
    .await;
    let profile = ok_json(
        app.get_auth("/api/customer/profile", &tokens.access).await,
        200,
    )
    .await;
    assert_eq!(profile["email"], "anna.neu@example.net");
}

async fn address_and_date_of_birth_round_trip(app: TestApp) {
    use crate::personal_helpers::*;
    let tokens = app.sign_in(WEBER, ANNA).await;
    let body = json!({
        "name": "Anna Schmidt", "email": "anna.praxis@example.org", "language": "de",
        "address": {"street": " Hauptstraße 5 ", "postal_code": "10115", "city": "Berlin", "country": "de"},
        "date_of_birth": "1985-04-12"
    });
    let profile = ok_json(put_profile(&app, &tokens.access, &body).await, 200).await;
    assert_eq!(
        profile["address"],
        json!({"street": "Hauptstraße 5", "postal_code": "10115", "city": "Berlin", "country": "DE"})
    );
    assert_eq!(profile["date_of_birth"], "1985-04-12");
    assert_eq!(
        profile["email_verified"], false,
        "entered by the business, never confirmed"
    );
    let again = ok_json(
        app.get_auth("/api/customer/profile", &tokens.access).await,
        200,
    )
    .await;
    assert_eq!(again, profile);
    // Left out: removed.
    let profile = ok_json(
        put_profile(
            &app,
            &tokens.access,
            &json!({"name": "Anna Schmidt", "email": "anna.praxis@example.org", "language": "de", "address": null, "date_of_birth": null}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(profile["address"], Value::Null);
    assert_eq!(profile["date_of_birth"], Value::Null);
    for (body, field) in [
        (
            json!({"street": "x".repeat(201), "postal_code": "1", "city": "B", "country": "DE"}),
            "address.street",
        ),
        (
            json!({"street": "a", "postal_code": "1", "city": "B", "country": "Deutschland"}),
            "address.country",
        ),
        (
            json!({"street": "a", "postal_code": "", "city": "B", "country": "DE"}),
            "address.postal_code",
        ),
    ] {
        let res = put_profile(
            &app,
            &tokens.access,
            &json!({"name": "Anna", "email": null, "language": "de", "address": body, "date_of_birth": null}),
        )
        .await;
        let problem = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let future = json!({"name": "Anna", "email": null, "language": "de", "date_of_birth": "2030-01-01", "address": null});
    let problem = assert_problem(
        put_profile(&app, &tokens.access, &future).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "date_of_birth");
    // A salon keeps no date of birth.
    let salon = app.sign_in(LUMIERE, ANNA).await;
    let body = json!({"name": "Anna", "email": null, "language": "de", "date_of_birth": "1985-04-12", "address": null});
    let problem = assert_problem(
        put_profile(&app, &salon.access, &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "date_of_birth");
}

const NEW_PHONE: &str = "+4915199999999";

async fn phone_change_notifies_the_old_number_and_ends_other_sessions(app: TestApp) {
    use crate::personal_helpers::*;
    let other_device = app.sign_in(WEBER, ANNA).await;
    let me = app.sign_in(WEBER, ANNA).await;
    let salon = app.sign_in(LUMIERE, ANNA).await;
    let res = post(
        &app,
        "/api/customer/profile/phone",
        &me.access,
        &json!({"phone": "0151 99999999"}),
    )
    .await;
    let challenge = ok_json(res, 202).await;
    assert_eq!(challenge["phone_masked"], "+49•••••••••99");
    let code = app.last_code(NEW_PHONE).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let verify = |code: String| {
        let body = json!({"challenge_id": challenge["challenge_id"], "code": code});
        let token = me.access.clone();
        let app = &app;
        async move { post(app, "/api/customer/profile/phone/verify", &token, &body).await }
    };
    let problem = assert_problem(verify(wrong.into()).await, 401, "invalid_code").await;
    assert_eq!(problem["attempts_remaining"], 4);
    // Another customer cannot use this challenge.
    let jonas = app.sign_in(WEBER, "+4915100000002").await;
    let body = json!({"challenge_id": challenge["challenge_id"], "code": code});
    assert_problem(
        post(
            &app,
            "/api/customer/profile/phone/verify",
            &jonas.access,
            &body,
        )
        .await,
        401,
        "code_expired",
    )
    .await;
    let profile = ok_json(verify(code.clone()).await, 200).await;
    assert_eq!(profile["phone"], NEW_PHONE);

    // The other device of this account is signed out; this one and the other company's are not.
    assert_problem(
        app.get_auth("/api/customer/profile", &other_device.access)
            .await,
        401,
        "unauthorized",
    )
    .await;
    assert_problem(
        app.refresh(&other_device.refresh).await,
        401,
        "invalid_refresh_token",
    )
    .await;
    assert_eq!(
        app.get_auth("/api/customer/profile", &me.access)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.get_auth("/api/customer/profile", &salon.access)
            .await
            .status(),
        200
    );

    // The old number is told (through the outbox).
    let mut told = false;
    for _ in 0..100 {
        let sms = app.sent_sms().await;
        if sms
            .iter()
            .any(|(to, body)| to == ANNA && body.contains("+49•••••••••99"))
        {
            told = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(told, "{:?}", app.sent_sms().await);

    // Sign-in now works with the new number only (the old one gets no code at this company).
    app.clock.advance(chrono::Duration::seconds(61));
    let before = app.sent_sms().await.len();
    app.challenge(WEBER, ANNA).await;
    assert_eq!(
        app.sent_sms().await.len(),
        before,
        "the old number is no customer here now"
    );
    let again = app.sign_in(WEBER, NEW_PHONE).await;
    assert_eq!(again.customer_id, me.customer_id);
    // The salon account keeps its number.
    let salon_profile = ok_json(
        app.get_auth("/api/customer/profile", &salon.access).await,
        200,
    )
    .await;
    assert_eq!(salon_profile["phone"], ANNA);
}

async fn phone_change_refuses_a_taken_number_and_needs_a_recent_sign_in(app: TestApp) {
    use crate::personal_helpers::*;
    let me = app.sign_in(WEBER, ANNA).await;
    let sms_before = app.sent_sms().await.len();
    // Another customer's number: the same answer as for a free one (nobody learns who is a
    // customer), but no code goes out, so the change cannot be confirmed.
    let taken = ok_json(
        post(
            &app,
            "/api/customer/profile/phone",
            &me.access,
            &json!({"phone": "+4915100000002"}),
        )
        .await,
        202,
    )
    .await;
    assert_eq!(taken["phone_masked"], "+49•••••••••02");
    let free = ok_json(
        post(
            &app,
            "/api/customer/profile/phone",
            &me.access,
            &json!({"phone": "+4915100000088"}),
        )
        .await,
        202,
    )
    .await;
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&taken), keys(&free));
    assert_eq!(taken["expires_in"], free["expires_in"]);
    assert_eq!(
        app.sent_sms().await.len(),
        sms_before + 1,
        "only the free number got a code"
    );
    let guess = post(
        &app,
        "/api/customer/profile/phone/verify",
        &me.access,
        &json!({"challenge_id": taken["challenge_id"], "code": "123456"}),
    )
    .await;
    assert_problem(guess, 401, "invalid_code").await;
    let sms_before = app.sent_sms().await.len();
    assert_problem(
        post(
            &app,
            "/api/customer/profile/phone",
            &me.access,
            &json!({"phone": ANNA}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        post(
            &app,
            "/api/customer/profile/phone",
            &me.access,
            &json!({"phone": "+1 202 555 0100"}),
        )
        .await,
        422,
        "country_not_allowed",
    )
    .await;
    assert_eq!(
        app.sent_sms().await.len(),
        sms_before,
        "no SMS for refused changes"
    );

    let res = post(
        &app,
        "/api/customer/profile/phone",
        &me.access,
        &json!({"phone": NEW_PHONE}),
    )
    .await;
    let challenge = ok_json(res, 202).await;
    assert_problem(
        post(
            &app,
            "/api/customer/profile/phone",
            &me.access,
            &json!({"phone": NEW_PHONE}),
        )
        .await,
        429,
        "resend_too_soon",
    )
    .await;
    let code = app.last_code(NEW_PHONE).await;
    // Eleven minutes after signing in, the change needs a new sign-in.
    app.clock.advance(chrono::Duration::minutes(11));
    let body = json!({"challenge_id": challenge["challenge_id"], "code": code});
    assert_problem(
        post(
            &app,
            "/api/customer/profile/phone/verify",
            &me.access,
            &body,
        )
        .await,
        401,
        "reauth_required",
    )
    .await;
    assert_problem(
        post(
            &app,
            "/api/customer/profile/phone",
            &me.access,
            &json!({"phone": "+4915188888888"}),
        )
        .await,
        401,
        "reauth_required",
    )
    .await;
    let profile = ok_json(app.get_auth("/api/customer/profile", &me.access).await, 200).await;
    assert_eq!(profile["phone"], ANNA, "nothing changed");
}

async fn phone_change_during_an_sms_outage_costs_nothing(app: TestApp) {
    use crate::personal_helpers::*;
    use wiremock::{Mock, ResponseTemplate, matchers::method};
    let me = app.sign_in(WEBER, ANNA).await;
    app.twilio.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_json(
            json!({"code": 20500, "message": "Internal Server Error", "status": 500}),
        ))
        .mount(&app.twilio)
        .await;
    // More attempts than the hourly limit allows: the answer does not wait for the provider, and
    // the codes it could not take are not counted.
    for _ in 0..6 {
        let res = post(
            &app,
            "/api/customer/profile/phone",
            &me.access,
            &json!({"phone": NEW_PHONE}),
        )
        .await;
        ok_json(res, 202).await;
        app.outbox_idle().await;
        app.clock.advance(chrono::Duration::seconds(61));
    }
    let asked = app.sent_sms().await;
    assert_eq!(
        asked.iter().filter(|(to, _)| to == NEW_PHONE).count(),
        6,
        "asked, and refused, once a minute"
    );
    app.twilio.reset().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"sid": "SM1", "status": "queued"})),
        )
        .mount(&app.twilio)
        .await;
    let res = post(
        &app,
        "/api/customer/profile/phone",
        &me.access,
        &json!({"phone": NEW_PHONE}),
    )
    .await;
    ok_json(res, 202).await;
    assert!(app.sent_sms().await.iter().any(|(to, _)| to == NEW_PHONE));
    let profile = ok_json(app.get_auth("/api/customer/profile", &me.access).await, 200).await;
    assert_eq!(profile["phone"], ANNA);
}
