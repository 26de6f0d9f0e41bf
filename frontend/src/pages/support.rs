//! Support chat: the conversation with the business's staff. New messages arrive through the live
//! event stream (`support_message`), which makes the screen reload the conversation.

use leptos::{prelude::*, task::spawn_local};
use portal_api_types::support::SupportMessage;

use crate::{
    api::{self, ApiError},
    components::ErrorNote,
    i18n::{self, T},
    live,
    state::{ctx, on_session_error},
};

/// The chat screen.
#[component]
pub fn Support() -> impl IntoView {
    let ctx = ctx();
    let messages = RwSignal::new(None::<Vec<SupportMessage>>);
    let error = RwSignal::new(None::<ApiError>);
    let draft = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let load = move || {
        spawn_local(async move {
            match api::support_messages().await {
                Ok(list) => {
                    if messages.get_untracked().as_ref() != Some(&list.items) {
                        messages.set(Some(list.items));
                    }
                }
                Err(e) => {
                    on_session_error(&e);
                    if messages.get_untracked().is_none() {
                        error.set(Some(e));
                    }
                }
            }
        });
    };
    load();
    live::on_change(|l| l.support, load);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = draft.get_untracked().trim().to_owned();
        if body.is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::send_support_message(body).await {
                Ok(m) => {
                    draft.set(String::new());
                    messages.update(|list| list.get_or_insert_with(Vec::new).push(m));
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <h1>{move || ctx.t(T::Support)}</h1>
        <p class="muted">{move || ctx.t(T::SupportIntro)}</p>
        <ol class="chat" data-testid="chat" aria-live="polite">
            {move || match messages.get() {
                None => view! { <li class="muted" role="status">{ctx.t(T::Loading)}</li> }.into_any(),
                Some(list) if list.is_empty() => view! { <li class="empty">{ctx.t(T::NoSupportMessages)}</li> }.into_any(),
                Some(list) => list.into_iter().map(|m| {
                    let mine = m.author == portal_api_types::support::SupportAuthor::Customer;
                    let who = if mine { ctx.t(T::You).to_owned() } else { m.author_name.clone().unwrap_or_else(|| ctx.t(T::Team).to_owned()) };
                    let created = m.created_at.clone();
                    view! {
                        <li class="bubble" class:mine=mine>
                            <span class="muted">{who} " · " {move || i18n::date_time(ctx.lang.get(), &created)}</span>
                            <p>{m.body}</p>
                        </li>
                    }
                }).collect_view().into_any(),
            }}
        </ol>
        <form class="card" on:submit=send>
            <label for="support-body">{move || ctx.t(T::YourMessage)}</label>
            <textarea id="support-body" name="body" rows="3" maxlength="2000" required=true
                prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
            <button type="submit" class="primary" disabled=move || busy.get()>{move || ctx.t(T::Send)}</button>
        </form>
        {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
    }
}
