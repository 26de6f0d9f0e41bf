//! Wiring: database, secrets, SMS sender, HTTP server.

use actix_web::{App, HttpResponse, HttpServer, dev::Server, middleware::from_fn, web};
use anyhow::Context;
use portal_domain::Clock;
use portal_notify::{DevSmsSender, SmsSender, TwilioClient, TwilioConfig};
use std::{net::TcpListener, sync::Arc, time::Duration};
use tracing_actix_web::TracingLogger;
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    config::Settings, error::ApiError, metrics::Metrics, secrets, state::AppState,
    tokens::TokenService,
};

/// A bound, not yet running server.
pub struct Application {
    server: Server,
    port: u16,
    state: AppState,
}

impl Application {
    /// Connects, migrates, resolves secrets and binds. The SMS sender is Twilio when an account
    /// SID and token are configured, otherwise the development sender (unless `sms` overrides it).
    pub async fn build(
        settings: Settings,
        clock: Arc<dyn Clock>,
        sms: Option<Arc<dyn SmsSender>>,
    ) -> anyhow::Result<Self> {
        let secrets = secrets::resolve(&settings)?;
        check_lease(&settings)?;
        let db = portal_db::connect(&settings.database.url, settings.database.max_connections)
            .await
            .context("connecting to the database")?;
        portal_db::migrate(&db)
            .await
            .context("applying migrations")?;
        let sms = match sms {
            Some(sms) => sms,
            None => sms_sender(&settings)?,
        };
        let tokens = TokenService::new(
            &secrets.jwt,
            &settings.auth.issuer,
            &settings.auth.audience,
            settings.auth.access_ttl_seconds,
        );
        let mailer = mailer(&settings)?;
        let push = portal_notify::WebPushSender::new(
            secrets.vapid.clone(),
            settings.push.subject.clone(),
            Duration::from_secs(settings.push.timeout_seconds),
        )
        .context("configuring Web Push")?;
        let metrics = Metrics::new().context("registering metrics")?;
        let services = Arc::new(portal_usecases::Services {
            sms: sms.clone(),
            otp: settings.otp.clone(),
            otp_key: secrets.otp_hmac.clone(),
            public_host: settings
                .server
                .public_url
                .host_str()
                .unwrap_or("localhost")
                .to_owned(),
            medical: secrets.medical.clone(),
            support_messages_per_hour: settings.support.messages_per_hour,
            telemetry: Arc::new(metrics.clone()),
            codes: portal_usecases::CodeLane::default(),
        });
        let state = AppState {
            db,
            clock,
            tokens,
            secrets: Arc::new(secrets),
            sms,
            webhooks: portal_notify::WebhookClient::new(
                Duration::from_secs(10),
                outbound_guard(&settings),
            ),
            settings: Arc::new(settings),
            metrics,
            mailer,
            push,
            events: portal_usecases::EventHub::new(),
            faults: portal_usecases::Faults::default(),
            services,
        };
        let listener = TcpListener::bind(&state.settings.server.bind)
            .with_context(|| format!("binding {}", state.settings.server.bind))?;
        let port = listener.local_addr()?.port();
        let server = serve(listener, state.clone())?;
        Ok(Self {
            server,
            port,
            state,
        })
    }

    /// The bound port (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state (tests inspect the database through it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Runs the server, the outbox worker, the reminder scheduler and the retention job until
    /// stopped (SIGINT/SIGTERM stop gracefully).
    pub async fn run(self) -> std::io::Result<()> {
        let interval = Duration::from_millis(self.state.settings.outbox.poll_interval_ms.max(10));
        let worker = tokio::spawn(crate::outbox::run(self.state.clone(), interval));
        let reminder_interval =
            Duration::from_millis(self.state.settings.outbox.reminder_interval_ms.max(10));
        let reminders = tokio::spawn(crate::reminders::run(self.state.clone(), reminder_interval));
        let retention_every = self.state.settings.retention.interval_seconds;
        let retention = (retention_every > 0).then(|| {
            tokio::spawn(crate::retention::run(
                self.state.clone(),
                Duration::from_secs(retention_every),
            ))
        });
        let result = self.server.await;
        worker.abort();
        reminders.abort();
        if let Some(job) = retention {
            job.abort();
        }
        result
    }
}

/// The SMS sender the configuration asks for.
pub fn sms_sender(settings: &Settings) -> anyhow::Result<Arc<dyn SmsSender>> {
    let t = &settings.twilio;
    match (&t.account_sid, &t.auth_token) {
        (Some(sid), Some(token)) if !sid.is_empty() && !token.is_empty() => {
            let mut config = TwilioConfig::new(sid.clone(), token.clone());
            config.base_url = t.base_url.clone();
            config.from = t.from.clone();
            config.messaging_service_sid = t.messaging_service_sid.clone();
            config.timeout = Duration::from_secs(t.timeout_seconds);
            config.status_callback = settings
                .server
                .public_url
                .join("/api/webhooks/twilio/status")
                .ok();
            Ok(Arc::new(
                TwilioClient::new(config).context("configuring Twilio")?,
            ))
        }
        _ => {
            if settings.environment == crate::config::Environment::Production {
                anyhow::bail!(
                    "missing secret: set PORTAL__TWILIO__ACCOUNT_SID and PORTAL__TWILIO__AUTH_TOKEN"
                );
            }
            tracing::warn!("no Twilio credentials: SMS go to the log (development sender)");
            Ok(Arc::new(DevSmsSender::new()))
        }
    }
}

