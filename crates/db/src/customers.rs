//! Customers of a company.

use chrono::{DateTime, NaiveDate, Utc};
use portal_domain::{CompanyId, CustomerId, EmailAddress, Locale, PersonName, PhoneNumber};
use portal_entity::customers;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    sea_query::{Expr, ExprTrait},
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
    /// When the current email address was confirmed with a code (`None`: set by the business).
    pub email_verified_at: Option<DateTime<Utc>>,
    /// An address waiting for its confirmation code; used only once confirmed.
    pub pending_email: Option<String>,
    /// Postal address.
    pub address: Option<Address>,
    /// Date of birth (healthcare businesses).
    pub date_of_birth: Option<NaiveDate>,
    /// When the customer consented to keeping a medical history (GDPR Art. 9); `None`: not (or
    /// no longer) given.
    pub medical_consent_at: Option<DateTime<Utc>>,
}

/// A postal address, as the customer typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// Street and number.
    pub street: String,
    /// Postal code.
    pub postal_code: String,
    /// City.
    pub city: String,
    /// ISO 3166-1 alpha-2 country.
    pub country: String,
}

/// The editable profile fields (the email address changes through [`start_email_change`]).
#[derive(Debug, Clone)]
pub struct ProfileUpdate {
    /// Name.
    pub name: PersonName,
    /// Language.
    pub locale: Locale,
    /// Postal address, or none.
    pub address: Option<Address>,
    /// Date of birth, or none.
    pub date_of_birth: Option<NaiveDate>,
}

/// An email address waiting for its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEmail {
    /// The new address.
    pub email: String,
    /// Hex HMAC of the code.
    pub code_hmac: String,
    /// When the code stops working.
    pub expires_at: DateTime<Utc>,
    /// Codes tried so far.
    pub attempts: u32,
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
            email_verified_at: m.email_verified_at,
            pending_email: m.pending_email,
            address: match (
                m.address_street,
                m.address_postal_code,
                m.address_city,
                m.address_country,
            ) {
                (Some(street), Some(postal_code), Some(city), Some(country)) => Some(Address {
                    street,
                    postal_code,
                    city,
                    country,
                }),
                _ => None,
            },
            date_of_birth: m.date_of_birth,
            medical_consent_at: m.medical_consent_at,
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

fn own(scope: &CustomerScope) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(customers::Column::Id.eq(scope.customer_id().as_uuid()))
        .add(customers::Column::CompanyId.eq(scope.company_id().as_uuid()))
        .add(customers::Column::ErasedAt.is_null())
}

