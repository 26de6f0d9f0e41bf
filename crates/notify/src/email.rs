//! Email: an SMTP mailer (lettre) for production and a development writer that leaves `.eml` files
//! in a folder. Both build the same MIME message: text and HTML alternatives, and an ICS calendar
//! file attached to confirmations.

use std::{fmt, path::PathBuf, time::Duration};

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Attachment, Mailbox, MultiPart, header::ContentType},
    transport::smtp::authentication::Credentials,
};
use portal_domain::SecretString;

/// One email to send.
#[derive(Clone, PartialEq, Eq)]
pub struct EmailMessage {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text part.
    pub text: String,
    /// HTML part.
    pub html: String,
    /// An iCalendar file (`termin.ics`) to attach.
    pub ics: Option<String>,
}

impl fmt::Debug for EmailMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Addresses and bodies are personal data: only their shape goes to a log.
        f.debug_struct("EmailMessage")
            .field("subject_chars", &self.subject.chars().count())
            .field("text_chars", &self.text.chars().count())
            .field("ics", &self.ics.is_some())
            .finish()
    }
}

/// Why an email was not sent; the split is the same as for SMS.
#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    /// Connection, timeout, a 4xx answer, or a local write failure: worth retrying.
    #[error("email unavailable: {0}")]
    Unavailable(String),
    /// The server refused for good (5xx, invalid address): retrying will not help.
    #[error("email rejected: {0}")]
    Rejected(String),
}

/// Something that delivers email.
#[async_trait::async_trait]
pub trait Mailer: Send + Sync + fmt::Debug {
    /// Sends one message; returns the id to store (the `Message-ID`, or the file written).
    async fn send(&self, email: &EmailMessage) -> Result<String, EmailError>;
}

/// Builds the MIME message: `multipart/mixed` of (`multipart/alternative` text + HTML) and the ICS.
pub fn build_message(
    from: &Mailbox,
    email: &EmailMessage,
    message_id: &str,
) -> Result<Message, EmailError> {
    let to: Mailbox = email
        .to
        .parse()
        .map_err(|e| EmailError::Rejected(format!("invalid recipient address: {e}")))?;
    let alternative = MultiPart::alternative_plain_html(email.text.clone(), email.html.clone());
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(email.subject.clone())
        .message_id(Some(message_id.to_owned()));
    let built = match &email.ics {
        Some(ics) => {
            let calendar = ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
                .map_err(|e| EmailError::Unavailable(format!("content type: {e}")))?;
            builder.multipart(
                MultiPart::mixed().multipart(alternative).singlepart(
                    Attachment::new("termin.ics".to_owned()).body(ics.clone(), calendar),
                ),
            )
        }
        None => builder.multipart(alternative),
    };
    built.map_err(|e| EmailError::Rejected(format!("message: {e}")))
}

fn new_message_id(from: &Mailbox) -> String {
    let domain = from.email.domain().to_owned();
    format!("<{}@{domain}>", uuid::Uuid::now_v7())
}

/// SMTP settings.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// Server host.
    pub host: String,
    /// Server port (587 with STARTTLS, 465 with TLS, 25 plain).
    pub port: u16,
    /// `starttls`, `tls` or `none` (only for a local relay or tests).
    pub security: SmtpSecurity,
    /// User name, if the server wants one.
    pub username: Option<String>,
    /// Password.
    pub password: Option<SecretString>,
    /// Sender, e.g. `Kundenportal <portal@example.com>`.
    pub from: String,
    /// Limit for one send.
    pub timeout: Duration,
}

/// Transport security of the SMTP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (required).
    StartTls,
    /// TLS from the first byte.
    Tls,
    /// No encryption: a relay on the same host, or a test server.
    None,
}

/// Sends over SMTP.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SmtpMailer")
    }
}

