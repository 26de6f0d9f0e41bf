//! GDPR: everything stored about one customer (for the export and the audit view), and erasure.

use chrono::{DateTime, Utc};
use portal_entity::{
    appointment_events as ev, appointments as a, audit_log as al, branches as b, customers as c,
    idempotency_keys as ik, medical_history_versions as mh, notifications as n,
    otp_challenges as ch, phone_lockouts as lk, push_subscriptions as ps, refresh_tokens as rt,
    services as sv, sessions as s, staff as st, support_messages as sm, support_threads as th,
    webhook_deliveries as wd,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr,
};
use std::collections::HashMap;
use uuid::Uuid;

use crate::{CustomerScope, DbError};

/// One appointment with its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentRecord {
    /// Id.
    pub id: Uuid,
    /// Branch name.
    pub branch: String,
    /// Staff member's name.
    pub staff: String,
    /// Service name.
    pub service: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Status.
    pub status: String,
    /// How it was booked.
    pub source: String,
    /// Notes kept with the appointment.
    pub notes: Option<String>,
    /// Reason given when cancelling.
    pub cancel_reason: Option<String>,
    /// History, oldest first.
    pub events: Vec<EventRecord>,
}

/// One history entry of an appointment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    /// `created`, `rescheduled`, `cancelled`, …
    pub kind: String,
    /// Who.
    pub actor: String,
    /// Previous start.
    pub from_starts_at: Option<DateTime<Utc>>,
    /// New start.
    pub to_starts_at: Option<DateTime<Utc>>,
    /// Reason.
    pub reason: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// A message sent to the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    /// Id.
    pub id: Uuid,
    /// `sms`, `email`, `push`.
    pub channel: String,
    /// What about.
    pub kind: String,
    /// Where it went.
    pub recipient: String,
    /// Subject.
    pub subject: Option<String>,
    /// Text (removed after the company's retention period).
    pub body: Option<String>,
    /// Delivery status.
    pub status: String,
    /// When queued.
    pub created_at: DateTime<Utc>,
}

/// A support chat message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportMessageRecord {
    /// Thread.
    pub thread_id: Uuid,
    /// `customer` or `staff`.
    pub author: String,
    /// Text.
    pub body: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A signed-in device (session), live or ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// Id.
    pub id: Uuid,
    /// User agent.
    pub user_agent: Option<String>,
    /// Address at sign-in.
    pub ip: Option<String>,
    /// Start.
    pub created_at: DateTime<Utc>,
    /// Last use.
    pub last_used_at: DateTime<Utc>,
    /// End, if ended.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A registered push subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushRecord {
    /// Push service endpoint.
    pub endpoint: String,
    /// User agent.
    pub user_agent: Option<String>,
    /// When registered.
    pub created_at: DateTime<Utc>,
}

/// One audit entry about the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Who: `customer`, `integrator:<key prefix>`, `system`.
    pub actor: String,
    /// What.
    pub action: String,
    /// On what.
    pub target: Option<String>,
    /// From where.
    pub ip: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// The customer's audit trail, newest first.
pub async fn audit_entries(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
) -> Result<Vec<AuditRecord>, DbError> {
    Ok(al::Entity::find()
        .filter(al::Column::CompanyId.eq(scope.company_id().as_uuid()))
        .filter(al::Column::CustomerId.eq(scope.customer_id().as_uuid()))
        .order_by_desc(al::Column::CreatedAt)
        .order_by_desc(al::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|r| AuditRecord {
            actor: r.actor,
            action: r.action,
            target: r.target,
            ip: r.ip,
            at: r.created_at,
        })
        .collect())
}

