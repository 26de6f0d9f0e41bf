//! The customer portal server: configuration, wiring, routes and the `portal` command line.

pub mod auth;
pub mod config;
pub mod crypto;
pub mod error;
pub mod extract;
pub mod integrations;
pub mod medical;
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
pub mod support;
pub mod telemetry;
pub mod tokens;
pub mod views;
