//! Small building blocks shared by the pages.

use leptos::{prelude::*, task::spawn_local};
use portal_api_types::ErrorCode;

use crate::{
    api,
    api::ApiError,
    i18n::{self, T},
    state::{Auth, ctx, on_session_error},
};

/// Shows a failed call as a sentence the customer understands, with the deadline and the number
/// to call for policy refusals.
#[component]
pub fn ErrorNote(
    /// The failure.
    error: ApiError,
) -> impl IntoView {
    let ctx = ctx();
    on_session_error(&error);
    let lang = ctx.lang.get_untracked();
    let (text, extra) = match &error {
        ApiError::Offline => (T::OfflineNothing.get(lang).to_owned(), None),
        ApiError::SessionExpired => (T::SessionExpired.get(lang).to_owned(), None),
        ApiError::Unexpected(_) => (T::ErrGeneric.get(lang).to_owned(), None),
        ApiError::Problem(p) => {
            let mut extra = Vec::new();
            if let Some(n) = p
                .attempts_remaining
                .filter(|_| p.code == ErrorCode::InvalidCode)
            {
                extra.push(format!("{} {n}", T::ErrAttemptsLeft.get(lang)));
            }
            if let Some(d) = &p.deadline {
                extra.push(format!(
                    "{} {}",
                    T::ErrDeadline.get(lang),
                    i18n::date_time(lang, d)
                ));
            }
            if let Some(phone) = &p.phone {
                extra.push(format!("{} {phone}", T::CallUs.get(lang)));
            }
            let extra = (!extra.is_empty()).then(|| extra.join(" · "));
            (i18n::error_text(p.code).get(lang).to_owned(), extra)
        }
    };
    let reauth = error.code() == Some(ErrorCode::ReauthRequired);
    view! {
        <div class="error" role="alert">
            <p>{text}</p>
            {extra.map(|e| view! { <p class="muted">{e}</p> })}
            {reauth.then(|| view! { <ReauthButton/> })}
        </div>
    }
}

/// The loading line (announced politely to screen readers).
#[component]
pub fn Loading() -> impl IntoView {
    let ctx = ctx();
    view! { <p class="muted" role="status">{move || ctx.t(T::Loading)}</p> }
}

/// "Sign in again" for `reauth_required`: ends this (too old) session; the page's sign-in guard
/// then opens the sign-in, which brings the customer back to this page.
#[component]
pub fn ReauthButton() -> impl IntoView {
    let ctx = ctx();
    let again = move |_| {
        spawn_local(async move {
            let _ = api::sign_out().await;
            ctx.auth.set(Auth::SignedOut);
        });
    };
    view! {
        <button type="button" class="secondary" data-testid="reauth" on:click=again>
            {move || ctx.t(T::SignInAgain)}
        </button>
    }
}

/// Under a form: "saved" after a successful save, else the last failure.
#[component]
pub fn SaveStatus(
    /// True after the last save succeeded.
    saved: RwSignal<bool>,
    /// The last failure.
    error: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    let ctx = ctx();
    view! {
        <Show when=move || saved.get()>
            <p class="ok" role="status">{move || ctx.t(T::Saved)}</p>
        </Show>
        {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
    }
}
