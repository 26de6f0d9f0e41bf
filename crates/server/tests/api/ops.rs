//! Operations: health, metrics, headers, OpenAPI, and a failing database.

use serde_json::{Value, json};

use crate::helpers::*;

both_databases!(health_metrics_and_headers, openapi_is_served_and_docs_work);

async fn health_metrics_and_headers(app: TestApp) {
    let live = app
        .client
        .get(app.url("/health/live"))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), 200);
    let ready = app
        .client
        .get(app.url("/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<Value>().await.unwrap()["database"], "ok");

    let res = app.request_code(WEBER, ANNA).await;
    let h = res.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["cache-control"], "no-store");
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    let request_id = h["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(request_id.len(), 36);

    let missing = app
        .client
        .get(app.url("/api/nothing-here"))
        .send()
        .await
        .unwrap();
    assert!(missing.headers().contains_key("x-request-id"));
    assert_problem(missing, 404, "not_found").await;

    app.outbox_idle().await;
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(
            r#"portal_http_requests_total{method="POST",route="/api/customer/auth",status="202"} 1"#
        ),
        "{metrics}"
    );
    assert!(metrics.contains("portal_sms_sent_total 1"));
    assert!(metrics.contains("portal_http_request_duration_seconds_bucket"));
}

async fn openapi_is_served_and_docs_work(app: TestApp) {
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let docs = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    assert!(
        docs.text().await.unwrap().contains("swagger"),
        "Swagger UI is served from the binary"
    );
    let redirect = app.client.get(app.url("/api/docs")).send().await.unwrap();
    assert_eq!(redirect.status(), 308);
}

/// Every operation has a summary, a description, error responses and an example.
#[test]
fn every_operation_is_documented() {
    let doc: Value =
        serde_json::from_str(&portal_server::openapi::document_json().unwrap()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 7);
    for (path, item) in paths {
        for (verb, op) in item.as_object().unwrap() {
            let name = format!("{verb} {path}");
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{name}: summary"
            );
            assert!(
                op["description"].as_str().is_some_and(|s| s.len() > 40),
                "{name}: description"
            );
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|k| k.starts_with('4')),
                "{name}: error responses"
            );
            assert!(responses.contains_key("503"), "{name}: 503");
            let text = op.to_string();
            assert!(text.contains("\"example\""), "{name}: example");
        }
    }
}

/// What client generators rely on: every operationId is unique, and every instant in a schema
/// (a string named `*_at`, `starts_at`/`ends_at`, `deadline`, `from`/`to`) says `date-time`.
#[test]
fn generators_get_unique_operation_ids_and_typed_instants() {
    let doc: Value =
        serde_json::from_str(&portal_server::openapi::document_json().unwrap()).unwrap();
    let mut seen = std::collections::HashMap::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap().to_owned();
            if let Some(other) = seen.insert(id.clone(), format!("{method} {path}")) {
                panic!("operationId {id} used by {other} and {method} {path}");
            }
        }
    }
    let instant =
        |name: &str| name.ends_with("_at") || ["deadline", "from", "to", "at"].contains(&name);
    let mut untyped = Vec::new();
    for (schema, body) in doc["components"]["schemas"].as_object().unwrap() {
        for (name, property) in body["properties"].as_object().into_iter().flatten() {
            let is_string =
                property["type"] == "string" || property["type"] == json!(["string", "null"]);
            if instant(name) && is_string && property["format"] != "date-time" {
                untyped.push(format!("{schema}.{name}"));
            }
        }
    }
    assert!(
        untyped.is_empty(),
        "instants without format date-time: {untyped:?}"
    );
}

/// `openapi/openapi.json` is what the code generates; run `just openapi` after changing the API.
#[test]
fn committed_openapi_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../openapi/openapi.json"
    ))
    .unwrap();
    let generated = portal_server::openapi::document_json().unwrap();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: run `just openapi` and commit the result"
    );
}

/// With the database gone, requests get a clear 503 and readiness fails; nothing panics.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_outage_is_503() {
    let Some(app) = spawn_app(Backend::Postgres).await else {
        return;
    };
    let tokens = app.sign_in(WEBER, ANNA).await;
    let admin = sea_orm::Database::connect("postgres://postgres@127.0.0.1:5432/postgres")
        .await
        .unwrap();
    let db_name = app
        .db
        .get_postgres_connection_pool()
        .connect_options()
        .get_database()
        .unwrap()
        .to_owned();
    use sea_orm::ConnectionTrait;
    admin
        .execute_unprepared(&format!("DROP DATABASE {db_name} WITH (FORCE)"))
        .await
        .unwrap();
    let res = app.request_code(WEBER, ANNA).await;
    let body = assert_problem(res, 503, "service_unavailable").await;
    assert!(
        !body.to_string().contains("database \""),
        "no internals leak: {body}"
    );
    assert_problem(
        app.get_auth("/api/customer/profile", &tokens.access).await,
        503,
        "service_unavailable",
    )
    .await;
    assert_eq!(
        app.client
            .get(app.url("/health/ready"))
            .send()
            .await
            .unwrap()
            .status(),
        503
    );
    assert_eq!(
        app.client
            .get(app.url("/health/live"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

/// Without Twilio credentials the development sender writes the SMS to the log and nothing goes
/// to Twilio, so `just run` works with no account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn development_sender_logs_the_sms_without_twilio_credentials() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.twilio.account_sid = None;
        s.twilio.auth_token = None;
    })
    .await
    .unwrap();
    let challenge = app.challenge(WEBER, ANNA).await;
    assert!(app.sent_sms().await.is_empty(), "nothing reached Twilio");
    let logs = captured_logs();
    let line = logs
        .lines()
        .filter(|l| l.contains("portal::dev_sms"))
        .find(|l| l.contains(ANNA) && l.contains("Praxis Dr. Weber"))
        .expect("the development sender logged the SMS");
    let code = line
        .split("#")
        .nth(1)
        .map(|rest| rest[..6].to_owned())
        .unwrap();
    assert_eq!(app.verify(&challenge, &code).await.status(), 200);
}
