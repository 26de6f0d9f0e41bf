//! The integrator's side of appointments: the phone assistant books, the customer sees it in the
//! portal, the business confirms, moves and cancels; webhook endpoints are managed over the API.

use serde_json::{Value, json};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::method};

use crate::{helpers::*, integrations::*};

both_databases!(
    phone_assistant_books_and_business_manages,
    webhook_endpoints_over_the_api,
    the_phone_assistant_finds_a_free_time_and_books_it,
);

async fn the_phone_assistant_finds_a_free_time_and_books_it(app: TestApp) {
    let key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let carla = json!({"phone": "0151 00000077", "name": "Carla Neu"});
    let (branch, staff, service, customer) = catalogue(&app, &key, &carla).await;
    // Wednesdays 09:00–12:00 in Berlin.
    let hours =
        json!({"hours": [{"weekday": 3, "start": "09:00", "end": "12:00", "branch_id": branch}]});
    json_ok(
        put(&app, &key, &format!("/staff/{staff}/working-hours"), &hours).await,
        200,
    )
    .await;
    let taken = json!({"branch_id": branch, "staff_id": staff, "service_id": service, "customer_id": customer,
        "starts_at": "2026-12-02T10:00:00+01:00"});
    json_ok(post(&app, &key, "/appointments", &taken).await, 201).await;

    let search = format!(
        "/availability?branch_id={branch}&service_id={service}&from=2026-12-02T00:00:00Z&to=2026-12-03T00:00:00Z"
    );
    let starts = |list: &Value| -> Vec<String> {
        list["slots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["starts_at"].as_str().unwrap().to_owned())
            .collect()
    };
    let found = json_ok(get(&app, &key, &search).await, 200).await;
    assert_eq!(found["timezone"], "Europe/Berlin");
    let free = starts(&found);
    // Within the hours, on the 15-minute grid, never overlapping the booked half hour.
    assert_eq!(
        free.first().map(String::as_str),
        Some("2026-12-02T09:00:00+01:00")
    );
    assert!(
        free.iter().all(|s| s.as_str() < "2026-12-02T11:31"),
        "{free:?}"
    );
    for busy in [
        "2026-12-02T09:45:00+01:00",
        "2026-12-02T10:00:00+01:00",
        "2026-12-02T10:15:00+01:00",
    ] {
        assert!(!free.contains(&busy.to_owned()), "{busy} offered: {free:?}");
    }
    assert_eq!(found["slots"][0]["staff"]["id"], staff.as_str());

    // The first one, booked exactly as offered, then is no longer free.
    let slot = &found["slots"][0];
    let booking = json!({"branch_id": branch, "staff_id": slot["staff"]["id"], "service_id": service,
        "customer_id": customer, "starts_at": slot["starts_at"]});
    json_ok(post(&app, &key, "/appointments", &booking).await, 201).await;
    let again = starts(&json_ok(get(&app, &key, &format!("{search}&limit=3")).await, 200).await);
    assert_eq!(again.len(), 3);
    assert!(!again.contains(&free[0]), "{again:?}");

    // What the search needs is named when missing or wrong.
    for (path, field) in [
        (format!("/availability?service_id={service}"), "branch_id"),
        (
            format!(
                "/availability?branch_id={branch}&service_id={}",
                uuid::Uuid::now_v7()
            ),
            "service_id",
        ),
        (
            format!("{search}&staff_id={}", uuid::Uuid::now_v7()),
            "staff_id",
        ),
        (format!("{search}&limit=0"), "limit"),
    ] {
        let problem = assert_problem(get(&app, &key, &path).await, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{path}");
    }
}

async fn phone_assistant_books_and_business_manages(app: TestApp) {
    let key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let carla = json!({"phone": "0151 00000077", "name": "Carla Neu"});
    let (branch, staff, service, customer) = catalogue(&app, &key, &carla).await;
    let booking = json!({"branch_id": branch, "staff_id": staff, "service_id": service, "customer_id": customer,
        "starts_at": "2026-12-02T10:00:00+01:00", "external_ref": "call-4711"});
    let created = json_ok(post(&app, &key, "/appointments", &booking).await, 201).await;
    assert_eq!(created["starts_at"], "2026-12-02T10:00:00+01:00");
    assert_eq!(created["ends_at"], "2026-12-02T10:30:00+01:00");
    assert_eq!(created["status"], "booked");
    assert_eq!(created["source"], "phone_assistant");
    assert_eq!(created["version"], 1);
    let appointment = id(&created);

    // Overlapping the same staff member: refused; the touching next half hour is fine.
    let overlapping = json!({"branch_id": branch, "staff_id": staff, "service_id": service, "customer_id": customer, "starts_at": "2026-12-02T10:15:00+01:00"});
    assert_problem(
        post(&app, &key, "/appointments", &overlapping).await,
        409,
        "slot_unavailable",
    )
    .await;
    let next = json!({"branch_id": branch, "staff_id": staff, "service_id": service, "customer_id": customer, "starts_at": "2026-12-02T10:30:00+01:00"});
    json_ok(post(&app, &key, "/appointments", &next).await, 201).await;
    // Unknown references name the field.
    let bad = json!({"branch_id": branch, "staff_id": staff, "service_id": service, "customer_id": uuid::Uuid::now_v7(), "starts_at": "2026-12-03T10:00:00+01:00"});
    let problem = assert_problem(
        post(&app, &key, "/appointments", &bad).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "customer_id");

    // The customer signs in and sees it.
    let tokens = app.sign_in(WEBER, "+4915100000077").await;
    let list: Value = app
        .get_auth("/api/customer/appointments", &tokens.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert_eq!(list["items"][0]["id"], appointment.as_str());
    assert_eq!(list["items"][0]["branch"]["name"], "Praxis Nord");

    // Listing by customer and by range, paged.
    let page = json_ok(
        get(
            &app,
            &key,
            &format!("/appointments?customer_id={customer}&limit=1"),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let cursor = page["next_cursor"].as_str().unwrap();
    let page2 = json_ok(
        get(
            &app,
            &key,
            &format!("/appointments?customer_id={customer}&limit=1&cursor={cursor}"),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(page2["items"][0]["starts_at"], "2026-12-02T10:30:00+01:00");
    assert!(page2["next_cursor"].is_null());
    let none = json_ok(
        get(&app, &key, "/appointments?from=2026-12-03T00:00:00Z").await,
        200,
    )
    .await;
    assert!(
        none["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["starts_at"].as_str().unwrap() >= "2026-12-03")
    );

    // Confirm with the right version; a stale version changes nothing.
    let path = format!("/appointments/{appointment}");
    assert_problem(
        patch(
            &app,
            &key,
            &path,
            &json!({"version": 7, "status": "confirmed"}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    let confirmed = json_ok(
        patch(
            &app,
            &key,
            &path,
            &json!({"version": 1, "status": "confirmed"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(confirmed["status"], "confirmed");
    assert_eq!(confirmed["version"], 2);
    // Move onto the other booking: refused; to a free time: done.
    assert_problem(
        patch(
            &app,
            &key,
            &path,
            &json!({"version": 2, "starts_at": "2026-12-02T10:30:00+01:00"}),
        )
        .await,
        409,
        "slot_unavailable",
    )
    .await;
    let moved = json_ok(
        patch(
            &app,
            &key,
            &path,
            &json!({"version": 2, "starts_at": "2026-12-02T15:00:00+01:00"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(moved["starts_at"], "2026-12-02T15:00:00+01:00");

    // Cancel on the business's side: no notice rules; the customer sees who cancelled.
    let cancelled = json_ok(
        post(
            &app,
            &key,
            &format!("{path}/cancel"),
            &json!({"reason": "Praxis geschlossen"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_problem(
        post(&app, &key, &format!("{path}/cancel"), &json!({})).await,
        409,
        "already_cancelled",
    )
    .await;
    let detail: Value = app
        .get_auth(
            &format!("/api/customer/appointments/{appointment}"),
            &tokens.access,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["cancellation"]["by"], "business");
    assert_eq!(detail["cancellation"]["reason"], "Praxis geschlossen");
    let kinds: Vec<&str> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["booked", "status_changed", "rescheduled", "cancelled"]
    );

    // Another branch's key, and another company's key, see nothing of it.
    let other_branch = create_branch(&app, &key, "Praxis Süd").await;
    let branch_key = api_key(&app, WEBER, Some(&other_branch), ALL_SCOPES).await;
    let other_company = api_key(&app, LUMIERE, None, ALL_SCOPES).await;
    let missing = format!("/appointments/{}", uuid::Uuid::now_v7());
    for k in [&branch_key, &other_company] {
        let foreign = not_found_body(get(&app, k, &path).await).await;
        assert_eq!(foreign, not_found_body(get(&app, k, &missing).await).await);
        not_found_body(
            patch(
                &app,
                k,
                &path,
                &json!({"version": 4, "status": "confirmed"}),
            )
            .await,
        )
        .await;
        let listed = json_ok(
            get(&app, k, &format!("/appointments?customer_id={customer}")).await,
            200,
        )
        .await;
        assert!(listed["items"].as_array().unwrap().is_empty());
    }
    // The appointments scope is needed.
    let catalog_only = api_key(&app, WEBER, None, "catalog").await;
    assert_problem(get(&app, &catalog_only, &path).await, 403, "forbidden").await;
}

async fn webhook_endpoints_over_the_api(app: TestApp) {
    let key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let created = json_ok(
        post(
            &app,
            &key,
            "/webhooks",
            &json!({"url": receiver.uri(), "events": ["appointment.rescheduled"]}),
        )
        .await,
        201,
    )
    .await;
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    let listed = json_ok(get(&app, &key, "/webhooks").await, 200).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert!(
        listed["items"][0].get("secret").is_none(),
        "the secret is shown once"
    );
    for (body, field) in [
        (
            json!({"url": "http://example.com/hook", "events": ["appointment.cancelled"]}),
            "url",
        ),
        (
            json!({"url": "https://example.com/hook", "events": ["appointment.booked"]}),
            "events[0]",
        ),
        (
            json!({"url": "https://example.com/hook", "events": []}),
            "events",
        ),
    ] {
        let problem = assert_problem(
            post(&app, &key, "/webhooks", &body).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], field);
    }

    // A customer moves an appointment: the delivery arrives signed and shows in the log.
    let tokens = app.sign_in(WEBER, ANNA).await;
    let list: Value = app
        .get_auth("/api/customer/appointments", &tokens.access)
        .await
        .json()
        .await
        .unwrap();
    let item = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|i| i["can_reschedule"]["allowed"] == true)
        .unwrap()
        .clone();
    let id = item["id"].as_str().unwrap();
    let slots: Value = app
        .get_auth(
            &format!("/api/customer/appointments/{id}/slots"),
            &tokens.access,
        )
        .await
        .json()
        .await
        .unwrap();
    let res = app
        .client
        .post(app.url(&format!("/api/customer/appointments/{id}/reschedule")))
        .bearer_auth(&tokens.access)
        .json(&json!({"starts_at": slots["slots"][0]["starts_at"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let requests = wait_for_requests(&receiver, 1).await;
    assert_eq!(requests.len(), 1);
    let body = String::from_utf8(requests[0].body.clone()).unwrap();
    let signature = requests[0]
        .headers
        .get("x-portal-signature")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(portal_notify::webhooks::verify(
        &portal_domain::SecretString::new(secret),
        signature,
        &body
    ));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let log = json_ok(get(&app, &key, "/webhooks/deliveries").await, 200).await;
    assert_eq!(log["items"][0]["status"], "delivered");
    assert_eq!(log["items"][0]["attempts"][0]["response_status"], 200);

    // Removing the endpoint: gone; a second removal is 404.
    let endpoint = id_of(&created);
    assert_eq!(
        delete(&app, &key, &format!("/webhooks/{endpoint}"))
            .await
            .status(),
        204
    );
    assert_problem(
        delete(&app, &key, &format!("/webhooks/{endpoint}")).await,
        404,
        "not_found",
    )
    .await;
    // A branch-bound key may not manage company-wide endpoints.
    let branch = create_branch(&app, &key, "Filiale").await;
    let branch_key = api_key(&app, WEBER, Some(&branch), ALL_SCOPES).await;
    assert_problem(get(&app, &branch_key, "/webhooks").await, 403, "forbidden").await;
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}
