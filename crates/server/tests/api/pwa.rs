//! What the PWA needs from the server: public branding, the browser refresh cookie, serving the
//! built app with an SPA fallback, and CORS for a PWA hosted elsewhere.

use reqwest::header;
use serde_json::{Value, json};

use crate::helpers::{ANNA, Backend, TestApp, WEBER, assert_problem, spawn_app_with};

both_databases!(
    public_company_shows_branding_without_sign_in,
    browser_sign_in_keeps_the_refresh_token_in_an_http_only_cookie,
    cookie_refresh_rotates_and_a_replayed_cookie_ends_the_session,
    refresh_without_token_or_cookie_and_malformed_bodies_are_refused,
    sign_out_clears_the_refresh_cookie,
);

async fn public_company_shows_branding_without_sign_in(app: TestApp) {
    let res = app
        .client
        .get(app.url("/api/public/companies/praxis-weber"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["slug"], "praxis-weber");
    assert_eq!(body["name"], "Praxis Dr. Weber");
    assert_eq!(body["industry"], "healthcare");
    assert_eq!(body["locale"], "de");
    assert_eq!(body["brand_color"], "#0f6e6e");
    for path in [
        "/api/public/companies/nope-nope",
        "/api/public/companies/NOT%20A%20SLUG",
    ] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_problem(res, 404, "not_found").await;
    }
}

/// Requests a code and verifies it as a browser does; returns the response.
async fn browser_sign_in(app: &TestApp) -> reqwest::Response {
    app.clock.advance(chrono::Duration::seconds(61));
    let challenge = app.challenge(WEBER, ANNA).await;
    let code = app.last_code(ANNA).await;
    app.client
        .post(app.url("/api/customer/auth/verify"))
        .header("x-refresh-transport", "cookie")
        .json(&json!({"challenge_id": challenge, "code": code}))
        .send()
        .await
        .unwrap()
}

fn set_cookie(res: &reqwest::Response) -> String {
    let all: Vec<_> = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(all.len(), 1, "exactly one cookie: {all:?}");
    all[0].clone()
}

/// `portal_refresh=<value>` from a Set-Cookie header.
fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().trim().to_owned()
}

async fn refresh_with_cookie(app: &TestApp, cookie: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/customer/auth/refresh"))
        .header(header::COOKIE, cookie)
        .send()
        .await
        .unwrap()
}

async fn browser_sign_in_keeps_the_refresh_token_in_an_http_only_cookie(app: TestApp) {
    let res = browser_sign_in(&app).await;
    assert_eq!(res.status(), 200);
    let cookie = set_cookie(&res);
    for attribute in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/api/customer/auth",
        "Max-Age=2592000",
    ] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    assert!(cookie.starts_with("portal_refresh="));
    assert!(cookie_pair(&cookie).len() > "portal_refresh=".len() + 30);
    let body: Value = res.json().await.unwrap();
    assert!(body["access_token"].is_string());
    assert!(
        body.get("refresh_token").is_none(),
        "scripts never see the refresh token: {body}"
    );
    // Native clients are unaffected: no header, token in the body, no cookie.
    let tokens = app.sign_in(WEBER, ANNA).await;
    assert!(!tokens.refresh.is_empty());
}

async fn cookie_refresh_rotates_and_a_replayed_cookie_ends_the_session(app: TestApp) {
    let first = cookie_pair(&set_cookie(&browser_sign_in(&app).await));
    let res = refresh_with_cookie(&app, &first).await;
    assert_eq!(res.status(), 200);
    let second = cookie_pair(&set_cookie(&res));
    assert_ne!(first, second, "the cookie rotates");
    let body: Value = res.json().await.unwrap();
    assert!(body.get("refresh_token").is_none());
    let access = body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get_auth("/api/customer/profile", &access)
            .await
            .status(),
        200
    );
    // An empty JSON object is the same as no body.
    let res = app
        .client
        .post(app.url("/api/customer/auth/refresh"))
        .header(header::COOKIE, &second)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let third = cookie_pair(&set_cookie(&res));
    // Replaying an old cookie is theft: the whole session ends, including the newest cookie.
    assert_problem(
        refresh_with_cookie(&app, &first).await,
        401,
        "invalid_refresh_token",
    )
    .await;
    assert_problem(
        refresh_with_cookie(&app, &third).await,
        401,
        "invalid_refresh_token",
    )
    .await;
}