/// The mailer the configuration asks for: SMTP with a host, else `.eml` files under
/// `data_dir/mail` (development only).
pub fn mailer(settings: &Settings) -> anyhow::Result<Arc<dyn portal_notify::Mailer>> {
    use portal_notify::{EmlWriter, SmtpConfig, SmtpMailer, SmtpSecurity};
    let s = &settings.smtp;
    match s.host.as_deref().filter(|h| !h.is_empty()) {
        Some(host) => {
            let security = match s.security.as_str() {
                "starttls" => SmtpSecurity::StartTls,
                "tls" => SmtpSecurity::Tls,
                "none" => SmtpSecurity::None,
                other => {
                    anyhow::bail!("smtp.security must be starttls, tls or none, not {other:?}")
                }
            };
            Ok(Arc::new(
                SmtpMailer::new(SmtpConfig {
                    host: host.to_owned(),
                    port: s.port,
                    security,
                    username: s.username.clone(),
                    password: s.password.clone(),
                    from: s.from.clone(),
                    timeout: Duration::from_secs(s.timeout_seconds),
                })
                .context("configuring SMTP")?,
            ))
        }
        None => {
            if settings.environment == crate::config::Environment::Production {
                anyhow::bail!("missing setting: set PORTAL__SMTP__HOST (and credentials)");
            }
            let dir = settings.data_dir.join("mail");
            tracing::warn!(dir = %dir.display(), "no SMTP host: emails are written as .eml files");
            Ok(Arc::new(
                EmlWriter::new(dir, &s.from).context("configuring the .eml writer")?,
            ))
        }
    }
}

/// A message's lease must outlast its send by far, or a slow provider makes it go out twice: the
/// lease is at least three times the longest provider timeout (and the webhook client's 10 s).
fn check_lease(settings: &Settings) -> anyhow::Result<()> {
    let longest = [
        settings.twilio.timeout_seconds,
        settings.smtp.timeout_seconds,
        settings.push.timeout_seconds,
        10,
    ]
    .into_iter()
    .max()
    .unwrap_or(10);
    anyhow::ensure!(
        u64::from(settings.outbox.lease_seconds) >= 3 * longest,
        "outbox.lease_seconds ({}) must be at least three times the longest provider timeout ({longest} s)",
        settings.outbox.lease_seconds
    );
    Ok(())
}

/// Which URLs customers and integrators may make the server call: public https targets; in
/// development also loopback (local test receivers).
pub fn outbound_guard(settings: &Settings) -> portal_notify::outbound::OutboundGuard {
    use portal_notify::outbound::OutboundGuard;
    match settings.environment {
        crate::config::Environment::Production => OutboundGuard::public_only(),
        crate::config::Environment::Development => OutboundGuard::allowing_loopback(),
    }
}

fn serve(listener: TcpListener, state: AppState) -> anyhow::Result<Server> {
    let body_limit = state.settings.server.body_limit_bytes;
    let api_doc = crate::openapi::document();
    let methods = web::Data::new(crate::openapi::Methods::of(&api_doc));
    let cors_origins = cors_origins(&state.settings);
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(methods.clone())
            // Outermost, so preflights and refusals also get the CORS answer. Off without an
            // allow-list: same-origin requests then never meet it.
            .wrap(actix_web::middleware::Condition::new(
                cors_origins.len() > 1,
                cors(&cors_origins),
            ))
            .app_data(web::PayloadConfig::new(body_limit))
            // actix's own extractor errors are problem documents too: a malformed id in the path
            // is simply nothing that exists (query strings go through `extract::Query`).
            .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::not_found().into()))
            .wrap(from_fn(crate::middleware::response_rules))
            .wrap(TracingLogger::default())
            // Before the /api scope: a scope never falls through to later services.
            .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", api_doc.clone()))
            .route(
                "/api/docs",
                web::get().to(|| async {
                    HttpResponse::PermanentRedirect()
                        .insert_header(("Location", "/api/docs/"))
                        .finish()
                }),
            )
            .service(web::scope("/api").configure(|cfg| {
                crate::routes::configure_api(
                    &mut utoipa_actix_web::service_config::ServiceConfig::new(cfg),
                )
            }))
            .configure(crate::routes::health::configure)
            // Everything else is the PWA (files, or index.html for its client-side routes).
            .default_service(web::to(crate::routes::spa::serve))
    })
    .listen(listener)?
    .shutdown_timeout(10)
    .run();
    Ok(server)
}

/// The configured origins plus the portal's own (actix-cors refuses any request whose `Origin` it
/// does not know, and browsers send `Origin` on same-origin POSTs too).
fn cors_origins(settings: &Settings) -> Vec<String> {
    let own = settings.server.public_url.origin().ascii_serialization();
    let mut origins = vec![own];
    origins.extend(settings.server.cors_allowed_origins.iter().cloned());
    origins
}

/// CORS for a PWA hosted on another origin: bearer tokens, JSON bodies and (for the refresh
/// cookie) credentials, from the allow-list only.
fn cors(origins: &[String]) -> actix_cors::Cors {
    origins
        .iter()
        .fold(actix_cors::Cors::default(), |cors, origin| {
            cors.allowed_origin(origin)
        })
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            actix_web::http::header::AUTHORIZATION,
            actix_web::http::header::CONTENT_TYPE,
            actix_web::http::header::ACCEPT,
        ])
        .expose_headers(["x-request-id", "retry-after"])
        .supports_credentials()
        .max_age(3600)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_shorter_than_three_provider_timeouts_is_refused() {
        let mut settings = Settings::defaults().unwrap();
        assert!(check_lease(&settings).is_ok(), "the defaults hold");
        settings.outbox.lease_seconds = 29;
        assert!(check_lease(&settings).is_err());
        settings.outbox.lease_seconds = 30;
        assert!(check_lease(&settings).is_ok());
        settings.twilio.timeout_seconds = 60;
        assert!(check_lease(&settings).is_err());
    }
}
