//! Services: what customers book, with length, buffers, price and notice overrides. Services
//! belong to the company, not to a branch.

use chrono::{DateTime, Utc};
use portal_domain::{CompanyId, ids::ServiceId};
use portal_entity::services as sv;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use super::{Page, PageRequest};
use crate::DbError;
use crate::Tenant;

/// A service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// Id.
    pub id: ServiceId,
    /// Company.
    pub company_id: CompanyId,
    /// Display name.
    pub name: String,
    /// Longer text for customers.
    pub description: Option<String>,
    /// Length in minutes.
    pub duration_minutes: u32,
    /// Blocked before (set-up), minutes.
    pub buffer_before_minutes: u32,
    /// Blocked after (clean-up), minutes.
    pub buffer_after_minutes: u32,
    /// Price in cents of `currency`, when published.
    pub price_cents: Option<u32>,
    /// ISO 4217 code, upper case.
    pub currency: Option<String>,
    /// Overrides the company's cancellation notice (minutes).
    pub cancel_notice_minutes: Option<u32>,
    /// Overrides the company's reschedule notice (minutes).
    pub reschedule_notice_minutes: Option<u32>,
    /// False once deactivated (not bookable).
    pub active: bool,
    /// Creation.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// What a new service is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewService {
    /// Display name.
    pub name: String,
    /// Longer text.
    pub description: Option<String>,
    /// Length in minutes.
    pub duration_minutes: u32,
    /// Set-up minutes.
    pub buffer_before_minutes: u32,
    /// Clean-up minutes.
    pub buffer_after_minutes: u32,
    /// Price in cents.
    pub price_cents: Option<u32>,
    /// ISO 4217 code.
    pub currency: Option<String>,
    /// Cancellation notice override.
    pub cancel_notice_minutes: Option<u32>,
    /// Reschedule notice override.
    pub reschedule_notice_minutes: Option<u32>,
    /// Bookable from the start.
    pub active: bool,
}

/// A partial change: `None` keeps a field; `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServicePatch {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<Option<String>>,
    /// New length.
    pub duration_minutes: Option<u32>,
    /// New set-up time.
    pub buffer_before_minutes: Option<u32>,
    /// New clean-up time.
    pub buffer_after_minutes: Option<u32>,
    /// New price.
    pub price_cents: Option<Option<u32>>,
    /// New currency.
    pub currency: Option<Option<String>>,
    /// New cancellation notice override.
    pub cancel_notice_minutes: Option<Option<u32>>,
    /// New reschedule notice override.
    pub reschedule_notice_minutes: Option<Option<u32>>,
    /// Activate or deactivate.
    pub active: Option<bool>,
}

fn minutes(value: i32, what: &str) -> Result<u32, DbError> {
    u32::try_from(value).map_err(|_| DbError::Corrupt(format!("services.{what}")))
}

fn db_minutes(value: u32) -> i32 {
    // Callers bound every duration far below i32::MAX; saturate rather than wrap if one does not.
    i32::try_from(value).unwrap_or(i32::MAX)
}

