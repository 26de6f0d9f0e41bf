//! The integrator API's catalogue and customers: validation, upserts by phone, working hours,
//! staff services and time off, patches and pagination.

use chrono::Duration;
use reqwest::Response;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{helpers::*, integrations::*};

both_databases!(
    validation_errors_name_the_field,
    customer_upsert_by_national_and_international_phone,
    working_hours_staff_services_and_time_off_round_trip,
    patches_change_only_the_fields_sent,
    pagination_returns_every_item_exactly_once,
);

async fn field_error(res: Response, code: &str) -> String {
    let body = assert_problem(res, 422, code).await;
    body["errors"][0]["field"].as_str().unwrap().to_owned()
}

async fn validation_errors_name_the_field(app: TestApp) {
    let key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let branch = json!({"name": "Mitte", "country": "DE", "timezone": "Europe/Berlin"});
    let with = |field: &str, value: Value| {
        let mut b = branch.clone();
        b[field] = value;
        b
    };
    for (field, value) in [
        ("name", json!("  ")),
        ("name", json!("x".repeat(201))),
        ("country", json!("DEU")),
        ("timezone", json!("Europe/Atlantis")),
        ("street", json!("a\u{0007}b")),
    ] {
        let res = post(&app, &key, "/branches", &with(field, value)).await;
        assert_eq!(field_error(res, "validation_failed").await, field);
    }
    let res = post(&app, &key, "/branches", &with("phone", json!("12"))).await;
    assert_eq!(field_error(res, "invalid_phone").await, "phone");
    let ok = json_ok(
        post(
            &app,
            &key,
            "/branches",
            &with("name", json!("ü".repeat(200))),
        )
        .await,
        201,
    )
    .await;
    let branch_id = id(&ok);

    let service = json!({"name": "Check-up", "duration_minutes": 30});
    let with = |field: &str, value: Value| {
        let mut b = service.clone();
        b[field] = value;
        b
    };
    for (field, value) in [
        ("duration_minutes", json!(4)),
        ("duration_minutes", json!(721)),
        ("buffer_before_minutes", json!(241)),
        ("buffer_after_minutes", json!(-1)),
        ("currency", json!("EURO")),
        ("cancel_notice_minutes", json!(43201)),
    ] {
        let res = post(&app, &key, "/services", &with(field, value)).await;
        assert_eq!(field_error(res, "validation_failed").await, field);
    }
    let res = post(&app, &key, "/services", &with("price_cents", json!(4500))).await;
    assert_eq!(field_error(res, "validation_failed").await, "currency");
    let mut ok = with("price_cents", json!(4500));
    ok["currency"] = json!("eur");
    let created = json_ok(post(&app, &key, "/services", &ok).await, 201).await;
    assert_eq!(created["currency"], "EUR");
    assert_eq!(
        (
            created["buffer_before_minutes"].as_u64(),
            created["duration_minutes"].as_u64()
        ),
        (Some(0), Some(30))
    );

    let staff = create_staff(&app, &key, Some(&branch_id)).await;
    let hours_path = format!("/staff/{staff}/working-hours");
    let shift = json!({"weekday": 1, "start": "08:00", "end": "12:00", "branch_id": branch_id});
    let with = |field: &str, value: Value| {
        let mut s = shift.clone();
        s[field] = value;
        json!({"hours": [shift.clone(), s]})
    };
    for (field, value) in [
        ("weekday", json!(8)),
        ("weekday", json!(0)),
        ("start", json!("25:00")),
        ("start", json!("8:00")),
        ("end", json!("07:59")),
        ("end", json!("08:00")),
    ] {
        let res = put(&app, &key, &hours_path, &with(field, value)).await;
        assert_eq!(
            field_error(res, "validation_failed").await,
            format!("hours[1].{field}")
        );
    }
    let mut dated = shift.clone();
    dated["valid_from"] = json!("2027-02-01");
    dated["valid_until"] = json!("2027-01-01");
    let res = put(&app, &key, &hours_path, &json!({"hours": [dated]})).await;
    assert_eq!(
        field_error(res, "validation_failed").await,
        "hours[0].valid_until"
    );

    let time_off = format!("/staff/{staff}/time-off");
    let res = post(
        &app,
        &key,
        &time_off,
        &json!({"starts_at": "2027-01-02T10:00:00Z", "ends_at": "2027-01-02T10:00:00Z"}),
    )
    .await;
    assert_eq!(field_error(res, "validation_failed").await, "ends_at");
    let res = post(
        &app,
        &key,
        &time_off,
        &json!({"starts_at": "tomorrow", "ends_at": "2027-01-02T10:00:00Z"}),
    )
    .await;
    assert_eq!(field_error(res, "validation_failed").await, "starts_at");
    let res = get(&app, &key, &format!("{time_off}?from=yesterday")).await;
    assert_eq!(field_error(res, "validation_failed").await, "from");

    let res = get(&app, &key, "/branches?limit=101").await;
    assert_eq!(field_error(res, "validation_failed").await, "limit");
    let res = get(&app, &key, "/branches?limit=0").await;
    assert_eq!(field_error(res, "validation_failed").await, "limit");
    let res = get(&app, &key, "/branches?cursor=nope").await;
    assert_eq!(field_error(res, "validation_failed").await, "cursor");
    // An unknown parameter (a newer client's, or a typo) is ignored, like in the customer API.
    assert_eq!(get(&app, &key, "/staff?brnch_id=1").await.status(), 200);

    let res = patch(
        &app,
        &key,
        &format!("/branches/{branch_id}"),
        &json!({"nmae": "x"}),
    )
    .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("unknown field `nmae`"),
        "{body}"
    );
    let res = put(
        &app,
        &key,
        "/customers",
        &json!({"phone": ANNA, "email": "nope"}),
    )
    .await;
    assert_eq!(field_error(res, "validation_failed").await, "email");
    assert_eq!(get(&app, &key, "/branches/not-a-uuid").await.status(), 404);
}