/// Every appointment of the customer with its history, oldest first.
pub async fn appointments(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
) -> Result<Vec<AppointmentRecord>, DbError> {
    let company = scope.company_id().as_uuid();
    let rows = a::Entity::find()
        .filter(a::Column::CompanyId.eq(company))
        .filter(a::Column::CustomerId.eq(scope.customer_id().as_uuid()))
        .order_by_asc(a::Column::StartsAt)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut events: HashMap<Uuid, Vec<EventRecord>> = HashMap::new();
    for chunk in ids.chunks(500) {
        for e in ev::Entity::find()
            .filter(ev::Column::CompanyId.eq(company))
            .filter(ev::Column::AppointmentId.is_in(chunk.to_vec()))
            .order_by_asc(ev::Column::CreatedAt)
            .order_by_asc(ev::Column::Id)
            .all(db)
            .await?
        {
            events
                .entry(e.appointment_id)
                .or_default()
                .push(EventRecord {
                    kind: e.kind,
                    actor: e.actor,
                    from_starts_at: e.from_starts_at,
                    to_starts_at: e.to_starts_at,
                    reason: e.reason,
                    at: e.created_at,
                });
        }
    }
    let names = |pairs: Vec<(Uuid, String)>| pairs.into_iter().collect::<HashMap<_, _>>();
    let branches = names(
        b::Entity::find()
            .filter(b::Column::CompanyId.eq(company))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect(),
    );
    let staff = names(
        st::Entity::find()
            .filter(st::Column::CompanyId.eq(company))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.display_name))
            .collect(),
    );
    let services = names(
        sv::Entity::find()
            .filter(sv::Column::CompanyId.eq(company))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect(),
    );
    Ok(rows
        .into_iter()
        .map(|r| AppointmentRecord {
            id: r.id,
            branch: branches.get(&r.branch_id).cloned().unwrap_or_default(),
            staff: staff.get(&r.staff_id).cloned().unwrap_or_default(),
            service: services.get(&r.service_id).cloned().unwrap_or_default(),
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            status: r.status,
            source: r.source,
            notes: r.notes,
            cancel_reason: r.cancel_reason,
            events: events.remove(&r.id).unwrap_or_default(),
        })
        .collect())
}

/// Every message sent (or queued) to the customer, oldest first.
pub async fn messages(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
) -> Result<Vec<MessageRecord>, DbError> {
    Ok(n::Entity::find()
        .filter(n::Column::CompanyId.eq(scope.company_id().as_uuid()))
        .filter(n::Column::CustomerId.eq(scope.customer_id().as_uuid()))
        .order_by_asc(n::Column::CreatedAt)
        .order_by_asc(n::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|r| MessageRecord {
            id: r.id,
            channel: r.channel,
            kind: r.kind,
            recipient: r.recipient,
            subject: r.subject,
            body: r.body_text,
            status: r.status,
            created_at: r.created_at,
        })
        .collect())
}

/// Every support chat message of the customer's threads, oldest first.
pub async fn support_messages(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
) -> Result<Vec<SupportMessageRecord>, DbError> {
    let threads: Vec<Uuid> = th::Entity::find()
        .filter(th::Column::CompanyId.eq(scope.company_id().as_uuid()))
        .filter(th::Column::CustomerId.eq(scope.customer_id().as_uuid()))
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    if threads.is_empty() {
        return Ok(Vec::new());
    }
    Ok(sm::Entity::find()
        .filter(sm::Column::CompanyId.eq(scope.company_id().as_uuid()))
        .filter(sm::Column::ThreadId.is_in(threads))
        .order_by_asc(sm::Column::CreatedAt)
        .order_by_asc(sm::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|r| SupportMessageRecord {
            thread_id: r.thread_id,
            author: r.author,
            body: r.body,
            created_at: r.created_at,
        })
        .collect())
}

/// Every session of the customer, live or ended, newest first.
pub async fn sessions(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
) -> Result<Vec<SessionRecord>, DbError> {
    Ok(s::Entity::find()
        .filter(s::Column::CompanyId.eq(scope.company_id().as_uuid()))
        .filter(s::Column::CustomerId.eq(scope.customer_id().as_uuid()))
        .order_by_desc(s::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|r| SessionRecord {
            id: r.id,
            user_agent: r.user_agent,
            ip: r.ip,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        })
        .collect())
}

/// The customer's push subscriptions.
pub async fn push_subscriptions(
    db: &impl ConnectionTrait,
    scope: &CustomerScope,
) -> Result<Vec<PushRecord>, DbError> {
    Ok(ps::Entity::find()
        .filter(ps::Column::CompanyId.eq(scope.company_id().as_uuid()))
        .filter(ps::Column::CustomerId.eq(scope.customer_id().as_uuid()))
        .order_by_asc(ps::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|r| PushRecord {
            endpoint: r.endpoint,
            user_agent: r.user_agent,
            created_at: r.created_at,
        })
        .collect())
}

