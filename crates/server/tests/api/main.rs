//! Black-box API tests: a real server on a random port, a fresh database per test (SQLite file and
//! PostgreSQL), Twilio replaced by a local fake. Every test runs on both databases.

#[macro_use]
mod helpers;

mod auth_tokens;
mod ops;
mod otp;
mod profile;
mod sessions;
