//! Configuration: built-in defaults → `config/default.toml` → `config/{environment}.toml` →
//! `config/local.toml` → environment variables `PORTAL__SECTION__KEY`.

use portal_domain::SecretString;
use serde::Deserialize;
use std::{net::IpAddr, path::PathBuf};

/// Defaults compiled into the binary, so it runs with no files at all.
const DEFAULTS: &str = r#"
environment = "development"
data_dir = "./data"

[server]
bind = "127.0.0.1:8080"
public_url = "http://localhost:8080"
body_limit_bytes = 65536
trusted_proxies = []
static_dir = "frontend/dist"
cors_allowed_origins = []

[database]
url = ""
max_connections = 16

[auth]
issuer = "customer-portal"
audience = "customer-portal-api"
access_ttl_seconds = 900

[otp]
ttl_seconds = 300
resend_seconds = 60
max_attempts = 5
lock_threshold = 10
lock_minutes = 15
per_phone_per_hour = 5
per_ip_per_hour = 20

[twilio]
base_url = "https://api.twilio.com"
timeout_seconds = 10

[outbox]
poll_interval_ms = 1000
lease_seconds = 120
reminder_interval_ms = 60000

[smtp]
port = 587
security = "starttls"
from = "Kundenportal <portal@localhost>"
timeout_seconds = 10

[push]
subject = "mailto:portal@localhost"
timeout_seconds = 10

[support]
messages_per_hour = 30

[retention]
interval_seconds = 3600

[log]
format = "pretty"
filter = "info"
"#;

/// Where the portal runs. Production refuses to start with missing secrets; development generates
/// them under `data_dir`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// Local development: generated secrets, development SMS sender, readable logs.
    Development,
    /// Production: every secret must be configured.
    Production,
}

/// Everything the portal reads from configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Development or production.
    pub environment: Environment,
    /// Folder for the SQLite file and generated development secrets.
    pub data_dir: PathBuf,
    /// HTTP server.
    pub server: ServerSettings,
    /// Database.
    pub database: DatabaseSettings,
    /// Tokens.
    pub auth: AuthSettings,
    /// Sign-in codes.
    pub otp: OtpSettings,
    /// SMS provider.
    pub twilio: TwilioSettings,
    /// Message delivery.
    pub outbox: OutboxSettings,
    /// The periodic purge of expired data.
    pub retention: RetentionSettings,
    /// Email; without a host, mails are written as `.eml` files under `data_dir/mail`.
    pub smtp: SmtpSettings,
    /// Web Push.
    pub push: PushSettings,
    /// Support chat.
    pub support: SupportSettings,
    /// Logging.
    pub log: LogSettings,
    /// Prometheus metrics.
    #[serde(default)]
    pub metrics: MetricsSettings,
}

/// Who may read `/metrics`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    /// Scrapers send `Authorization: Bearer <token>`. Without a token, `/metrics` is open in
    /// development and answers 404 in production: operators' numbers are not public.
    pub token: Option<SecretString>,
}

/// Outbox delivery settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxSettings {
    /// How often the worker looks for due messages.
    pub poll_interval_ms: u64,
    /// How long a claimed message stays reserved for the worker that claimed it; after that (a
    /// crashed worker) another may take it.
    pub lease_seconds: u32,
    /// How often the reminder scheduler looks for appointments to remind of.
    pub reminder_interval_ms: u64,
}

/// SMTP settings; no `host` means the development `.eml` writer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    /// Server host name; unset → development writer.
    pub host: Option<String>,
    /// Port.
    pub port: u16,
    /// `starttls`, `tls` or `none`.
    pub security: String,
    /// User name.
    pub username: Option<String>,
    /// Password.
    pub password: Option<SecretString>,
    /// Sender address, with an optional display name.
    pub from: String,
    /// Limit for one send.
    pub timeout_seconds: u64,
}

/// Web Push settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushSettings {
    /// VAPID private key (base64url of the 32-byte P-256 scalar); generated in development.
    pub vapid_private_key: Option<SecretString>,
    /// VAPID contact, `mailto:` or `https:`.
    pub subject: String,
    /// Limit for one send.
    pub timeout_seconds: u64,
}

/// Support chat settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupportSettings {
    /// Messages a customer may write per hour.
    pub messages_per_hour: u32,
}

