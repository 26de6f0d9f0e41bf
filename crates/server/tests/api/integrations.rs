//! The integrator API: API keys, idempotency, tenancy and branch binding, the catalogue and
//! customers.

use chrono::Duration;
use portal_db::{
    api_keys::{self, ApiScope, NewApiKey},
    companies,
};
use portal_domain::{Clock as _, CompanySlug, ids::BranchId};
use reqwest::{Method, Response};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::helpers::*;

both_databases!(
    api_keys_are_hashed_at_rest_and_work,
    revoked_unknown_and_missing_keys_get_the_customer_401,
    missing_scope_is_forbidden,
    another_companys_objects_are_not_found,
    branch_key_sees_and_changes_only_its_branch,
    idempotent_post_replays_and_creates_one_row,
    concurrent_duplicates_run_once,
    idempotency_key_reused_or_missing_is_refused,
    validation_errors_name_the_field,
    customer_upsert_by_national_and_international_phone,
    working_hours_staff_services_and_time_off_round_trip,
    patches_change_only_the_fields_sent,
    pagination_returns_every_item_exactly_once,
);

pub(crate) const ALL_SCOPES: &str = "appointments customers catalog webhooks";

/// Creates a key through the db layer (as `portal api-key create` does) and returns it.
pub(crate) async fn api_key(
    app: &TestApp,
    company: &str,
    branch: Option<&str>,
    scopes: &str,
) -> String {
    let company = companies::find_by_slug(&app.db, &CompanySlug::parse(company).unwrap())
        .await
        .unwrap()
        .unwrap();
    let created = api_keys::create(
        &app.db,
        NewApiKey {
            company_id: company.id,
            branch_id: branch.map(|b| BranchId::from_uuid(b.parse().unwrap())),
            name: "test".into(),
            scopes: ApiScope::parse_list(scopes).unwrap(),
        },
        app.clock.now(),
    )
    .await
    .unwrap();
    created.key.expose().to_owned()
}

fn v1(path: &str) -> String {
    format!("/api/integrations/v1{path}")
}

async fn call(
    app: &TestApp,
    method: Method,
    key: &str,
    path: &str,
    body: Option<&Value>,
    idempotency_key: Option<&str>,
) -> Response {
    let mut req = app
        .client
        .request(method, app.url(&v1(path)))
        .bearer_auth(key);
    if let Some(body) = body {
        req = req.json(body);
    }
    if let Some(k) = idempotency_key {
        req = req.header("Idempotency-Key", k);
    }
    req.send().await.unwrap()
}

pub(crate) async fn get(app: &TestApp, key: &str, path: &str) -> Response {
    call(app, Method::GET, key, path, None, None).await
}

/// POST with a fresh idempotency key.
pub(crate) async fn post(app: &TestApp, key: &str, path: &str, body: &Value) -> Response {
    let k = Uuid::new_v4().to_string();
    call(app, Method::POST, key, path, Some(body), Some(&k)).await
}

pub(crate) async fn patch(app: &TestApp, key: &str, path: &str, body: &Value) -> Response {
    call(app, Method::PATCH, key, path, Some(body), None).await
}

pub(crate) async fn put(app: &TestApp, key: &str, path: &str, body: &Value) -> Response {
    call(app, Method::PUT, key, path, Some(body), None).await
}

pub(crate) async fn delete(app: &TestApp, key: &str, path: &str) -> Response {
    call(app, Method::DELETE, key, path, None, None).await
}

pub(crate) async fn json_ok(res: Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    body
}

pub(crate) fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

pub(crate) async fn create_branch(app: &TestApp, key: &str, name: &str) -> String {
    let body = json!({"name": name, "country": "DE", "timezone": "Europe/Berlin"});
    id(&json_ok(post(app, key, "/branches", &body).await, 201).await)
}

pub(crate) async fn create_staff(app: &TestApp, key: &str, branch: Option<&str>) -> String {
    let body = json!({"display_name": "Dr. Lena Weber", "branch_id": branch});
    id(&json_ok(post(app, key, "/staff", &body).await, 201).await)
}

pub(crate) async fn create_service(app: &TestApp, key: &str, name: &str) -> String {
    let body = json!({"name": name, "duration_minutes": 30});
    id(&json_ok(post(app, key, "/services", &body).await, 201).await)
}

