//! The customer portal server: configuration, wiring, routes and the `portal` command line.

pub mod config;
/// Sealing of medical history (lives with the use cases that seal and open it).
pub use portal_usecases::crypto;
pub mod error;
pub mod extract;
pub mod integrations;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod outbox;
pub mod reminders;
pub mod retention;
pub mod routes;
pub mod secrets;
pub mod seed;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod tokens;
/// How things look in the API (shared with the use cases that build documents).
pub use portal_usecases::views;