impl SmtpMailer {
    /// Checks the sender and builds the connection pool (no connection is opened yet).
    pub fn new(config: SmtpConfig) -> Result<Self, EmailError> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| EmailError::Unavailable(format!("SMTP from address: {e}")))?;
        let mut builder = match config.security {
            SmtpSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                    .map_err(|e| EmailError::Unavailable(format!("SMTP TLS: {e}")))?
            }
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)
                .map_err(|e| EmailError::Unavailable(format!("SMTP TLS: {e}")))?,
            SmtpSecurity::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            }
        }
        .port(config.port)
        .timeout(Some(config.timeout));
        if let (Some(user), Some(password)) = (config.username, config.password) {
            builder = builder.credentials(Credentials::new(user, password.expose().to_owned()));
        }
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }
}

#[async_trait::async_trait]
impl Mailer for SmtpMailer {
    #[tracing::instrument(name = "smtp.send", skip_all)]
    async fn send(&self, email: &EmailMessage) -> Result<String, EmailError> {
        let id = new_message_id(&self.from);
        let message = build_message(&self.from, email, &id)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(id),
            Err(e) if e.is_permanent() => Err(EmailError::Rejected(e.to_string())),
            Err(e) => Err(EmailError::Unavailable(e.to_string())),
        }
    }
}

/// Development mailer: writes each message as an `.eml` file (open it with any mail program).
#[derive(Debug, Clone)]
pub struct EmlWriter {
    dir: PathBuf,
    from: Mailbox,
}

impl EmlWriter {
    /// Writes into `dir` (created when missing) with sender `from`.
    pub fn new(dir: PathBuf, from: &str) -> Result<Self, EmailError> {
        let from = from
            .parse()
            .map_err(|e| EmailError::Unavailable(format!("from address: {e}")))?;
        Ok(Self { dir, from })
    }
}

#[async_trait::async_trait]
impl Mailer for EmlWriter {
    async fn send(&self, email: &EmailMessage) -> Result<String, EmailError> {
        let id = new_message_id(&self.from);
        let message = build_message(&self.from, email, &id)?;
        let name = format!("{}.eml", uuid::Uuid::now_v7());
        tokio::fs::create_dir_all(&self.dir).await.map_err(|e| {
            EmailError::Unavailable(format!("creating {}: {e}", self.dir.display()))
        })?;
        let path = self.dir.join(&name);
        tokio::fs::write(&path, message.formatted())
            .await
            .map_err(|e| EmailError::Unavailable(format!("writing {}: {e}", path.display())))?;
        tracing::info!(path = %path.display(), "development email written (not sent)");
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(ics: bool) -> EmailMessage {
        EmailMessage {
            to: "anna@example.com".into(),
            subject: "Termin storniert".into(),
            text: "Ihr Termin ist storniert.".into(),
            html: "<p>Ihr Termin ist storniert.</p>".into(),
            ics: ics.then(|| "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".to_owned()),
        }
    }

    #[test]
    fn message_has_text_html_and_ics() {
        let from: Mailbox = "Portal <portal@example.com>".parse().unwrap();
        let raw = String::from_utf8(
            build_message(&from, &email(true), "<1@example.com>")
                .unwrap()
                .formatted(),
        )
        .unwrap();
        assert!(raw.contains("multipart/mixed"), "{raw}");
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("text/plain"));
        assert!(raw.contains("text/html"));
        assert!(raw.contains("text/calendar"));
        assert!(raw.contains("termin.ics"));
        assert!(raw.contains("Message-ID: <1@example.com>"));
        let without = String::from_utf8(
            build_message(&from, &email(false), "<2@example.com>")
                .unwrap()
                .formatted(),
        )
        .unwrap();
        assert!(!without.contains("text/calendar"));
    }

    #[test]
    fn invalid_recipient_is_rejected() {
        let from: Mailbox = "portal@example.com".parse().unwrap();
        let mut bad = email(false);
        bad.to = "not an address".into();
        assert!(matches!(
            build_message(&from, &bad, "<3@example.com>"),
            Err(EmailError::Rejected(_))
        ));
    }

    #[tokio::test]
    async fn eml_writer_writes_files() {
        let dir = std::env::temp_dir().join(format!("portal-eml-{}", uuid::Uuid::new_v4()));
        let writer = EmlWriter::new(dir.clone(), "portal@example.com").unwrap();
        let id = writer.send(&email(true)).await.unwrap();
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(files.len(), 1);
        let raw = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
        assert!(raw.contains(&id));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
