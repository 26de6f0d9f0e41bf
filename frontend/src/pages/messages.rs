//! Message history: every SMS, email and push message the business sent, with status and time, a
//! channel filter, and one message opened in full (which marks it read).

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};
use portal_api_types::notifications::NotificationSummary;

use crate::{
    api,
    components::{ErrorNote, Loading},
    i18n::{self, T},
    live,
    state::{ctx, tenant},
};

/// The delivery status as a word (unknown ones are shown as sent by the server).
fn status_text(status: &str) -> Option<T> {
    match status {
        "queued" => Some(T::MsgQueued),
        "sent" => Some(T::MsgSent),
        "delivered" => Some(T::MsgDelivered),
        "failed" | "undelivered" => Some(T::MsgFailed),
        "skipped" | "suppressed" => Some(T::MsgSkipped),
        _ => None,
    }
}

fn channel_text(channel: &str) -> Option<T> {
    match channel {
        "sms" => Some(T::ChannelSms),
        "email" => Some(T::ChannelEmail),
        "push" => Some(T::ChannelPush),
        _ => None,
    }
}

/// Shows a text key reactively, or the raw value when there is no key for it.
fn word(key: Option<T>, raw: String) -> impl Fn() -> String + Send + Sync + 'static {
    let ctx = ctx();
    move || key.map_or_else(|| raw.clone(), |k| ctx.t(k).to_owned())
}

/// The list screen with its channel filter.
#[component]
pub fn Messages() -> impl IntoView {
    let ctx = ctx();
    let channel = RwSignal::new(None::<&'static str>);
    let list = LocalResource::new(move || {
        let channel = channel.get();
        async move {
            let page = api::notifications(channel).await;
            // The list knows the current count: the badge follows it.
            if let Ok(p) = &page {
                ctx.unread.set(p.unread_count);
            }
            page
        }
    });
    live::on_change(|l| l.notifications, move || list.refetch());
    let tab = move |value: Option<&'static str>, label: T| {
        view! {
            <button type="button" role="tab" class="tab"
                aria-selected=move || (channel.get() == value).to_string()
                on:click=move |_| channel.set(value)>
                {move || ctx.t(label)}
            </button>
        }
    };
    view! {
        <h1>{move || ctx.t(T::Messages)}</h1>
        <p class="muted">{move || ctx.t(T::MessagesIntro)}</p>
        <div role="tablist" class="segmented" aria-label=move || ctx.t(T::FilterChannel)>
            {tab(None, T::AllChannels)}
            {tab(Some("sms"), T::ChannelSms)}
            {tab(Some("email"), T::ChannelEmail)}
            {tab(Some("push"), T::ChannelPush)}
        </div>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(page) if page.items.is_empty() => {
                        view! { <p class="empty">{move || ctx.t(T::NoMessages)}</p> }.into_any()
                    }
                    Ok(page) => view! {
                        <ul class="cards" data-testid="messages">
                            {page.items.into_iter().map(|m| view! { <MessageCard message=m/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// One message in the list: channel, time, status and the first words, linking to the message.
#[component]
fn MessageCard(
    /// The message to show.
    message: NotificationSummary,
) -> impl IntoView {
    let ctx = ctx();
    let m = message;
    let href = format!("/c/{}/messages/{}", tenant().slug, m.id);
    let created = m.created_at.clone();
    let unread = !m.read;
    view! {
        <li class="card appt msg" class:unread=unread>
            <A href=href>
                <span class="when">
                    {word(channel_text(m.channel.as_str()), m.channel.as_str().to_owned())} " · "
                    {move || i18n::date_time(ctx.lang.get(), &created)}
                    <Show when=move || unread>
                        " · " <span class="badge">{move || ctx.t(T::Unread)}</span>
                    </Show>
                </span>
                <span class="what">{m.subject.clone().unwrap_or_else(|| m.preview.clone())}</span>
                {m.subject.is_some().then(|| view! { <span class="muted">{m.preview.clone()}</span> })}
                <span class="status">{word(status_text(m.status.as_str()), m.status.as_str().to_owned())}</span>
            </A>
        </li>
    }
}

/// One message in full; opening it marks it read.
#[component]
pub fn Message() -> impl IntoView {
    let ctx = ctx();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let detail = LocalResource::new(move || {
        let id = id();
        async move {
            let detail = api::notification(&id).await?;
            if !detail.summary.read {
                // Failing to mark read does not hide the message; the badge stays until next time.
                if api::mark_read(&id).await.is_ok() {
                    ctx.unread.update(|n| *n = n.saturating_sub(1));
                }
            }
            Ok(detail)
        }
    });
    let back = format!("/c/{}/messages", tenant().slug);
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => {
                        let s = d.summary;
                        let created = s.created_at.clone();
                        view! {
                            <h1>{s.subject.clone().unwrap_or_else(|| ctx.t(channel_text(s.channel.as_str()).unwrap_or(T::Messages)).to_owned())}</h1>
                            <article class="card" data-testid="message">
                                <dl class="facts">
                                    <dt>{move || ctx.t(T::SentTo)}</dt><dd>{s.recipient.clone()}</dd>
                                    <dt>{move || ctx.t(T::Status)}</dt>
                                    <dd>{word(status_text(s.status.as_str()), s.status.as_str().to_owned())} " · " {move || i18n::date_time(ctx.lang.get(), &created)}</dd>
                                </dl>
                                // The plain-text part: the HTML part is sanitised by the server, but
                                // text keeps the app free of injected markup altogether.
                                <p class="body">{d.body_text}</p>
                            </article>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                }
            })}
        </Transition>
        <A href=back attr:class="back">{move || ctx.t(T::Back)}</A>
    }
}
