//! Pure scheduling rules: when a customer may still change an appointment ([`policy`]) and which start
//! times are free ([`slots`]).
//!
//! Everything works on UTC instants; a branch's IANA zone (chrono-tz) only turns its local working hours
//! into instants and instants into local display values. Behind the `schedule` feature because the
//! time-zone database must not end up in the PWA's WASM.

#![warn(missing_docs)]

pub mod policy;
pub mod slots;

pub use policy::{ChangeDecision, ChangePolicy, deadline, decide};
pub use slots::{
    Interval, LocalDisplay, SlotRequest, WorkingHours, free_slots, local_display, overlaps,
};
