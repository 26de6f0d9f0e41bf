//! `services`: something a customer can book, with its length, buffers and price.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "services")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub duration_minutes: i32,
    /// Time blocked before the appointment (set-up), not shown to the customer.
    pub buffer_before_minutes: i32,
    /// Time blocked after the appointment (clean-up), not shown to the customer.
    pub buffer_after_minutes: i32,
    /// Integer cents in `currency`; `None` when the price is not published.
    pub price_cents: Option<i64>,
    /// ISO 4217 code.
    pub currency: Option<String>,
    /// Overrides the company's cancellation notice; `None` uses the company policy.
    pub cancel_notice_minutes: Option<i32>,
    /// Overrides the company's reschedule notice; `None` uses the company policy.
    pub reschedule_notice_minutes: Option<i32>,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
