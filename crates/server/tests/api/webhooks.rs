//! Webhooks: a customer's cancel or reschedule reaches the integrator signed; failures are retried
//! with backoff and every attempt is recorded.

use chrono::Duration;
use portal_domain::{Clock, CompanySlug, SecretString};
use serde_json::Value;
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::method};

use crate::helpers::*;

both_databases!(
    customer_changes_reach_integrators_signed,
    failing_endpoint_is_retried_with_backoff
);

async fn register(app: &TestApp, url: &str, events: &[&str]) -> SecretString {
    let company = portal_db::companies::find_by_slug(&app.db, &CompanySlug::parse(WEBER).unwrap())
        .await
        .unwrap()
        .unwrap();
    let secret = "whsec_test_secret_of_enough_length";
    let events: Vec<String> = events.iter().map(|e| (*e).to_owned()).collect();
    portal_db::webhooks::create_endpoint(
        &app.db,
        whole_company(company.id),
        url,
        &events,
        secret,
        app.clock.now(),
    )
    .await
    .unwrap();
    SecretString::new(secret)
}

async fn upcoming(app: &TestApp, token: &str) -> Vec<Value> {
    let body: Value = app
        .get_auth("/api/customer/appointments", token)
        .await
        .json()
        .await
        .unwrap();
    body["items"].as_array().unwrap().clone()
}

async fn customer_changes_reach_integrators_signed(app: TestApp) {
    let integrator = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&integrator)
        .await;
    let secret = register(
        &app,
        &format!("{}/hooks", integrator.uri()),
        &["appointment.cancelled", "appointment.rescheduled"],
    )
    .await;
    let tokens = app.sign_in(WEBER, ANNA).await;
    let items = upcoming(&app, &tokens.access).await;
    // Demo data: move the latest upcoming appointment to a free slot, cancel the other.
    let movable = items
        .iter()
        .rev()
        .find(|i| i["can_reschedule"]["allowed"] == true)
        .unwrap();
    let id = movable["id"].as_str().unwrap();
    let slots: Value = app
        .get_auth(
            &format!("/api/customer/appointments/{id}/slots"),
            &tokens.access,
        )
        .await
        .json()
        .await
        .unwrap();
    let target = slots["slots"][0]["starts_at"].as_str().unwrap().to_owned();
    let res = app
        .client
        .post(app.url(&format!("/api/customer/appointments/{id}/reschedule")))
        .bearer_auth(&tokens.access)
        .json(&serde_json::json!({"starts_at": target}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .client
        .delete(app.url(&format!("/api/customer/appointments/{id}")))
        .bearer_auth(&tokens.access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let requests = wait_for_requests(&integrator, 2).await;
    assert_eq!(requests.len(), 2);
    let mut events = Vec::new();
    for request in &requests {
        let body = String::from_utf8(request.body.clone()).unwrap();
        let signature = request
            .headers
            .get("x-portal-signature")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            portal_notify::webhooks::verify(&secret, signature, &body),
            "valid signature"
        );
        assert!(!portal_notify::webhooks::verify(
            &SecretString::new("wrong"),
            signature,
            &body
        ));
        let json: Value = serde_json::from_str(&body).unwrap();
        // The body is what the OpenAPI document's `webhooks` describe: the typed payload.
        let typed: portal_api_types::webhooks::WebhookPayload =
            serde_json::from_str(&body).unwrap();
        assert_eq!(json["event"], typed.event.name());
        assert_eq!(
            request
                .headers
                .get("x-portal-event")
                .unwrap()
                .to_str()
                .unwrap(),
            json["event"].as_str().unwrap()
        );
        assert_eq!(json["data"]["appointment_id"], id);
        assert!(json["id"].is_string());
        events.push(json);
    }
    events.sort_by_key(|e| e["event"].as_str().unwrap().to_owned());
    assert_eq!(events[0]["event"], "appointment.cancelled");
    assert_eq!(events[0]["data"]["cancelled_by"], "customer");
    assert_eq!(events[1]["event"], "appointment.rescheduled");
    assert_eq!(
        events[1]["data"]["previous_starts_at"]
            .as_str()
            .unwrap()
            .len(),
        20,
        "UTC instants"
    );
}

async fn failing_endpoint_is_retried_with_backoff(app: TestApp) {
    let integrator = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(2)
        .mount(&integrator)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&integrator)
        .await;
    register(&app, &integrator.uri(), &["appointment.cancelled"]).await;
    let tokens = app.sign_in(WEBER, ANNA).await;
    let items = upcoming(&app, &tokens.access).await;
    let id = items
        .iter()
        .find(|i| i["can_cancel"]["allowed"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .client
        .delete(app.url(&format!("/api/customer/appointments/{id}")))
        .bearer_auth(&tokens.access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let company = portal_db::companies::find_by_slug(&app.db, &CompanySlug::parse(WEBER).unwrap())
        .await
        .unwrap()
        .unwrap();
    // The worker schedules the next attempt from the clock when it records a failure, so the test
    // moves the clock only once the attempt is recorded, not as soon as the request arrives.
    let recorded = |n: usize| {
        let db = app.db.clone();
        async move {
            for _ in 0..200 {
                let log = portal_db::webhooks::deliveries(&db, whole_company(company.id), 10)
                    .await
                    .unwrap();
                if log
                    .first()
                    .is_some_and(|d| d.attempts.len() >= n && d.status != "sending")
                {
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            panic!("attempt {n} was never recorded");
        }
    };
    assert_eq!(
        wait_for_requests(&integrator, 1).await.len(),
        1,
        "first attempt right away"
    );
    recorded(1).await;
    // Not before the backoff (30 s)...
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(integrator.received_requests().await.unwrap().len(), 1);
    app.clock.advance(Duration::seconds(31));
    assert_eq!(
        wait_for_requests(&integrator, 2).await.len(),
        2,
        "second attempt after 30 s"
    );
    recorded(2).await;
    app.clock.advance(Duration::seconds(61));
    assert_eq!(
        wait_for_requests(&integrator, 3).await.len(),
        3,
        "third attempt after another 60 s"
    );
    recorded(3).await;
    let log = portal_db::webhooks::deliveries(&app.db, whole_company(company.id), 10)
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].status, "delivered");
    let statuses: Vec<Option<i32>> = log[0].attempts.iter().map(|a| a.response_status).collect();
    assert_eq!(
        statuses,
        [Some(500), Some(500), Some(200)],
        "every attempt recorded"
    );
    // The same body every time (receivers deduplicate by its id).
    let bodies: Vec<Vec<u8>> = integrator
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.body)
        .collect();
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
}
