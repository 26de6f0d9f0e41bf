//! Cancellation and reschedule rules: until when a customer may cancel or move an appointment.

use crate::AppointmentStatus;
use chrono::{DateTime, Duration, Utc};

/// A company's rule for changes by customers (cancel or reschedule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangePolicy {
    /// Changes close this long before the appointment starts (default 24 hours).
    pub notice: Duration,
    /// For this long after booking, the customer may undo the booking even inside the notice window,
    /// as long as the appointment has not started (default 10 minutes).
    pub grace_after_booking: Duration,
}

impl Default for ChangePolicy {
    fn default() -> Self {
        Self {
            notice: Duration::hours(24),
            grace_after_booking: Duration::minutes(10),
        }
    }
}

/// Whether a customer may cancel or move an appointment now, and why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeDecision {
    /// Allowed; changes close at `deadline`.
    Allowed {
        /// The last instant (exclusive) at which changes are allowed.
        deadline: DateTime<Utc>,
    },
    /// The notice window has closed, but the booking is still inside its grace period.
    AllowedInGrace {
        /// The regular deadline, already passed.
        deadline: DateTime<Utc>,
        /// The end (exclusive) of the grace period after booking.
        grace_until: DateTime<Utc>,
    },
    /// Too late: changes closed at `deadline`.
    WindowClosed {
        /// The instant at which changes closed.
        deadline: DateTime<Utc>,
    },
    /// The appointment is already cancelled.
    AlreadyCancelled,
    /// The appointment is completed or was a no-show.
    NotActive,
    /// The appointment has started or lies in the past.
    InPast,
}

impl ChangeDecision {
    /// Whether the change may go ahead ([`Allowed`](Self::Allowed) or
    /// [`AllowedInGrace`](Self::AllowedInGrace)).
    pub fn is_allowed(&self) -> bool {
        matches!(self, Self::Allowed { .. } | Self::AllowedInGrace { .. })
    }
}

/// The instant at which changes close: `starts_at − notice` (saturating at chrono's range).
pub fn deadline(starts_at: DateTime<Utc>, policy: &ChangePolicy) -> DateTime<Utc> {
    saturating_add(starts_at, -policy.notice)
}

/// Decides whether a customer may cancel or move an appointment at `now`.
///
/// Checks in this order: cancelled → [`AlreadyCancelled`](ChangeDecision::AlreadyCancelled);
/// completed or no-show → [`NotActive`](ChangeDecision::NotActive); `starts_at <= now` →
/// [`InPast`](ChangeDecision::InPast); `now < deadline` → [`Allowed`](ChangeDecision::Allowed) (at the
/// deadline itself changes are closed); `now < booked_at + grace` →
/// [`AllowedInGrace`](ChangeDecision::AllowedInGrace); otherwise
/// [`WindowClosed`](ChangeDecision::WindowClosed).
pub fn decide(
    status: AppointmentStatus,
    starts_at: DateTime<Utc>,
    booked_at: DateTime<Utc>,
    now: DateTime<Utc>,
    policy: &ChangePolicy,
) -> ChangeDecision {
    match status {
        AppointmentStatus::Cancelled => return ChangeDecision::AlreadyCancelled,
        AppointmentStatus::Completed | AppointmentStatus::NoShow => {
            return ChangeDecision::NotActive;
        }
        AppointmentStatus::Booked | AppointmentStatus::Confirmed => {}
    }
    if starts_at <= now {
        return ChangeDecision::InPast;
    }
    let deadline = deadline(starts_at, policy);
    if now < deadline {
        return ChangeDecision::Allowed { deadline };
    }
    let grace_until = saturating_add(booked_at, policy.grace_after_booking);
    if now < grace_until {
        ChangeDecision::AllowedInGrace {
            deadline,
            grace_until,
        }
    } else {
        ChangeDecision::WindowClosed { deadline }
    }
}

