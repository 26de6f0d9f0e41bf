//! Live updates: one `GET /api/customer/events` stream per signed-in app. The browser's
//! `EventSource` cannot send the bearer header, so the stream is a `fetch` whose body is read chunk
//! by chunk and parsed by [`crate::sse::SseParser`].
//!
//! Pages do not see the stream; they watch the counters of [`Live`], which bump when the server
//! says something of theirs changed, and reload what they show. After a reconnect every counter
//! bumps once, since events sent while the stream was down are lost.

use std::{
    cell::{Cell, RefCell},
    rc::Rc,
};

use gloo_net::http::{Request, Response};
use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, ReadableStreamDefaultReader, RequestCredentials};

use crate::{
    api,
    sse::{Next, Reconnect, SseParser},
    state::{Auth, Ctx},
};

/// The stream's path.
pub const EVENTS_PATH: &str = "/api/customer/events";

/// What changed, as counters the pages track (their values mean nothing; a change does).
#[derive(Debug, Clone, Copy)]
pub struct Live {
    /// A support chat message arrived (either side).
    pub support: RwSignal<u32>,
    /// An appointment was booked, moved or cancelled.
    pub appointments: RwSignal<u32>,
    /// Which appointment changed last (`None`: unknown, after a reconnect — reload any).
    pub changed_appointment: RwSignal<Option<String>>,
    /// A message (SMS, email, push) was sent or its delivery status changed.
    pub notifications: RwSignal<u32>,
}

/// Which counters an event name bumps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// `support_message`
    Support,
    /// `appointment_changed`
    Appointments,
    /// `notification`
    Notifications,
    /// `resync` (the server dropped events for this stream): everything.
    All,
}

impl Topic {
    /// The topic of an SSE event name; `None` for names this app does not know.
    pub fn of(event: &str) -> Option<Self> {
        match event {
            "support_message" => Some(Self::Support),
            "appointment_changed" => Some(Self::Appointments),
            "notification" => Some(Self::Notifications),
            "resync" => Some(Self::All),
            _ => None,
        }
    }
}

impl Default for Live {
    fn default() -> Self {
        Self::new()
    }
}

impl Live {
    /// Fresh counters.
    pub fn new() -> Self {
        Self {
            support: RwSignal::new(0),
            appointments: RwSignal::new(0),
            changed_appointment: RwSignal::new(None),
            notifications: RwSignal::new(0),
        }
    }

    /// Bumps the counters of `topic`.
    pub fn bump(&self, topic: Topic) {
        let bump = |s: RwSignal<u32>| s.update(|n| *n = n.wrapping_add(1));
        match topic {
            Topic::Support => bump(self.support),
            Topic::Appointments => bump(self.appointments),
            Topic::Notifications => bump(self.notifications),
            Topic::All => {
                self.changed_appointment.set(None);
                bump(self.support);
                bump(self.appointments);
                bump(self.notifications);
            }
        }
    }
}

/// The live counters, when the app provides them (component tests may not).
pub fn use_live() -> Option<Live> {
    use_context::<Live>()
}

/// Provides [`Live`] and keeps one event stream open while the session is signed in: opened on
/// `SignedIn`, aborted on sign-out, session end or offline.
pub fn provide(ctx: Ctx) {
    let live = Live::new();
    provide_context(live);
    // The unread badge follows every message event.
    Effect::new(move |prev: Option<()>| {
        live.notifications.track();
        if prev.is_some() {
            spawn_local(async move {
                if let Ok(c) = api::unread_count().await {
                    ctx.unread.set(c.unread_count);
                }
            });
        }
    });
    // A hidden page (background tab, or a page left for another one and kept in the back-forward
    // cache) holds no stream: over HTTP/1.1 each one takes one of the browser's six connections
    // to the server, and a few forgotten ones stall every other request.
    let visible = RwSignal::new(page_visible());
    for event in ["visibilitychange", "pagehide", "pageshow"] {
        let handle = window_event_listener_untyped(event, move |_| visible.set(page_visible()));
        // The app lives as long as the page.
        std::mem::forget(handle);
    }
    let running: Rc<RefCell<Option<Stream>>> = Rc::default();
    let started_before = Rc::new(Cell::new(false));
    Effect::new(move |_| {
        let wanted = ctx.auth.get() == Auth::SignedIn && visible.get();
        let mut slot = running.borrow_mut();
        if wanted && slot.is_none() {
            // Events sent while no stream was open are lost: pages reload on the next open.
            let resync = started_before.replace(true);
            *slot = Some(Stream::start(ctx, live, resync));
        } else if !wanted && let Some(stream) = slot.take() {
            stream.stop();
        }
    });
}

/// The page is shown (not a background tab, not being left).
fn page_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| !d.hidden())
}

/// A running stream loop.
struct Stream {
    stopped: Rc<Cell<bool>>,
    abort: Rc<RefCell<Option<AbortController>>>,
}

impl Stream {
    fn start(ctx: Ctx, live: Live, resync: bool) -> Self {
        let stream = Self {
            stopped: Rc::default(),
            abort: Rc::default(),
        };
        let (stopped, abort) = (stream.stopped.clone(), stream.abort.clone());
        spawn_local(run(ctx, live, resync, stopped, abort));
        stream
    }

