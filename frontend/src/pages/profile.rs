//! Profile: mobile number (changed with a code texted to the new one), name, email and language.

use leptos::{prelude::*, task::spawn_local};
use portal_api_types::{
    auth::SignInChallenge,
    profile::{ProfileResponse, UpdateProfile},
};
use portal_domain::{EmailAddress, Locale, PersonName};

use crate::{
    api::{self, ApiError},
    components::{ErrorNote, Loading, SaveStatus},
    i18n::{Lang, T},
    state::ctx,
};

/// The profile screen.
#[component]
pub fn Profile() -> impl IntoView {
    let ctx = ctx();
    let profile = LocalResource::new(api::profile);
    view! {
        <h1>{move || ctx.t(T::Profile)}</h1>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(p) => view! { <ProfileForm profile=p/> }.into_any(),
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn invalid() -> ApiError {
    ApiError::Problem(portal_api_types::Problem::new(
        portal_api_types::ErrorCode::ValidationFailed,
        "invalid input",
    ))
}

/// The editable form, prefilled with the current profile.
#[component]
fn ProfileForm(
    /// The profile as loaded.
    profile: ProfileResponse,
) -> impl IntoView {
    let ctx = ctx();
    let name = RwSignal::new(profile.name.clone().unwrap_or_default());
    let email = RwSignal::new(profile.email.clone().unwrap_or_default());
    let language = RwSignal::new(profile.language.as_str().to_owned());
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let busy = RwSignal::new(false);
    // Fields this form does not edit are sent back unchanged (PUT replaces the profile).
    let address = profile.address.clone();
    let date_of_birth = profile.date_of_birth;
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        error.set(None);
        let email_text = email.get_untracked();
        let body = (|| {
            Some(UpdateProfile {
                name: PersonName::parse(&name.get_untracked()).ok()?,
                email: if email_text.trim().is_empty() {
                    None
                } else {
                    Some(EmailAddress::parse(email_text.trim()).ok()?)
                },
                language: Locale::parse(&language.get_untracked())?,
                address: address.clone(),
                date_of_birth,
            })
        })();
        let Some(body) = body else {
            error.set(Some(invalid()));
            return;
        };
        busy.set(true);
        spawn_local(async move {
            match api::update_profile(&body).await {
                Ok(p) => {
                    ctx.set_lang(Lang::from_tag(p.language.as_str()));
                    saved.set(true);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <PhoneChange phone=profile.phone.clone()/>
        <form class="card" on:submit=save>
            <label for="name">{move || ctx.t(T::Name)}</label>
            <input id="name" name="name" autocomplete="name" required=true maxlength="100"
                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            <label for="email">{move || ctx.t(T::Email)}</label>
            <input id="email" name="email" type="email" autocomplete="email" maxlength="254"
                prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/>
            <label for="language">{move || ctx.t(T::Language)}</label>
            <select id="language" name="language" prop:value=move || language.get()
                on:change=move |ev| language.set(event_target_value(&ev))>
                <option value="de">"Deutsch"</option>
                <option value="en">"English"</option>
            </select>
            <button type="submit" class="primary" disabled=move || busy.get()>{move || ctx.t(T::Save)}</button>
            <SaveStatus saved=saved error=error/>
        </form>
    }
}

/// The mobile number and its change: the new number gets a 6-digit code, which switches over.
#[component]
fn PhoneChange(
    /// The current number.
    phone: String,
) -> impl IntoView {
    let ctx = ctx();
    let current = RwSignal::new(phone);
    let open = RwSignal::new(false);
    let new_phone = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let challenge = RwSignal::new(None::<SignInChallenge>);
    let error = RwSignal::new(None::<ApiError>);
    let changed = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let request = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        busy.set(true);
        spawn_local(async move {
            match api::change_phone(new_phone.get_untracked().trim()).await {
                Ok(c) => challenge.set(Some(c)),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let verify = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(c) = challenge.get_untracked() else {
            return;
        };
        error.set(None);
        busy.set(true);
        spawn_local(async move {
            match api::verify_phone_change(c.challenge_id, code.get_untracked().trim()).await {
                Ok(p) => {
                    current.set(p.phone);
                    changed.set(true);
                    open.set(false);
                    challenge.set(None);
                    new_phone.set(String::new());
                    code.set(String::new());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" data-testid="phone-change">
            <label for="phone-ro">{move || ctx.t(T::Phone)}</label>
            <input id="phone-ro" type="tel" readonly=true prop:value=move || current.get()/>
            <Show when=move || changed.get()>
                <p class="ok" role="status">{move || ctx.t(T::PhoneChanged)}</p>
            </Show>
            <Show when=move || !open.get()>
                <button type="button" class="secondary" data-testid="change-phone" on:click=move |_| { changed.set(false); open.set(true) }>
                    {move || ctx.t(T::ChangePhone)}
                </button>
            </Show>
            <Show when=move || open.get() && challenge.get().is_none()>
                <form on:submit=request>
                    <label for="new-phone">{move || ctx.t(T::NewPhone)}</label>
                    <input id="new-phone" name="new-phone" type="tel" autocomplete="tel" inputmode="tel"
                        required=true maxlength="32"
                        prop:value=move || new_phone.get() on:input=move |ev| new_phone.set(event_target_value(&ev))/>
                    <button type="submit" class="primary" disabled=move || busy.get()>{move || ctx.t(T::SendCode)}</button>
                </form>
            </Show>
            {move || challenge.get().map(|c| view! {
                <form on:submit=verify>
                    <p class="notice" role="status">{move || ctx.t(T::CodeSentTo)} " " {c.phone_masked.clone()}</p>
                    <label for="phone-code">{move || ctx.t(T::Code)}</label>
                    <input id="phone-code" name="one-time-code" autocomplete="one-time-code" inputmode="numeric"
                        pattern="[0-9]{6}" maxlength="6" required=true
                        prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))/>
                    <button type="submit" class="primary" disabled=move || busy.get()>{move || ctx.t(T::Confirm)}</button>
                    <button type="button" class="link" on:click=move |_| { challenge.set(None); code.set(String::new()) }>
                        {move || ctx.t(T::OtherNumber)}
                    </button>
                </form>
            })}
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
        </section>
    }
}
