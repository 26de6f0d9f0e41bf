//! Profile read and update, and the body rules every JSON endpoint shares.

use serde_json::{Value, json};

use crate::helpers::*;

both_databases!(
    profile_round_trips,
    profile_validation_names_the_field,
    body_rules_415_413_400_422
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
        &json!({"name": "  Anna Maria Schmidt ", "email": "Anna@Example.ORG", "language": "en"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["name"], "Anna Maria Schmidt");
    assert_eq!(updated["email"], "Anna@example.org");
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
        &json!({"name": "Anna", "email": null, "language": "de"}),
    )
    .await;
    assert_eq!(res.json::<Value>().await.unwrap()["email"], Value::Null);
}

async fn profile_validation_names_the_field(app: TestApp) {
    let tokens = app.sign_in(WEBER, ANNA).await;
    for (body, field) in [
        (json!({"name": "", "email": null, "language": "de"}), "name"),
        (
            json!({"name": "x".repeat(101), "email": null, "language": "de"}),
            "name",
        ),
        (
            json!({"name": "Anna", "email": "not-an-email", "language": "de"}),
            "email",
        ),
        (
            json!({"name": "Anna", "email": null, "language": "fr"}),
            "language",
        ),
        (
            json!({"name": "Anna", "email": null, "language": "de", "phone": "+491"}),
            "phone",
        ),
        (json!({"name": "Anna", "email": null}), ""),
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
