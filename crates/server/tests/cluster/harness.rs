//! Several real `portal serve` processes on one fresh PostgreSQL database, sharing their secrets
//! (one data directory: the first instance generates them, the others read them) and one fake
//! Twilio, so a test can aim requests at different instances and see what the SMS provider got.

use serde_json::{Value, json};
use std::path::PathBuf;
use wiremock::MockServer;

use crate::{
    fakes::{PgDatabase, fake_twilio, sms_sent_to},
    instance::Instance,
};

/// Instances on one database.
pub struct Cluster {
    pub instances: Vec<Instance>,
    pub twilio: MockServer,
    pub http: reqwest::Client,
    data_dir: PathBuf,
    _database: PgDatabase,
}

impl Cluster {
    /// `n` instances on a fresh database with the demo data; `env` adds settings to each. `None`
    /// when PostgreSQL is unreachable and not required (`PORTAL_TEST_REQUIRE_PG=1` makes that a
    /// failure).
    pub async fn start(n: usize, env: &[(&str, &str)]) -> Option<Self> {
        let database = PgDatabase::create("portal_cluster").await?;
        let data_dir = std::env::temp_dir().join(format!("{}-data", database.name));
        std::fs::create_dir_all(&data_dir).unwrap();
        let twilio = fake_twilio().await;
        let mut settings: Vec<(&str, String)> = vec![
            ("PORTAL__DATABASE__URL", database.url()),
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
            _database: database,
        })
    }

    /// The instance the `i`-th request of a burst goes to: round robin.
    pub fn pick(&self, i: usize) -> &Instance {
        &self.instances[i % self.instances.len()]
    }

    /// Every SMS the fake Twilio received, with its `To` and body.
    pub async fn sms(&self) -> Vec<(String, String)> {
        sms_sent_to(&self.twilio).await
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
        // The servers first, then their database (the field's own drop).
        self.instances.clear();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}
