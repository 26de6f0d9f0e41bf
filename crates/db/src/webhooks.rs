//! Webhook endpoints of integrators and the deliveries queued for them. Deliveries are written in
//! the same transaction as the change they announce, then sent by the delivery worker.

use chrono::{DateTime, Utc};
use portal_domain::CompanyId;
use portal_entity::{webhook_attempts as wa, webhook_deliveries as wd, webhook_endpoints as we};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{DbError, Tenant};

/// Events integrators can subscribe to.
pub const EVENTS: &[&str] = &[
    "appointment.cancelled",
    "appointment.rescheduled",
    "customer.erased",
    "support.message_created",
];

/// A registered endpoint (the secret is only shown when it is created).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Id.
    pub id: Uuid,
    /// Where deliveries go.
    pub url: String,
    /// Subscribed events.
    pub events: Vec<String>,
    /// Whether deliveries are made.
    pub active: bool,
    /// When registered.
    pub created_at: DateTime<Utc>,
}

impl From<we::Model> for Endpoint {
    fn from(m: we::Model) -> Self {
        Self {
            id: m.id,
            url: m.url,
            events: m.events.split_whitespace().map(str::to_owned).collect(),
            active: m.active,
            created_at: m.created_at,
        }
    }
}

/// Registers an endpoint with its signing secret.
pub async fn create_endpoint(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    url: &str,
    events: &[String],
    secret: &str,
    now: DateTime<Utc>,
) -> Result<Endpoint, DbError> {
    let company = tenant.company_id();
    Ok(we::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(company.as_uuid()),
        url: Set(url.to_owned()),
        secret: Set(secret.to_owned()),
        events: Set(events.join(" ")),
        active: Set(true),
        created_at: Set(now),
    }
    .insert(db)
    .await?
    .into())
}

/// The company's endpoints, oldest first.
pub async fn list_endpoints(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
) -> Result<Vec<Endpoint>, DbError> {
    let company = tenant.company_id();
    Ok(we::Entity::find()
        .filter(we::Column::CompanyId.eq(company.as_uuid()))
        .order_by_asc(we::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Endpoint::from)
        .collect())
}

