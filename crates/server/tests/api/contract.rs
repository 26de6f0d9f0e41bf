//! What generated clients rely on besides the document's shapes: methods answer 405 with `Allow`,
//! unknown query parameters are ignored and bad values are named, the integrator key has a scheme
//! of its own — and the document says all of that (statuses, headers, security, binary files).

use reqwest::Method;
use serde_json::Value;

use crate::{
    helpers::*,
    integrations::{ALL_SCOPES, api_key, v1},
};

both_databases!(
    a_known_path_with_another_method_is_405_with_allow,
    unknown_query_parameters_are_ignored_and_bad_values_named,
    the_integrator_key_works_in_its_own_header,
);

async fn a_known_path_with_another_method_is_405_with_allow(app: TestApp) {
    let id = uuid::Uuid::now_v7();
    for (method, path, allow) in [
        (
            Method::PUT,
            format!("/api/customer/appointments/{id}"),
            "DELETE, GET",
        ),
        (
            Method::TRACE,
            "/api/customer/profile".to_owned(),
            "GET, PUT",
        ),
        (Method::POST, v1(&format!("/branches/{id}")), "GET, PATCH"),
        (Method::GET, "/api/customer/auth".to_owned(), "POST"),
    ] {
        let res = app
            .client
            .request(method.clone(), app.url(&path))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.headers().get("allow").map(|v| v.to_str().unwrap()),
            Some(allow),
            "{method} {path}"
        );
        assert_problem(res, 405, "method_not_allowed").await;
    }
    let res = app
        .client
        .get(app.url("/api/nothing/here"))
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("allow").is_none());
    assert_problem(res, 404, "not_found").await;
}

async fn unknown_query_parameters_are_ignored_and_bad_values_named(app: TestApp) {
    let me = app.sign_in(WEBER, ANNA).await;
    // A newer client's extra parameter does not break it.
    for path in [
        "/api/customer/appointments?scope=all&highlight=true",
        "/api/customer/notifications?channel=sms&since_version=3",
    ] {
        assert_eq!(app.get_auth(path, &me.access).await.status(), 200, "{path}");
    }
    for (path, field) in [
        ("/api/customer/appointments?scope=soon", "scope"),
        ("/api/customer/appointments?limit=many", "limit"),
        ("/api/customer/notifications?channel=fax", "channel"),
    ] {
        let problem = assert_problem(
            app.get_auth(path, &me.access).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], field, "{path}: {problem}");
    }
}

async fn the_integrator_key_works_in_its_own_header(app: TestApp) {
    let key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let res = app
        .client
        .get(app.url(&v1("/branches")))
        .header("X-Api-Key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .client
        .get(app.url(&v1("/branches")))
        .header("X-Api-Key", "pk_nope_nope")
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "unauthorized").await;
}

fn document() -> Value {
    serde_json::from_str(&portal_server::openapi::document_json().unwrap()).unwrap()
}

/// Every operation documents what every request can meet: 401 when secured (and `security: []`
/// when public), 400/413/415/422 when it reads JSON, 500 and 503; every 429 and 503 says
/// `Retry-After`; the two callers have two kinds of scheme.
#[test]
fn every_operation_documents_the_statuses_it_can_return() {
    let doc = document();
    let mut missing = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let secured = op["security"]
                .as_array()
                .expect("every operation says its security")
                .iter()
                .any(|s| !s.as_object().unwrap().is_empty());
            let mut needed = vec!["500", "503"];
            if secured {
                needed.push("401");
            }
            if op["requestBody"]["content"]["application/json"].is_object() {
                needed.extend(["400", "413", "415", "422"]);
            }
            if path.contains('{') {
                needed.push("404");
            }
            for status in needed {
                if !responses.contains_key(status) {
                    missing.push(format!("{method} {path}: {status}"));
                }
            }
            for status in ["429", "503"] {
                if let Some(r) = responses.get(status)
                    && r["headers"]["Retry-After"].is_null()
                {
                    missing.push(format!("{method} {path}: {status} Retry-After"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "undocumented: {missing:#?}");
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["type"], "http");
    assert_eq!(schemes["api_key"]["type"], "apiKey");
    assert_eq!(schemes["api_key"]["name"], "X-Api-Key");
    assert!(doc["servers"].as_array().is_some_and(|s| !s.is_empty()));
}

/// Downloads are files, not JSON arrays; no DELETE takes a body; a replacing PUT requires every
/// field of the profile.
#[test]
fn downloads_are_binary_deletes_take_no_body_and_puts_name_every_field() {
    let doc = document();
    for (file, media) in [
        ("confirmation.pdf", "application/pdf"),
        ("confirmation.ics", "text/calendar"),
    ] {
        let schema = &doc["paths"][format!("/api/customer/appointments/{{id}}/{file}")]["get"]["responses"]
            ["200"]["content"][media]["schema"];
        assert_eq!(schema["type"], "string", "{file}");
        assert_eq!(schema["format"], "binary", "{file}");
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        if let Some(op) = item.get("delete") {
            assert!(op["requestBody"].is_null(), "DELETE {path} takes a body");
        }
    }
    let required: Vec<&str> = doc["components"]["schemas"]["UpdateProfile"]["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for field in ["name", "email", "language", "address", "date_of_birth"] {
        assert!(
            required.contains(&field),
            "UpdateProfile.{field} is not required"
        );
    }
}

/// Closed sets are enums a generator can type: every channel, status, author, party, language and
/// history kind in a schema is an `enum` (or a reference to one).
#[test]
fn closed_sets_are_enums() {
    let doc = document();
    let mut open = Vec::new();
    for (schema, body) in doc["components"]["schemas"].as_object().unwrap() {
        for (name, property) in body["properties"].as_object().into_iter().flatten() {
            let integer = property["type"] == "integer";
            let closed = !integer
                && ["channel", "status", "author", "by", "language", "locale"]
                    .contains(&name.as_str())
                || (schema == "HistoryEntry" && name == "kind");
            let text = property.to_string();
            if closed && !text.contains("\"$ref\"") && !text.contains("\"enum\"") {
                open.push(format!("{schema}.{name}"));
            }
        }
    }
    assert!(
        open.is_empty(),
        "closed sets typed as free strings: {open:?}"
    );
}
