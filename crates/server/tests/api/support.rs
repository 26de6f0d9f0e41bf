//! Support chat both ways: the customer writes, staff read and reply through the integrator API,
//! integrators get `support.message_created`; validation and the hourly limit.

use serde_json::{Value, json};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::method};

use crate::helpers::*;
use crate::integrations::{ALL_SCOPES, api_key, get, post};

both_databases!(
    support_chat_works_both_ways,
    support_messages_are_validated_and_limited
);

async fn write(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/customer/support/messages"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn support_chat_works_both_ways(app: TestApp) {
    let hooks = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&hooks)
        .await;
    let key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let res = post(
        &app,
        &key,
        "/webhooks",
        &json!({"url": format!("{}/hooks", hooks.uri()), "events": ["support.message_created"]}),
    )
    .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());

    let tokens = app.sign_in(WEBER, ANNA).await;
    let res = write(
        &app,
        &tokens.access,
        &json!({"body": "  Kann ich telefonisch bestätigen?  "}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let mine: Value = res.json().await.unwrap();
    assert_eq!(mine["author"], "customer");
    assert_eq!(mine["body"], "Kann ich telefonisch bestätigen?");

    // Staff read it and answer.
    let path = format!("/customers/{}/support/messages", tokens.customer_id);
    let thread: Value = get(&app, &key, &path).await.json().await.unwrap();
    assert_eq!(
        thread["items"][0]["body"],
        "Kann ich telefonisch bestätigen?"
    );
    let res = post(
        &app,
        &key,
        &path,
        &json!({"body": "Gern, rufen Sie uns an.", "author_name": "Frau Weber"}),
    )
    .await;
    assert_eq!(res.status(), 201);

    let thread: Value = app
        .get_auth("/api/customer/support/messages", &tokens.access)
        .await
        .json()
        .await
        .unwrap();
    let items = thread["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["author"], "customer");
    assert!(items[0]["read_at"].is_string(), "staff read it");
    assert_eq!(items[1]["author"], "staff");
    assert_eq!(items[1]["author_name"], "Frau Weber");

    // Both messages reached the integrator.
    let received = wait_for_requests(&hooks, 2).await;
    assert_eq!(received.len(), 2);
    let events: Vec<Value> = received
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert!(
        events
            .iter()
            .all(|e| e["event"] == "support.message_created")
    );
    assert_eq!(events[0]["data"]["author"], "customer");
    for event in &events {
        let typed: portal_api_types::webhooks::WebhookPayload =
            serde_json::from_value(event.clone()).unwrap();
        assert!(matches!(
            typed.event,
            portal_api_types::webhooks::WebhookEvent::SupportMessageCreated(_)
        ));
    }
    assert_eq!(events[0]["data"]["customer_id"], tokens.customer_id);

    // Nobody else sees the conversation.
    let jonas = app.sign_in(WEBER, "+4915100000002").await;
    let theirs: Value = app
        .get_auth("/api/customer/support/messages", &jonas.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["items"].as_array().unwrap().len(), 0);
    let other_key = api_key(&app, LUMIERE, None, ALL_SCOPES).await;
    assert_problem(get(&app, &other_key, &path).await, 404, "not_found").await;
    let catalog_only = api_key(&app, WEBER, None, "catalog").await;
    assert_problem(get(&app, &catalog_only, &path).await, 403, "forbidden").await;
}

async fn support_messages_are_validated_and_limited(app: TestApp) {
    let tokens = app.sign_in(WEBER, ANNA).await;
    for bad in [
        json!({"body": "   "}),
        json!({"body": "x".repeat(2001)}),
        json!({"body": "hi", "to": "staff"}),
    ] {
        assert_problem(
            write(&app, &tokens.access, &bad).await,
            422,
            "validation_failed",
        )
        .await;
    }
    assert_eq!(
        write(&app, &tokens.access, &json!({"body": "ä".repeat(2000)}))
            .await
            .status(),
        201
    );
    for i in 1..30 {
        let res = write(
            &app,
            &tokens.access,
            &json!({"body": format!("Nachricht {i}")}),
        )
        .await;
        assert_eq!(res.status(), 201);
    }
    let res = write(&app, &tokens.access, &json!({"body": "one too many"})).await;
    let body = assert_problem(res, 429, "rate_limited").await;
    assert!(body["retry_after"].as_u64().unwrap() > 0);
    // An hour later the customer may write again.
    app.clock.advance(chrono::Duration::minutes(61));
    let tokens = app.sign_in(WEBER, ANNA).await;
    assert_eq!(
        write(&app, &tokens.access, &json!({"body": "again"}))
            .await
            .status(),
        201
    );
    let res = app
        .client
        .post(app.url("/api/customer/support/messages"))
        .json(&json!({"body": "anonymous"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "unauthorized").await;
}
