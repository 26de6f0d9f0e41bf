//! The JSON contract of the customer portal: request and response bodies, error codes and the
//! problem document. Plain serde, so the PWA (wasm32) and native clients share it; the `openapi`
//! feature derives the schemas that `openapi/openapi.json` publishes.

pub mod appointments;
pub mod auth;
pub mod error;
pub mod integrations;
pub mod medical;
pub mod notifications;
pub mod preferences;
pub mod privacy;
pub mod profile;
pub mod public;
pub mod support;
pub mod text;
pub mod webhooks;

pub use error::{ErrorCode, FieldError, Problem};

/// `#[serde(deserialize_with = "crate::required")]` on an `Option` field: the field must be sent,
/// `null` meaning "none". Without it serde reads a missing `Option` as `None`, so a client that
/// leaves a field out of a replacing `PUT` would silently remove it.
pub(crate) fn required<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(deserializer)
}
