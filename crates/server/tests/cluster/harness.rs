//! Several real `portal serve` processes on one fresh PostgreSQL database, sharing their secrets
//! (one data directory: the first instance generates them, the others read them) and one fake
//! Twilio, so a test can aim requests at different instances and see what the SMS provider got.

use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use std::path::PathBuf;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path_regex},
};

use crate::instance::Instance;

const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Instances on one database.
pub struct Cluster {
    pub instances: Vec<Instance>,
    pub twilio: MockServer,
    pub http: reqwest::Client,
    data_dir: PathBuf,
    database: String,
}

impl Cluster {
    /// `n` instances on a fresh database with the demo data; `env` adds settings to each. `None`
    /// when PostgreSQL is unreachable and not required (`PORTAL_TEST_REQUIRE_PG=1` makes that a
    /// failure).
    pub async fn start(n: usize, env: &[(&str, &str)]) -> Option<Self> {
        let admin = match Database::connect(PG_ADMIN_URL).await {
            Ok(admin) => admin,
            Err(err) if std::env::var("PORTAL_TEST_REQUIRE_PG").as_deref() != Ok("1") => {
                eprintln!("SKIP (PostgreSQL unreachable at {PG_ADMIN_URL}: {err})");
                return None;
            }
            Err(err) => panic!("PostgreSQL is required but unreachable: {err}"),
        };
        let unique = uuid::Uuid::new_v4().simple().to_string();
        let database = format!("portal_cluster_{unique}");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {database}"))
            .await
            .unwrap();
        admin.close().await.unwrap();
        let data_dir = std::env::temp_dir().join(format!("portal-cluster-{unique}"));
        std::fs::create_dir_all(&data_dir).unwrap();

        let twilio = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path_regex(r"^/2010-04-01/Accounts/[^/]+/Messages\.json$"))
            .respond_with(ResponseTemplate::new(201).set_body_json(
                json!({"sid": "SM00000000000000000000000000000001", "status": "queued"}),
            ))
            .mount(&twilio)
            .await;
        let mut settings: Vec<(&str, String)> = vec![
            (
                "PORTAL__DATABASE__URL",
                format!("postgres://postgres@127.0.0.1:5432/{database}"),
            ),
            ("PORTAL__DATABASE__MAX_CONNECTIONS", "8".into()),
            ("PORTAL__TWILIO__BASE_URL", twilio.uri()),
            ("PORTAL__TWILIO__ACCOUNT_SID", "ACtest".into()),
            ("PORTAL__TWILIO__AUTH_TOKEN", "twilio-test-token".into()),
            ("PORTAL__TWILIO__FROM", "+15005550006".into()),
            ("PORTAL__OUTBOX__POLL_INTERVAL_MS", "100".into()),
            ("PORTAL__LOG__FILTER", "warn".into()),
        ];
        settings.extend(env.iter().map(|(k, v)| (*k, (*v).to_owned())));
        let mut instances = Vec::with_capacity(n);
        for i in 0..n {
            // The first seeds the demo data and writes the secrets; the others start on them.
            instances.push(Instance::start(&data_dir, &settings, i == 0).await);
        }
        Some(Self {
            instances,
            twilio,
            http: reqwest::Client::new(),
            data_dir,
            database,
        })
    }

    /// The instance the `i`-th request of a burst goes to: round robin.
    pub fn pick(&self, i: usize) -> &Instance {
        &self.instances[i % self.instances.len()]
    }

    /// Every SMS the fake Twilio received, with its `To` and body.
    pub async fn sms(&self) -> Vec<(String, String)> {
        self.twilio
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

    /// Waits (at most 10 s) until the fake Twilio has `n` SMS to `phone`; answers them all.
    pub async fn wait_for_sms(&self, phone: &str, n: usize) -> Vec<String> {
        for _ in 0..100 {
            let to: Vec<String> = self
                .sms()
                .await
                .into_iter()
                .filter(|(to, _)| to == phone)
                .map(|(_, body)| body)
                .collect();
            if to.len() >= n {
                return to;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("fewer than {n} SMS to {phone}");
    }

    /// Signs in on instance `on` with the code texted to `phone`; answers the access token.
    pub async fn sign_in(&self, on: usize, company: &str, phone: &str) -> String {
        let before = self
            .sms()
            .await
            .iter()
            .filter(|(to, _)| to == phone)
            .count();
        let res = self
            .http
            .post(self.instances[on].url("/api/customer/auth"))
            .json(&json!({"company": company, "phone": phone}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
        let challenge: Value = res.json().await.unwrap();
        let body = self.wait_for_sms(phone, before + 1).await.pop().unwrap();
        let res = self
            .http
            .post(self.instances[on].url("/api/customer/auth/verify"))
            .json(&json!({"challenge_id": challenge["challenge_id"], "code": &body[..6]}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let tokens: Value = res.json().await.unwrap();
        tokens["access_token"].as_str().unwrap().to_owned()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.instances.clear();
        let _ = std::fs::remove_dir_all(&self.data_dir);
        let name = self.database.clone();
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
