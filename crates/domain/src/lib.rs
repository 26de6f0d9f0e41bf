//! Pure rules and value types of the customer portal.
//!
//! Nothing here does I/O, so the same types validate input on the server, in the PWA (wasm32) and in
//! tests. Every type that crosses a trust boundary is a newtype with a private field and a fallible
//! constructor ("parse, don't validate").

pub mod appointment;
pub mod clock;
pub mod company;
pub mod consent;
pub mod ids;
pub mod locale;
pub mod otp;
pub mod person;
pub mod phone;
#[cfg(feature = "schedule")]
pub mod schedule;
pub mod secret;
pub mod text;

pub use appointment::{AppointmentStatus, HistoryKind};
pub use clock::{Clock, ManualClock, SystemClock};
pub use company::{CompanySlug, Industry};
pub use consent::{Channel, ConsentSource, Purpose};
pub use ids::{ChallengeId, CompanyId, CustomerId, SessionId};
pub use locale::Locale;
pub use otp::OtpCode;
pub use person::{EmailAddress, PersonName};
pub use phone::PhoneNumber;
pub use secret::SecretString;