async fn create_time_off(app: &TestApp, key: &str, staff: &str) -> String {
    let body = json!({"starts_at": "2026-12-24T00:00:00+01:00", "ends_at": "2027-01-02T00:00:00+01:00", "reason": "Holiday"});
    let path = format!("/staff/{staff}/time-off");
    id(&json_ok(post(app, key, &path, &body).await, 201).await)
}

pub(crate) async fn not_found_body(res: Response) -> Value {
    assert_problem(res, 404, "not_found").await
}

/// A row's text columns, whatever the backend.
async fn api_key_rows(app: &TestApp) -> Vec<(String, String, String, String)> {
    let backend = app.db.get_database_backend();
    app.db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT prefix, key_hash, name, scopes FROM api_keys",
        ))
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.try_get("", "prefix").unwrap(),
                r.try_get("", "key_hash").unwrap(),
                r.try_get("", "name").unwrap(),
                r.try_get("", "scopes").unwrap(),
            )
        })
        .collect()
}

async fn api_keys_are_hashed_at_rest_and_work(app: TestApp) {
    let key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let (prefix, secret) = key.strip_prefix("pk_").unwrap().split_once('_').unwrap();
    assert_eq!((prefix.len(), secret.len()), (8, 43));
    let rows = api_key_rows(&app).await;
    assert_eq!(rows.len(), 1);
    let (stored_prefix, hash, name, scopes) = &rows[0];
    assert_eq!(stored_prefix, prefix);
    assert_eq!(hash, &hex::encode(Sha256::digest(key.as_bytes())));
    assert_eq!((name.as_str(), scopes.as_str()), ("test", ALL_SCOPES));
    for column in [stored_prefix, hash, name, scopes] {
        assert!(!column.contains(secret), "the secret is not stored");
    }

    json_ok(get(&app, &key, "/branches").await, 200).await;
    let company = companies::find_by_slug(&app.db, &CompanySlug::parse(WEBER).unwrap())
        .await
        .unwrap()
        .unwrap();
    let used = |app: &TestApp| {
        let db = app.db.clone();
        async move { api_keys::list(&db, company.id).await.unwrap()[0].last_used_at }
    };
    assert_eq!(used(&app).await, Some(start_time()));
    app.clock.advance(Duration::seconds(30));
    json_ok(get(&app, &key, "/branches").await, 200).await;
    assert_eq!(
        used(&app).await,
        Some(start_time()),
        "at most once a minute"
    );
    app.clock.advance(Duration::seconds(31));
    json_ok(get(&app, &key, "/branches").await, 200).await;
    assert_eq!(used(&app).await, Some(app.clock.now()));
    assert!(
        !captured_logs().contains(secret),
        "the secret never reaches the log"
    );
}

async fn revoked_unknown_and_missing_keys_get_the_customer_401(app: TestApp) {
    let customer_401 = assert_problem(
        app.client
            .get(app.url("/api/customer/profile"))
            .send()
            .await
            .unwrap(),
        401,
        "unauthorized",
    )
    .await;
    let key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    json_ok(get(&app, &key, "/branches").await, 200).await;
    let prefix = &key[3..11];
    assert!(
        api_keys::revoke(&app.db, prefix, app.clock.now())
            .await
            .unwrap()
    );
    let revoked = assert_problem(get(&app, &key, "/branches").await, 401, "unauthorized").await;
    assert_eq!(revoked, customer_401);
    let body = json!({"name": "X", "country": "DE", "timezone": "Europe/Berlin"});
    let revoked_post = assert_problem(
        post(&app, &key, "/branches", &body).await,
        401,
        "unauthorized",
    )
    .await;
    assert_eq!(revoked_post, customer_401);

    // The right prefix with a wrong secret, garbage, and nothing at all.
    let live = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let mut forged = live.clone();
    forged.replace_range(forged.len() - 4.., "AAAA");
    for bad in [forged.as_str(), "pk_nonsense", "Bearer"] {
        let res = get(&app, bad, "/branches").await;
        assert_eq!(assert_problem(res, 401, "unauthorized").await, customer_401);
    }
    let res = app
        .client
        .get(app.url(&v1("/branches")))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_problem(res, 401, "unauthorized").await, customer_401);
    json_ok(get(&app, &live, "/branches").await, 200).await;
}

