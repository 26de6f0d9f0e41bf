//! The catalogue of a company: branches, staff, services, who performs what, weekly working hours,
//! time off, and customers as integrators manage them.
//!
//! Every function takes the company it acts for and, where the object belongs to a branch, an
//! optional branch restriction (`only_branch`): with `Some(b)`, objects of other branches behave
//! exactly like missing ones. Callers pass values that are already valid (names trimmed, times
//! ordered); the functions check what only the database knows — that referenced objects exist in the
//! same company and branch — and answer with plain structs, never rows.

mod branches;
mod customers;
mod schedule;
mod services;
mod staff;

pub use branches::{
    Branch, BranchPatch, NewBranch, create_branch, find_branch, list_branches, update_branch,
};
pub use customers::{
    CustomerPatch, CustomerRecord, Upserted, find_customer, find_customer_by_phone, list_customers,
    upsert_customer,
};
pub use schedule::{
    NewTimeOff, Shift, TimeOff, add_time_off, delete_time_off, list_time_off, set_working_hours,
    working_hours,
};
pub use services::{
    NewService, Service, ServicePatch, create_service, find_service, list_services, update_service,
};
pub use staff::{
    NewStaff, Staff, StaffPatch, create_staff, find_staff, list_staff, set_staff_services,
    staff_services, update_staff,
};

use portal_domain::{CompanyId, ids::BranchId};
use portal_entity::branches as b;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::DbError;

/// Why a catalogue change was refused.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The object does not exist, or not in this company or branch (indistinguishable on purpose).
    #[error("not found")]
    NotFound,
    /// A referenced object (branch, service) does not exist in this company or branch, or the change
    /// breaks a rule only the stored data can check.
    #[error("{field}: {message}")]
    Invalid {
        /// The request field to blame, e.g. `service_ids[1]` or `hours[0].branch_id`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sea_orm::DbErr> for CatalogError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Db(err.into())
    }
}

impl CatalogError {
    fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// One page of a list ordered by id. Ids are UUIDv7, so this is creation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Start after this id (the previous page's `next_after`).
    pub after: Option<Uuid>,
    /// Page size; the caller bounds it.
    pub limit: u64,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items, in id order.
    pub items: Vec<T>,
    /// The id to continue after, when more items exist.
    pub next_after: Option<Uuid>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows (the extra row only signals that more exist).
    fn from_rows<R>(
        rows: Vec<R>,
        limit: u64,
        id: impl Fn(&R) -> Uuid,
        map: impl Fn(R) -> Result<T, DbError>,
    ) -> Result<Self, DbError> {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        let rows: Vec<R> = rows.into_iter().take(limit).collect();
        let next_after = if more { rows.last().map(&id) } else { None };
        Ok(Self {
            items: rows.into_iter().map(map).collect::<Result<_, _>>()?,
            next_after,
        })
    }
}

/// Whether `branch` exists in `company` and, with a restriction, is that branch.
async fn branch_visible(
    db: &impl ConnectionTrait,
    company: CompanyId,
    only_branch: Option<BranchId>,
    branch: BranchId,
) -> Result<bool, DbError> {
    if only_branch.is_some_and(|only| only != branch) {
        return Ok(false);
    }
    let count = b::Entity::find()
        .filter(b::Column::Id.eq(branch.as_uuid()))
        .filter(b::Column::CompanyId.eq(company.as_uuid()))
        .count(db)
        .await?;
    Ok(count == 1)
}

fn corrupt(what: &str) -> DbError {
    DbError::Corrupt(what.to_owned())
}
