//! The confirmation document (ICS, PDF) of one appointment.

use portal_documents::Confirmation;
use uuid::Uuid;

use super::load;
use crate::{
    Actor, Ctx, Error, Result,
    confirmation::{Pending, document},
};

/// The confirmation of appointment `id` for the signed-in customer, in their language.
#[tracing::instrument(skip_all)]
pub async fn confirmation_document(
    ctx: &Ctx<'_>,
    actor: Actor<'_>,
    id: Uuid,
) -> Result<Confirmation> {
    let Actor::Customer { scope, company } = actor else {
        return Err(Error::NotFound);
    };
    let a = load(ctx, &actor, id).await?;
    let customer = crate::profile::signed_in_customer(ctx, scope).await?;
    document(company, &customer, &a, Pending::Nothing, ctx.clock.now())
}
