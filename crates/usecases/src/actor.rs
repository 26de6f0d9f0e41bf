//! Who is acting. Each kind is made only where it is verified: a customer by the session
//! extractor, an integrator by the API-key extractor, the system by start-up code (jobs, CLI).

use portal_db::{
    SystemScope, Tenant, api_keys::IntegratorScope, appointments::ChangedBy, companies::Company,
    sessions::CustomerScope,
};
use std::borrow::Cow;

use crate::{Ctx, Error, Result};

/// The actor of a use case.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    /// A signed-in customer, with the company the session check already read.
    Customer {
        /// The session's scope.
        scope: &'a CustomerScope,
        /// The customer's company.
        company: &'a Company,
    },
    /// An integrator's API key.
    Integrator(&'a IntegratorScope),
    /// A background job or the command line.
    System(&'a SystemScope),
}

impl<'a> Actor<'a> {
    /// The rows this actor may see.
    pub fn tenant(&self) -> Tenant<'a> {
        match *self {
            Self::Customer { scope, .. } => Tenant::Customer(scope),
            Self::Integrator(scope) => Tenant::Integrator(scope),
            Self::System(scope) => Tenant::System(*scope),
        }
    }

    /// Whether the customer acts (their changes follow the company's notice rules).
    pub fn is_customer(&self) -> bool {
        matches!(self, Self::Customer { .. })
    }

    /// How the history records this actor.
    pub fn changed_by(&self) -> ChangedBy {
        match self {
            Self::Customer { scope, .. } => ChangedBy {
                name: "customer".into(),
                id: Some(scope.customer_id().to_string()),
            },
            Self::Integrator(scope) => ChangedBy {
                name: format!("integrator:{}", scope.key_prefix()),
                id: Some(scope.key_id().to_string()),
            },
            Self::System(_) => ChangedBy {
                name: "system".into(),
                id: None,
            },
        }
    }

    /// The company acted in: the customer's is at hand, a key's or the system's is read.
    pub async fn company(&self, ctx: &Ctx<'_>) -> Result<Cow<'a, Company>> {
        match *self {
            Self::Customer { company, .. } => Ok(Cow::Borrowed(company)),
            Self::Integrator(_) | Self::System(_) => {
                portal_db::companies::find(ctx.db, self.tenant().company_id())
                    .await?
                    .map(Cow::Owned)
                    .ok_or(Error::Unauthorized)
            }
        }
    }
}