async fn customer_upsert_by_national_and_international_phone(app: TestApp) {
    let key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let created = json_ok(
        put(
            &app,
            &key,
            "/customers",
            &json!({"phone": "0151 2222 3333", "name": "Mia Roth"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(created["phone"], "+4915122223333");
    assert_eq!(created["language"], Value::Null);
    let updated = json_ok(
        put(
            &app,
            &key,
            "/customers",
            &json!({"phone": "+49 151 22223333", "email": "mia@example.org", "language": "en"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(updated["id"], created["id"]);
    assert_eq!(updated["name"], "Mia Roth", "left out: kept");
    assert_eq!(updated["email"], "mia@example.org");
    assert_eq!(updated["language"], "en");
    let found = json_ok(
        get(&app, &key, "/customers?phone=0049-151-22223333").await,
        200,
    )
    .await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    assert_eq!(found["items"][0], updated);
    let by_id = json_ok(
        get(&app, &key, &format!("/customers/{}", id(&created))).await,
        200,
    )
    .await;
    assert_eq!(by_id, updated);
    let none = json_ok(
        get(&app, &key, "/customers?phone=0151%2099998888").await,
        200,
    )
    .await;
    assert_eq!(none, json!({"items": [], "next_cursor": null}));

    // An existing portal customer is the same person for the integrator.
    let signed_in = app.sign_in(WEBER, ANNA).await;
    let anna = json_ok(
        put(&app, &key, "/customers", &json!({"phone": "0151 00000001"})).await,
        200,
    )
    .await;
    assert_eq!(anna["id"], signed_in.customer_id.as_str());
    assert_eq!(anna["name"], "Anna Schmidt");

    let res = put(&app, &key, "/customers", &json!({"phone": "12"})).await;
    assert_eq!(field_error(res, "invalid_phone").await, "phone");
    let res = put(
        &app,
        &key,
        "/customers",
        &json!({"phone": "+1 202 555 0143"}),
    )
    .await;
    assert_eq!(field_error(res, "country_not_allowed").await, "phone");
}

async fn working_hours_staff_services_and_time_off_round_trip(app: TestApp) {
    let key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let branch = create_branch(&app, &key, "Mitte").await;
    let staff = create_staff(&app, &key, Some(&branch)).await;
    let hours_path = format!("/staff/{staff}/working-hours");
    assert_eq!(
        json_ok(get(&app, &key, &hours_path).await, 200).await,
        json!({"hours": []})
    );
    let schedule = json!({"hours": [
        {"weekday": 5, "start": "18:00", "end": "00:00", "branch_id": branch},
        {"weekday": 1, "start": "13:30", "end": "18:00", "branch_id": branch, "valid_from": "2027-01-01", "valid_until": "2027-06-30"},
        {"weekday": 1, "start": "08:00", "end": "12:30", "branch_id": branch},
    ]});
    let stored = json_ok(put(&app, &key, &hours_path, &schedule).await, 200).await;
    let expected = json!({"hours": [
        {"weekday": 1, "start": "08:00", "end": "12:30", "branch_id": branch, "valid_from": null, "valid_until": null},
        {"weekday": 1, "start": "13:30", "end": "18:00", "branch_id": branch, "valid_from": "2027-01-01", "valid_until": "2027-06-30"},
        {"weekday": 5, "start": "18:00", "end": "00:00", "branch_id": branch, "valid_from": null, "valid_until": null},
    ]});
    assert_eq!(stored, expected);
    assert_eq!(
        json_ok(get(&app, &key, &hours_path).await, 200).await,
        expected
    );
    json_ok(
        put(&app, &key, &hours_path, &json!({"hours": []})).await,
        200,
    )
    .await;
    assert_eq!(
        json_ok(get(&app, &key, &hours_path).await, 200).await,
        json!({"hours": []})
    );

    let a = create_service(&app, &key, "A").await;
    let b = create_service(&app, &key, "B").await;
    let services_path = format!("/staff/{staff}/services");
    let set = json_ok(
        put(
            &app,
            &key,
            &services_path,
            &json!({"service_ids": [b, a, b]}),
        )
        .await,
        200,
    )
    .await;
    let mut sorted = vec![a.clone(), b.clone()];
    sorted.sort();
    assert_eq!(set, json!({"service_ids": sorted}));
    assert_eq!(
        json_ok(get(&app, &key, &services_path).await, 200).await,
        set
    );
    let res = put(
        &app,
        &key,
        &services_path,
        &json!({"service_ids": [a, Uuid::now_v7()]}),
    )
    .await;
    assert_eq!(
        field_error(res, "validation_failed").await,
        "service_ids[1]"
    );
    assert_eq!(
        json_ok(get(&app, &key, &services_path).await, 200).await,
        set,
        "unchanged"
    );
    json_ok(
        put(&app, &key, &services_path, &json!({"service_ids": [a]})).await,
        200,
    )
    .await;
    assert_eq!(
        json_ok(get(&app, &key, &services_path).await, 200).await,
        json!({"service_ids": [a]})
    );

    let time_off_path = format!("/staff/{staff}/time-off");
    let created = json_ok(
        post(
            &app,
            &key,
            &time_off_path,
            &json!({"starts_at": "2026-12-24T00:00:00+01:00", "ends_at": "2027-01-02T00:00:00+01:00", "reason": "Holiday"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(created["starts_at"], "2026-12-23T23:00:00Z");
    assert_eq!(created["ends_at"], "2027-01-01T23:00:00Z");
    assert_eq!(created["reason"], "Holiday");
    assert_eq!(created["staff_id"], staff.as_str());
    let later = json_ok(
        post(
            &app,
            &key,
            &time_off_path,
            &json!({"starts_at": "2027-03-01T08:00:00Z", "ends_at": "2027-03-01T12:00:00Z"}),
        )
        .await,
        201,
    )
    .await;
    let all = json_ok(get(&app, &key, &time_off_path).await, 200).await;
    assert_eq!(all["items"], json!([created, later]));
    let december = json_ok(
        get(
            &app,
            &key,
            &format!("{time_off_path}?from=2026-12-01T00:00:00Z&to=2027-01-01T00:00:00%2B01:00"),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(december["items"], json!([created]));
    let february = json_ok(
        get(
            &app,
            &key,
            &format!("{time_off_path}?from=2027-02-01T00:00:00Z&to=2027-02-28T00:00:00Z"),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(february["items"], json!([]));
    let one = format!("{time_off_path}/{}", id(&created));
    assert_eq!(delete(&app, &key, &one).await.status(), 204);
    not_found_body(delete(&app, &key, &one).await).await;
    let rest = json_ok(get(&app, &key, &time_off_path).await, 200).await;
    assert_eq!(rest["items"], json!([later]));
}

async fn patches_change_only_the_fields_sent(app: TestApp) {
    let key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let created = json_ok(
        post(
            &app,
            &key,
            "/branches",
            &json!({"name": "Mitte", "street": "Torstraße 1", "city": "Berlin", "country": "de", "phone": "030 1234567", "timezone": "Europe/Berlin"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(
        (created["country"].as_str(), created["phone"].as_str()),
        (Some("DE"), Some("+49301234567"))
    );
    let path = format!("/branches/{}", id(&created));
    app.clock.advance(Duration::minutes(1));
    let patched = json_ok(
        patch(
            &app,
            &key,
            &path,
            &json!({"street": null, "timezone": "Europe/Vienna", "active": false}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(patched["street"], Value::Null);
    assert_eq!(patched["city"], "Berlin");
    assert_eq!(patched["name"], "Mitte");
    assert_eq!(patched["timezone"], "Europe/Vienna");
    assert_eq!(patched["active"], false);
    assert_eq!(patched["created_at"], created["created_at"]);
    assert_ne!(patched["updated_at"], created["updated_at"]);
    assert_eq!(json_ok(get(&app, &key, &path).await, 200).await, patched);

    let service = json_ok(
        post(
            &app,
            &key,
            "/services",
            &json!({"name": "Check-up", "duration_minutes": 30, "price_cents": 4500, "currency": "EUR", "cancel_notice_minutes": 2880}),
        )
        .await,
        201,
    )
    .await;
    let path = format!("/services/{}", id(&service));
    let res = patch(&app, &key, &path, &json!({"currency": null})).await;
    assert_eq!(field_error(res, "validation_failed").await, "currency");
    let patched = json_ok(
        patch(&app, &key, &path, &json!({"duration_minutes": 45, "price_cents": null, "cancel_notice_minutes": null, "reschedule_notice_minutes": 60})).await,
        200,
    )
    .await;
    assert_eq!(patched["duration_minutes"], 45);
    assert_eq!(patched["price_cents"], Value::Null);
    assert_eq!(patched["currency"], "EUR");
    assert_eq!(patched["cancel_notice_minutes"], Value::Null);
    assert_eq!(patched["reschedule_notice_minutes"], 60);
    assert_eq!(patched["name"], "Check-up");

    let staff = create_staff(&app, &key, None).await;
    let patched = json_ok(
        patch(
            &app,
            &key,
            &format!("/staff/{staff}"),
            &json!({"active": false}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(patched["active"], false);
    assert_eq!(patched["display_name"], "Dr. Lena Weber");
}

/// Walks every page of `path` with `limit`; returns the ids and the page sizes.
async fn walk(app: &TestApp, key: &str, path: &str, limit: u32) -> (Vec<String>, Vec<usize>) {
    let (mut ids, mut sizes) = (Vec::new(), Vec::new());
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}?limit={limit}&cursor={c}"),
            None => format!("{path}?limit={limit}"),
        };
        let page = json_ok(get(app, key, &url).await, 200).await;
        let items = page["items"].as_array().unwrap();
        sizes.push(items.len());
        ids.extend(items.iter().map(id));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return (ids, sizes),
        }
    }
}

async fn pagination_returns_every_item_exactly_once(app: TestApp) {
    let key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let (seeded, _) = walk(&app, &key, "/services", 100).await;
    let mut created = Vec::new();
    for i in 0..7 {
        created.push(create_service(&app, &key, &format!("Service {i}")).await);
    }
    let total = seeded.len() + created.len();
    let (all, sizes) = walk(&app, &key, "/services", 100).await;
    assert_eq!((all.len(), sizes), (total, vec![total]));
    assert_eq!(all[seeded.len()..], created[..], "creation order");

    for limit in [1, 3, u32::try_from(total).unwrap()] {
        let (ids, sizes) = walk(&app, &key, "/services", limit).await;
        assert_eq!(ids, all, "limit {limit}: every item once, in order");
        let limit = usize::try_from(limit).unwrap();
        assert!(
            sizes[..sizes.len() - 1].iter().all(|&n| n == limit),
            "{sizes:?}"
        );
        assert!(
            (1..=limit).contains(sizes.last().unwrap()),
            "no empty last page: {sizes:?}"
        );
    }

    let (customers, _) = walk(&app, &key, "/customers", 100).await;
    let (paged, _) = walk(&app, &key, "/customers", 2).await;
    assert_eq!(paged, customers);
    let mut unique = paged.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), paged.len());
    assert!(customers.len() >= 3);
}
