//! Sign-in: phone number → SMS code (one-time-code autofill and WebOTP), resend with countdown,
//! then back to the page that asked for it.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::{use_navigate, use_query_map};
use portal_api_types::auth::SignInChallenge;

use crate::{
    api::{self, ApiError},
    browser,
    components::ErrorNote,
    i18n::T,
    state::{Auth, ctx, tenant},
};

/// The sign-in screen.
#[component]
pub fn SignIn() -> impl IntoView {
    let ctx = ctx();
    let slug = tenant().slug;
    let query = use_query_map();
    let phone = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let challenge = RwSignal::new(None::<SignInChallenge>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let countdown = RwSignal::new(0u32);

    let start_countdown = move |seconds: u32| {
        countdown.set(seconds);
        if let Ok(handle) = set_interval_with_handle(
            move || countdown.update(|c| *c = c.saturating_sub(1)),
            std::time::Duration::from_secs(1),
        ) {
            Effect::new(move |_| {
                if countdown.get() == 0 {
                    handle.clear();
                }
            });
        }
    };

    let navigate = use_navigate();
    let finish = {
        let slug = slug.clone();
        move || {
            let next = query
                .with_untracked(|q| q.get("next"))
                .filter(|n| n.starts_with(&format!("/c/{slug}")) && !n.contains("//"))
                .unwrap_or_else(|| format!("/c/{slug}"));
            ctx.expired.set(false);
            ctx.auth.set(Auth::SignedIn);
            navigate(&next, Default::default());
        }
    };

    let verify = {
        let finish = finish.clone();
        move |entered: String| {
            let Some(c) = challenge.get_untracked() else {
                return;
            };
            let finish = finish.clone();
            busy.set(true);
            spawn_local(async move {
                match api::verify_sign_in(c.challenge_id, &entered).await {
                    Ok(profile) => {
                        ctx.set_lang(crate::i18n::Lang::from_tag(profile.language.as_str()));
                        finish();
                    }
                    Err(e) => error.set(Some(e)),
                }
                busy.set(false);
            });
        }
    };

    let request = {
        let slug = slug.clone();
        let verify = verify.clone();
        move || {
            let slug = slug.clone();
            let verify = verify.clone();
            busy.set(true);
            error.set(None);
            spawn_local(async move {
                match api::start_sign_in(&slug, &phone.get_untracked()).await {
                    Ok(c) => {
                        start_countdown(c.resend_in);
                        challenge.set(Some(c));
                        // WebOTP fills and submits the code where the browser supports it.
                        spawn_local(async move {
                            if let Some(otp) = browser::web_otp().await {
                                code.set(otp.clone());
                                verify(otp);
                            }
                        });
                    }
                    Err(e) => error.set(Some(e)),
                }
                busy.set(false);
            });
        }
    };

    let phone_step = {
        let request = request.clone();
        move || {
            let request = request.clone();
            view! {
                <p>{move || ctx.t(T::SignInIntro)}</p>
                <form on:submit=move |ev| { ev.prevent_default(); request(); }>
                    <label for="phone">{move || ctx.t(T::Phone)}</label>
                    <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel"
                        required=true placeholder="0151 23456789"
                        prop:value=move || phone.get()
                        on:input=move |ev| phone.set(event_target_value(&ev))/>
                    <button type="submit" class="primary" disabled=move || busy.get()>
                        {move || ctx.t(T::SendCode)}
                    </button>
                </form>
            }
            .into_any()
        }
    };
    let code_step = move || {
        let verify_submit = verify.clone();
        let request_again = request.clone();
        view! {
            <p>{move || ctx.t(T::CodeSentTo)} " "
                <strong>{move || challenge.get().map(|c| c.phone_masked).unwrap_or_default()}</strong>
            </p>
            <form on:submit=move |ev| { ev.prevent_default(); verify_submit(code.get_untracked()); }>
                <label for="code">{move || ctx.t(T::Code)}</label>
                <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                    pattern="[0-9 ]{6,7}" maxlength="7" required=true
                    prop:value=move || code.get()
                    on:input=move |ev| code.set(event_target_value(&ev))/>
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || ctx.t(T::Confirm)}
                </button>
            </form>
            <div class="row">
                <button type="button" class="secondary"
                    disabled=move || { countdown.get() > 0 || busy.get() }
                    on:click=move |_| request_again()>
                    {move || ctx.t(T::Resend)}
                </button>
                <span class="muted" aria-live="polite">
                    {move || (countdown.get() > 0).then(|| format!("{} {} {}", ctx.t(T::ResendIn), countdown.get(), ctx.t(T::Seconds)))}
                </span>
            </div>
            <button type="button" class="link" on:click=move |_| { challenge.set(None); code.set(String::new()); }>
                {move || ctx.t(T::OtherNumber)}
            </button>
        }
        .into_any()
    };

    view! {
        <section class="card narrow" aria-labelledby="signin-title">
            <h1 id="signin-title">{move || ctx.t(T::SignIn)}</h1>
            <Show when=move || ctx.expired.get()>
                <p class="notice" role="status">{move || ctx.t(T::SessionExpired)}</p>
            </Show>
            {move || if challenge.with(Option::is_some) { code_step() } else { phone_step() }}
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
        </section>
    }
}