/// Retention job settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionSettings {
    /// How often the purge runs (0: never, e.g. when a cron job runs it instead).
    pub interval_seconds: u64,
}

/// HTTP server settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to listen on.
    pub bind: String,
    /// The portal's public address; its host goes into the WebOTP line of every code SMS.
    pub public_url: url::Url,
    /// Largest accepted request body.
    pub body_limit_bytes: usize,
    /// Reverse proxies whose `X-Forwarded-For` is believed (a list, or comma-separated text).
    #[serde(deserialize_with = "ip_list")]
    pub trusted_proxies: Vec<IpAddr>,
    /// The built PWA (`just frontend` writes it), served at `/` with an SPA fallback.
    pub static_dir: PathBuf,
    /// Origins (`https://app.example.org`) of a PWA hosted elsewhere that may call the API from the
    /// browser (a list, or comma-separated text). The portal's own origin never needs listing.
    #[serde(deserialize_with = "text_list")]
    pub cors_allowed_origins: Vec<String>,
}

/// Database settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://path` or `postgres://…`; empty means `sqlite://{data_dir}/portal.db`.
    pub url: String,
    /// Pool size.
    pub max_connections: u32,
}

/// Token settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// HS256 key for access tokens, at least 32 bytes.
    pub jwt_secret: Option<SecretString>,
    /// HMAC key for stored sign-in codes, at least 32 bytes.
    pub otp_hmac_key: Option<SecretString>,
    /// AES-256 keys for medical history: `id=<64 hex>` entries, comma- or line-separated.
    pub medical_keys: Option<SecretString>,
    /// The id of the key new medical data is sealed with (default: the last of `medical_keys`).
    pub medical_key_id: Option<String>,
    /// `iss` of access tokens.
    pub issuer: String,
    /// `aud` of access tokens.
    pub audience: String,
    /// Access token lifetime.
    pub access_ttl_seconds: u32,
}

/// Sign-in code rules (defined with the use cases that apply them).
pub type OtpSettings = portal_usecases::auth::OtpRules;

/// Twilio settings; without an account SID and token the development sender is used.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TwilioSettings {
    /// API base, replaced by a local fake in tests.
    pub base_url: url::Url,
    /// Account SID.
    pub account_sid: Option<String>,
    /// Auth token.
    pub auth_token: Option<SecretString>,
    /// Sender number or alphanumeric id.
    pub from: Option<String>,
    /// Messaging service (instead of `from`).
    pub messaging_service_sid: Option<String>,
    /// Request timeout.
    pub timeout_seconds: u64,
}

/// Log settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// `pretty` or `json`; production defaults to JSON when not set in a file.
    pub format: LogFormat,
    /// `tracing` filter, e.g. `info,portal=debug`.
    pub filter: String,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// The items of a list given as `["a", "b"]` in files or `a,b` in environment variables,
/// trimmed, without empty ones.
fn raw_list<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        List(Vec<String>),
        Text(String),
    }
    let items = match Raw::deserialize(deserializer)? {
        Raw::List(items) => items,
        Raw::Text(text) => text.split(',').map(str::to_owned).collect(),
    };
    Ok(items
        .iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect())
}

/// A text list (see [`raw_list`]); a trailing `/` is dropped (origins, URLs).
fn text_list<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    Ok(raw_list(deserializer)?
        .into_iter()
        .map(|s| s.trim_end_matches('/').to_owned())
        .filter(|s| !s.is_empty())
        .collect())
}

/// A list of IP addresses (see [`raw_list`]).
fn ip_list<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<IpAddr>, D::Error> {
    raw_list(deserializer)?
        .iter()
        .map(|s| {
            s.parse()
                .map_err(|e| serde::de::Error::custom(format!("trusted proxy {s:?}: {e}")))
        })
        .collect()
}

impl Settings {
    /// Loads the layered configuration from `config_dir` and the process environment.
    pub fn load(config_dir: &std::path::Path) -> Result<Self, config::ConfigError> {
        Self::load_from(config_dir, config::Environment::with_prefix("PORTAL"))
    }

