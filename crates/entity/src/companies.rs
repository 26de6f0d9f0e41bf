//! `companies`: the tenants.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "companies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub industry: String,
    pub locale: String,
    pub region: String,
    pub timezone: String,
    pub allowed_countries: String,
    pub brand_color: Option<String>,
    pub support_phone: Option<String>,
    pub cancel_notice_minutes: i32,
    pub cancel_grace_minutes: i32,
    pub reschedule_notice_minutes: i32,
    pub booking_horizon_days: i32,
    pub session_idle_minutes: Option<i32>,
    pub session_absolute_minutes: Option<i32>,
    pub otp_daily_cap: i32,
    pub retention_years: Option<i32>,
    pub message_retention_days: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
