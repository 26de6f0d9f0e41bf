//! Customers of a company.

use chrono::{DateTime, Utc};
use portal_domain::{CompanyId, CustomerId, EmailAddress, Locale, PersonName, PhoneNumber};
use portal_entity::customers;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::Expr,
};

use crate::{CustomerScope, DbError};

/// A customer as the portal sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    /// Id.
    pub id: CustomerId,
    /// Company.
    pub company_id: CompanyId,
    /// E.164 phone; `None` once erased.
    pub phone: Option<PhoneNumber>,
    /// Full name.
    pub name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Preferred language, if chosen.
    pub locale: Option<Locale>,
}

/// A new customer (seed data, integrators).
#[derive(Debug, Clone)]
pub struct NewCustomer {
    /// Company.
    pub company_id: CompanyId,
    /// Phone.
    pub phone: PhoneNumber,
    /// Name.
    pub name: Option<PersonName>,
    /// Email.
    pub email: Option<EmailAddress>,
    /// Language.
    pub locale: Option<Locale>,
}

impl From<customers::Model> for Customer {
    fn from(m: customers::Model) -> Self {
        Self {
            id: CustomerId::from_uuid(m.id),
            company_id: CompanyId::from_uuid(m.company_id),
            // A stored number that no longer parses is treated as absent rather than failing sign-in.
            phone: m.phone.and_then(|p| PhoneNumber::from_e164(&p).ok()),
            name: m.name,
            email: m.email,
            locale: m.locale.as_deref().and_then(Locale::parse),
        }
    }
}

/// Finds the (not erased) customer of `company` with `phone`.
pub async fn find_by_phone(
    db: &impl ConnectionTrait,
    company: CompanyId,
    phone: &PhoneNumber,
) -> Result<Option<Customer>, DbError> {
    Ok(customers::Entity::find()
        .filter(customers::Column::CompanyId.eq(company.as_uuid()))
        .filter(customers::Column::Phone.eq(phone.as_str()))
        .filter(customers::Column::ErasedAt.is_null())
        .one(db)
        .await?
        .map(Customer::from))
}

/// The signed-in customer.
pub async fn get(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
) -> Result<Option<Customer>, DbError> {
    Ok(customers::Entity::find_by_id(scope.customer_id().as_uuid())
        .filter(customers::Column::CompanyId.eq(scope.company_id().as_uuid()))
        .filter(customers::Column::ErasedAt.is_null())
        .one(db)
        .await?
        .map(Customer::from))
}

/// Replaces name, email and language of the signed-in customer. Returns false when the customer
/// no longer exists.
pub async fn update_profile(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
    name: &PersonName,
    email: Option<&EmailAddress>,
    locale: Locale,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let result = customers::Entity::update_many()
        .col_expr(customers::Column::Name, Expr::value(name.as_str()))
        .col_expr(
            customers::Column::Email,
            Expr::value(email.map(|e| e.as_str().to_owned())),
        )
        .col_expr(customers::Column::Locale, Expr::value(locale.as_str()))
        .col_expr(customers::Column::UpdatedAt, Expr::value(now))
        .filter(customers::Column::Id.eq(scope.customer_id().as_uuid()))
        .filter(customers::Column::CompanyId.eq(scope.company_id().as_uuid()))
        .filter(customers::Column::ErasedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Creates a customer; a phone already used in the company is a [`DbError::Conflict`].
pub async fn create(
    db: &impl ConnectionTrait,
    new: NewCustomer,
    now: DateTime<Utc>,
) -> Result<Customer, DbError> {
    let model = customers::ActiveModel {
        id: Set(CustomerId::new().as_uuid()),
        company_id: Set(new.company_id.as_uuid()),
        phone: Set(Some(new.phone.as_str().to_owned())),
        name: Set(new.name.map(String::from)),
        email: Set(new.email.map(String::from)),
        email_verified_at: Set(None),
        locale: Set(new.locale.map(|l| l.as_str().to_owned())),
        erased_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok(model.insert(db).await?.into())
}
