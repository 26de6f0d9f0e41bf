//! What tests on real servers share: a fresh PostgreSQL database per test (dropped afterwards)
//! and a fake Twilio that takes every SMS and keeps it.

use sea_orm::{ConnectionTrait, Database};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path_regex},
};

const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database created for one test on the local PostgreSQL; dropped (forcibly) with this value.
pub struct PgDatabase {
    pub name: String,
}

impl PgDatabase {
    /// Creates `<prefix>_<random>`. `None` when PostgreSQL is unreachable and not required
    /// (`PORTAL_TEST_REQUIRE_PG=1` makes that a failure).
    pub async fn create(prefix: &str) -> Option<Self> {
        let admin = match Database::connect(PG_ADMIN_URL).await {
            Ok(admin) => admin,
            Err(err) if std::env::var("PORTAL_TEST_REQUIRE_PG").as_deref() != Ok("1") => {
                eprintln!(
                    "SKIP (PostgreSQL unreachable at {PG_ADMIN_URL}: {err}); set PORTAL_TEST_REQUIRE_PG=1 to fail instead"
                );
                return None;
            }
            Err(err) => {
                panic!("PostgreSQL is required (PORTAL_TEST_REQUIRE_PG=1) but unreachable: {err}")
            }
        };
        let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        admin.close().await.unwrap();
        Some(Self { name })
    }

    /// Its connection URL.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:5432/{}", self.name)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let name = std::mem::take(&mut self.name);
        // Drop runs outside async; a fresh thread with its own runtime can still await.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(admin) = Database::connect(PG_ADMIN_URL).await {
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

/// A fake Twilio Messages API that accepts every SMS.
pub async fn fake_twilio() -> MockServer {
    let twilio = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path_regex(r"^/2010-04-01/Accounts/[^/]+/Messages\.json$"))
        .respond_with(ResponseTemplate::new(201).set_body_json(
            serde_json::json!({"sid": "SM00000000000000000000000000000001", "status": "queued"}),
        ))
        .mount(&twilio)
        .await;
    twilio
}

/// Every SMS `twilio` was asked to send, oldest first, as `(To, Body)`.
pub async fn sms_sent_to(twilio: &MockServer) -> Vec<(String, String)> {
    twilio
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(|r| {
            let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&r.body).ok()?;
            let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            Some((get("To")?, get("Body")?))
        })
        .collect()
}