/// Replaces name, language, address and date of birth of the signed-in customer. Returns false
/// when the customer no longer exists.
pub async fn update_profile(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
    update: &ProfileUpdate,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let address = update.address.as_ref();
    let result = customers::Entity::update_many()
        .col_expr(customers::Column::Name, Expr::value(update.name.as_str()))
        .col_expr(
            customers::Column::Locale,
            Expr::value(update.locale.as_str()),
        )
        .col_expr(
            customers::Column::AddressStreet,
            Expr::value(address.map(|a| a.street.clone())),
        )
        .col_expr(
            customers::Column::AddressPostalCode,
            Expr::value(address.map(|a| a.postal_code.clone())),
        )
        .col_expr(
            customers::Column::AddressCity,
            Expr::value(address.map(|a| a.city.clone())),
        )
        .col_expr(
            customers::Column::AddressCountry,
            Expr::value(address.map(|a| a.country.clone())),
        )
        .col_expr(
            customers::Column::DateOfBirth,
            Expr::value(update.date_of_birth),
        )
        .col_expr(customers::Column::UpdatedAt, Expr::value(now))
        .filter(own(scope))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Removes the email address (and any address waiting for confirmation). Removing needs no code.
pub async fn remove_email(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    customers::Entity::update_many()
        .col_expr(
            customers::Column::Email,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            customers::Column::EmailVerifiedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            customers::Column::PendingEmail,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            customers::Column::PendingEmailCodeHmac,
            Expr::value(Option::<String>::None),
        )
        .col_expr(customers::Column::UpdatedAt, Expr::value(now))
        .filter(own(scope))
        .exec(db)
        .await?;
    Ok(())
}

/// Remembers `email` as waiting for the code whose HMAC is `code_hmac`; replaces an earlier
/// pending address and resets its attempts.
pub async fn start_email_change(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
    email: &EmailAddress,
    code_hmac: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), DbError> {
    customers::Entity::update_many()
        .col_expr(customers::Column::PendingEmail, Expr::value(email.as_str()))
        .col_expr(
            customers::Column::PendingEmailCodeHmac,
            Expr::value(code_hmac),
        )
        .col_expr(
            customers::Column::PendingEmailExpiresAt,
            Expr::value(expires_at),
        )
        .col_expr(customers::Column::PendingEmailAttempts, Expr::value(0))
        .filter(own(scope))
        .exec(db)
        .await?;
    Ok(())
}

/// The notification kind of an email confirmation code.
pub const EMAIL_CODE_KIND: &str = "email_verification";

/// The address waiting for confirmation, if any.
pub async fn pending_email(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
) -> Result<Option<PendingEmail>, DbError> {
    let Some(m) = customers::Entity::find().filter(own(scope)).one(db).await? else {
        return Ok(None);
    };
    Ok(
        match (
            m.pending_email,
            m.pending_email_code_hmac,
            m.pending_email_expires_at,
        ) {
            (Some(email), Some(code_hmac), Some(expires_at)) => Some(PendingEmail {
                email,
                code_hmac,
                expires_at,
                attempts: u32::try_from(m.pending_email_attempts).unwrap_or(u32::MAX),
            }),
            _ => None,
        },
    )
}

/// Takes one attempt at the pending address's code; false (and nothing compared) when it is
/// expired or out of attempts. One statement, so concurrent guesses cannot exceed `max`.
pub async fn claim_email_attempt(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
    max: u32,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let result = customers::Entity::update_many()
        .col_expr(
            customers::Column::PendingEmailAttempts,
            Expr::col(customers::Column::PendingEmailAttempts).add(1),
        )
        .filter(own(scope))
        .filter(customers::Column::PendingEmailCodeHmac.is_not_null())
        .filter(customers::Column::PendingEmailAttempts.lt(i64::from(max)))
        .filter(customers::Column::PendingEmailExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Makes the pending address the customer's email (confirmed now). False when none was pending
/// with exactly that code HMAC (a newer code replaced it meanwhile).
pub async fn confirm_email(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
    code_hmac: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let result = customers::Entity::update_many()
        .col_expr(
            customers::Column::Email,
            Expr::col(customers::Column::PendingEmail),
        )
        .col_expr(customers::Column::EmailVerifiedAt, Expr::value(now))
        .col_expr(
            customers::Column::PendingEmail,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            customers::Column::PendingEmailCodeHmac,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            customers::Column::PendingEmailExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(customers::Column::UpdatedAt, Expr::value(now))
        .filter(own(scope))
        .filter(customers::Column::PendingEmailCodeHmac.eq(code_hmac))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Switches the customer's phone number, in one transaction with the notice to the old number
/// (`notice`, queued) and the end of every other session (all but `keep`). A number another
/// customer of the company has is a [`DbError::Conflict`]. Returns how many sessions ended, or
/// `None` when the customer no longer exists.
pub async fn change_phone(
    db: &sea_orm::DatabaseConnection,
    scope: &CustomerScope,
    phone: &PhoneNumber,
    notice: Option<crate::notifications::NewNotification>,
    keep: portal_domain::SessionId,
    now: DateTime<Utc>,
) -> Result<Option<u64>, DbError> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    let result = customers::Entity::update_many()
        .col_expr(customers::Column::Phone, Expr::value(phone.as_str()))
        .col_expr(customers::Column::UpdatedAt, Expr::value(now))
        .filter(own(scope))
        .exec(&txn)
        .await?;
    if result.rows_affected != 1 {
        return Ok(None);
    }
    if let Some(notice) = notice {
        crate::notifications::queue(&txn, notice, now).await?;
    }
    let ended = crate::sessions::revoke_others(&txn, scope, keep, "phone_changed", now).await?;
    crate::audit::record(
        &txn,
        crate::audit::AuditEntry {
            company_id: scope.company_id(),
            customer_id: Some(scope.customer_id()),
            actor: "customer",
            action: "profile.phone_changed",
            target: None,
            ip: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Some(ended))
}

/// Records (`Some(now)`) or withdraws (`None`) the consent to keep a medical history.
pub async fn set_medical_consent(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
    at: Option<DateTime<Utc>>,
) -> Result<bool, DbError> {
    let result = customers::Entity::update_many()
        .col_expr(customers::Column::MedicalConsentAt, Expr::value(at))
        .filter(own(scope))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Like [`set_medical_consent`] for a customer named by id (demo data, operators).
pub async fn set_medical_consent_by_id(
    db: &impl ConnectionTrait,
    company: CompanyId,
    id: CustomerId,
    at: Option<DateTime<Utc>>,
) -> Result<(), DbError> {
    customers::Entity::update_many()
        .col_expr(customers::Column::MedicalConsentAt, Expr::value(at))
        .filter(customers::Column::Id.eq(id.as_uuid()))
        .filter(customers::Column::CompanyId.eq(company.as_uuid()))
        .exec(db)
        .await?;
    Ok(())
}

/// Finds a live customer of `company` by id (integrator side, where no session scope exists).
pub async fn find_in_company(
    db: &impl ConnectionTrait,
    company: CompanyId,
    id: CustomerId,
) -> Result<Option<Customer>, DbError> {
    Ok(customers::Entity::find_by_id(id.as_uuid())
        .filter(customers::Column::CompanyId.eq(company.as_uuid()))
        .filter(customers::Column::ErasedAt.is_null())
        .one(db)
        .await?
        .map(Customer::from))
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
        ..Default::default()
    };
    Ok(model.insert(db).await?.into())
}
