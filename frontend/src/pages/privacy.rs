//! Privacy: download everything stored (GDPR Art. 15/20) and delete the account (Art. 17). Both
//! need a recent sign-in; the refusal says so.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_navigate;

use crate::{
    api::{self, ApiError},
    browser,
    components::ErrorNote,
    i18n::T,
    state::{Auth, ctx, tenant},
};

/// The privacy screen.
#[component]
pub fn Privacy() -> impl IntoView {
    let ctx = ctx();
    let error = RwSignal::new(None::<ApiError>);
    let confirmed = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    let slug = tenant().slug;
    let export = move |_| {
        error.set(None);
        spawn_local(async move {
            match api::export().await {
                Ok(bytes) => {
                    let _ = browser::download(&bytes, "application/json", "personal-data.json");
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let erase = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let navigate = navigate.clone();
        let target = format!("/c/{slug}/signin");
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::erase_account().await {
                Ok(()) => {
                    browser::clear_api_cache().await;
                    ctx.auth.set(Auth::SignedOut);
                    navigate(&target, Default::default());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <h1>{move || ctx.t(T::Privacy)}</h1>
        <section class="card">
            <h2>{move || ctx.t(T::ExportTitle)}</h2>
            <p>{move || ctx.t(T::ExportIntro)}</p>
            <button type="button" class="secondary" data-testid="export" on:click=export>{move || ctx.t(T::ExportButton)}</button>
        </section>
        <form class="card" on:submit=erase>
            <h2>{move || ctx.t(T::DeleteTitle)}</h2>
            <p>{move || ctx.t(T::DeleteIntro)}</p>
            <label class="check">
                <input type="checkbox" id="erase-confirm" prop:checked=move || confirmed.get()
                    on:change=move |ev| confirmed.set(event_target_checked(&ev))/>
                {move || ctx.t(T::DeleteConfirmLabel)}
            </label>
            <button type="submit" class="danger" disabled=move || { !confirmed.get() || busy.get() }>{move || ctx.t(T::DeleteButton)}</button>
        </form>
        {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
    }
}