/// What erasure did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Erased {
    /// Appointments kept (pseudonymised) because the business must keep them.
    pub appointments_kept: u64,
    /// Appointments deleted.
    pub appointments_deleted: u64,
    /// Sessions ended.
    pub sessions_ended: u64,
}

/// Erases the customer, in one transaction: name, email, phone, address and date of birth are
/// removed from the customer row (which stays, marked erased, so kept appointments still point
/// somewhere that identifies no one); medical history, push subscriptions, support threads,
/// sign-in challenges and lockouts of the number are deleted; message bodies and recipients are
/// blanked; free text on appointments and in webhook payloads is removed; appointments that
/// started at or after `keep_since` stay (pseudonymised), all others are deleted; every session
/// ends. Run it in a transaction with the erasure's webhook and audit entry, so either all of it
/// happens or nothing does. `None` when the customer is already erased.
pub async fn erase(
    txn: &impl ConnectionTrait,
    scope: &CustomerScope,
    keep_since: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Option<Erased>, DbError> {
    let company = scope.company_id().as_uuid();
    let customer = scope.customer_id().as_uuid();
    // Starts with a write: on SQLite a transaction that reads first fails to upgrade when another
    // writer (the outbox worker, say) got in between, while one that writes first simply waits.
    let live = c::Entity::update_many()
        .col_expr(c::Column::UpdatedAt, Expr::value(now))
        .filter(c::Column::Id.eq(customer))
        .filter(c::Column::CompanyId.eq(company))
        .filter(c::Column::ErasedAt.is_null())
        .exec(txn)
        .await?;
    if live.rows_affected == 0 {
        return Ok(None);
    }
    let Some(row) = c::Entity::find_by_id(customer)
        .filter(c::Column::CompanyId.eq(company))
        .filter(c::Column::ErasedAt.is_null())
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    let mut result = Erased::default();

    // Appointments: kept ones lose their free text, the rest go with their history.
    let appointments = a::Entity::find()
        .filter(a::Column::CompanyId.eq(company))
        .filter(a::Column::CustomerId.eq(customer))
        .all(txn)
        .await?;
    let (kept, gone): (Vec<_>, Vec<_>) = appointments.into_iter().partition(|ap| {
        keep_since.is_some_and(|since| ap.starts_at >= since && ap.starts_at <= now)
    });
    let kept: Vec<Uuid> = kept.into_iter().map(|ap| ap.id).collect();
    let gone: Vec<Uuid> = gone.into_iter().map(|ap| ap.id).collect();
    for chunk in kept.chunks(500) {
        a::Entity::update_many()
            .col_expr(a::Column::Notes, Expr::value(Option::<String>::None))
            .col_expr(a::Column::CancelReason, Expr::value(Option::<String>::None))
            .col_expr(a::Column::ExternalRef, Expr::value(Option::<String>::None))
            .filter(a::Column::Id.is_in(chunk.to_vec()))
            .exec(txn)
            .await?;
        ev::Entity::update_many()
            .col_expr(ev::Column::Reason, Expr::value(Option::<String>::None))
            .filter(ev::Column::AppointmentId.is_in(chunk.to_vec()))
            .exec(txn)
            .await?;
    }
    for chunk in gone.chunks(500) {
        ev::Entity::delete_many()
            .filter(ev::Column::AppointmentId.is_in(chunk.to_vec()))
            .exec(txn)
            .await?;
        a::Entity::delete_many()
            .filter(a::Column::Id.is_in(chunk.to_vec()))
            .exec(txn)
            .await?;
    }
    result.appointments_kept = kept.len() as u64;
    result.appointments_deleted = gone.len() as u64;

    // Webhook payloads and stored integrator answers that mention the customer may carry free
    // text (a cancellation reason) or their name and number: blank them.
    let needle = format!("%{customer}%");
    wd::Entity::update_many()
        .col_expr(
            wd::Column::Payload,
            Expr::value(serde_json::json!({"redacted": "customer erased"}).to_string()),
        )
        .filter(wd::Column::CompanyId.eq(company))
        .filter(wd::Column::Payload.like(needle.clone()))
        .exec(txn)
        .await?;
    ik::Entity::delete_many()
        .filter(ik::Column::CompanyId.eq(company))
        .filter(ik::Column::ResponseBody.like(needle))
        .exec(txn)
        .await?;

    mh::Entity::delete_many()
        .filter(mh::Column::CompanyId.eq(company))
        .filter(mh::Column::CustomerId.eq(customer))
        .exec(txn)
        .await?;
    ps::Entity::delete_many()
        .filter(ps::Column::CompanyId.eq(company))
        .filter(ps::Column::CustomerId.eq(customer))
        .exec(txn)
        .await?;
    // Messages of the threads go with them (foreign key cascade).
    th::Entity::delete_many()
        .filter(th::Column::CompanyId.eq(company))
        .filter(th::Column::CustomerId.eq(customer))
        .exec(txn)
        .await?;
    n::Entity::update_many()
        .col_expr(n::Column::Recipient, Expr::value("erased"))
        .col_expr(n::Column::Subject, Expr::value(Option::<String>::None))
        .col_expr(n::Column::BodyText, Expr::value(Option::<String>::None))
        .col_expr(n::Column::BodyHtml, Expr::value(Option::<String>::None))
        .col_expr(n::Column::LastError, Expr::value(Option::<String>::None))
        // A message still waiting is never sent.
        .col_expr(
            n::Column::Status,
            Expr::cust("CASE WHEN status = 'queued' THEN 'failed' ELSE status END"),
        )
        .filter(n::Column::CompanyId.eq(company))
        .filter(n::Column::CustomerId.eq(customer))
        .exec(txn)
        .await?;
    ch::Entity::delete_many()
        .filter(ch::Column::CompanyId.eq(company))
        .filter(ch::Column::CustomerId.eq(customer))
        .exec(txn)
        .await?;
    if let Some(phone) = &row.phone {
        ch::Entity::delete_many()
            .filter(ch::Column::CompanyId.eq(company))
            .filter(ch::Column::Phone.eq(phone.as_str()))
            .exec(txn)
            .await?;
        lk::Entity::delete_many()
            .filter(lk::Column::CompanyId.eq(company))
            .filter(lk::Column::Phone.eq(phone.as_str()))
            .exec(txn)
            .await?;
    }

    // Every session ends; refresh tokens go, device details too.
    let session_ids: Vec<Uuid> = s::Entity::find()
        .filter(s::Column::CompanyId.eq(company))
        .filter(s::Column::CustomerId.eq(customer))
        .all(txn)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    for chunk in session_ids.chunks(500) {
        rt::Entity::delete_many()
            .filter(rt::Column::SessionId.is_in(chunk.to_vec()))
            .exec(txn)
            .await?;
    }
    let ended = s::Entity::update_many()
        .col_expr(s::Column::RevokedAt, Expr::value(now))
        .col_expr(s::Column::RevokedReason, Expr::value("erased"))
        .filter(s::Column::CompanyId.eq(company))
        .filter(s::Column::CustomerId.eq(customer))
        .filter(s::Column::RevokedAt.is_null())
        .exec(txn)
        .await?;
    s::Entity::update_many()
        .col_expr(s::Column::UserAgent, Expr::value(Option::<String>::None))
        .col_expr(s::Column::Ip, Expr::value(Option::<String>::None))
        .filter(s::Column::CompanyId.eq(company))
        .filter(s::Column::CustomerId.eq(customer))
        .exec(txn)
        .await?;
    result.sessions_ended = ended.rows_affected;

    // The row stays (kept appointments point at it); nothing on it identifies anyone. A NULL
    // phone never collides in the unique (company, phone) index.
    let none = || Expr::value(Option::<String>::None);
    c::Entity::update_many()
        .col_expr(c::Column::Phone, none())
        .col_expr(c::Column::Name, none())
        .col_expr(c::Column::Email, none())
        .col_expr(
            c::Column::EmailVerifiedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(c::Column::AddressStreet, none())
        .col_expr(c::Column::AddressPostalCode, none())
        .col_expr(c::Column::AddressCity, none())
        .col_expr(c::Column::AddressCountry, none())
        .col_expr(
            c::Column::DateOfBirth,
            Expr::value(Option::<chrono::NaiveDate>::None),
        )
        .col_expr(c::Column::PendingEmail, none())
        .col_expr(c::Column::PendingEmailCodeHmac, none())
        .col_expr(
            c::Column::PendingEmailExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            c::Column::MedicalConsentAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(c::Column::ErasedAt, Expr::value(now))
        .col_expr(c::Column::UpdatedAt, Expr::value(now))
        .filter(c::Column::Id.eq(customer))
        .exec(txn)
        .await?;

    Ok(Some(result))
}
