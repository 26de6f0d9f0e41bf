//! Communication preferences: channel × purpose switches, saved one change at a time.

use leptos::{prelude::*, task::spawn_local};
use portal_api_types::preferences::Preference;
use portal_domain::{Channel, Purpose};

use crate::{
    api::{self, ApiError},
    app::ctx,
    components::{ErrorNote, Loading},
    i18n::T,
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
        <Show when=move || saved.get()>
            <p class="ok" role="status">{move || ctx.t(T::Saved)}</p>
        </Show>
        {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
    }
}
