//! Ending sessions: signing out, ending one of the customer's other devices. Every ending is also
//! announced to the customer's open event streams, which then check their own session and close
//! when it is over (see `GET /api/customer/events`).

use portal_db::{CustomerScope, sessions};
use portal_domain::{CompanyId, CustomerId, SessionId};

use crate::{
    Ctx, Result,
    events::{Event, Update},
};

/// Tells the customer's open streams that some of their sessions ended.
pub(crate) fn announce_ended(ctx: &Ctx<'_>, company_id: CompanyId, customer_id: CustomerId) {
    ctx.events.publish(Event {
        company_id,
        customer_id,
        update: Update::SessionsEnded,
    });
}

/// Ends the signed-in device's session (sign-out).
#[tracing::instrument(skip_all)]
pub async fn sign_out(ctx: &Ctx<'_>, scope: &CustomerScope, session: SessionId) -> Result<()> {
    sessions::revoke(ctx.db, session, "logout", ctx.clock.now()).await?;
    announce_ended(ctx, scope.company_id(), scope.customer_id());
    Ok(())
}

/// Ends one of the customer's sessions (a device in the list); `false` when it is not theirs.
#[tracing::instrument(skip_all)]
pub async fn end_session(ctx: &Ctx<'_>, scope: &CustomerScope, session: SessionId) -> Result<bool> {
    let now = ctx.clock.now();
    let ended = sessions::revoke_own(ctx.db, scope, session, "signed_out_by_customer", now).await?;
    if ended {
        announce_ended(ctx, scope.company_id(), scope.customer_id());
    }
    Ok(ended)
}
