//! `/`: without a company in the path, go to the last one used on this device, or explain.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::{browser, i18n::T, state::ctx};

/// The start page.
#[component]
pub fn Home() -> impl IntoView {
    let ctx = ctx();
    if let Some(slug) = browser::load("portal-slug").filter(|s| !s.is_empty()) {
        let navigate = use_navigate();
        request_animation_frame(move || navigate(&format!("/c/{slug}"), Default::default()));
    }
    view! {
        <main id="main" class="narrow">
            <h1>{move || ctx.t(T::AppName)}</h1>
            <p>{move || ctx.t(T::NoCompany)}</p>
        </main>
    }
}
