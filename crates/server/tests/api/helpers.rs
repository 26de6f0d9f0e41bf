//! `spawn_app()` and typed helpers.

use chrono::{DateTime, Duration, TimeZone, Utc};
use portal_domain::{Clock, ManualClock, SecretString};
use portal_server::{config::Settings, startup::Application};
use reqwest::{Response, StatusCode};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex, OnceLock};
use wiremock::MockServer;

use crate::fakes::{PgDatabase, fake_twilio, sms_sent_to};

/// Runs each `async fn(TestApp)` once on SQLite and once on PostgreSQL; with a leading
/// `adjust;` (an `fn(&mut Settings)`), on a server started with those settings.
macro_rules! both_databases {
    (@run $adjust:expr; $($name:ident),+) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::helpers::spawn_app_with($crate::helpers::Backend::Sqlite, $adjust).await.unwrap()).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(app) = $crate::helpers::spawn_app_with($crate::helpers::Backend::Postgres, $adjust).await {
                        super::$name(app).await;
                    }
                }
            }
        )+
    };
    ($adjust:ident; $($name:ident),+ $(,)?) => {
        both_databases!(@run super::$adjust; $($name),+);
    };
    ($($name:ident),+ $(,)?) => {
        both_databases!(@run $crate::helpers::default_settings; $($name),+);
    };
}

/// The settings tests run with unless they ask for others.
pub fn default_settings(_: &mut Settings) {}

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const JWT_SECRET: &str = "test-jwt-secret-that-is-at-least-32-bytes-long";
pub const ANNA: &str = "+4915100000001";
pub const WEBER: &str = "praxis-weber";
pub const LUMIERE: &str = "salon-lumiere";

/// Every log line of the test process, to prove secrets never reach the log.
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned()
}

static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn init_logs() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        tracing_subscriber_init();
    });
}

fn tracing_subscriber_init() {
    use tracing_subscriber::{EnvFilter, fmt, layer::SubscriberExt, util::SubscriberInitExt};
    let _ = tracing_subscriber::registry()
        .with(EnvFilter::new(
            "info,portal=trace,portal_server=trace,portal_notify=trace,portal_db=trace",
        ))
        .with(fmt::layer().json().with_writer(|| LogWriter))
        .try_init();
}

pub struct TestApp {
    /// The server's state, for driving the outbox and the reminder scheduler directly.
    pub state: portal_server::state::AppState,
    /// Every email the server sent, as received by a local SMTP listener.
    pub smtp: FakeSmtp,
    pub address: String,
    pub client: reqwest::Client,
    pub clock: ManualClock,
    pub twilio: MockServer,
    pub db: DatabaseConnection,
    /// Dropped last: the server's pool goes first.
    _pg_database: Option<PgDatabase>,
}

/// The instant every test starts at.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap()
}

/// Starts the server on a fresh database with demo data. `None` only for PostgreSQL when it is not
/// reachable and not required (`PORTAL_TEST_REQUIRE_PG=1` makes that a failure).
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, default_settings).await
}

pub async fn spawn_app_with(
    backend: Backend,
    adjust: impl FnOnce(&mut Settings),
) -> Option<TestApp> {
    init_logs();
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let data_dir = std::env::temp_dir().join(format!("portal-test-{unique}"));
    let (url, pg_database) = match backend {
        Backend::Sqlite => (
            format!("sqlite://{}", data_dir.join("portal.db").display()),
            None,
        ),
        Backend::Postgres => {
            let database = PgDatabase::create("portal_test").await?;
            (database.url(), Some(database))
        }
    };
    let twilio = fake_twilio().await;

    let mut settings = Settings::defaults().unwrap();
    settings.data_dir = data_dir;
    settings.server.bind = "127.0.0.1:0".into();
    settings.database.url = url;
    settings.database.max_connections = 8;
    settings.auth.jwt_secret = Some(SecretString::new(JWT_SECRET));
    settings.auth.otp_hmac_key = Some(SecretString::new(
        "test-otp-hmac-key-that-is-at-least-32-bytes",
    ));
    settings.twilio.base_url = twilio.uri().parse().unwrap();
    settings.twilio.account_sid = Some("ACtest".into());
    settings.twilio.auth_token = Some(SecretString::new("twilio-test-token"));
    settings.twilio.from = Some("+15005550006".into());
    settings.twilio.timeout_seconds = 2;
    settings.outbox.poll_interval_ms = 50;
    settings.outbox.reminder_interval_ms = 50;
    let smtp = FakeSmtp::start().await;
    settings.smtp.host = Some("127.0.0.1".into());
    settings.smtp.port = smtp.port;
    settings.smtp.security = "none".into();
    settings.smtp.from = "Praxis Portal <portal@example.com>".into();
    adjust(&mut settings);

    let clock = ManualClock::new(start_time());
    let app = Application::build(settings, Arc::new(clock.clone()), None)
        .await
        .unwrap();
    let db = app.state().db.clone();
    let state = app.state().clone();
    portal_server::seed::seed_demo(&db, clock.now())
        .await
        .unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run());
    Some(TestApp {
        state,
        smtp,
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        clock,
        twilio,
        db,
        _pg_database: pg_database,
    })
}

