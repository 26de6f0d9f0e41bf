//! Rules that hold for every operation because one mechanism keeps them: the text rules in the
//! JSON extractor, problem documents for actix's own extractor errors, HSTS behind https, the
//! outbound-URL guard, the metrics token and SQLite's secure delete of erased data.

use reqwest::Method;
use serde_json::{Value, json};

use crate::{
    helpers::*,
    integrations::{self, ALL_SCOPES, api_key},
    personal_helpers::*,
};

both_databases!(
    control_characters_are_refused_in_every_text_field,
    malformed_path_and_query_values_are_problem_documents,
    http_portals_send_no_hsts,
    webhook_urls_inside_the_network_are_refused,
);
both_databases!(https_portal; https_portals_send_hsts);
both_databases!(metrics_token; metrics_need_the_token);

fn metrics_token(settings: &mut portal_server::config::Settings) {
    settings.metrics.token = Some(portal_domain::SecretString::new("scrape-me"));
}

async fn metrics_need_the_token(app: TestApp) {
    let metrics = |token: Option<&'static str>| {
        let mut req = app.client.get(app.url("/metrics"));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        req.send()
    };
    assert_problem(metrics(None).await.unwrap(), 404, "not_found").await;
    assert_problem(metrics(Some("guess")).await.unwrap(), 404, "not_found").await;
    let res = metrics(Some("scrape-me")).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("portal_http_requests_total")
    );
}

fn https_portal(settings: &mut portal_server::config::Settings) {
    settings.server.public_url = "https://portal.example.org/".parse().unwrap();
}

async fn field_of(res: reqwest::Response) -> String {
    let problem = assert_problem(res, 422, "validation_failed").await;
    problem["errors"][0]["field"].as_str().unwrap().to_owned()
}

async fn control_characters_are_refused_in_every_text_field(app: TestApp) {
    let me = app.sign_in(WEBER, ANNA).await;
    let chat = "/api/customer/support/messages";
    // NUL (which PostgreSQL cannot store) and other control characters, at any depth.
    for text in ["Hallo\u{0}Welt", "Bell\u{7}", "ESC\u{1b}[31m", "CR\r"] {
        let res = post(&app, chat, &me.access, &json!({"body": text})).await;
        assert_eq!(field_of(res).await, "body", "{text:?}");
    }
    let preferences =
        json!({"items": [{"channel": "sms", "purpose": "marketing\u{0}", "granted": true}]});
    let res = put(&app, "/api/customer/preferences", &me.access, &preferences).await;
    assert_eq!(field_of(res).await, "items[0].purpose");
    // Names refuse direction overrides and invisible characters as well.
    let profile = json!({"name": "Anna \u{202E}tdimhcS", "email": null, "language": "de",
        "address": null, "date_of_birth": null});
    let res = put(&app, "/api/customer/profile", &me.access, &profile).await;
    assert_eq!(field_of(res).await, "name");
    // Line breaks and tabs are text.
    let res = post(
        &app,
        chat,
        &me.access,
        &json!({"body": "Zeile 1\n\tZeile 2"}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let list = ok_json(app.get_auth(chat, &me.access).await, 200).await;
    let bodies: Vec<&Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["body"])
        .collect();
    assert_eq!(
        bodies,
        [&json!("Zeile 1\n\tZeile 2")],
        "nothing refused was stored"
    );

    // The integrator API follows the same rule (a staff reply).
    let key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let reply = json!({"body": "Antwort\u{0}"});
    let path = format!("/customers/{}/support/messages", me.customer_id);
    assert_eq!(
        field_of(integrations::post(&app, &key, &path, &reply).await).await,
        "body"
    );
}

async fn malformed_path_and_query_values_are_problem_documents(app: TestApp) {
    let me = app.sign_in(WEBER, ANNA).await;
    for (path, status) in [
        ("/api/customer/appointments/not-an-id", 404),
        ("/api/customer/appointments?limit=many", 422),
    ] {
        let res = send(&app, Method::GET, path, &me.access, None).await;
        assert_eq!(res.status().as_u16(), status, "{path}");
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
    }
}

async fn http_portals_send_no_hsts(app: TestApp) {
    let res = app
        .client
        .get(app.url("/health/live"))
        .send()
        .await
        .unwrap();
    assert!(!res.headers().contains_key("strict-transport-security"));
}

async fn https_portals_send_hsts(app: TestApp) {
    let res = app
        .client
        .get(app.url("/health/live"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
}

async fn webhook_urls_inside_the_network_are_refused(app: TestApp) {
    let key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    for url in [
        "http://10.0.0.1/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fd00::1]/hook",
        "https://[::ffff:172.16.0.1]/hook",
        "http://example.org/hook",
    ] {
        let body = json!({"url": url, "events": ["appointment.cancelled"]});
        let res = integrations::post(&app, &key, "/webhooks", &body).await;
        assert_eq!(field_of(res).await, "url", "{url}");
    }
}

/// SQLite only: after an erasure, the person's name is nowhere in the database file, not even in
/// its free pages (`secure_delete`, set on every connection of the pool).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erased_names_are_overwritten_in_the_sqlite_file() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let name = b"Jonas Becker";
    let url = app.state.settings.database.url.clone();
    let file = url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    // Moves every page from the WAL into the file; a reader of the moment leaves the checkpoint
    // partial (busy = 1), so it is tried again until complete.
    let checkpoint = || async {
        for _ in 0..100 {
            let row = app
                .db
                .query_one_raw(sea_orm::Statement::from_string(
                    app.db.get_database_backend(),
                    "PRAGMA wal_checkpoint(TRUNCATE)",
                ))
                .await
                .unwrap()
                .unwrap();
            let busy: i64 = row.try_get_by_index(0).unwrap();
            if busy == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        std::fs::read(&file).unwrap()
    };
    let contains = |bytes: &[u8]| bytes.windows(name.len()).any(|w| w == name);
    assert!(
        contains(&checkpoint().await),
        "the demo data holds the name"
    );

    let jonas = app.sign_in(WEBER, "+4915100000002").await;
    let res = send(
        &app,
        Method::DELETE,
        "/api/customer?confirm=true",
        &jonas.access,
        None,
    )
    .await;
    assert_eq!(res.status(), 204);
    assert!(
        !contains(&checkpoint().await),
        "erased, and not left in free pages"
    );
}
