//! The integrator API's idempotency: a repeated POST replays the first answer, concurrent
//! duplicates run once, a reused or missing key is refused.

use chrono::Duration;
use portal_domain::Clock as _;
use reqwest::Method;
use serde_json::{Value, json};

use crate::{helpers::*, integrations::*};

both_databases!(
    idempotent_post_replays_and_creates_one_row,
    concurrent_duplicates_run_once,
    idempotency_key_reused_or_missing_is_refused,
);

async fn idempotent_post_replays_and_creates_one_row(app: TestApp) {
    let key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let seeded = branch_count(&app, &key).await;
    let body = json!({"name": "Mitte", "country": "DE", "timezone": "Europe/Berlin"});
    let first = call(
        &app,
        Method::POST,
        &key,
        "/branches",
        Some(&body),
        Some("order-42"),
    )
    .await;
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first_body = first.text().await.unwrap();
    app.clock.advance(Duration::minutes(5));
    let again = call(
        &app,
        Method::POST,
        &key,
        "/branches",
        Some(&body),
        Some("order-42"),
    )
    .await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["content-type"], "application/json");
    assert_eq!(again.text().await.unwrap(), first_body);
    assert_eq!(branch_count(&app, &key).await, seeded + 1);

    // Keys belong to one API key: another key may use the same text for its own request.
    let other = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let res = call(
        &app,
        Method::POST,
        &other,
        "/branches",
        Some(&body),
        Some("order-42"),
    )
    .await;
    assert!(res.headers().get("idempotent-replayed").is_none());
    assert_eq!(res.status(), 201);
    assert_eq!(branch_count(&app, &key).await, seeded + 2);

    // A validation failure is an answer too: replayed, nothing created.
    let bad = json!({"name": "Mitte", "country": "DE", "timezone": "Mars/Olympus"});
    let res = call(
        &app,
        Method::POST,
        &key,
        "/branches",
        Some(&bad),
        Some("bad-1"),
    )
    .await;
    let refused = assert_problem(res, 422, "validation_failed").await;
    let res = call(
        &app,
        Method::POST,
        &key,
        "/branches",
        Some(&bad),
        Some("bad-1"),
    )
    .await;
    assert_eq!(res.headers()["idempotent-replayed"], "true");
    assert_eq!(assert_problem(res, 422, "validation_failed").await, refused);

    // After 24 hours the key is forgotten and the request runs again.
    app.clock.advance(Duration::hours(24));
    let res = call(
        &app,
        Method::POST,
        &key,
        "/branches",
        Some(&body),
        Some("order-42"),
    )
    .await;
    assert!(res.headers().get("idempotent-replayed").is_none());
    assert_eq!(res.status(), 201);
    assert_eq!(branch_count(&app, &key).await, seeded + 3);
    let purged =
        portal_db::idempotency::purge_expired(&app.db, app.clock.now() + Duration::hours(25))
            .await
            .unwrap();
    assert!(purged >= 3, "{purged}");
}

async fn concurrent_duplicates_run_once(app: TestApp) {
    let key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let seeded = branch_count(&app, &key).await;
    let body = json!({"name": "Mitte", "country": "DE", "timezone": "Europe/Berlin"});
    let requests = (0..6).map(|_| {
        call(
            &app,
            Method::POST,
            &key,
            "/branches",
            Some(&body),
            Some("same"),
        )
    });
    let responses = futures_util::future::join_all(requests).await;
    let mut created = Vec::new();
    for res in responses {
        match res.status().as_u16() {
            201 => created.push(id(&res.json::<Value>().await.unwrap())),
            409 => {
                let body = assert_problem(res, 409, "conflict").await;
                assert_eq!(body["retry_after"], 1);
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(!created.is_empty());
    created.dedup();
    assert_eq!(created.len(), 1, "every success is the same branch");
    assert_eq!(branch_count(&app, &key).await, seeded + 1);
}

async fn idempotency_key_reused_or_missing_is_refused(app: TestApp) {
    let key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let seeded = branch_count(&app, &key).await;
    let body = json!({"name": "Mitte", "country": "DE", "timezone": "Europe/Berlin"});
    let res = call(
        &app,
        Method::POST,
        &key,
        "/branches",
        Some(&body),
        Some("k-1"),
    )
    .await;
    assert_eq!(res.status(), 201);
    let other = json!({"name": "Pankow", "country": "DE", "timezone": "Europe/Berlin"});
    let res = call(
        &app,
        Method::POST,
        &key,
        "/branches",
        Some(&other),
        Some("k-1"),
    )
    .await;
    assert_problem(res, 422, "idempotency_key_reused").await;
    // Same body on another path is another request too.
    let service = json!({"name": "Mitte", "duration_minutes": 30});
    let res = call(
        &app,
        Method::POST,
        &key,
        "/services",
        Some(&service),
        Some("k-1"),
    )
    .await;
    assert_problem(res, 422, "idempotency_key_reused").await;
    assert_eq!(branch_count(&app, &key).await, seeded + 1);

    let res = call(&app, Method::POST, &key, "/branches", Some(&other), None).await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "Idempotency-Key");
    let long = "x".repeat(256);
    for bad in [long.as_str(), "with space"] {
        let res = call(
            &app,
            Method::POST,
            &key,
            "/branches",
            Some(&other),
            Some(bad),
        )
        .await;
        assert_problem(res, 422, "validation_failed").await;
    }
    let ok = "y".repeat(255);
    let res = call(
        &app,
        Method::POST,
        &key,
        "/branches",
        Some(&other),
        Some(&ok),
    )
    .await;
    assert_eq!(res.status(), 201);
}
