//! Ways in and proofs of a phone number: signing in with a code texted to the number, and moving
//! the account to a new number proven the same way. Both share [`codes`]: how a code is made,
//! stored, limited and checked.

pub mod codes;
mod phone;
mod sign_in;

pub use codes::{CodeDelivery, OtpRules, deliver_code};
pub use phone::{PhoneChanged, change_phone, confirm_phone_change};
pub use sign_in::{ClientInfo, SignedIn, start_sign_in, verify_code};
