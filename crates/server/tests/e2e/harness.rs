//! The real server as a child process, and headless Chromium through chromedriver.

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::Mutex,
    time::{Duration, Instant},
};

use crate::instance::{Instance, free_port};

const TIMEOUT: Duration = Duration::from_secs(30);

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace().join("target"), PathBuf::from)
}

fn temp_dir(kind: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("portal-e2e-{kind}-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `portal serve --seed-demo` on a fresh SQLite file, serving `frontend/dist`.
pub struct Portal {
    instance: Instance,
    data_dir: PathBuf,
    seen: Mutex<usize>,
    http: reqwest::Client,
}

impl Portal {
    pub async fn start() -> Self {
        let dist = workspace().join("frontend/dist");
        assert!(
            dist.join("index.html").is_file(),
            "the PWA is not built: run `just frontend` first ({} missing)",
            dist.display()
        );
        let data_dir = temp_dir("data");
        let env = [
            ("PORTAL__SERVER__STATIC_DIR", dist.display().to_string()),
            (
                "PORTAL__LOG__FILTER",
                "warn,portal::dev_sms=info".to_owned(),
            ),
            // One code right after another for the same number (the test's API sign-in, then
            // the browser's) would otherwise wait a minute.
            ("PORTAL__OTP__RESEND_SECONDS", "1".to_owned()),
        ];
        let instance = Instance::start(&data_dir, &env, true).await;
        Self {
            instance,
            data_dir,
            seen: Mutex::new(0),
            http: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        self.instance.url(path)
    }

    fn codes_to(&self, phone: &str) -> Vec<String> {
        self.instance
            .logs()
            .iter()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|v| v["target"] == "portal::dev_sms" && v["to"] == phone)
            .filter_map(|v| {
                v["body"]
                    .as_str()?
                    .split_whitespace()
                    .next()
                    .map(str::to_owned)
            })
            .collect()
    }

    /// The code of the newest SMS to `phone`, read from the development sender's log, waiting for
    /// one newer than any code handed out before.
    pub async fn last_code(&self, phone: &str) -> String {
        let started = Instant::now();
        loop {
            let codes = self.codes_to(phone);
            let total: usize = self
                .instance
                .logs()
                .iter()
                .filter(|l| l.contains("portal::dev_sms"))
                .count();
            {
                let mut seen = self.seen.lock().unwrap();
                if total > *seen
                    && let Some(code) = codes.last()
                {
                    *seen = total;
                    return code.clone();
                }
            }
            assert!(started.elapsed() < TIMEOUT, "no SMS to {phone}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits out the (shortened) time between two codes for one number.
    pub async fn wait_resend_window(&self) {
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }

    /// Signs in through the JSON API (as a native app does) and returns the access token.
    pub async fn api_sign_in(&self, company: &str, phone: &str) -> String {
        let res = self
            .http
            .post(self.url("/api/customer/auth"))
            .json(&json!({"company": company, "phone": phone}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
        let challenge: Value = res.json().await.unwrap();
        let code = self.last_code(phone).await;
        let res = self
            .http
            .post(self.url("/api/customer/auth/verify"))
            .header("user-agent", "e2e-api-client")
            .json(&json!({"challenge_id": challenge["challenge_id"], "code": code}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn get(&self, token: &str, path: &str) -> Value {
        let res = self
            .http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
        res.json().await.unwrap()
    }

    pub async fn get_public(&self, path: &str) -> Value {
        let res = self.http.get(self.url(path)).send().await.unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
        res.json().await.unwrap()
    }

    /// An integrator API key for `company`, made with `portal api-key create` on the server's data.
    pub fn api_key(&self, company: &str) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_portal"))
            .args(["api-key", "create", "--company", company, "--name", "e2e"])
            .current_dir(&self.data_dir)
            .env_remove("PORTAL__DATABASE__URL")
            .env_remove("RUST_LOG")
            .env("PORTAL__DATA_DIR", &self.data_dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "api-key create: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .last()
            .unwrap()
            .trim()
            .to_owned()
    }

    /// An integrator `POST` (with its idempotency key) that must succeed.
    pub async fn integrator_post(&self, key: &str, path: &str, body: Value) -> Value {
        let res = self
            .http
            .post(self.url(path))
            .bearer_auth(key)
            .header("idempotency-key", uuid::Uuid::new_v4().to_string())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
        res.json().await.unwrap()
    }

    /// The business changes its rules: cancelling now needs `days` of notice.
    pub async fn set_cancel_notice_days(&self, company: &str, days: i32) {
        use sea_orm::{ConnectionTrait, Database};
        let db = Database::connect(format!(
            "sqlite://{}",
            self.data_dir.join("portal.db").display()
        ))
        .await
        .unwrap();
        // Test-controlled values only (a constant slug and a number).
        db.execute_unprepared(&format!(
            "UPDATE companies SET cancel_notice_minutes = {}, cancel_grace_minutes = 0 WHERE slug = '{company}'",
            days * 24 * 60
        ))
        .await
        .unwrap();
        db.close().await.unwrap();
    }

    /// Stops the server: the network is "gone" for the browser.
    pub fn stop(&self) {
        self.instance.kill();
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        self.instance.kill();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// A Chrome DevTools Protocol command through chromedriver's passthrough
/// (`POST /session/{id}/goog/cdp/execute`).
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"cmd": self.cmd, "params": self.params});
        (http::Method::POST, Some(body.to_string()))
    }
}

/// A DevTools command to issue directly (when its failure is expected).
pub fn cdp_command(
    cmd: &'static str,
    params: Value,
) -> impl fantoccini::wd::WebDriverCompatibleCommand + Send + 'static {
    Cdp { cmd, params }
}

/// Headless Chromium through chromedriver.
pub struct Browser {
    pub client: Client,
    driver: Child,
    downloads: PathBuf,
    profile: PathBuf,
}

fn tool(var: &str, default: &str) -> String {
    let path = std::env::var(var).unwrap_or_else(|_| default.to_owned());
    assert!(
        std::path::Path::new(&path).exists(),
        "{path} is missing: install Debian's chromium and chromium-driver (or set {var}); the E2E tests never skip"
    );
    path
}

impl Browser {
    pub async fn start() -> Self {
        let chromium = tool("CHROME", "/usr/bin/chromium");
        let chromedriver = tool("CHROMEDRIVER", "/usr/bin/chromedriver");
        let port = free_port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let downloads = temp_dir("downloads");
        let profile = temp_dir("profile");
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                    "--lang=de-DE", "--accept-lang=de-DE,de",
                    format!("--user-data-dir={}", profile.display()),
                ],
                "prefs": {
                    "download.default_directory": downloads.display().to_string(),
                    "download.prompt_for_download": false,
                    "intl.accept_languages": "de-DE,de",
                },
            }
        });
        let capabilities = capabilities.as_object().unwrap().clone();
        let started = Instant::now();
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => break client,
                Err(e) => {
                    assert!(
                        started.elapsed() < TIMEOUT,
                        "chromedriver did not start: {e}"
                    );
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        };
        client.set_window_size(390, 844).await.unwrap();
        Self {
            client,
            driver,
            downloads,
            profile,
        }
    }

    pub async fn wait_css(&self, css: &str) {
        if let Err(e) = self
            .client
            .wait()
            .at_most(TIMEOUT)
            .for_element(Locator::Css(css))
            .await
        {
            // Leave evidence: what the page showed when the wait gave up.
            let dir = target_dir().join("e2e-screenshots");
            let _ = std::fs::create_dir_all(&dir);
            if let Ok(png) = self.client.screenshot().await {
                let _ = std::fs::write(dir.join("failure.png"), png);
            }
            let url = self.client.current_url().await.map(|u| u.to_string());
            let body = self
                .client
                .execute("return document.body.innerText", vec![])
                .await;
            panic!("waiting for {css}: {e}; at {url:?}; page: {body:?}");
        }
    }

    /// Clicks the element like a person would: scrolled to the middle of the screen first, as
    /// WebDriver leaves an element at the bottom edge, under the phone layout's tab bar.
    pub async fn click(&self, css: &str) {
        self.wait_css(css).await;
        let element = self.client.find(Locator::Css(css)).await.unwrap();
        let arg = serde_json::to_value(&element).unwrap();
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center', inline: 'nearest'})",
                vec![arg],
            )
            .await
            .unwrap();
        if let Err(e) = element.click().await {
            let png = self.client.screenshot().await.unwrap_or_default();
            let path = target_dir()
                .join("e2e-screenshots")
                .join("failed-click.png");
            let _ = std::fs::write(&path, png);
            panic!("clicking {css}: {e} (screen: {})", path.display());
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.wait_css(css).await;
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn wait_text(&self, css: &str, needle: &str) {
        let started = Instant::now();
        loop {
            if let Ok(e) = self.client.find(Locator::Css(css)).await
                && e.text().await.is_ok_and(|t| t.contains(needle))
            {
                return;
            }
            assert!(started.elapsed() < TIMEOUT, "{css} never showed {needle:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types `text` into the element (keys as WebDriver sends them, e.g. `"\u{e00c}"` for Escape).
    pub async fn type_into(&self, css: &str, text: &str) {
        self.wait_css(css).await;
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("typing into {css}: {e}"));
    }

    /// The file names of the screen chunks (`split_*`/`chunk_*` wasm) this page has fetched.
    pub async fn chunks_loaded(&self) -> Vec<String> {
        let names = self
            .client
            .execute(
                "return performance.getEntriesByType('resource')
                   .map(e => new URL(e.name).pathname.slice(1))
                   .filter(n => /^(split|chunk)_.*\\.wasm$/.test(n))",
                vec![],
            )
            .await
            .unwrap();
        serde_json::from_value(names).unwrap()
    }

    /// Runs a DevTools command and returns its result.
    pub async fn cdp(&self, cmd: &'static str, params: Value) -> Value {
        self.client
            .issue_cmd(Cdp { cmd, params })
            .await
            .unwrap_or_else(|e| panic!("{cmd}: {e}"))
    }

    /// Waits until the page's live event stream is open (`<html data-live="open">`).
    pub async fn wait_live(&self) {
        self.wait_css("html[data-live=open]").await;
    }

    /// Sets a marker on `window` that only survives as long as the page is not reloaded.
    pub async fn mark_page(&self) {
        self.client
            .execute("window.__e2eNoReload = true; return true", vec![])
            .await
            .unwrap();
    }

    /// Asserts the page was not reloaded since [`Self::mark_page`].
    pub async fn assert_not_reloaded(&self) {
        let marked = self
            .client
            .execute("return window.__e2eNoReload === true", vec![])
            .await
            .unwrap();
        assert_eq!(marked, Value::Bool(true), "the page was reloaded");
    }

    /// Waits until the navigation's unread badge shows more than `before`; returns the count.
    pub async fn wait_badge_above(&self, before: u64) -> u64 {
        let started = Instant::now();
        loop {
            let text = self
                .client
                .execute(
                    "const b = document.querySelector('[data-testid=unread-badge]'); return b ? b.textContent : ''",
                    vec![],
                )
                .await
                .unwrap();
            let shown = text
                .as_str()
                .and_then(|t| t.split_whitespace().last())
                .and_then(|n| n.parse::<u64>().ok());
            if let Some(n) = shown.filter(|n| *n > before) {
                return n;
            }
            assert!(
                started.elapsed() < TIMEOUT,
                "the unread badge stayed at {text:?} (before: {before})"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the service worker controls the page.
    pub async fn wait_controlled(&self) {
        let started = Instant::now();
        loop {
            let v = self
                .client
                .execute("return !!navigator.serviceWorker.controller", vec![])
                .await
                .unwrap();
            if v == Value::Bool(true) {
                return;
            }
            assert!(started.elapsed() < TIMEOUT, "no service worker in control");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The bytes of the next finished download ending in `ext`.
    pub async fn downloaded(&self, ext: &str) -> Vec<u8> {
        let started = Instant::now();
        loop {
            let found = std::fs::read_dir(&self.downloads)
                .unwrap()
                .filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.to_string_lossy().ends_with(ext));
            if let Some(path) = found {
                let bytes = std::fs::read(&path).unwrap();
                if !bytes.is_empty() {
                    std::fs::remove_file(path).unwrap();
                    return bytes;
                }
            }
            assert!(started.elapsed() < TIMEOUT, "no {ext} download");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves `{name}-390x844.png` and `{name}-1280x800.png` under target/e2e-screenshots/.
    pub async fn screenshots(&self, name: &str) {
        let dir = target_dir().join("e2e-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        for (w, h) in [(1280, 800), (390, 844)] {
            self.client.set_window_size(w, h).await.unwrap();
            tokio::time::sleep(Duration::from_millis(300)).await;
            let png = self.client.screenshot().await.unwrap();
            std::fs::write(dir.join(format!("{name}-{w}x{h}.png")), png).unwrap();
        }
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.downloads);
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
