//! The integrator API (`/api/integrations/v1`): the catalogue (branches, staff, services, working
//! hours, time off) and customers, as booking systems and the phone assistant manage them.
//!
//! Request bodies refuse unknown fields and parse into checked values, so an invalid field is
//! answered with 422 naming it. `PATCH` bodies change only the fields they contain; `null` clears an
//! optional field. Lists are pages in creation order: pass `next_cursor` back as `cursor` until it
//! is `null`.

mod catalog;
mod customers;
mod values;

pub use catalog::*;
pub use customers::*;
pub use values::*;
