//! Server-sent events: a signed-in customer's open stream shows a staff reply and an appointment
//! change within a second; other customers' streams stay quiet; no stream without sign-in.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::appointments::{TESTER, berlin, cancel, fixture};
use crate::helpers::*;
use crate::integrations::{ALL_SCOPES, api_key, post};

both_databases!(
    sse_clients_see_their_events_within_a_second,
    a_stream_ends_with_its_session,
);

async fn open(app: &TestApp, token: &str) -> reqwest::Response {
    let mut res = app
        .client
        .get(app.url("/api/customer/events"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    let hello = res.chunk().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&hello).contains("connected"));
    res
}

/// Reads the stream until `needle` appears; `None` if it does not within `limit`.
async fn wait_for(stream: &mut reqwest::Response, needle: &str, limit: Duration) -> Option<String> {
    let deadline = Instant::now() + limit;
    let mut seen = String::new();
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, stream.chunk()).await {
            Ok(Ok(Some(chunk))) => {
                seen.push_str(&String::from_utf8_lossy(&chunk));
                if seen.contains(needle) {
                    return Some(seen);
                }
            }
            _ => return None,
        }
    }
}

async fn sse_clients_see_their_events_within_a_second(app: TestApp) {
    let res = app
        .client
        .get(app.url("/api/customer/events"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "unauthorized").await;

    let key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let anna = app.sign_in(WEBER, ANNA).await;
    let jonas = app.sign_in(WEBER, "+4915100000002").await;
    let mut anna_stream = open(&app, &anna.access).await;
    let mut jonas_stream = open(&app, &jonas.access).await;

    let started = Instant::now();
    let res = post(
        &app,
        &key,
        &format!("/customers/{}/support/messages", anna.customer_id),
        &json!({"body": "Wir sind für Sie da.", "author_name": "Frau Weber"}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let seen = wait_for(&mut anna_stream, "Wir sind", Duration::from_secs(1))
        .await
        .expect("the staff reply arrives within a second");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(seen.contains("event: support_message\ndata: {"), "{seen}");
    assert!(
        wait_for(
            &mut jonas_stream,
            "support_message",
            Duration::from_millis(300)
        )
        .await
        .is_none(),
        "another customer's stream stays quiet"
    );

    // An appointment change reaches the customer's stream too.
    let f = fixture(&app, WEBER).await;
    let id = f.book(&app, berlin(2026, 12, 2, 10, 0)).await;
    let tessa = app.sign_in(WEBER, TESTER).await;
    let mut tessa_stream = open(&app, &tessa.access).await;
    let started = Instant::now();
    assert_eq!(cancel(&app, &tessa.access, &id, None).await.status(), 200);
    let seen = wait_for(&mut tessa_stream, &id, Duration::from_secs(1))
        .await
        .expect("the change arrives within a second");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(seen.contains("event: appointment_changed"), "{seen}");
}

/// Whether the stream closes (the server ends it) within `limit`, skipping anything it still sends.
async fn closes_within(stream: &mut reqwest::Response, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            return false;
        };
        match tokio::time::timeout(left, stream.chunk()).await {
            Ok(Ok(Some(_))) => {}
            Ok(Ok(None) | Err(_)) => return true,
            Err(_) => return false,
        }
    }
}

async fn a_stream_ends_with_its_session(app: TestApp) {
    let key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let phone = app.sign_in(WEBER, ANNA).await;
    let laptop = app.sign_in(WEBER, ANNA).await;
    let mut phone_stream = open(&app, &phone.access).await;
    let mut laptop_stream = open(&app, &laptop.access).await;

    // The laptop signs out: its stream closes at once, the phone's stays and still delivers.
    let res = app
        .client
        .post(app.url("/api/customer/auth/logout"))
        .bearer_auth(&laptop.access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert!(closes_within(&mut laptop_stream, Duration::from_secs(2)).await);
    let res = post(
        &app,
        &key,
        &format!("/customers/{}/support/messages", phone.customer_id),
        &json!({"body": "Noch da?"}),
    )
    .await;
    assert_eq!(res.status(), 201);
    assert!(
        wait_for(&mut phone_stream, "Noch da?", Duration::from_secs(1))
            .await
            .is_some(),
        "the other device's stream is unaffected"
    );

    // Erasure ends every stream of the customer, with private support replies no longer flowing.
    let res = app
        .client
        .delete(app.url("/api/customer?confirm=true"))
        .bearer_auth(&phone.access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert!(closes_within(&mut phone_stream, Duration::from_secs(2)).await);
}