    fn stop(self) {
        self.stopped.set(true);
        mark_open(false);
        if let Some(controller) = self.abort.borrow_mut().take() {
            controller.abort();
        }
    }
}

/// Connect, read until the stream ends, wait, reconnect — until stopped.
async fn run(
    ctx: Ctx,
    live: Live,
    resync: bool,
    stopped: Rc<Cell<bool>>,
    abort: Rc<RefCell<Option<AbortController>>>,
) {
    let mut policy = Reconnect::new(resync);
    while !stopped.get() {
        if !online() {
            sleep(2_000).await;
            continue;
        }
        let controller = AbortController::new().ok();
        abort.borrow_mut().clone_from(&controller);
        let next = match open(controller.as_ref()).await {
            Ok(response) if response.status() == 401 => policy.unauthorized(),
            Ok(response) if response.ok() => {
                if policy.opened() {
                    live.bump(Topic::All);
                }
                mark_open(true);
                read(&response, live, &stopped).await;
                // A stopped loop leaves the mark to the stream that may have replaced it.
                if stopped.get() {
                    return;
                }
                mark_open(false);
                policy.ended()
            }
            Ok(_) | Err(_) => policy.failed(),
        };
        match next {
            Next::Wait(ms) => sleep(ms).await,
            Next::Renew => match api::refresh().await {
                Ok(true) => {}
                Ok(false) => {
                    // The session ended: the sign-in says so.
                    if !stopped.get() {
                        ctx.expired.set(true);
                        ctx.auth.set(Auth::SignedOut);
                    }
                    return;
                }
                Err(_) => {
                    if let Next::Wait(ms) = policy.failed() {
                        sleep(ms).await;
                    }
                }
            },
        }
    }
}

async fn open(controller: Option<&AbortController>) -> Result<Response, gloo_net::Error> {
    let mut request = Request::get(&api::url(EVENTS_PATH))
        .header("accept", "text/event-stream")
        .credentials(RequestCredentials::Include)
        .abort_signal(controller.map(AbortController::signal).as_ref());
    if let Some(token) = api::access_token() {
        request = request.header("authorization", &format!("Bearer {token}"));
    }
    request.send().await
}

/// Reads the body until it ends, fails or is aborted, dispatching every event.
async fn read(response: &Response, live: Live, stopped: &Cell<bool>) {
    let Some(body) = response.body() else {
        return;
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut parser = SseParser::new();
    while !stopped.get() {
        let Ok(chunk) = JsFuture::from(reader.read()).await else {
            return;
        };
        let field = |name: &str| js_sys::Reflect::get(&chunk, &JsValue::from_str(name)).ok();
        if field("done").and_then(|d| d.as_bool()).unwrap_or(true) {
            return;
        }
        let Some(value) = field("value") else {
            return;
        };
        let bytes = js_sys::Uint8Array::new(&value).to_vec();
        for event in parser.push(&bytes) {
            let Some(topic) = Topic::of(&event.name) else {
                continue;
            };
            if topic == Topic::Appointments {
                live.changed_appointment.set(appointment_id(&event.data));
            }
            live.bump(topic);
        }
    }
}

/// The `appointment_id` of an `appointment_changed` payload.
pub fn appointment_id(data: &str) -> Option<String> {
    // Typed, not `serde_json::Value`: the PWA uses no `Value` anywhere else (bundle size).
    #[derive(serde::Deserialize)]
    struct Changed {
        appointment_id: Option<String>,
    }
    serde_json::from_str::<Changed>(data).ok()?.appointment_id
}

/// Reruns `reload` whenever `counter` changes (not when first called): for pages that reload what
/// they show on a live event.
pub fn on_change(counter: impl Fn(&Live) -> RwSignal<u32> + 'static, reload: impl Fn() + 'static) {
    let Some(live) = use_live() else {
        return;
    };
    Effect::new(move |prev: Option<()>| {
        counter(&live).track();
        if prev.is_some() {
            reload();
        }
    });
}

/// `<html data-live="open">` while the stream is open: for people and tests looking at the page.
fn mark_open(open: bool) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = if open {
            root.set_attribute("data-live", "open")
        } else {
            root.remove_attribute("data-live")
        };
    }
}

fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Resolves after `ms` milliseconds.
async fn sleep(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                i32::try_from(ms).unwrap_or(i32::MAX),
            );
        }
    });
    let _ = JsFuture::from(promise).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_map_to_topics() {
        assert_eq!(Topic::of("support_message"), Some(Topic::Support));
        assert_eq!(Topic::of("appointment_changed"), Some(Topic::Appointments));
        assert_eq!(Topic::of("notification"), Some(Topic::Notifications));
        assert_eq!(Topic::of("resync"), Some(Topic::All));
        assert_eq!(Topic::of("message"), None);
    }

    #[test]
    fn the_changed_appointment_is_read_from_the_payload() {
        assert_eq!(
            appointment_id(r#"{"appointment_id":"a-1","change":"cancelled"}"#).as_deref(),
            Some("a-1")
        );
        assert_eq!(appointment_id("{}"), None);
        assert_eq!(appointment_id("not json"), None);
    }
}
