//! Component tests in headless Chromium: `just test-wasm` (wasm-bindgen-test-runner with
//! chromedriver). Each test mounts a component into a fresh element and reads the DOM.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use leptos::prelude::*;
use portal_api_types::{ErrorCode, Problem, appointments::Slot, appointments::StaffSummary};
use portal_frontend::{
    api::ApiError,
    components::ErrorNote,
    i18n::Lang,
    pages::{appointment::group_by_day, devices::short_agent},
    state::{Auth, Ctx},
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn container() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div.dyn_into().unwrap()
}

fn mount_with_lang(lang: Lang, view: impl Fn() -> AnyView + 'static) -> web_sys::HtmlElement {
    let parent = container();
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        provide_context(Ctx {
            lang: RwSignal::new(lang),
            auth: RwSignal::new(Auth::SignedIn),
            stale: RwSignal::new(false),
            expired: RwSignal::new(false),
            unread: RwSignal::new(0),
        });
        view()
    });
    handle.forget();
    parent
}

#[wasm_bindgen_test]
fn a_refused_cancel_shows_the_deadline_and_whom_to_call() {
    let mut problem = Problem::new(ErrorCode::CancellationWindowClosed, "too late");
    problem.deadline = Some("2026-11-30T10:00:00+01:00".into());
    problem.phone = Some("+493012345670".into());
    let el = mount_with_lang(Lang::De, move || {
        view! { <ErrorNote error=ApiError::Problem(problem.clone())/> }.into_any()
    });
    let text = el.text_content().unwrap();
    assert!(text.contains("nicht mehr möglich"), "{text}");
    assert!(text.contains("Mo 30.11.2026, 10:00"), "{text}");
    assert!(text.contains("+493012345670"), "{text}");
    let alert = el.query_selector("[role=alert]").unwrap();
    assert!(alert.is_some(), "announced to screen readers");
}

#[wasm_bindgen_test]
fn a_wrong_code_says_how_many_tries_are_left_in_english() {
    let mut problem = Problem::new(ErrorCode::InvalidCode, "wrong");
    problem.attempts_remaining = Some(3);
    let el = mount_with_lang(Lang::En, move || {
        view! { <ErrorNote error=ApiError::Problem(problem.clone())/> }.into_any()
    });
    let text = el.text_content().unwrap();
    assert!(text.contains("The code is not correct."), "{text}");
    assert!(text.contains("Attempts left: 3"), "{text}");
}

#[wasm_bindgen_test]
fn offline_without_saved_data_is_said_plainly() {
    let el = mount_with_lang(Lang::De, || {
        view! { <ErrorNote error=ApiError::Offline/> }.into_any()
    });
    assert!(el.text_content().unwrap().contains("Keine Verbindung"));
}

fn slot(starts_at: &str) -> Slot {
    Slot {
        starts_at: starts_at.into(),
        ends_at: starts_at.into(),
        staff: StaffSummary {
            id: uuid::Uuid::nil(),
            name: "Dr. Weber".into(),
        },
    }
}

#[wasm_bindgen_test]
fn slots_group_by_the_branch_local_day() {
    // 23:30 local on the 1st is the 1st, although it is already the 2nd in some other zone.
    let days = group_by_day(&[
        slot("2026-12-01T09:00:00+01:00"),
        slot("2026-12-01T23:30:00+01:00"),
        slot("2026-12-02T08:00:00+01:00"),
    ]);
    let summary: Vec<_> = days.iter().map(|(d, s)| (d.as_str(), s.len())).collect();
    assert_eq!(summary, [("2026-12-01", 2), ("2026-12-02", 1)]);
}

#[wasm_bindgen_test]
fn devices_get_short_names() {
    let agent =
        "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36";
    assert_eq!(short_agent(agent.into()), "Chrome · Android");
}
