//! `customers`: people who book with a company; unique per company and phone.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub phone: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub email_verified_at: Option<DateTimeUtc>,
    pub locale: Option<String>,
    pub erased_at: Option<DateTimeUtc>,
    pub address_street: Option<String>,
    pub address_postal_code: Option<String>,
    pub address_city: Option<String>,
    pub address_country: Option<String>,
    pub date_of_birth: Option<Date>,
    pub pending_email: Option<String>,
    pub pending_email_code_hmac: Option<String>,
    pub pending_email_expires_at: Option<DateTimeUtc>,
    pub pending_email_attempts: i32,
    pub medical_consent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
