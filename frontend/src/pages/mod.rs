//! One module per screen.

pub mod appointment;
pub mod appointments;
pub mod devices;
pub mod home;
pub mod medical;
pub mod messages;
pub mod preferences;
pub mod privacy;
pub mod profile;
pub mod signin;
pub mod support;