impl TryFrom<sv::Model> for Service {
    type Error = DbError;
    fn try_from(m: sv::Model) -> Result<Self, DbError> {
        Ok(Self {
            id: ServiceId::from_uuid(m.id),
            company_id: CompanyId::from_uuid(m.company_id),
            duration_minutes: minutes(m.duration_minutes, "duration_minutes")?,
            buffer_before_minutes: minutes(m.buffer_before_minutes, "buffer_before_minutes")?,
            buffer_after_minutes: minutes(m.buffer_after_minutes, "buffer_after_minutes")?,
            price_cents: m
                .price_cents
                .map(|p| {
                    u32::try_from(p).map_err(|_| DbError::Corrupt("services.price_cents".into()))
                })
                .transpose()?,
            cancel_notice_minutes: m
                .cancel_notice_minutes
                .map(|v| minutes(v, "cancel_notice_minutes"))
                .transpose()?,
            reschedule_notice_minutes: m
                .reschedule_notice_minutes
                .map(|v| minutes(v, "reschedule_notice_minutes"))
                .transpose()?,
            name: m.name,
            description: m.description,
            currency: m.currency,
            active: m.active,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

/// Creates a service.
#[tracing::instrument(skip_all, fields(company = %tenant.company_id()))]
pub async fn create_service(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    new: NewService,
    now: DateTime<Utc>,
) -> Result<Service, DbError> {
    let company = tenant.company_id();
    sv::ActiveModel {
        id: Set(ServiceId::new().as_uuid()),
        company_id: Set(company.as_uuid()),
        name: Set(new.name),
        description: Set(new.description),
        duration_minutes: Set(db_minutes(new.duration_minutes)),
        buffer_before_minutes: Set(db_minutes(new.buffer_before_minutes)),
        buffer_after_minutes: Set(db_minutes(new.buffer_after_minutes)),
        price_cents: Set(new.price_cents.map(i64::from)),
        currency: Set(new.currency),
        cancel_notice_minutes: Set(new.cancel_notice_minutes.map(db_minutes)),
        reschedule_notice_minutes: Set(new.reschedule_notice_minutes.map(db_minutes)),
        active: Set(new.active),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?
    .try_into()
}

/// The service `id` of `company`.
pub async fn find_service(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    id: ServiceId,
) -> Result<Option<Service>, DbError> {
    let company = tenant.company_id();
    sv::Entity::find_by_id(id.as_uuid())
        .filter(sv::Column::CompanyId.eq(company.as_uuid()))
        .one(db)
        .await?
        .map(Service::try_from)
        .transpose()
}

/// The company's services, by id.
pub async fn list_services(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    page: PageRequest,
) -> Result<Page<Service>, DbError> {
    let company = tenant.company_id();
    let mut query = sv::Entity::find().filter(sv::Column::CompanyId.eq(company.as_uuid()));
    if let Some(after) = page.after {
        query = query.filter(sv::Column::Id.gt(after));
    }
    let rows = query
        .order_by_asc(sv::Column::Id)
        .limit(page.limit + 1)
        .all(db)
        .await?;
    Page::from_rows(rows, page.limit, |m| m.id, Service::try_from)
}

/// Applies `patch`; `None` when the service is not the company's.
#[tracing::instrument(skip_all, fields(company = %tenant.company_id(), service = %id))]
pub async fn update_service(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    id: ServiceId,
    patch: ServicePatch,
    now: DateTime<Utc>,
) -> Result<Option<Service>, DbError> {
    let company = tenant.company_id();
    let changes = sv::ActiveModel {
        name: patch.name.map_or(NotSet, Set),
        description: patch.description.map_or(NotSet, Set),
        duration_minutes: patch
            .duration_minutes
            .map_or(NotSet, |v| Set(db_minutes(v))),
        buffer_before_minutes: patch
            .buffer_before_minutes
            .map_or(NotSet, |v| Set(db_minutes(v))),
        buffer_after_minutes: patch
            .buffer_after_minutes
            .map_or(NotSet, |v| Set(db_minutes(v))),
        price_cents: patch.price_cents.map_or(NotSet, |v| Set(v.map(i64::from))),
        currency: patch.currency.map_or(NotSet, Set),
        cancel_notice_minutes: patch
            .cancel_notice_minutes
            .map_or(NotSet, |v| Set(v.map(db_minutes))),
        reschedule_notice_minutes: patch
            .reschedule_notice_minutes
            .map_or(NotSet, |v| Set(v.map(db_minutes))),
        active: patch.active.map_or(NotSet, Set),
        updated_at: Set(now),
        ..Default::default()
    };
    let result = sv::Entity::update_many()
        .set(changes)
        .filter(sv::Column::Id.eq(id.as_uuid()))
        .filter(sv::Column::CompanyId.eq(company.as_uuid()))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Ok(None);
    }
    find_service(db, tenant, id).await
}
