//! App-wide state and context: the session state, the context every page reads (language,
//! session, offline flag, unread count), the tenant of the current path and the shared handling of
//! an ended session.
//!
//! It lives apart from `app.rs` because pages, components, the lazy loader and the live updates all
//! depend on it, while `app.rs` wires the routes and the layout out of those pages; keeping the
//! state here means none of them imports `app.rs`, so there is no import cycle.

use leptos::prelude::*;

use crate::{
    api::ApiError,
    browser,
    i18n::{Lang, T},
};

/// Where the session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// Still asking the server (silent refresh at start).
    Checking,
    /// An access token is held.
    SignedIn,
    /// No session: show the sign-in.
    SignedOut,
    /// The network is down: pages show what the service worker kept.
    Offline,
}

/// What every page can reach through `use_context::<Ctx>()`.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    /// Interface language.
    pub lang: RwSignal<Lang>,
    /// Session state.
    pub auth: RwSignal<Auth>,
    /// True when the last answer came from the offline cache.
    pub stale: RwSignal<bool>,
    /// True when a session ended under the customer's feet (the sign-in says so).
    pub expired: RwSignal<bool>,
    /// Unread messages (the badge in the navigation).
    pub unread: RwSignal<u64>,
}

impl Ctx {
    /// The text for `key` in the current language (reactive).
    pub fn t(&self, key: T) -> &'static str {
        key.get(self.lang.get())
    }

    /// Switches the language and remembers the choice on this device.
    pub fn set_lang(&self, lang: Lang) {
        self.lang.set(lang);
        browser::store("portal-lang", lang.tag());
        browser::set_document_lang(lang.tag());
    }
}

/// The context; panics only if a component is rendered outside [`App`](crate::App), a programming
/// error.
pub fn ctx() -> Ctx {
    #[expect(clippy::expect_used, reason = "every page is rendered inside App")]
    use_context::<Ctx>().expect("App provides Ctx")
}

/// The tenant of the current `/c/{slug}` path.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// The slug from the path.
    pub slug: String,
}

/// The tenant context (set by the `/c/{slug}` layout).
pub fn tenant() -> Tenant {
    use_context::<Tenant>().unwrap_or(Tenant {
        slug: String::new(),
    })
}

/// Handles a failed call the same way on every page: an ended session goes back to sign-in.
pub fn on_session_error(err: &ApiError) {
    if *err == ApiError::SessionExpired {
        let ctx = ctx();
        ctx.expired.set(true);
        ctx.auth.set(Auth::SignedOut);
    }
}