/// What a signed-in test customer holds.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access: String,
    pub refresh: String,
    pub customer_id: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get_auth(&self, path: &str, token: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn request_code(&self, company: &str, phone: &str) -> Response {
        self.post_json(
            "/api/customer/auth",
            &json!({"company": company, "phone": phone}),
        )
        .await
    }

    pub async fn verify(&self, challenge_id: &str, code: &str) -> Response {
        self.post_json(
            "/api/customer/auth/verify",
            &json!({"challenge_id": challenge_id, "code": code}),
        )
        .await
    }

    /// Waits (real time, at most 10 s) until the outbox has sent or given up every message due
    /// now — codes are queued and texted right after the answer, by the outbox's code lane.
    pub async fn outbox_idle(&self) {
        for _ in 0..200 {
            let due = count_where(
                self,
                "SELECT COUNT(*) AS n FROM notifications WHERE status = 'queued' AND next_attempt_at <= ?",
                vec![self.clock.now().into()],
            )
            .await;
            if due == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Bodies of every SMS the fake Twilio received once the outbox is idle, oldest first, with
    /// their `To`.
    pub async fn sent_sms(&self) -> Vec<(String, String)> {
        self.outbox_idle().await;
        sms_sent_to(&self.twilio).await
    }

    /// The latest sign-in SMS to `phone` (it starts with the code); other messages, such as a
    /// booking confirmation or reminder the outbox delivers meanwhile, are skipped.
    pub async fn last_sign_in_sms(&self, phone: &str) -> String {
        self.sent_sms()
            .await
            .into_iter()
            .rev()
            .filter(|(to, _)| to == phone)
            .map(|(_, body)| body)
            .find(|body| {
                body.split_whitespace()
                    .next()
                    .is_some_and(|w| w.len() == 6 && w.bytes().all(|b| b.is_ascii_digit()))
            })
            .expect("a sign-in SMS to this phone")
    }

    /// The code in the latest sign-in SMS to `phone`.
    pub async fn last_code(&self, phone: &str) -> String {
        let body = self.last_sign_in_sms(phone).await;
        body[..6].to_owned()
    }

    /// Requests a code and returns the challenge id once the code went out (the test's clock must
    /// not move while the outbox holds a lease on it: a lease outrun by `clock.advance` would let
    /// the other lane send the code a second time).
    pub async fn challenge(&self, company: &str, phone: &str) -> String {
        let res = self.request_code(company, phone).await;
        assert_eq!(
            res.status(),
            StatusCode::ACCEPTED,
            "{}",
            res.text().await.unwrap()
        );
        self.outbox_idle().await;
        let body: Value = res.json().await.unwrap();
        body["challenge_id"].as_str().unwrap().to_owned()
    }

    /// Signs in fully; moves the clock past the resend cooldown first so repeated sign-ins work.
    pub async fn sign_in(&self, company: &str, phone: &str) -> Tokens {
        self.clock.advance(Duration::seconds(61));
        let challenge = self.challenge(company, phone).await;
        let code = self.last_code(phone).await;
        let res = self.verify(&challenge, &code).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        Tokens {
            access: body["access_token"].as_str().unwrap().to_owned(),
            refresh: body["refresh_token"].as_str().unwrap().to_owned(),
            customer_id: body["customer"]["id"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn refresh(&self, refresh_token: &str) -> Response {
        self.post_json(
            "/api/customer/auth/refresh",
            &json!({"refresh_token": refresh_token}),
        )
        .await
    }
}

/// Reads a problem body and checks its content type.
pub async fn problem(res: Response) -> Value {
    let content_type = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    res.json().await.unwrap()
}

/// Asserts status and problem code.
pub async fn assert_problem(res: Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status().as_u16(), status);
    let body = problem(res).await;
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    body
}

/// Waits (real time, at most 5 s) until a fake server has received `n` requests; returns them all.
/// For work the server does in the background (outbox, webhooks).
pub async fn wait_for_requests(server: &MockServer, n: usize) -> Vec<wiremock::Request> {
    for _ in 0..100 {
        let got = server.received_requests().await.unwrap_or_default();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    server.received_requests().await.unwrap_or_default()
}

/// A minimal SMTP server on a random local port that accepts every message and keeps its raw text.
#[derive(Clone)]
pub struct FakeSmtp {
    pub port: u16,
    received: Arc<Mutex<Vec<String>>>,
}

impl FakeSmtp {
    pub async fn start() -> Self {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 fake ESMTP\r\n").await;
                    let mut data: Option<String> = None;
                    while let Ok(Some(line)) = lines.next_line().await {
                        if let Some(body) = data.as_mut() {
                            if line == "." {
                                store.lock().unwrap().push(std::mem::take(body));
                                data = None;
                                let _ = write.write_all(b"250 2.0.0 queued\r\n").await;
                            } else {
                                body.push_str(&line);
                                body.push_str("\r\n");
                            }
                            continue;
                        }
                        let verb = line.split_whitespace().next().unwrap_or("").to_uppercase();
                        let answer: &[u8] = match verb.as_str() {
                            "EHLO" | "HELO" => b"250 fake\r\n",
                            "DATA" => {
                                data = Some(String::new());
                                b"354 go ahead\r\n"
                            }
                            "QUIT" => {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                break;
                            }
                            _ => b"250 ok\r\n",
                        };
                        let _ = write.write_all(answer).await;
                    }
                });
            }
        });
        Self { port, received }
    }

    /// Raw messages received so far.
    pub fn messages(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }

    /// Waits (at most 5 s) until `n` messages arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<String> {
        for _ in 0..100 {
            if self.messages().len() >= n {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        self.messages()
    }
}

/// Settings for tests that drive the outbox and reminders themselves: the background loops wait
/// an hour between rounds (their first round runs at start, with nothing due yet).
pub fn manual_workers(settings: &mut Settings) {
    settings.outbox.poll_interval_ms = 3_600_000;
    settings.outbox.reminder_interval_ms = 3_600_000;
}

/// The Twilio signature of a callback to `path` with `params`, as the server expects it.
pub fn twilio_signature(path: &str, params: &[(&str, &str)]) -> String {
    let owned: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    portal_notify::sign(
        &SecretString::new("twilio-test-token"),
        &format!("http://localhost:8080{path}"),
        &owned,
    )
}

impl TestApp {
    /// Posts a Twilio callback form with the given signature.
    pub async fn twilio_callback(
        &self,
        path: &str,
        params: &[(&str, &str)],
        signature: Option<&str>,
    ) -> Response {
        let mut request = self
            .client
            .post(self.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(params).unwrap());
        if let Some(signature) = signature {
            request = request.header("X-Twilio-Signature", signature);
        }
        request.send().await.unwrap()
    }

    /// The customer's message history.
    pub async fn history(&self, token: &str, query: &str) -> Value {
        let res = self
            .get_auth(&format!("/api/customer/notifications{query}"), token)
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }
}

/// A statement written with `?` placeholders, for either database.
pub fn statement(app: &TestApp, sql: &str, values: Vec<sea_orm::Value>) -> sea_orm::Statement {
    portal_db::statement(&app.db, sql, values)
}

pub async fn exec(app: &TestApp, sql: &str, values: Vec<sea_orm::Value>) {
    app.db
        .execute_raw(statement(app, sql, values))
        .await
        .unwrap();
}

/// `SELECT COUNT(*) AS n …` with `?` placeholders.
pub async fn count_where(app: &TestApp, sql: &str, values: Vec<sea_orm::Value>) -> i64 {
    let row = app
        .db
        .query_one_raw(statement(app, sql, values))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

/// The whole company, as test set-up (like the CLI) acts on it.
pub fn whole_company(company: portal_domain::CompanyId) -> portal_db::Tenant<'static> {
    portal_db::Tenant::System(portal_db::SystemScope::for_company(company))
}
