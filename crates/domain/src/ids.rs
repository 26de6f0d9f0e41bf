//! Typed identifiers, so a customer id can never be passed where a company id is expected.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new, time-ordered (UUIDv7) identifier.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps an identifier read from storage or a verified token.
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// The raw UUID.
            pub const fn as_uuid(self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// Identifies a company (tenant).
    CompanyId
);
id_type!(
    /// Identifies a customer within one company.
    CustomerId
);
id_type!(
    /// Identifies a signed-in device session (a refresh-token family).
    SessionId
);
id_type!(
    /// Identifies a sign-in challenge (one SMS code).
    ChallengeId
);
id_type!(
    /// Identifies a branch (a place where appointments happen) of a company.
    BranchId
);
id_type!(
    /// Identifies a staff member of a company.
    StaffId
);
id_type!(
    /// Identifies a bookable service of a company.
    ServiceId
);
id_type!(
    /// Identifies an integrator API key.
    ApiKeyId
);