async fn missing_scope_is_forbidden(app: TestApp) {
    let customers_only = api_key(&app, WEBER, None, "customers").await;
    assert_problem(
        get(&app, &customers_only, "/branches").await,
        403,
        "forbidden",
    )
    .await;
    let body = json!({"name": "Mitte", "country": "DE", "timezone": "Europe/Berlin"});
    assert_problem(
        post(&app, &customers_only, "/branches", &body).await,
        403,
        "forbidden",
    )
    .await;
    json_ok(get(&app, &customers_only, "/customers").await, 200).await;

    let catalog_only = api_key(&app, WEBER, None, "catalog").await;
    assert_problem(
        get(&app, &catalog_only, "/customers").await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        put(&app, &catalog_only, "/customers", &json!({"phone": ANNA})).await,
        403,
        "forbidden",
    )
    .await;
    let branch = create_branch(&app, &catalog_only, "Mitte").await;

    // A branch-bound key cannot change what every branch shares.
    let branch_key = api_key(&app, WEBER, Some(&branch), ALL_SCOPES).await;
    assert_problem(
        post(&app, &branch_key, "/branches", &body).await,
        403,
        "forbidden",
    )
    .await;
    let service = json!({"name": "Check-up", "duration_minutes": 30});
    assert_problem(
        post(&app, &branch_key, "/services", &service).await,
        403,
        "forbidden",
    )
    .await;
    assert_eq!(get(&app, &branch_key, "/services").await.status(), 200);
}

async fn another_companys_objects_are_not_found(app: TestApp) {
    let weber = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let lumiere = api_key(&app, LUMIERE, None, ALL_SCOPES).await;
    let branch = create_branch(&app, &weber, "Praxis Mitte").await;
    let staff = create_staff(&app, &weber, Some(&branch)).await;
    let service = create_service(&app, &weber, "Check-up").await;
    let time_off = create_time_off(&app, &weber, &staff).await;
    let customer = json_ok(
        put(
            &app,
            &weber,
            "/customers",
            &json!({"phone": "0151 44445555"}),
        )
        .await,
        201,
    )
    .await;
    let customer = id(&customer);

    let missing =
        not_found_body(get(&app, &lumiere, &format!("/branches/{}", Uuid::now_v7())).await).await;
    for path in [
        format!("/branches/{branch}"),
        format!("/staff/{staff}"),
        format!("/staff/{staff}/services"),
        format!("/staff/{staff}/working-hours"),
        format!("/staff/{staff}/time-off"),
        format!("/services/{service}"),
        format!("/customers/{customer}"),
    ] {
        let foreign = not_found_body(get(&app, &lumiere, &path).await).await;
        assert_eq!(foreign, missing, "{path} looks exactly like a missing id");
    }
    let foreign = not_found_body(
        patch(
            &app,
            &lumiere,
            &format!("/branches/{branch}"),
            &json!({"active": false}),
        )
        .await,
    )
    .await;
    assert_eq!(foreign, missing);
    let foreign = not_found_body(
        patch(
            &app,
            &lumiere,
            &format!("/staff/{staff}"),
            &json!({"active": false}),
        )
        .await,
    )
    .await;
    assert_eq!(foreign, missing);
    let foreign = not_found_body(
        patch(
            &app,
            &lumiere,
            &format!("/services/{service}"),
            &json!({"active": false}),
        )
        .await,
    )
    .await;
    assert_eq!(foreign, missing);
    let foreign = not_found_body(
        delete(
            &app,
            &lumiere,
            &format!("/staff/{staff}/time-off/{time_off}"),
        )
        .await,
    )
    .await;
    assert_eq!(foreign, missing);
    let foreign = not_found_body(
        put(
            &app,
            &lumiere,
            &format!("/staff/{staff}/services"),
            &json!({"service_ids": []}),
        )
        .await,
    )
    .await;
    assert_eq!(foreign, missing);
    let path = format!("/staff/{staff}/time-off");
    let body = json!({"starts_at": "2027-02-01T08:00:00Z", "ends_at": "2027-02-01T12:00:00Z"});
    assert_eq!(
        not_found_body(post(&app, &lumiere, &path, &body).await).await,
        missing
    );

    // Lumière's own key cannot attach Weber's service or branch either.
    let own_staff = create_staff(&app, &lumiere, None).await;
    let res = put(
        &app,
        &lumiere,
        &format!("/staff/{own_staff}/services"),
        &json!({"service_ids": [service]}),
    )
    .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "service_ids[0]");
    let res = put(
        &app,
        &lumiere,
        &format!("/staff/{own_staff}/working-hours"),
        &json!({"hours": [{"weekday": 1, "start": "08:00", "end": "12:00", "branch_id": branch}]}),
    )
    .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "hours[0].branch_id");

    for list in ["/branches", "/services", "/customers"] {
        let page = json_ok(get(&app, &lumiere, list).await, 200).await;
        let text = page.to_string();
        assert!(
            !text.contains(&branch) && !text.contains(&service) && !text.contains(&customer),
            "{list}: {text}"
        );
    }
    let staff_page = json_ok(get(&app, &lumiere, "/staff?limit=100").await, 200).await;
    let ids: Vec<_> = staff_page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect();
    assert!(ids.contains(&own_staff) && !ids.contains(&staff), "{ids:?}");
    // Weber's objects are untouched.
    let branch_now = json_ok(get(&app, &weber, &format!("/branches/{branch}")).await, 200).await;
    assert_eq!(branch_now["active"], true);
}

