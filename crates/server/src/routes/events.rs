//! `GET /api/customer/events`: server-sent events for the signed-in customer's open pages.

use actix_web::{HttpResponse, get, web};
use futures_util::stream;
use portal_api_types::Problem;
use tokio::sync::broadcast::error::RecvError;
use utoipa_actix_web::service_config::ServiceConfig;

use portal_db::sessions;
use portal_usecases::events::{Event, Update};

use crate::{error::ApiResult, extract::Customer, state::AppState};

/// A comment line this often keeps proxies from closing an idle stream; the stream's session is
/// checked again at the same pace.
const KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(15);

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(customer_events);
}

fn frame(event: &Event) -> web::Bytes {
    let data = serde_json::to_string(&event.update).unwrap_or_else(|_| "{}".into());
    web::Bytes::from(format!("event: {}\ndata: {data}\n\n", event.update.name()))
}

/// Live updates
///
/// A `text/event-stream` of the signed-in customer's events: `support_message` (a new chat message,
/// either side), `appointment_changed` (booked, moved or cancelled, by anyone) and `notification`
/// (a message was sent). Data is JSON. A comment line every 15 s keeps the connection open; reconnect
/// with a fresh access token when it ends. The access token is checked when the stream opens and
/// the session again every 15 s and whenever one of the customer's sessions ends: a stream closes
/// at once on sign-out, when its device is removed, on a phone change and on erasure.
#[utoipa::path(
    tag = "Messages",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The event stream", content_type = "text/event-stream", body = String,
            example = "event: support_message\ndata: {\"id\":\"…\",\"author\":\"staff\",\"body\":\"Gern!\"}\n\n"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customer/events")]
#[tracing::instrument(skip_all)]
pub async fn customer_events(
    state: web::Data<AppState>,
    customer: Customer,
) -> ApiResult<HttpResponse> {
    let scope = customer.0.scope;
    let session = customer.0.id;
    let receiver = state.events.subscribe();
    let company = scope.company_id();
    let me = scope.customer_id();
    let hello = stream::once(async {
        Ok::<_, actix_web::Error>(web::Bytes::from_static(b"retry: 3000\n: connected\n\n"))
    });
    // Whether the stream's session is still live; a database failure keeps the stream (the next
    // check decides).
    let live = move |state: web::Data<AppState>| async move {
        let now = state.clock.now();
        !matches!(
            sessions::authenticate(&state.db, session, company, me, now).await,
            Ok(None)
        )
    };
    let updates = stream::unfold((receiver, state), move |(mut receiver, state)| async move {
        loop {
            match tokio::time::timeout(KEEP_ALIVE, receiver.recv()).await {
                Err(_) if live(state.clone()).await => {
                    let beat = web::Bytes::from_static(b": keep-alive\n\n");
                    return Some((Ok(beat), (receiver, state)));
                }
                Err(_) => return None,
                Ok(Ok(event)) if event.company_id == company && event.customer_id == me => {
                    if event.update == Update::SessionsEnded {
                        if live(state.clone()).await {
                            continue;
                        }
                        return None;
                    }
                    return Some((Ok(frame(&event)), (receiver, state)));
                }
                Ok(Ok(_)) => {}
                // Missed events: tell the page to reload what it shows.
                Ok(Err(RecvError::Lagged(_))) => {
                    return Some((
                        Ok(web::Bytes::from_static(b"event: resync\ndata: {}\n\n")),
                        (receiver, state),
                    ));
                }
                Ok(Err(RecvError::Closed)) => return None,
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(futures_util::StreamExt::chain(hello, updates)))
}
