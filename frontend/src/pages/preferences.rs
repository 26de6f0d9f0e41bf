//! Communication preferences: channel × purpose switches, saved one change at a time, and the
//! switch for push notifications on this device.

use leptos::{prelude::*, task::spawn_local};
use portal_api_types::preferences::Preference;
use portal_domain::{Channel, Purpose};

use crate::{
    api::{self, ApiError},
    components::{ErrorNote, Loading, SaveStatus},
    i18n::T,
    push::{self, PushError, PushState},
    state::ctx,
};

fn channel_text(c: Channel) -> T {
    match c {
        Channel::Sms => T::ChannelSms,
        Channel::Email => T::ChannelEmail,
        Channel::Push => T::ChannelPush,
    }
}

fn purpose_text(p: Purpose) -> T {
    match p {
        Purpose::Transactional => T::PurposeTransactional,
        Purpose::Reminders => T::PurposeReminders,
        Purpose::Marketing => T::PurposeMarketing,
    }
}

/// The preferences screen.
#[component]
pub fn Preferences() -> impl IntoView {
    let ctx = ctx();
    let loaded = LocalResource::new(api::preferences);
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let change = move |p: Preference| {
        saved.set(false);
        error.set(None);
        spawn_local(async move {
            match api::update_preferences(vec![p]).await {
                Ok(_) => saved.set(true),
                Err(e) => {
                    error.set(Some(e));
                    loaded.refetch();
                }
            }
        });
    };
    view! {
        <h1>{move || ctx.t(T::Preferences)}</h1>
        <p>{move || ctx.t(T::PreferencesIntro)}</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok(list) => Channel::ALL.into_iter().map(|channel| {
                        let items: Vec<Preference> = list.items.iter().copied().filter(|p| p.channel == channel).collect();
                        view! {
                            <fieldset class="card">
                                <legend>{move || ctx.t(channel_text(channel))}</legend>
                                {items.into_iter().map(|p| {
                                    let id = format!("pref-{}-{}", p.channel.as_str(), p.purpose.as_str());
                                    view! {
                                        <label class="check">
                                            <input type="checkbox" id=id prop:checked=p.granted
                                                on:change=move |ev| change(Preference { granted: event_target_checked(&ev), ..p })/>
                                            {move || ctx.t(purpose_text(p.purpose))}
                                        </label>
                                    }
                                }).collect_view()}
                            </fieldset>
                        }
                    }).collect_view().into_any(),
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                }
            })}
        </Transition>
        <SaveStatus saved=saved error=error/>
        <PushCard/>
    }
}

/// The sentence for a state.
pub fn push_state_text(state: PushState) -> T {
    match state {
        PushState::Unsupported => T::PushUnsupported,
        PushState::Blocked => T::PushBlocked,
        PushState::Off => T::PushOff,
        PushState::On => T::PushOn,
    }
}

/// "Notifications on this device": the browser's push subscription, on or off.
#[component]
pub fn PushCard() -> impl IntoView {
    let ctx = ctx();
    let state = RwSignal::new(None::<PushState>);
    let error = RwSignal::new(None::<PushError>);
    let busy = RwSignal::new(false);
    spawn_local(async move { state.set(Some(push::state().await)) });
    let toggle = move |on: bool| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = if on {
                push::enable().await
            } else {
                push::disable().await
            };
            if let Err(e) = result {
                if let PushError::Subscribe(why) = &e {
                    leptos::logging::warn!("push subscription failed: {why}");
                }
                error.set(Some(e));
            }
            state.set(Some(push::state().await));
            busy.set(false);
        });
    };
    view! {
        <section class="card" data-testid="push">
            <h2>{move || ctx.t(T::PushTitle)}</h2>
            {move || match state.get() {
                None => view! { <Loading/> }.into_any(),
                Some(s) => view! {
                    <p data-testid="push-state">{move || ctx.t(push_state_text(s))}</p>
                    {(s == PushState::Off).then(|| view! {
                        <button type="button" class="primary" data-testid="push-on"
                            disabled=move || busy.get() on:click=move |_| toggle(true)>
                            {move || ctx.t(T::PushTurnOn)}
                        </button>
                    })}
                    {(s == PushState::On).then(|| view! {
                        <button type="button" class="secondary" data-testid="push-off"
                            disabled=move || busy.get() on:click=move |_| toggle(false)>
                            {move || ctx.t(T::PushTurnOff)}
                        </button>
                    })}
                }.into_any(),
            }}
            {move || error.get().map(|e| match e {
                PushError::Api(e) => view! { <ErrorNote error=e/> }.into_any(),
                other => {
                    let text = match other {
                        PushError::Unsupported => T::PushUnsupported,
                        PushError::Blocked => T::PushBlocked,
                        PushError::Dismissed => T::PushDismissed,
                        _ => T::PushSubscribeFailed,
                    };
                    view! { <p class="error" role="alert" data-testid="push-error">{move || ctx.t(text)}</p> }.into_any()
                }
            })}
        </section>
    }
}
