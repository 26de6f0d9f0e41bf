//! The integrator API's test client: keys made through the db layer, requests with the key (and
//! an idempotency key for every POST), and shared builders of catalogue objects. The tests live
//! in `integrator_*` modules, one per resource.

use portal_db::{
    api_keys::{self, ApiScope, NewApiKey},
    companies,
};
use portal_domain::{Clock as _, CompanySlug, ids::BranchId};
use reqwest::{Method, Response};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;

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

pub(crate) fn v1(path: &str) -> String {
    format!("/api/integrations/v1{path}")
}

pub(crate) async fn call(
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

pub(crate) async fn not_found_body(res: Response) -> Value {
    assert_problem(res, 404, "not_found").await
}

pub(crate) async fn branch_count(app: &TestApp, key: &str) -> usize {
    json_ok(get(app, key, "/branches?limit=100").await, 200).await["items"]
        .as_array()
        .unwrap()
        .len()
}

pub(crate) async fn create_time_off(app: &TestApp, key: &str, staff: &str) -> String {
    let body = json!({"starts_at": "2026-12-24T00:00:00+01:00", "ends_at": "2027-01-02T00:00:00+01:00", "reason": "Holiday"});
    let path = format!("/staff/{staff}/time-off");
    id(&json_ok(post(app, key, &path, &body).await, 201).await)
}

/// A branch, a staff member who performs a 30-minute service, and the customer `customer` (an
/// upsert body), all made through the integrator API. Returns (branch, staff, service, customer).
pub(crate) async fn catalogue(
    app: &TestApp,
    key: &str,
    customer: &Value,
) -> (String, String, String, String) {
    let branch = create_branch(app, key, "Praxis Nord").await;
    let staff = create_staff(app, key, Some(&branch)).await;
    let service = create_service(app, key, "Kontrolle").await;
    let services = json!({"service_ids": [service]});
    json_ok(
        put(app, key, &format!("/staff/{staff}/services"), &services).await,
        200,
    )
    .await;
    let customer = json_ok(put(app, key, "/customers", customer).await, 201).await;
    (branch, staff, service, id(&customer))
}
