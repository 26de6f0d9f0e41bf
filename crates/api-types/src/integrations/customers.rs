//! Customers, found and upserted by phone number.

use portal_domain::{EmailAddress, Locale, PersonName};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Creates the customer with this phone number, or updates the one that has it. Fields left out
/// (or `null`) keep their stored value.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpsertCustomer {
    /// Phone number, national (read in the company's country) or international.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "0151 00000001", max_length = 32)
    )]
    pub phone: String,
    /// Full name, 1–100 characters.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "Anna Schmidt", min_length = 1, max_length = 100))]
    #[serde(default)]
    pub name: Option<PersonName>,
    /// Email address.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "anna@example.org", max_length = 254))]
    #[serde(default)]
    pub email: Option<EmailAddress>,
    /// Language for messages: `de` or `en`.
    #[serde(default)]
    pub language: Option<Locale>,
}

/// A customer of the company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerRecord {
    /// Customer id.
    pub id: Uuid,
    /// Phone number in E.164.
    #[cfg_attr(feature = "openapi", schema(example = "+4915100000001"))]
    pub phone: String,
    /// Full name.
    #[cfg_attr(feature = "openapi", schema(example = "Anna Schmidt"))]
    pub name: Option<String>,
    /// Email address.
    #[cfg_attr(feature = "openapi", schema(example = "anna@example.org"))]
    pub email: Option<String>,
    /// Chosen language; `null`: the company's default.
    pub language: Option<Locale>,
}

/// A page of customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerPage {
    /// Customers in creation order.
    pub items: Vec<CustomerRecord>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}
