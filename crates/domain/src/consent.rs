//! Communication preferences: which channel may carry which purpose of message.
//!
//! The consent register (an append-only log) stores every answer; the newest answer per channel and
//! purpose is the current one, and where there is none the default below holds.

use serde::{Deserialize, Serialize};

/// How a message reaches the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Text message to the customer's phone.
    Sms,
    /// Email to the confirmed address.
    Email,
    /// Web Push to a registered browser or device.
    Push,
}

/// What a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Confirmations of bookings, changes and cancellations.
    Transactional,
    /// Reminders before an appointment.
    Reminders,
    /// Offers and news; needs an explicit opt-in.
    Marketing,
}

/// Where a consent answer was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentSource {
    /// The customer, in the portal.
    Portal,
    /// The customer, on the phone (recorded by the business or its phone assistant).
    Phone,
    /// An integrator, through the API.
    Integrator,
    /// The customer, by texting STOP or START.
    Sms,
}

impl Channel {
    /// Every channel, in display order.
    pub const ALL: [Self; 3] = [Self::Sms, Self::Email, Self::Push];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Email => "email",
            Self::Push => "push",
        }
    }

    /// Parses a stored name.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == value)
    }
}

impl Purpose {
    /// Every purpose, in display order.
    pub const ALL: [Self; 3] = [Self::Transactional, Self::Reminders, Self::Marketing];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transactional => "transactional",
            Self::Reminders => "reminders",
            Self::Marketing => "marketing",
        }
    }

    /// Parses a stored name.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == value)
    }

    /// The answer that holds before the customer has given one: marketing is opt-in, the rest
    /// opt-out.
    pub fn granted_by_default(self) -> bool {
        !matches!(self, Self::Marketing)
    }
}

impl ConsentSource {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Portal => "portal",
            Self::Phone => "phone",
            Self::Integrator => "integrator",
            Self::Sms => "sms",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_marketing_is_opt_in() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        for p in Purpose::ALL {
            assert_eq!(Purpose::parse(p.as_str()), Some(p));
        }
        assert_eq!(Channel::parse("fax"), None);
        assert!(!Purpose::Marketing.granted_by_default());
        assert!(Purpose::Reminders.granted_by_default());
        assert!(Purpose::Transactional.granted_by_default());
    }
}
