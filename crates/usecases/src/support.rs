//! The support chat between a customer and the business: the customer writes in the portal, staff
//! answer through the integrator API. Each new message tells the customer's open pages (live
//! event) and the integrators (webhook, in the same transaction as the message).

use chrono::{Duration, SecondsFormat};
use portal_api_types::{
    ErrorCode,
    support::{SupportAuthor, SupportMessage},
    webhooks::{SupportMessageCreated, WebhookEvent},
};
use portal_db::{
    TransactionTrait, catalog,
    limiter::{self, Decision, Limit},
    support::{self as repo, Author, SupportMessage as Row},
};
use portal_domain::{CompanyId, CustomerId};
use uuid::Uuid;

use crate::{
    Actor, Ctx, Error, Result,
    effects::Effects,
    events::{Event, Update},
};

/// How many of the latest messages a conversation shows.
const CONVERSATION_LIMIT: u64 = 200;

/// Longest message, in characters.
pub const MAX_CHARS: usize = 2000;

/// The conversation's company and customer, and which side the actor writes for: the signed-in
/// customer's own, or for staff the customer the key's company has.
async fn conversation_of(
    ctx: &Ctx<'_>,
    actor: &Actor<'_>,
    customer: Option<Uuid>,
) -> Result<(CompanyId, CustomerId, Author)> {
    match (actor, customer) {
        (Actor::Customer { scope, .. }, _) => {
            Ok((scope.company_id(), scope.customer_id(), Author::Customer))
        }
        (Actor::Integrator(scope), Some(id)) => {
            let id = CustomerId::from_uuid(id);
            catalog::find_customer(ctx.db, (*scope).into(), id)
                .await?
                .ok_or(Error::NotFound)?;
            Ok((scope.company_id(), id, Author::Staff))
        }
        _ => Err(Error::NotFound),
    }
}

/// Who wrote a stored message (stored as `customer` or `staff`).
fn stored_author(stored: &str) -> SupportAuthor {
    SupportAuthor::parse(stored).unwrap_or(SupportAuthor::Staff)
}

/// The API form of a message.
pub fn message_view(m: &Row) -> SupportMessage {
    SupportMessage {
        id: m.id,
        author: stored_author(&m.author),
        author_name: m.author_name.clone(),
        body: m.body.clone(),
        created_at: m.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        read_at: m
            .read_at
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
    }
}

/// The latest messages of the conversation, oldest first; what the other side wrote counts as read
/// by the actor's side from now on.
#[tracing::instrument(skip_all)]
pub async fn support_conversation(
    ctx: &Ctx<'_>,
    actor: Actor<'_>,
    customer: Option<Uuid>,
) -> Result<Vec<Row>> {
    let (company, customer, reader) = conversation_of(ctx, &actor, customer).await?;
    let items = repo::messages(ctx.db, company, customer, CONVERSATION_LIMIT).await?;
    repo::mark_read_by(ctx.db, company, customer, reader, ctx.clock.now()).await?;
    Ok(items)
}

/// Writes a message: by the customer (at most `customer_limit_per_hour` an hour), or by staff for
/// the named customer with an optional display name (cut to 100 characters). The body is 1–2,000
/// characters after trimming.
#[tracing::instrument(skip_all)]
pub async fn post_support_message(
    ctx: &Ctx<'_>,
    actor: Actor<'_>,
    customer: Option<Uuid>,
    body: &str,
    author_name: Option<String>,
) -> Result<Row> {
    let text = body.trim();
    if text.is_empty() {
        return Err(Error::invalid("body", "must not be empty"));
    }
    if text.chars().count() > MAX_CHARS {
        return Err(Error::invalid("body", "at most 2000 characters"));
    }
    let (company, customer, author) = conversation_of(ctx, &actor, customer).await?;
    let now = ctx.clock.now();
    let author_name = match author {
        Author::Customer => None,
        Author::Staff => author_name
            .map(|n| n.trim().chars().take(100).collect::<String>())
            .filter(|n| !n.is_empty()),
    };
    if author == Author::Customer {
        let limit = Limit {
            max: ctx.services.support_messages_per_hour,
            window: Duration::hours(1),
        };
        let key = format!("support:{company}:{customer}");
        if let Decision::Refused { retry_after } = limiter::hit(ctx.db, &key, limit, now).await? {
            let seconds = u64::try_from(retry_after.num_seconds()).unwrap_or(1);
            return Err(Error::refused(
                ErrorCode::RateLimited,
                "You wrote many messages this hour. Please wait a little or call us.",
            )
            .retry_after(seconds));
        }
    }
    // Read before the transaction, which then starts with its write (SQLite upgrades otherwise).
    let thread = repo::thread_id(ctx.db, company, customer).await?;
    let txn = ctx.db.begin().await?;
    let message = repo::post(
        &txn,
        thread,
        company,
        customer,
        author,
        author_name,
        text,
        now,
    )
    .await?;
    let mut effects = Effects {
        webhook: Some(WebhookEvent::SupportMessageCreated(SupportMessageCreated {
            message_id: message.id,
            customer_id: customer.as_uuid(),
            author: stored_author(&message.author),
            body: message.body.clone(),
            created_at: message.created_at,
        })),
        live: Some(Event {
            company_id: company,
            customer_id: customer,
            update: Update::SupportMessage(message_view(&message)),
        }),
        ..Effects::default()
    };
    effects.write(&txn, company, now).await?;
    ctx.faults.check("post_support_message.before_commit")?;
    txn.commit().await?;
    effects.publish(ctx);
    Ok(message)
}
