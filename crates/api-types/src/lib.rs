//! The JSON contract of the customer portal: request and response bodies, error codes and the
//! problem document. Plain serde, so the PWA (wasm32) and native clients share it; the `openapi`
//! feature derives the schemas that `openapi/openapi.json` publishes.

/// A closed set of wire names as an enum a generator can type: the enum (serialised in snake_case,
/// with a schema under `openapi`), `ALL`, `as_str` and `parse` — one definition for the schema,
/// the server's reading of stored names and the clients' matching. Each `$wire` must be its
/// variant in snake_case (a test checks it against serde).
macro_rules! closed_set {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $wire:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The wire (and stored) name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)+
                }
            }

            /// The value named `s`.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

pub mod appointments;
pub mod auth;
pub mod error;
pub mod integrations;
pub mod medical;
pub mod notifications;
pub mod preferences;
pub mod privacy;
pub mod profile;
pub mod public;
pub mod support;
pub mod text;
pub mod webhooks;

pub use error::{ErrorCode, FieldError, Problem};

/// `#[serde(deserialize_with = "crate::required")]` on an `Option` field: the field must be sent,
/// `null` meaning "none". Without it serde reads a missing `Option` as `None`, so a client that
/// leaves a field out of a replacing `PUT` would silently remove it.
pub(crate) fn required<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(deserializer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire_names_are_serdes<T: serde::Serialize + Copy>(all: &[T], as_str: fn(T) -> &'static str) {
        for value in all {
            assert_eq!(serde_json::to_value(value).unwrap(), as_str(*value));
        }
    }

    #[test]
    fn closed_sets_name_their_values_as_serde_does() {
        use appointments::{AppointmentScope, HistoryEntryKind, Party};
        wire_names_are_serdes(AppointmentScope::ALL, AppointmentScope::as_str);
        wire_names_are_serdes(HistoryEntryKind::ALL, HistoryEntryKind::as_str);
        wire_names_are_serdes(Party::ALL, Party::as_str);
        wire_names_are_serdes(
            notifications::NotificationStatus::ALL,
            notifications::NotificationStatus::as_str,
        );
        wire_names_are_serdes(support::SupportAuthor::ALL, support::SupportAuthor::as_str);
        wire_names_are_serdes(
            webhooks::DeliveryStatus::ALL,
            webhooks::DeliveryStatus::as_str,
        );
    }
}