    fn load_from(
        config_dir: &std::path::Path,
        env: config::Environment,
    ) -> Result<Self, config::ConfigError> {
        use config::{Config, File, FileFormat};
        let env = env.prefix_separator("__").separator("__");
        // No try_parsing: it would turn an all-digit secret into a number and drop its leading zeros.
        // The environment decides which file applies, so read it first.
        let environment = Config::builder()
            .add_source(File::from_str(DEFAULTS, FileFormat::Toml))
            .add_source(File::from(config_dir.join("default.toml")).required(false))
            .add_source(env.clone())
            .build()?
            .get_string("environment")?;
        // Production logs JSON unless a file or variable says otherwise.
        let production_defaults = if environment == "production" {
            "[log]\nformat = \"json\"\n"
        } else {
            ""
        };
        let builder = Config::builder()
            .add_source(File::from_str(DEFAULTS, FileFormat::Toml))
            .add_source(File::from_str(production_defaults, FileFormat::Toml))
            .add_source(File::from(config_dir.join("default.toml")).required(false))
            .add_source(File::from(config_dir.join(format!("{environment}.toml"))).required(false))
            .add_source(File::from(config_dir.join("local.toml")).required(false));
        let mut settings: Self = builder.add_source(env).build()?.try_deserialize()?;
        if settings.database.url.is_empty() {
            settings.database.url =
                format!("sqlite://{}", settings.data_dir.join("portal.db").display());
        }
        Ok(settings)
    }

    /// The built-in defaults alone (tests start from these).
    pub fn defaults() -> Result<Self, config::ConfigError> {
        Self::load_from(
            std::path::Path::new("/nonexistent"),
            config::Environment::with_prefix("PORTAL_TEST_NEVER_SET"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> config::Environment {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        config::Environment::with_prefix("PORTAL").source(Some(map))
    }

    #[test]
    fn defaults_match_design() {
        let s = Settings::defaults().unwrap();
        assert_eq!(s.server.bind, "127.0.0.1:8080");
        assert_eq!(s.environment, Environment::Development);
        assert_eq!(s.database.url, "sqlite://./data/portal.db");
        assert_eq!(
            (s.otp.ttl_seconds, s.otp.max_attempts, s.otp.lock_threshold),
            (300, 5, 10)
        );
        assert_eq!(s.auth.access_ttl_seconds, 900);
        assert_eq!(s.server.static_dir, PathBuf::from("frontend/dist"));
        assert!(s.server.cors_allowed_origins.is_empty());
    }

    #[test]
    fn environment_variables_override_files() {
        let dir = std::env::temp_dir().join(format!("portal-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("default.toml"),
            "[server]\nbind = \"0.0.0.0:1\"\n[otp]\nresend_seconds = 30\n",
        )
        .unwrap();
        let s = Settings::load_from(
            &dir,
            env(&[
                ("PORTAL__SERVER__BIND", "127.0.0.1:9999"),
                ("PORTAL__DATABASE__URL", "postgres://u@h/db"),
                ("PORTAL__SERVER__TRUSTED_PROXIES", "10.0.0.1,10.0.0.2"),
                (
                    "PORTAL__SERVER__CORS_ALLOWED_ORIGINS",
                    "https://app.example.org/, https://pwa.example.com",
                ),
                ("PORTAL__AUTH__JWT_SECRET", "0123456789"),
                ("PORTAL__OTP__MAX_ATTEMPTS", "3"),
                ("PORTAL__ENVIRONMENT", "production"),
            ]),
        )
        .unwrap();
        assert_eq!(s.server.bind, "127.0.0.1:9999");
        assert_eq!(s.otp.resend_seconds, 30);
        assert_eq!(
            s.otp.max_attempts, 3,
            "numbers parse from environment strings"
        );
        assert_eq!(s.database.url, "postgres://u@h/db");
        assert_eq!(s.server.trusted_proxies.len(), 2);
        assert_eq!(
            s.server.cors_allowed_origins,
            ["https://app.example.org", "https://pwa.example.com"],
            "comma-separated origins, trailing slash dropped"
        );
        assert_eq!(
            s.auth.jwt_secret.as_ref().map(SecretString::expose),
            Some("0123456789")
        );
        assert_eq!(
            s.log.format,
            LogFormat::Json,
            "production logs JSON by default"
        );
        assert!(
            !format!("{s:?}").contains("0123456789"),
            "secrets never in Debug"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
