//! The customer PWA: Leptos client-side rendering compiled to wasm32. It depends only on
//! `portal-domain` and `portal-api-types`, never on the server crates.
//!
//! The tenant comes from the path (`/c/{slug}/…`); the access token lives in memory only and is
//! renewed through an HttpOnly cookie the page cannot read; the service worker (`assets/sw.js`)
//! keeps the shell and the last API answers for offline use.

pub mod api;
pub mod app;
pub mod browser;
pub mod components;
pub mod i18n;
pub mod lazy;
pub mod live;
pub mod pages;
pub mod push;
pub mod single_flight;
pub mod sse;
pub mod state;

pub use app::App;

/// Entry point called by the generated JavaScript once the wasm module is loaded.
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    if let Some(base) = browser::meta("portal-api-base") {
        api::set_base_url(&base);
    }
    browser::remove_element("shell");
    leptos::mount::mount_to_body(App);
}
