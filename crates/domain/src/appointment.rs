//! An appointment's status and the kinds of entries in its history: one definition shared by the
//! database layer, the use cases, the API types (and so the OpenAPI document) and the PWA.

use serde::{Deserialize, Serialize};

/// Where an appointment stands; stored as `booked`, `confirmed`, `cancelled`, `completed`, `no_show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    /// Booked, not yet confirmed by the business.
    Booked,
    /// Confirmed by the business.
    Confirmed,
    /// Cancelled by the customer or the business (see `cancellation`).
    Cancelled,
    /// Took place.
    Completed,
    /// The customer did not come.
    NoShow,
}

impl AppointmentStatus {
    /// Every status.
    pub const ALL: [Self; 5] = [
        Self::Booked,
        Self::Confirmed,
        Self::Cancelled,
        Self::Completed,
        Self::NoShow,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Confirmed => "confirmed",
            Self::Cancelled => "cancelled",
            Self::Completed => "completed",
            Self::NoShow => "no_show",
        }
    }

    /// Parses the stored name; `None` for anything else (exact, lowercase match).
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// Whether the appointment still holds its time: booked or confirmed.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Booked | Self::Confirmed)
    }

    /// The stored names of the statuses that hold their time ([`Self::is_active`]), for queries.
    pub fn active_names() -> impl Iterator<Item = &'static str> {
        Self::ALL
            .into_iter()
            .filter(|s| s.is_active())
            .map(Self::as_str)
    }
}

impl std::fmt::Display for AppointmentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A short reference for the phone: the last 40 random bits of the (UUIDv7) id in Crockford base32,
/// e.g. `7Q4K-M2XD`.
pub fn reference(id: uuid::Uuid) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bits = id.as_u128() & ((1u128 << 40) - 1);
    let chars: String = (0..8)
        .rev()
        .map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char)
        .collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// What an entry of an appointment's history records; stored by these names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HistoryKind {
    /// Booked (stored as `created`).
    Created,
    /// Moved to another time or staff member.
    Rescheduled,
    /// Cancelled.
    Cancelled,
    /// The business set the status (confirmed, completed, no-show).
    StatusChanged,
}

impl HistoryKind {
    const ALL: [Self; 4] = [
        Self::Created,
        Self::Rescheduled,
        Self::Cancelled,
        Self::StatusChanged,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Rescheduled => "rescheduled",
            Self::Cancelled => "cancelled",
            Self::StatusChanged => "status_changed",
        }
    }

    /// Parses the stored name.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_short_and_stable() {
        let id = uuid::Uuid::parse_str("0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13").unwrap();
        let r = reference(id);
        assert_eq!(r.len(), 9);
        assert_eq!(r, reference(id));
        assert!(
            r.chars()
                .all(|c| c == '-' || c.is_ascii_uppercase() || c.is_ascii_digit())
        );
        assert!(!r.contains(['I', 'L', 'O', 'U']));
    }

    #[test]
    fn stored_names_round_trip() {
        for s in AppointmentStatus::ALL {
            assert_eq!(AppointmentStatus::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::json!(s.as_str())
            );
        }
        assert_eq!(AppointmentStatus::parse("Booked"), None);
        assert_eq!(
            AppointmentStatus::active_names().collect::<Vec<_>>(),
            ["booked", "confirmed"]
        );
        for k in HistoryKind::ALL {
            assert_eq!(HistoryKind::parse(k.as_str()), Some(k));
        }
    }
}
