//! Black-box API tests: a real server on a random port, a fresh database per test (SQLite file and
//! PostgreSQL), Twilio replaced by a local fake. Every test runs on both databases.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap is a failed test"
)]

#[macro_use]
mod helpers;
#[path = "../support/burst.rs"]
mod burst;
#[path = "../support/fakes.rs"]
mod fakes;

mod appointments;
mod auth_tokens;
mod contract;
mod events;
mod guarantees;
mod integrations;
mod integrator_appointments;
mod integrator_catalog;
mod integrator_idempotency;
mod integrator_keys;
mod integrator_tenancy;
mod limits;
mod medical;
mod notifications;
mod ops;
mod otp;
mod outbox;
mod personal_helpers;
mod preferences;
mod privacy;
mod profile;
mod pwa;
mod reminders;
mod sessions;
mod support;
mod twilio_callbacks;
mod usecases;
mod webhooks;