/// `t + d`, clamped to chrono's representable range instead of panicking.
fn saturating_add(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    t.checked_add_signed(d).unwrap_or(if d < Duration::zero() {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, h, m, s).unwrap()
    }

    /// An appointment on 2026-05-05 at 10:00 UTC, booked a week earlier.
    fn starts() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 5, 10, 0, 0).unwrap()
    }

    fn booked_long_ago() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 4, 28, 8, 0, 0).unwrap()
    }

    fn decide_at(now: DateTime<Utc>) -> ChangeDecision {
        decide(
            AppointmentStatus::Booked,
            starts(),
            booked_long_ago(),
            now,
            &ChangePolicy::default(),
        )
    }

    #[test]
    fn defaults_are_24_hours_and_10_minutes() {
        let policy = ChangePolicy::default();
        assert_eq!(policy.notice, Duration::hours(24));
        assert_eq!(policy.grace_after_booking, Duration::minutes(10));
        assert_eq!(deadline(starts(), &policy), at(10, 0, 0));
    }

    #[test]
    fn one_second_before_the_deadline_is_allowed() {
        assert_eq!(
            decide_at(at(9, 59, 59)),
            ChangeDecision::Allowed {
                deadline: at(10, 0, 0)
            }
        );
    }

    #[test]
    fn at_and_after_the_deadline_is_closed() {
        for now in [at(10, 0, 0), at(10, 0, 1)] {
            let decision = decide_at(now);
            assert_eq!(
                decision,
                ChangeDecision::WindowClosed {
                    deadline: at(10, 0, 0)
                }
            );
            assert!(!decision.is_allowed());
        }
    }

    #[test]
    fn a_fresh_booking_may_be_undone_inside_the_notice_window() {
        let now = Utc.with_ymd_and_hms(2026, 5, 5, 8, 0, 0).unwrap();
        let starts_at = now + Duration::hours(2);
        let booked_at = now - Duration::minutes(5);
        let decision = decide(
            AppointmentStatus::Confirmed,
            starts_at,
            booked_at,
            now,
            &ChangePolicy::default(),
        );
        assert_eq!(
            decision,
            ChangeDecision::AllowedInGrace {
                deadline: starts_at - Duration::hours(24),
                grace_until: booked_at + Duration::minutes(10),
            }
        );
        assert!(decision.is_allowed());
    }

    #[test]
    fn after_the_grace_period_the_window_is_closed() {
        let now = Utc.with_ymd_and_hms(2026, 5, 5, 8, 0, 0).unwrap();
        let starts_at = now + Duration::hours(2);
        assert_eq!(
            decide(
                AppointmentStatus::Booked,
                starts_at,
                now - Duration::minutes(11),
                now,
                &ChangePolicy::default(),
            ),
            ChangeDecision::WindowClosed {
                deadline: starts_at - Duration::hours(24)
            }
        );
        // Exactly at the end of the grace period it is closed as well.
        assert_eq!(
            decide(
                AppointmentStatus::Booked,
                starts_at,
                now - Duration::minutes(10),
                now,
                &ChangePolicy::default(),
            ),
            ChangeDecision::WindowClosed {
                deadline: starts_at - Duration::hours(24)
            }
        );
    }

    #[test]
    fn started_or_past_appointments_cannot_change_even_in_grace() {
        let now = starts();
        let booked_just_now = now - Duration::minutes(1);
        let policy = ChangePolicy::default();
        assert_eq!(
            decide(
                AppointmentStatus::Booked,
                now,
                booked_just_now,
                now,
                &policy
            ),
            ChangeDecision::InPast
        );
        assert_eq!(
            decide(
                AppointmentStatus::Booked,
                now - Duration::hours(1),
                booked_long_ago(),
                now,
                &policy
            ),
            ChangeDecision::InPast
        );
    }

    #[test]
    fn cancelled_comes_first() {
        // Even for a past appointment, "already cancelled" is the answer.
        assert_eq!(
            decide(
                AppointmentStatus::Cancelled,
                starts(),
                booked_long_ago(),
                starts() + Duration::days(1),
                &ChangePolicy::default(),
            ),
            ChangeDecision::AlreadyCancelled
        );
    }

    #[test]
    fn completed_and_no_show_are_not_active() {
        for status in [AppointmentStatus::Completed, AppointmentStatus::NoShow] {
            assert_eq!(
                decide(
                    status,
                    starts(),
                    booked_long_ago(),
                    at(8, 0, 0),
                    &ChangePolicy::default(),
                ),
                ChangeDecision::NotActive
            );
        }
    }

    #[test]
    fn status_round_trips_through_its_stored_name() {
        for status in [
            AppointmentStatus::Booked,
            AppointmentStatus::Confirmed,
            AppointmentStatus::Cancelled,
            AppointmentStatus::Completed,
            AppointmentStatus::NoShow,
        ] {
            assert_eq!(AppointmentStatus::parse(status.as_str()), Some(status));
            assert_eq!(
                serde_json::to_string(&status).unwrap(),
                format!("\"{}\"", status.as_str())
            );
        }
        assert_eq!(AppointmentStatus::NoShow.as_str(), "no_show");
        assert_eq!(AppointmentStatus::parse("Booked"), None);
        assert_eq!(AppointmentStatus::parse("noshow"), None);
        assert!(AppointmentStatus::Booked.is_active());
        assert!(AppointmentStatus::Confirmed.is_active());
        assert!(!AppointmentStatus::Cancelled.is_active());
        assert!(!AppointmentStatus::Completed.is_active());
        assert!(!AppointmentStatus::NoShow.is_active());
    }

    #[test]
    fn huge_durations_saturate_instead_of_panicking() {
        let policy = ChangePolicy {
            notice: Duration::MAX,
            grace_after_booking: Duration::MAX,
        };
        assert_eq!(deadline(starts(), &policy), DateTime::<Utc>::MIN_UTC);
        assert_eq!(
            decide(
                AppointmentStatus::Booked,
                starts(),
                booked_long_ago(),
                at(8, 0, 0),
                &policy
            ),
            ChangeDecision::AllowedInGrace {
                deadline: DateTime::<Utc>::MIN_UTC,
                grace_until: DateTime::<Utc>::MAX_UTC,
            }
        );
    }
}
