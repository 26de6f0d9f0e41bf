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
