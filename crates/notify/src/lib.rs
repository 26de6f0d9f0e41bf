//! Outbound messages of the customer portal.
//!
//! - [`sms`]: the [`SmsSender`] interface, its message and error types;
//! - [`twilio`]: [`TwilioClient`], a small client for Twilio's Messages API with a configurable base
//!   URL, and [`verify_signature`] for `X-Twilio-Signature` on Twilio's status callbacks;
//! - [`dev`]: [`DevSmsSender`], used when no Twilio credentials are configured: logs and records;
//! - [`templates`]: SMS texts in German and English, and SMS segment counting;
//! - [`messages`]: appointment messages for SMS, email and push (de/en), HTML sanitising;
//! - [`email`]: the SMTP mailer and the development `.eml` writer;
//! - [`push`]: Web Push with VAPID.
//!
//! Message bodies carry sign-in codes: nothing here logs a body or a token, except the development
//! sender, which logs whole messages under the `portal::dev_sms` target by design.

pub mod dev;
pub mod email;
pub mod messages;
pub mod outbound;
pub mod push;
pub mod sms;
pub mod templates;
pub mod twilio;
pub mod webhooks;

pub use dev::DevSmsSender;
pub use email::{
    EmailError, EmailMessage, EmlWriter, Mailer, SmtpConfig, SmtpMailer, SmtpSecurity,
};
pub use push::{PushError, PushTarget, WebPushSender};
pub use sms::{SentSms, SmsError, SmsMessage, SmsSender};
pub use twilio::{TwilioClient, TwilioConfig, sign, verify_signature};
pub use webhooks::WebhookClient;
