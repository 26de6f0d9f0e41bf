//! SeaORM entities, one module per table. Rows stay inside `portal-db`; nothing here is exposed to
//! the API (see STYLE.md, "Database rows never cross the API boundary").

pub mod api_keys;
pub mod appointment_events;
pub mod appointments;
pub mod audit_log;
pub mod branches;
pub mod companies;
pub mod consents;
pub mod customers;
pub mod idempotency_keys;
pub mod medical_history_versions;
pub mod notifications;
pub mod otp_challenges;
pub mod phone_lockouts;
pub mod push_subscriptions;
pub mod refresh_tokens;
pub mod reminder_log;
pub mod reminder_settings;
pub mod services;
pub mod sessions;
pub mod staff;
pub mod staff_services;
pub mod support_messages;
pub mod support_threads;
pub mod time_off;
pub mod webhook_attempts;
pub mod webhook_deliveries;
pub mod webhook_endpoints;
pub mod working_hours;
