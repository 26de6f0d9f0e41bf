//! The customer PWA. This crate holds the application shell; the screens (sign-in, appointments,
//! profile, messages, …) arrive with the PWA issue. It depends only on `portal-domain` and
//! `portal-api-types`, never on the server crates, and builds for `wasm32-unknown-unknown`.

use leptos::prelude::*;

/// The root component: the page frame every screen renders into.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <main class="shell">
            <h1>"Customer Portal"</h1>
        </main>
    }
}
