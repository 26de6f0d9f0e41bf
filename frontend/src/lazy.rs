//! Screens loaded on demand. The first load carries the frame, the sign-in and the appointment
//! list; every other screen is its own wasm chunk, fetched the first time it is opened (and
//! precached by the service worker for offline use).
//!
//! `just frontend` builds with the `split` feature: Leptos' `#[lazy]` marks each screen as a split
//! point and `wasm-split-cli` cuts the module there (see `frontend/build.sh`). Without the feature
//! (component tests, `cargo check`) the same functions are plain `async fn`s in one module.
#![allow(
    unsafe_code,
    reason = "the lazy-loading macro declares the chunk loader imports as extern \"C\""
)]

use leptos::prelude::*;

use crate::{i18n::T, pages, state::ctx};

/// A screen that lives in its own chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Appointment detail: cancel, reschedule, downloads.
    Appointment,
    /// Profile and phone change.
    Profile,
    /// Communication preferences and push.
    Preferences,
    /// Export and account deletion.
    Privacy,
    /// Message history.
    Messages,
    /// One message.
    Message,
    /// Support chat.
    Support,
    /// Medical history.
    Medical,
    /// Signed-in devices.
    Devices,
}

#[cfg_attr(feature = "split", leptos::lazy)]
async fn appointment() -> AnyView {
    view! { <pages::appointment::Appointment/> }.into_any()
}

#[cfg_attr(feature = "split", leptos::lazy)]
async fn profile() -> AnyView {
    view! { <pages::profile::Profile/> }.into_any()
}

#[cfg_attr(feature = "split", leptos::lazy)]
async fn preferences() -> AnyView {
    view! { <pages::preferences::Preferences/> }.into_any()
}

#[cfg_attr(feature = "split", leptos::lazy)]
async fn privacy() -> AnyView {
    view! { <pages::privacy::Privacy/> }.into_any()
}

#[cfg_attr(feature = "split", leptos::lazy)]
async fn messages() -> AnyView {
    view! { <pages::messages::Messages/> }.into_any()
}

#[cfg_attr(feature = "split", leptos::lazy)]
async fn message() -> AnyView {
    view! { <pages::messages::Message/> }.into_any()
}

#[cfg_attr(feature = "split", leptos::lazy)]
async fn support() -> AnyView {
    view! { <pages::support::Support/> }.into_any()
}

#[cfg_attr(feature = "split", leptos::lazy)]
async fn medical() -> AnyView {
    view! { <pages::medical::Medical/> }.into_any()
}

#[cfg_attr(feature = "split", leptos::lazy)]
async fn devices() -> AnyView {
    view! { <pages::devices::Devices/> }.into_any()
}

async fn load(screen: Screen) -> AnyView {
    match screen {
        Screen::Appointment => appointment().await,
        Screen::Profile => profile().await,
        Screen::Preferences => preferences().await,
        Screen::Privacy => privacy().await,
        Screen::Messages => messages().await,
        Screen::Message => message().await,
        Screen::Support => support().await,
        Screen::Medical => medical().await,
        Screen::Devices => devices().await,
    }
}

/// Shows `screen` once its chunk is loaded ("loading" until then).
#[component]
pub fn Lazy(
    /// The screen to show.
    screen: Screen,
) -> impl IntoView {
    let ctx = ctx();
    view! {
        <Suspense fallback=move || view! { <p class="muted" role="status">{ctx.t(T::Loading)}</p> }>
            {Suspend::new(load(screen))}
        </Suspense>
    }
}