/// Removes an endpoint (and its deliveries); false when it is not the company's.
pub async fn delete_endpoint(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    id: Uuid,
) -> Result<bool, DbError> {
    let company = tenant.company_id();
    let result = we::Entity::delete_many()
        .filter(we::Column::Id.eq(id))
        .filter(we::Column::CompanyId.eq(company.as_uuid()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Queues `payload` for every active endpoint of `company` subscribed to `event`.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    company: CompanyId,
    event: &str,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<usize, DbError> {
    let endpoints = we::Entity::find()
        .filter(we::Column::CompanyId.eq(company.as_uuid()))
        .filter(we::Column::Active.eq(true))
        .all(db)
        .await?;
    let mut queued = 0;
    for endpoint in endpoints
        .into_iter()
        .filter(|e| e.events.split_whitespace().any(|x| x == event))
    {
        let id = Uuid::now_v7();
        // The delivery id goes into the body, so receivers can drop duplicates.
        let mut body = payload.clone();
        if let Some(object) = body.as_object_mut() {
            object.insert("id".into(), serde_json::Value::String(id.to_string()));
        }
        wd::ActiveModel {
            id: Set(id),
            company_id: Set(company.as_uuid()),
            endpoint_id: Set(endpoint.id),
            event: Set(event.to_owned()),
            payload: Set(body.to_string()),
            status: Set("pending".into()),
            attempts: Set(0),
            next_attempt_at: Set(Some(now)),
            response_status: Set(None),
            last_error: Set(None),
            created_at: Set(now),
            delivered_at: Set(None),
        }
        .insert(db)
        .await?;
        queued += 1;
    }
    Ok(queued)
}

/// A delivery claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    /// Id.
    pub id: Uuid,
    /// Company.
    pub company_id: CompanyId,
    /// Event name.
    pub event: String,
    /// JSON body.
    pub payload: String,
    /// Attempts before this one.
    pub attempts: i32,
    /// Target.
    pub url: String,
    /// Signing secret.
    pub secret: String,
}

/// Claims due deliveries for `lease`: pending ones whose time has come, and `sending` ones whose
/// lease ran out (the process died while sending). Each claim is a conditional update.
pub async fn claim_due(
    db: &impl ConnectionTrait,
    limit: u64,
    lease: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<Vec<DueDelivery>, DbError> {
    let due = wd::Entity::find()
        .filter(wd::Column::Status.is_in(["pending", "sending"]))
        .filter(wd::Column::NextAttemptAt.lte(now))
        .order_by_asc(wd::Column::NextAttemptAt)
        .limit(limit)
        .all(db)
        .await?;
    let mut claimed = Vec::new();
    for d in due {
        let taken = wd::Entity::update_many()
            .col_expr(wd::Column::Status, Expr::value("sending"))
            .col_expr(wd::Column::NextAttemptAt, Expr::value(now + lease))
            .filter(wd::Column::Id.eq(d.id))
            .filter(wd::Column::Status.eq(d.status.clone()))
            .filter(wd::Column::NextAttemptAt.lte(now))
            .exec(db)
            .await?;
        if taken.rows_affected != 1 {
            continue;
        }
        let Some(endpoint) = we::Entity::find_by_id(d.endpoint_id).one(db).await? else {
            continue;
        };
        claimed.push(DueDelivery {
            id: d.id,
            company_id: CompanyId::from_uuid(d.company_id),
            event: d.event,
            payload: d.payload,
            attempts: d.attempts,
            url: endpoint.url,
            secret: endpoint.secret,
        });
    }
    Ok(claimed)
}

/// What one attempt returned.
#[derive(Debug, Clone)]
pub struct AttemptResult {
    /// HTTP status, if a response came.
    pub status: Option<u16>,
    /// Transport error or non-2xx summary.
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: u32,
}

/// Records an attempt and moves the delivery on: delivered (2xx), pending again at `retry_at`, or
/// failed when `retry_at` is `None`. One transaction: the log never shows an attempt the delivery
/// does not count, nor the other way round.
pub async fn record_attempt(
    db: &sea_orm::DatabaseConnection,
    delivery: &DueDelivery,
    result: &AttemptResult,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let attempt = delivery.attempts + 1;
    let txn = db.begin().await?;
    wa::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(delivery.company_id.as_uuid()),
        delivery_id: Set(delivery.id),
        attempt: Set(attempt),
        response_status: Set(result.status.map(i32::from)),
        error: Set(result.error.clone()),
        duration_ms: Set(i32::try_from(result.duration_ms).unwrap_or(i32::MAX)),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let delivered = result.status.is_some_and(|s| (200..300).contains(&s));
    let status = if delivered {
        "delivered"
    } else if retry_at.is_some() {
        "pending"
    } else {
        "failed"
    };
    wd::Entity::update_many()
        .col_expr(wd::Column::Status, Expr::value(status))
        .col_expr(wd::Column::Attempts, Expr::col(wd::Column::Attempts).add(1))
        .col_expr(
            wd::Column::ResponseStatus,
            Expr::value(result.status.map(i32::from)),
        )
        .col_expr(wd::Column::LastError, Expr::value(result.error.clone()))
        .col_expr(
            wd::Column::NextAttemptAt,
            Expr::value(if delivered { None } else { retry_at }),
        )
        .col_expr(
            wd::Column::DeliveredAt,
            Expr::value(delivered.then_some(now)),
        )
        .filter(wd::Column::Id.eq(delivery.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// A delivery with its attempts, for the integrator's delivery log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryLog {
    /// Id.
    pub id: Uuid,
    /// Endpoint.
    pub endpoint_id: Uuid,
    /// Event.
    pub event: String,
    /// `pending`, `sending`, `delivered`, `failed`.
    pub status: String,
    /// Every attempt, oldest first.
    pub attempts: Vec<AttemptLog>,
    /// Queued at.
    pub created_at: DateTime<Utc>,
}

/// One recorded attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptLog {
    /// 1, 2, …
    pub attempt: i32,
    /// HTTP status received.
    pub response_status: Option<i32>,
    /// Transport error or non-2xx summary.
    pub error: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// The latest deliveries of the company (newest first), with every attempt.
pub async fn deliveries(
    db: &impl ConnectionTrait,
    tenant: Tenant<'_>,
    limit: u64,
) -> Result<Vec<DeliveryLog>, DbError> {
    let company = tenant.company_id();
    let rows = wd::Entity::find()
        .filter(wd::Column::CompanyId.eq(company.as_uuid()))
        .order_by_desc(wd::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let attempts = wa::Entity::find()
        .filter(Condition::all().add(wa::Column::DeliveryId.is_in(ids)))
        .order_by_asc(wa::Column::Attempt)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| DeliveryLog {
            id: r.id,
            endpoint_id: r.endpoint_id,
            event: r.event,
            status: r.status,
            attempts: attempts
                .iter()
                .filter(|a| a.delivery_id == r.id)
                .map(|a| AttemptLog {
                    attempt: a.attempt,
                    response_status: a.response_status,
                    error: a.error.clone(),
                    at: a.created_at,
                })
                .collect(),
            created_at: r.created_at,
        })
        .collect())
}
