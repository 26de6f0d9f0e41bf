//! Whose rows a query may touch, as a type. Repositories that read or change tenant data take a
//! [`Tenant`]; it is made only from a scope that was verified — a customer session
//! ([`CustomerScope`]), an API key ([`IntegratorScope`], with its branch binding) — or, for jobs and
//! the command line, a [`SystemScope`]. The filters (company, customer, branch) come from the type,
//! so no caller can forget one.

use portal_domain::{CompanyId, CustomerId, ids::BranchId};

use crate::{CustomerScope, api_keys::IntegratorScope};

/// The company-wide scope of background jobs and the command line. Only start-up code builds one
/// (`portal serve` for the reminder and outbox jobs, the CLI commands); request handlers never do
/// (`just lint` checks that no route module names it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SystemScope {
    company_id: CompanyId,
}

impl SystemScope {
    /// The system acting on `company`'s data.
    pub fn for_company(company_id: CompanyId) -> Self {
        Self { company_id }
    }

    /// The company.
    pub fn company_id(&self) -> CompanyId {
        self.company_id
    }
}

/// A verified scope, as repositories take it.
#[derive(Debug, Clone, Copy)]
pub enum Tenant<'a> {
    /// One customer of one company.
    Customer(&'a CustomerScope),
    /// An integrator key: its company, or only its branch.
    Integrator(&'a IntegratorScope),
    /// A job or the CLI: the whole company.
    System(SystemScope),
}

impl Tenant<'_> {
    /// The company.
    pub fn company_id(&self) -> CompanyId {
        match self {
            Self::Customer(s) => s.company_id(),
            Self::Integrator(s) => s.company_id(),
            Self::System(s) => s.company_id(),
        }
    }

    /// The one customer whose rows are visible, if the scope is a customer's.
    pub fn customer_id(&self) -> Option<CustomerId> {
        match self {
            Self::Customer(s) => Some(s.customer_id()),
            Self::Integrator(_) | Self::System(_) => None,
        }
    }

    /// The one branch whose rows are visible, if the scope is a branch key's.
    pub fn branch_id(&self) -> Option<BranchId> {
        match self {
            Self::Integrator(s) => s.branch_id(),
            Self::Customer(_) | Self::System(_) => None,
        }
    }
}

impl<'a> From<&'a CustomerScope> for Tenant<'a> {
    fn from(scope: &'a CustomerScope) -> Self {
        Self::Customer(scope)
    }
}

impl<'a> From<&'a IntegratorScope> for Tenant<'a> {
    fn from(scope: &'a IntegratorScope) -> Self {
        Self::Integrator(scope)
    }
}

impl From<&SystemScope> for Tenant<'_> {
    fn from(scope: &SystemScope) -> Self {
        Self::System(*scope)
    }
}
