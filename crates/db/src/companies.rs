//! Companies (tenants). Public facts only: a company's name and rules are not secret.

use chrono::{DateTime, Duration, Utc};
use portal_domain::{CompanyId, CompanySlug, Industry, Locale};
use portal_entity::companies;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::DbError;

/// A company and the rules it set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    /// Id.
    pub id: CompanyId,
    /// URL handle.
    pub slug: CompanySlug,
    /// Display name.
    pub name: String,
    /// What it does.
    pub industry: Industry,
    /// Default language of its customers.
    pub locale: Locale,
    /// ISO country used to read national phone numbers.
    pub region: String,
    /// IANA time zone of its head office.
    pub timezone: String,
    /// ISO countries whose phone numbers may sign in.
    pub allowed_countries: Vec<String>,
    /// Brand colour (`#rrggbb`) for the portal.
    pub brand_color: Option<String>,
    /// Phone number customers call.
    pub support_phone: Option<String>,
    /// Maximum SMS codes per day for the whole company.
    pub otp_daily_cap: u32,
    /// Session idle timeout.
    pub session_idle: Duration,
    /// Session absolute lifetime.
    pub session_absolute: Duration,
    /// Online cancellation and reschedule rules.
    pub policy: BookingPolicy,
}

/// A company's rules for changes customers make online (services may override the notices).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingPolicy {
    /// Minimum notice to cancel.
    pub cancel_notice: Duration,
    /// After booking, cancelling (and moving) stays possible this long regardless of notice.
    pub grace_after_booking: Duration,
    /// Minimum notice to reschedule (also the earliest new start).
    pub reschedule_notice: Duration,
    /// How far ahead new starts may be.
    pub horizon: Duration,
}

/// What a new company is made of (seed data, tests, later an admin API).
#[derive(Debug, Clone)]
pub struct NewCompany {
    /// URL handle.
    pub slug: CompanySlug,
    /// Display name.
    pub name: String,
    /// What it does.
    pub industry: Industry,
    /// Default language.
    pub locale: Locale,
    /// ISO country for national phone numbers.
    pub region: String,
    /// IANA zone.
    pub timezone: String,
    /// ISO countries allowed to sign in.
    pub allowed_countries: Vec<String>,
    /// Brand colour.
    pub brand_color: Option<String>,
    /// Phone customers call.
    pub support_phone: Option<String>,
}

fn default_session_limits(industry: Industry) -> (Duration, Duration) {
    // Health data deserves shorter sessions on shared family devices.
    match industry {
        Industry::Healthcare => (Duration::hours(24), Duration::days(7)),
        _ => (Duration::days(7), Duration::days(30)),
    }
}

impl TryFrom<companies::Model> for Company {
    type Error = DbError;
    fn try_from(m: companies::Model) -> Result<Self, DbError> {
        let industry = Industry::from_stored(&m.industry);
        let (idle, absolute) = default_session_limits(industry);
        Ok(Self {
            id: CompanyId::from_uuid(m.id),
            slug: CompanySlug::parse(&m.slug)
                .map_err(|e| DbError::Corrupt(format!("companies.slug: {e}")))?,
            name: m.name,
            industry,
            locale: Locale::parse(&m.locale).unwrap_or_default(),
            region: m.region,
            timezone: m.timezone,
            allowed_countries: m
                .allowed_countries
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            brand_color: m.brand_color,
            support_phone: m.support_phone,
            otp_daily_cap: u32::try_from(m.otp_daily_cap).unwrap_or(0),
            session_idle: m
                .session_idle_minutes
                .map_or(idle, |m| Duration::minutes(m.into())),
            policy: BookingPolicy {
                cancel_notice: Duration::minutes(m.cancel_notice_minutes.into()),
                grace_after_booking: Duration::minutes(m.cancel_grace_minutes.into()),
                reschedule_notice: Duration::minutes(m.reschedule_notice_minutes.into()),
                horizon: Duration::days(m.booking_horizon_days.into()),
            },
            session_absolute: m
                .session_absolute_minutes
                .map_or(absolute, |m| Duration::minutes(m.into())),
        })
    }
}

/// Finds a company by slug.
#[tracing::instrument(skip_all, fields(slug = %slug))]
pub async fn find_by_slug(
    db: &impl ConnectionTrait,
    slug: &CompanySlug,
) -> Result<Option<Company>, DbError> {
    companies::Entity::find()
        .filter(companies::Column::Slug.eq(slug.as_str()))
        .one(db)
        .await?
        .map(Company::try_from)
        .transpose()
}

/// Finds a company by id.
pub async fn find(db: &impl ConnectionTrait, id: CompanyId) -> Result<Option<Company>, DbError> {
    companies::Entity::find_by_id(id.as_uuid())
        .one(db)
        .await?
        .map(Company::try_from)
        .transpose()
}

/// Companies read at most once each: background rounds (reminders, outbox) handle many rows of
/// the same few companies.
#[derive(Debug, Default)]
pub struct CompanyCache(std::collections::HashMap<CompanyId, Option<Company>>);

impl CompanyCache {
    /// The company, from memory after the first read.
    pub async fn get(
        &mut self,
        db: &impl ConnectionTrait,
        id: CompanyId,
    ) -> Result<Option<&Company>, DbError> {
        let company = match self.0.entry(id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(find(db, id).await?),
        };
        Ok(company.as_ref())
    }
}

/// Creates a company with default policies.
pub async fn create(
    db: &impl ConnectionTrait,
    new: NewCompany,
    now: DateTime<Utc>,
) -> Result<Company, DbError> {
    let model = companies::ActiveModel {
        id: Set(CompanyId::new().as_uuid()),
        slug: Set(new.slug.as_str().to_owned()),
        name: Set(new.name),
        industry: Set(new.industry.as_str().to_owned()),
        locale: Set(new.locale.as_str().to_owned()),
        region: Set(new.region),
        timezone: Set(new.timezone),
        allowed_countries: Set(new.allowed_countries.join(" ")),
        brand_color: Set(new.brand_color),
        support_phone: Set(new.support_phone),
        cancel_notice_minutes: Set(1440),
        cancel_grace_minutes: Set(10),
        reschedule_notice_minutes: Set(1440),
        booking_horizon_days: Set(60),
        session_idle_minutes: Set(None),
        session_absolute_minutes: Set(None),
        otp_daily_cap: Set(1000),
        retention_years: Set(None),
        message_retention_days: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    model.insert(db).await?.try_into()
}

/// Sets the daily SMS-code cap (tests and operations).
pub async fn set_otp_daily_cap(
    db: &impl ConnectionTrait,
    id: CompanyId,
    cap: u32,
) -> Result<(), DbError> {
    companies::Entity::update_many()
        .col_expr(
            companies::Column::OtpDailyCap,
            sea_orm::sea_query::Expr::value(i64::from(cap)),
        )
        .filter(companies::Column::Id.eq(id.as_uuid()))
        .exec(db)
        .await?;
    Ok(())
}

/// Counts companies (to decide whether to seed demo data).
pub async fn count(db: &impl ConnectionTrait) -> Result<u64, DbError> {
    use sea_orm::PaginatorTrait;
    Ok(companies::Entity::find().count(db).await?)
}