async fn refresh_without_token_or_cookie_and_malformed_bodies_are_refused(app: TestApp) {
    let res = app
        .client
        .post(app.url("/api/customer/auth/refresh"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "invalid_refresh_token").await;
    let res = app
        .client
        .post(app.url("/api/customer/auth/refresh"))
        .header(header::COOKIE, "other=1; portal_refresh=")
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "invalid_refresh_token").await;
    let res = app
        .client
        .post(app.url("/api/customer/auth/refresh"))
        .header(header::CONTENT_TYPE, "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_problem(res, 400, "invalid_json").await;
    let res = app
        .client
        .post(app.url("/api/customer/auth/refresh"))
        .header(header::CONTENT_TYPE, "text/plain")
        .body("token")
        .send()
        .await
        .unwrap();
    assert_problem(res, 415, "unsupported_media_type").await;
    let res = app
        .post_json(
            "/api/customer/auth/refresh",
            &json!({"refresh_token": "x", "extra": 1}),
        )
        .await;
    assert_problem(res, 422, "validation_failed").await;
}

async fn sign_out_clears_the_refresh_cookie(app: TestApp) {
    let res = browser_sign_in(&app).await;
    let cookie = cookie_pair(&set_cookie(&res));
    let body: Value = res.json().await.unwrap();
    let access = body["access_token"].as_str().unwrap();
    let res = app
        .client
        .post(app.url("/api/customer/auth/logout"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let cleared = set_cookie(&res);
    assert!(cleared.starts_with("portal_refresh=;"), "{cleared}");
    assert!(cleared.contains("Max-Age=0"));
    assert!(cleared.contains("Path=/api/customer/auth"));
    assert_problem(
        refresh_with_cookie(&app, &cookie).await,
        401,
        "invalid_refresh_token",
    )
    .await;
}

/// A folder that looks like `just frontend` output.
fn fake_dist() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("portal-dist-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>PWA</title>").unwrap();
    std::fs::write(
        dir.join("sw.js"),
        "self.addEventListener('fetch', () => {});",
    )
    .unwrap();
    std::fs::write(dir.join("portal-0123456789abcdef.js"), "export {};").unwrap();
    // A stand-in for the gzip twin: the server only picks the file, it never decodes it.
    std::fs::write(dir.join("portal-0123456789abcdef.js.gz"), b"\x1f\x8bGZ").unwrap();
    std::fs::write(dir.join("portal_bg-fedcba9876543210.wasm"), b"\0asm").unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_the_pwa_with_spa_fallback_and_long_caching_of_hashed_files() {
    let dist = fake_dist();
    let app = spawn_app_with(Backend::Sqlite, |s| s.server.static_dir = dist.clone())
        .await
        .unwrap();
    let get = |path: &str, gzip: bool| {
        let mut req = app.client.get(app.url(path));
        if gzip {
            req = req.header(header::ACCEPT_ENCODING, "gzip, br");
        }
        req.send()
    };
    for path in ["/", "/c/praxis-weber", "/c/praxis-weber/appointments/123"] {
        let res = get(path, false).await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()[header::CACHE_CONTROL], "no-cache", "{path}");
        assert_eq!(
            res.headers()[header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
        assert!(res.text().await.unwrap().contains("<title>PWA</title>"));
    }
    let res = get("/sw.js", false).await.unwrap();
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-cache");
    assert_eq!(res.headers()["service-worker-allowed"], "/");

    let res = get("/portal_bg-fedcba9876543210.wasm", false)
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/wasm");
    assert_eq!(
        res.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );

    let plain = get("/portal-0123456789abcdef.js", false).await.unwrap();
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(plain.text().await.unwrap(), "export {};");
    let zipped = get("/portal-0123456789abcdef.js", true).await.unwrap();
    assert_eq!(zipped.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(zipped.headers()[header::VARY], "Accept-Encoding");
    assert_eq!(zipped.bytes().await.unwrap().as_ref(), b"\x1f\x8bGZ");

    // A missing asset is a 404, not the app; the API keeps its problem documents.
    assert_eq!(get("/icon-missing.png", false).await.unwrap().status(), 404);
    assert_problem(
        get("/api/nothing-here", false).await.unwrap(),
        404,
        "not_found",
    )
    .await;
    // Dot segments never leave the folder: at worst the app's own index answers.
    let res = get("/%2e%2e/%2e%2e/etc/passwd", false).await.unwrap();
    assert!(!res.text().await.unwrap().contains("root:"));
    let res = app
        .client
        .post(app.url("/c/praxis-weber"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404, "only GET and HEAD reach the app");
    std::fs::remove_dir_all(dist).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_build_the_root_says_how_to_build_it() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.server.static_dir = "/nonexistent/dist".into();
    })
    .await
    .unwrap();
    let res = app
        .client
        .get(app.url("/c/praxis-weber"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("just frontend"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_allows_listed_origins_only() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.server.cors_allowed_origins = vec!["https://pwa.example.com".into()];
    })
    .await
    .unwrap();
    let preflight = |origin: &'static str| {
        app.client
            .request(
                reqwest::Method::OPTIONS,
                app.url("/api/customer/appointments"),
            )
            .header(header::ORIGIN, origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send()
    };
    let res = preflight("https://pwa.example.com").await.unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(
        res.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://pwa.example.com"
    );
    assert_eq!(
        res.headers()[header::ACCESS_CONTROL_ALLOW_CREDENTIALS],
        "true"
    );
    let res = preflight("https://evil.example.net").await.unwrap();
    assert!(
        res.headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
    let res = app
        .client
        .get(app.url("/api/public/companies/praxis-weber"))
        .header(header::ORIGIN, "https://pwa.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://pwa.example.com"
    );
    // The portal's own origin keeps working with the allow-list on.
    let res = app
        .client
        .post(app.url("/api/customer/auth"))
        .header(header::ORIGIN, "http://localhost:8080")
        .json(&json!({"company": WEBER, "phone": ANNA}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_allow_list_no_cors_headers_are_sent() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await.unwrap();
    let res = app
        .client
        .get(app.url("/api/public/companies/praxis-weber"))
        .header(header::ORIGIN, "https://pwa.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
}
