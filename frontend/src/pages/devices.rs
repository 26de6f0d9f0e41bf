//! Devices: every signed-in session; sign out one or all others.

use leptos::{prelude::*, task::spawn_local};
use portal_api_types::auth::SessionResponse;

use crate::{
    api::{self, ApiError},
    components::{ErrorNote, Loading},
    i18n::{self, T},
    state::ctx,
};

/// The devices screen.
#[component]
pub fn Devices() -> impl IntoView {
    let ctx = ctx();
    let list = LocalResource::new(api::sessions);
    let error = RwSignal::new(None::<ApiError>);
    let end = move |ids: Vec<uuid::Uuid>| {
        spawn_local(async move {
            for id in ids {
                if let Err(e) = api::end_session(id).await {
                    error.set(Some(e));
                    break;
                }
            }
            list.refetch();
        });
    };
    view! {
        <h1>{move || ctx.t(T::Devices)}</h1>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(l) => {
                        let others: Vec<_> = l.sessions.iter().filter(|s| !s.current).map(|s| s.id).collect();
                        let has_others = !others.is_empty();
                        view! {
                            <ul class="cards" data-testid="devices">
                                {l.sessions.into_iter().map(|s| view! { <Device session=s on_end=end/> }).collect_view()}
                            </ul>
                            <Show when=move || has_others>
                                <button type="button" class="secondary" on:click={
                                    let others = others.clone();
                                    move |_| end(others.clone())
                                }>{move || ctx.t(T::SignOutOthers)}</button>
                            </Show>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                }
            })}
        </Transition>
        {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
    }
}

/// One session.
#[component]
fn Device(
    /// The session.
    session: SessionResponse,
    /// Ends sessions by id.
    on_end: impl Fn(Vec<uuid::Uuid>) + Copy + 'static,
) -> impl IntoView {
    let ctx = ctx();
    let agent = session.user_agent.clone();
    let created = session.created_at.to_rfc3339();
    let used = session.last_used_at.to_rfc3339();
    let id = session.id;
    view! {
        <li class="card">
            <p class="what">{move || agent.clone().map(short_agent).unwrap_or_else(|| ctx.t(T::UnknownDevice).to_owned())}</p>
            {session.current.then(|| view! { <p class="status">{move || ctx.t(T::ThisDevice)}</p> })}
            <p class="muted">{move || ctx.t(T::SignedInAt)} ": " {move || i18n::date_time(ctx.lang.get(), &created)}</p>
            <p class="muted">{move || ctx.t(T::LastUsed)} ": " {move || i18n::date_time(ctx.lang.get(), &used)}</p>
            {(!session.current).then(|| view! {
                <button type="button" class="secondary" on:click=move |_| on_end(vec![id])>{move || ctx.t(T::SignOutDevice)}</button>
            })}
        </li>
    }
}

/// "Chrome on Android" style summary of a user agent.
pub fn short_agent(agent: String) -> String {
    let browser = ["Edg/", "Firefox/", "Chrome/", "Safari/"]
        .iter()
        .find(|b| agent.contains(*b))
        .map(|b| match *b {
            "Edg/" => "Edge",
            "Firefox/" => "Firefox",
            "Chrome/" => "Chrome",
            _ => "Safari",
        });
    let system = ["Android", "iPhone", "iPad", "Windows", "Mac OS", "Linux"]
        .iter()
        .find(|s| agent.contains(*s))
        .map(|s| if *s == "Mac OS" { "macOS" } else { s });
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} · {s}"),
        (Some(b), None) => b.to_owned(),
        _ => agent.chars().take(60).collect(),
    }
}