async fn branch_key_sees_and_changes_only_its_branch(app: TestApp) {
    let company_key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let mitte = create_branch(&app, &company_key, "Mitte").await;
    let pankow = create_branch(&app, &company_key, "Pankow").await;
    let staff_mitte = create_staff(&app, &company_key, Some(&mitte)).await;
    let staff_pankow = create_staff(&app, &company_key, Some(&pankow)).await;
    let time_off_pankow = create_time_off(&app, &company_key, &staff_pankow).await;
    let key = api_key(&app, WEBER, Some(&mitte), ALL_SCOPES).await;

    let missing_branch =
        not_found_body(get(&app, &key, &format!("/branches/{}", Uuid::now_v7())).await).await;
    let missing_staff =
        not_found_body(get(&app, &key, &format!("/staff/{}", Uuid::now_v7())).await).await;
    assert_eq!(missing_branch, missing_staff);
    let missing = missing_branch;

    let branches = json_ok(get(&app, &key, "/branches").await, 200).await;
    let ids: Vec<_> = branches["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect();
    assert_eq!(ids, vec![mitte.clone()]);
    json_ok(get(&app, &key, &format!("/branches/{mitte}")).await, 200).await;
    let staff = json_ok(get(&app, &key, "/staff").await, 200).await;
    let ids: Vec<_> = staff["items"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(ids, vec![staff_mitte.clone()]);

    let time_off_path = format!("/staff/{staff_pankow}/time-off");
    let new_time_off =
        json!({"starts_at": "2027-02-01T08:00:00Z", "ends_at": "2027-02-01T12:00:00Z"});
    for res in [
        get(&app, &key, &format!("/branches/{pankow}")).await,
        patch(
            &app,
            &key,
            &format!("/branches/{pankow}"),
            &json!({"name": "Mine"}),
        )
        .await,
        get(&app, &key, &format!("/staff/{staff_pankow}")).await,
        patch(
            &app,
            &key,
            &format!("/staff/{staff_pankow}"),
            &json!({"branch_id": mitte}),
        )
        .await,
        get(&app, &key, &format!("/staff/{staff_pankow}/working-hours")).await,
        put(
            &app,
            &key,
            &format!("/staff/{staff_pankow}/working-hours"),
            &json!({"hours": []}),
        )
        .await,
        get(&app, &key, &time_off_path).await,
        post(&app, &key, &time_off_path, &new_time_off).await,
        delete(&app, &key, &format!("{time_off_path}/{time_off_pankow}")).await,
    ] {
        assert_eq!(not_found_body(res).await, missing);
    }

    // Its own branch and staff it may change, but not point elsewhere.
    let res = post(
        &app,
        &key,
        "/staff",
        &json!({"display_name": "Jonas", "branch_id": pankow}),
    )
    .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "branch_id");
    let created = json_ok(
        post(&app, &key, "/staff", &json!({"display_name": "Jonas"})).await,
        201,
    )
    .await;
    assert_eq!(
        created["branch_id"],
        mitte.as_str(),
        "defaults to the key's branch"
    );
    let res = patch(
        &app,
        &key,
        &format!("/staff/{staff_mitte}"),
        &json!({"branch_id": null}),
    )
    .await;
    assert_problem(res, 422, "validation_failed").await;
    let hours_path = format!("/staff/{staff_mitte}/working-hours");
    let res = put(
        &app,
        &key,
        &hours_path,
        &json!({"hours": [{"weekday": 2, "start": "09:00", "end": "17:00", "branch_id": pankow}]}),
    )
    .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "hours[0].branch_id");

    // Shifts at other branches are not the branch key's to see or replace.
    let both = json!({"hours": [
        {"weekday": 1, "start": "08:00", "end": "12:00", "branch_id": mitte},
        {"weekday": 3, "start": "08:00", "end": "12:00", "branch_id": pankow},
    ]});
    json_ok(put(&app, &company_key, &hours_path, &both).await, 200).await;
    let mine = json_ok(get(&app, &key, &hours_path).await, 200).await;
    assert_eq!(mine["hours"].as_array().unwrap().len(), 1);
    let replaced =
        json!({"hours": [{"weekday": 5, "start": "10:00", "end": "14:00", "branch_id": mitte}]});
    json_ok(put(&app, &key, &hours_path, &replaced).await, 200).await;
    let all = json_ok(get(&app, &company_key, &hours_path).await, 200).await;
    let days: Vec<_> = all["hours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["weekday"].as_u64().unwrap())
        .collect();
    assert_eq!(days, vec![3, 5]);

    let renamed = json_ok(
        patch(
            &app,
            &key,
            &format!("/branches/{mitte}"),
            &json!({"name": "Mitte Nord"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(renamed["name"], "Mitte Nord");
    let untouched = json_ok(
        get(&app, &company_key, &format!("/branches/{pankow}")).await,
        200,
    )
    .await;
    assert_eq!(untouched["name"], "Pankow");
    let still = json_ok(get(&app, &company_key, &time_off_path).await, 200).await;
    assert_eq!(still["items"].as_array().unwrap().len(), 1);
}

async fn branch_count(app: &TestApp, key: &str) -> usize {
    json_ok(get(app, key, "/branches?limit=100").await, 200).await["items"]
        .as_array()
        .unwrap()
        .len()
}

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
    let res = get(&app, &key, "/staff?brnch_id=1").await;
    assert_eq!(field_error(res, "validation_failed").await, "brnch_id");

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

/// The real binary against a temp SQLite database: the last line is the key, and the key works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_creates_lists_and_revokes_keys() {
    let dir = std::env::temp_dir().join(format!("portal-cli-{}", Uuid::new_v4().simple()));
    let url = format!("sqlite://{}", dir.join("portal.db").display());
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_portal"))
            .args(args)
            .env("PORTAL_CONFIG_DIR", dir.join("no-config"))
            .env("PORTAL__DATABASE__URL", &url)
            .env("PORTAL__DATA_DIR", &dir)
            .env("PORTAL__LOG__FILTER", "warn")
            .env_remove("RUST_LOG")
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    run(&["seed-demo"]);
    let out = run(&[
        "api-key",
        "create",
        "--company",
        WEBER,
        "--name",
        "phone assistant",
        "--scopes",
        "catalog customers",
    ]);
    let key = out.lines().last().unwrap().trim().to_owned();
    assert!(key.starts_with("pk_") && key.len() == 55, "{out}");
    let prefix = key[3..11].to_owned();
    let listed = run(&["api-key", "list", "--company", WEBER]);
    assert!(
        listed.contains(&prefix) && listed.contains("phone assistant"),
        "{listed}"
    );
    assert!(!listed.contains(&key[12..]), "list never prints the secret");

    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.database.url = url.clone();
        s.data_dir = dir.clone();
    })
    .await
    .unwrap();
    let res = get(&app, &key, "/branches").await;
    assert!(json_ok(res, 200).await["items"].is_array());
    assert_problem(
        get(
            &app,
            &key,
            "/customers/00000000-0000-7000-8000-000000000000",
        )
        .await,
        404,
        "not_found",
    )
    .await;

    run(&["api-key", "revoke", "--prefix", &prefix]);
    assert_problem(get(&app, &key, "/branches").await, 401, "unauthorized").await;
    drop(app);
    let _ = std::fs::remove_dir_all(dir);
}
