//! End-to-end: the real `portal` binary on SQLite demo data serves the built PWA (`just frontend`)
//! and headless Chromium (Debian's chromium + chromium-driver, driven with fantoccini) uses it the
//! way a customer does. Screenshots of the main screens at 390×844 and 1280×800 go to
//! `target/e2e-screenshots/`.
//!
//! This test fails — it never skips — when Chromium, chromedriver or the built PWA is missing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap is a failed test"
)]

mod harness;
#[path = "../support/instance.rs"]
mod instance;

use fantoccini::Locator;
use harness::{Browser, Portal};
use serde_json::Value;
use std::time::Duration;

const WEBER: &str = "praxis-weber";
const ANNA: &str = "+4915100000001";
const NEW_PHONE: &str = "+4915100000099";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_uses_the_pwa_end_to_end() {
    let portal = Portal::start().await;
    // The test's own API session, to pick appointments and check what the browser did.
    let api = portal.api_sign_in(WEBER, ANNA).await;
    let upcoming = portal
        .get(&api, "/api/customer/appointments?scope=upcoming&limit=50")
        .await;
    let items = upcoming["items"].as_array().unwrap().clone();
    assert!(
        items.len() >= 3,
        "demo data gives Anna several upcoming appointments"
    );
    let to_cancel = items[items.len() - 1]["id"].as_str().unwrap().to_owned();
    let to_move = items[items.len() - 2]["id"].as_str().unwrap().to_owned();
    let refused = items[0]["id"].as_str().unwrap().to_owned();

    let browser = Browser::start().await;
    let b = &browser.client;

    // Sign in: the app sends us to the sign-in page and back to where we wanted to go.
    b.goto(&portal.url("/c/praxis-weber/profile"))
        .await
        .unwrap();
    browser.wait_css("#phone").await;
    assert!(
        b.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("/signin?next=")
    );
    browser.wait_text("header .brand", "Praxis Dr. Weber").await;
    browser.screenshots("signin").await;
    // The loading shell from index.html is gone once the app runs.
    let shell = b
        .execute("return document.getElementById('shell') === null", vec![])
        .await
        .unwrap();
    assert_eq!(shell, Value::Bool(true), "the loading shell was removed");
    // The first load is the frame, the sign-in and the list: no screen chunk is fetched yet.
    assert_eq!(browser.chunks_loaded().await, Vec::<String>::new());
    browser.type_into("#phone", "0151 00000001").await;
    // The test's API sign-in just sent a code to this number: the server wants 60 s between codes.
    portal.wait_resend_window().await;
    browser.click("form button[type=submit]").await;
    browser.wait_css("#code").await;
    let code = portal.last_code(ANNA).await;
    browser.type_into("#code", &code).await;
    browser.click("form button[type=submit]").await;
    browser.wait_css("#name").await;
    assert!(
        b.current_url()
            .await
            .unwrap()
            .as_str()
            .ends_with("/c/praxis-weber/profile")
    );
    let chunks = browser.chunks_loaded().await;
    assert!(
        chunks.iter().any(|c| c.starts_with("split_profile_")),
        "the profile screen came in its own chunk: {chunks:?}"
    );

    // Profile edit.
    let name = b.find(Locator::Css("#name")).await.unwrap();
    name.clear().await.unwrap();
    name.send_keys("Anna Schmidt-Test").await.unwrap();
    browser.screenshots("profile").await;
    browser.click("form button[type=submit]").await;
    browser.wait_css(".ok").await;
    let profile = portal.get(&api, "/api/customer/profile").await;
    assert_eq!(profile["name"], "Anna Schmidt-Test");

    // Preferences: marketing texts are opt-in; switch them on.
    b.goto(&portal.url("/c/praxis-weber/preferences"))
        .await
        .unwrap();
    browser.wait_css("#pref-sms-marketing").await;
    browser.screenshots("preferences").await;
    browser.click("#pref-sms-marketing").await;
    browser.wait_css("p.ok").await;
    let prefs = portal.get(&api, "/api/customer/preferences").await;
    let sms_marketing = prefs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["channel"] == "sms" && p["purpose"] == "marketing")
        .unwrap()
        .clone();
    assert_eq!(sms_marketing["granted"], true);

    // Privacy: the export downloads everything stored (the sign-in is recent enough).
    b.goto(&portal.url("/c/praxis-weber/privacy"))
        .await
        .unwrap();
    browser.click("[data-testid=export]").await;
    let export = browser.downloaded(".json").await;
    let export: Value = serde_json::from_slice(&export).unwrap();
    assert_eq!(export["profile"]["name"], "Anna Schmidt-Test");
    browser.screenshots("privacy").await;

    // The list.
    b.goto(&portal.url("/c/praxis-weber")).await.unwrap();
    browser.wait_css("[data-testid=appointments] li").await;
    let cards = b
        .find_all(Locator::Css("[data-testid=appointments] li"))
        .await
        .unwrap();
    assert_eq!(cards.len(), items.len());
    let first = cards[0].text().await.unwrap();
    assert!(
        first.contains(items[0]["service"]["name"].as_str().unwrap()),
        "{first}"
    );
    browser.screenshots("appointments").await;

    // Cancel with a reason.
    b.goto(&portal.url(&format!("/c/praxis-weber/appointments/{to_cancel}")))
        .await
        .unwrap();
    browser.wait_css("[data-testid=cancel]").await;
    browser.screenshots("appointment").await;
    browser.click("[data-testid=cancel]").await;
    browser.type_into("#reason", "Ich bin krank.").await;
    browser.click("[data-testid=cancel-confirm]").await;
    browser.wait_text("[data-testid=status]", "Abgesagt").await;
    let cancelled = portal
        .get(&api, &format!("/api/customer/appointments/{to_cancel}"))
        .await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancellation"]["reason"], "Ich bin krank.");

    // Reschedule through the slot picker.
    b.goto(&portal.url(&format!("/c/praxis-weber/appointments/{to_move}")))
        .await
        .unwrap();
    browser.wait_css("[data-testid=reschedule]").await;
    browser.click("[data-testid=reschedule]").await;
    browser.wait_css(".slot").await;
    browser.screenshots("reschedule").await;
    browser.click(".slot").await;
    browser.wait_text("p.ok", "verschoben").await;
    browser.wait_text(".history", "Verschoben").await;
    let moved = portal
        .get(&api, &format!("/api/customer/appointments/{to_move}"))
        .await;
    let before = items[items.len() - 2]["starts_at"].as_str().unwrap();
    assert_ne!(
        moved["starts_at"].as_str().unwrap(),
        before,
        "moved to another slot"
    );
    assert_eq!(
        moved["history"].as_array().unwrap().last().unwrap()["kind"],
        "rescheduled"
    );

    // Downloads: the ICS and the PDF land in the download folder.
    browser.click("[data-testid=ics]").await;
    let ics = browser.downloaded(".ics").await;
    assert!(String::from_utf8_lossy(&ics).contains("BEGIN:VCALENDAR"));
    browser.click("[data-testid=pdf]").await;
    let pdf = browser.downloaded(".pdf").await;
    assert!(pdf.starts_with(b"%PDF"));
    let google = b
        .find(Locator::Css("a[href^='https://calendar.google.com/']"))
        .await
        .unwrap();
    let google = google.attr("href").await.unwrap().unwrap();
    // The event starts at the moved appointment's time, in UTC.
    let starts_utc = chrono::DateTime::parse_from_rfc3339(moved["starts_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc)
        .format("%Y%m%dT%H%M%SZ")
        .to_string();
    assert!(google.contains("action=TEMPLATE"), "{google}");
    assert!(google.contains(&format!("dates={starts_utc}/")), "{google}");

    // A refused cancel inside the window: the business now wants more notice than is left.
    portal.set_cancel_notice_days(WEBER, 400).await;
    b.goto(&portal.url(&format!("/c/praxis-weber/appointments/{refused}")))
        .await
        .unwrap();
    browser.wait_css("[data-testid=cancel]").await;
    let policy = browser.text(".actions").await;
    assert!(
        policy.contains("nicht mehr möglich"),
        "policy shown before confirming: {policy}"
    );
    browser.click("[data-testid=cancel]").await;
    browser.click("[data-testid=cancel-confirm]").await;
    browser.wait_css(".panel .error").await;
    let refusal = browser.text(".panel .error").await;
    assert!(refusal.contains("nicht mehr möglich"), "{refusal}");
    assert!(
        refusal.contains("+49"),
        "the branch's phone is offered: {refusal}"
    );
    browser.screenshots("refused-cancel").await;
    let still = portal
        .get(&api, &format!("/api/customer/appointments/{refused}"))
        .await;
    assert_ne!(still["status"], "cancelled");

    // Language switch.
    browser.click("button.lang").await;
    browser.wait_text("h1", "").await;
    assert_eq!(
        b.execute("return document.documentElement.lang", vec![])
            .await
            .unwrap(),
        Value::from("en")
    );
    browser.click("button.lang").await;

    // Devices: this browser and the test's API session.
    b.goto(&portal.url("/c/praxis-weber/devices"))
        .await
        .unwrap();
    browser.wait_css("[data-testid=devices] li").await;
    let devices = b
        .find_all(Locator::Css("[data-testid=devices] li"))
        .await
        .unwrap();
    assert!(devices.len() >= 2);
    browser.screenshots("devices").await;

    // Messages: the cancellation SMS from above is listed; opening it marks it read.
    b.goto(&portal.url("/c/praxis-weber/messages"))
        .await
        .unwrap();
    browser
        .wait_text("[data-testid=messages]", "storniert")
        .await;
    browser.screenshots("messages").await;
    let before = portal
        .get(&api, "/api/customer/notifications/unread-count")
        .await["unread_count"]
        .as_u64()
        .unwrap();
    assert!(before >= 1, "the cancellation SMS is unread");
    browser.click("[data-testid=messages] li.unread a").await;
    browser.wait_css("[data-testid=message] .body").await;
    browser.screenshots("message").await;
    let after = portal
        .get(&api, "/api/customer/notifications/unread-count")
        .await["unread_count"]
        .as_u64()
        .unwrap();
    assert_eq!(after, before - 1, "opening a message marks it read");
    if after > 0 {
        // The badge in the navigation follows.
        browser
            .wait_text("[data-testid=unread-badge]", &after.to_string())
            .await;
    }

    // Support chat: the customer writes; a staff reply through the integrator API shows up
    // without a reload, pushed through the live event stream (the chat no longer polls).
    b.goto(&portal.url("/c/praxis-weber/support"))
        .await
        .unwrap();
    browser.wait_css("#support-body").await;
    browser.wait_live().await;
    browser.mark_page().await;
    browser
        .type_into("#support-body", "Kann ich telefonisch bestätigen?")
        .await;
    browser.click("form button[type=submit]").await;
    browser
        .wait_text("[data-testid=chat]", "telefonisch bestätigen")
        .await;
    let sent = portal.get(&api, "/api/customer/support/messages").await;
    assert_eq!(
        sent["items"].as_array().unwrap().last().unwrap()["body"],
        "Kann ich telefonisch bestätigen?"
    );
    let key = portal.api_key(WEBER);
    let anna = portal.get(&api, "/api/customer/profile").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    portal
        .integrator_post(
            &key,
            &format!("/api/integrations/v1/customers/{anna}/support/messages"),
            serde_json::json!({"body": "Gern, rufen Sie uns an.", "author_name": "Frau Weber"}),
        )
        .await;
    browser
        .wait_text("[data-testid=chat]", "Gern, rufen Sie uns an.")
        .await;
    browser.assert_not_reloaded().await;
    browser.screenshots("support").await;

    // The business cancels an appointment through the integrator API: the open list shows it
    // cancelled and the unread badge counts the cancellation message, without a reload.
    b.goto(&portal.url("/c/praxis-weber")).await.unwrap();
    browser
        .wait_css(&format!("[data-testid=appointments] a[href$='{refused}']"))
        .await;
    browser.wait_live().await;
    browser.mark_page().await;
    let unread_before = portal
        .get(&api, "/api/customer/notifications/unread-count")
        .await["unread_count"]
        .as_u64()
        .unwrap();
    portal
        .integrator_post(
            &key,
            &format!("/api/integrations/v1/appointments/{refused}/cancel"),
            serde_json::json!({"reason": "Die Praxis ist an diesem Tag geschlossen."}),
        )
        .await;
    browser
        .wait_css(&format!(
            "[data-testid=appointments] li.cancelled a[href$='{refused}']"
        ))
        .await;
    browser.wait_badge_above(unread_before).await;
    browser.assert_not_reloaded().await;

    // Medical history (Praxis Weber is healthcare; the demo data has Anna consenting and one
    // version): withdraw and give the consent again, save twice, then view the earlier version.
    let existing = portal
        .get(&api, "/api/customer/medical-history/versions")
        .await["items"]
        .as_array()
        .unwrap()
        .len();
    b.goto(&portal.url("/c/praxis-weber/medical-history"))
        .await
        .unwrap();
    browser.click("[data-testid=medical-withdraw]").await;
    browser.click("#medical-consent").await;
    browser.screenshots("medical-consent").await;
    browser.click("[data-testid=medical-consent]").await;
    browser.wait_css("#allergies").await;
    let allergies = b.find(Locator::Css("#allergies")).await.unwrap();
    allergies.clear().await.unwrap();
    allergies.send_keys("Penicillin").await.unwrap();
    browser
        .click("[data-testid=medical-form] button[type=submit]")
        .await;
    browser
        .wait_css(&format!(
            "[data-testid=medical-versions] li:nth-child({})",
            existing + 1
        ))
        .await;
    browser.type_into("#allergies", ", Pollen").await;
    browser
        .click("[data-testid=medical-form] button[type=submit]")
        .await;
    browser
        .wait_css(&format!(
            "[data-testid=medical-versions] li:nth-child({})",
            existing + 2
        ))
        .await;
    let history = portal.get(&api, "/api/customer/medical-history").await;
    assert_eq!(
        history["current"]["content"]["allergies"],
        "Penicillin, Pollen"
    );
    let versions = portal
        .get(&api, "/api/customer/medical-history/versions")
        .await;
    assert_eq!(versions["items"].as_array().unwrap().len(), existing + 2);
    // The earlier version stays viewable (the list is newest first).
    let shown = b
        .find_all(Locator::Css("[data-testid=medical-versions] button"))
        .await
        .unwrap();
    shown[1].click().await.unwrap();
    browser
        .wait_text("[data-testid=medical-version]", "Penicillin")
        .await;
    let shown = browser.text("[data-testid=medical-version]").await;
    assert!(!shown.contains("Pollen"), "version 1 shown: {shown}");
    browser.screenshots("medical-history").await;

    // Phone change on the profile: a code to the new number switches over.
    b.goto(&portal.url("/c/praxis-weber/profile"))
        .await
        .unwrap();
    browser.click("[data-testid=change-phone]").await;
    browser.type_into("#new-phone", "0151 00000099").await;
    browser
        .click("[data-testid=phone-change] button[type=submit]")
        .await;
    browser.wait_css("#phone-code").await;
    let code = portal.last_code(NEW_PHONE).await;
    browser.type_into("#phone-code", &code).await;
    browser.screenshots("phone-change").await;
    browser
        .click("[data-testid=phone-change] button[type=submit]")
        .await;
    browser.wait_css("[data-testid=phone-change] .ok").await;
    // (The change ends the other sessions, the test's API token included: read the screen.)
    let shown = b
        .execute("return document.getElementById('phone-ro').value", vec![])
        .await
        .unwrap();
    assert_eq!(shown, Value::from(NEW_PHONE));

    // Installable: manifest linked and complete, service worker active and in control.
    let manifest = portal.get_public("/manifest.webmanifest").await;
    assert_eq!(manifest["display"], "standalone");
    let purposes: Vec<_> = manifest["icons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["purpose"].as_str().unwrap().to_owned())
        .collect();
    assert!(purposes.contains(&"maskable".to_owned()));
    let sw_state = b
        .execute_async(
            "const done = arguments[arguments.length - 1];
             navigator.serviceWorker.ready.then(r => done(r.active ? r.active.state : 'none'));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(sw_state, Value::from("activated"));
    let has_manifest = b
        .execute(
            "return !!document.querySelector('link[rel=manifest]')",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(has_manifest, Value::Bool(true));

    // Offline: the list was loaded while online; with the server gone a reload still shows it,
    // marked as saved data.
    b.goto(&portal.url("/c/praxis-weber")).await.unwrap();
    browser.wait_css("[data-testid=appointments] li").await;
    browser.wait_controlled().await;
    b.refresh().await.unwrap();
    browser.wait_css("[data-testid=appointments] li").await;
    let online_count = b
        .find_all(Locator::Css("[data-testid=appointments] li"))
        .await
        .unwrap()
        .len();
    portal.stop();
    b.refresh().await.unwrap();
    browser.wait_css("[data-testid=appointments] li").await;
    let offline_count = b
        .find_all(Locator::Css("[data-testid=appointments] li"))
        .await
        .unwrap()
        .len();
    assert_eq!(offline_count, online_count);
    browser.wait_css(".banner").await;
    browser.screenshots("offline").await;
    // A screen in its own chunk also opens offline (the service worker precached every chunk).
    b.goto(&portal.url("/c/praxis-weber/devices"))
        .await
        .unwrap();
    browser.wait_text("main h1", "Geräte").await;

    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn branding_and_sign_out() {
    let portal = Portal::start().await;
    let browser = Browser::start().await;
    let b = &browser.client;
    b.goto(&portal.url("/c/salon-lumiere")).await.unwrap();
    browser.wait_css("#phone").await;
    browser.wait_text("header .brand", "Salon Lumière").await;
    let brand = b
        .execute(
            "return getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(brand, Value::from("#8a3b6f"));
    // An unknown company says so instead of showing a sign-in that cannot work.
    b.goto(&portal.url("/c/no-such-company")).await.unwrap();
    browser.wait_css("main .error").await;

    // Sign in and out: afterwards a reload needs a new sign-in (the cookie is gone).
    sign_in(&portal, &browser, "salon-lumiere", "+4915100000004").await;
    // A reload keeps the session through the HttpOnly cookie, which scripts cannot see.
    b.refresh().await.unwrap();
    browser.wait_css("[data-testid=appointments]").await;
    let cookies = b.execute("return document.cookie", vec![]).await.unwrap();
    assert!(
        !cookies
            .as_str()
            .unwrap_or_default()
            .contains("portal_refresh")
    );
    // On a phone the main sections sit in a bottom tab bar; the rest (and signing out) behind
    // "more", which closes again with Escape.
    let tab_bar = b
        .execute(
            "return getComputedStyle(document.querySelector('nav.tabs')).position",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(tab_bar, Value::from("fixed"));
    assert!(
        !b.find(Locator::Css("nav .link"))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap()
    );
    browser.click("nav .more").await;
    browser.wait_css("#more-menu.open").await;
    browser.type_into("nav .more", "\u{e00c}").await;
    browser.wait_css("#more-menu:not(.open)").await;
    browser.click("nav .more").await;
    browser.screenshots("more-menu").await;
    browser.click("nav .link").await;
    browser.wait_css("#phone").await;
    b.goto(&portal.url("/c/salon-lumiere")).await.unwrap();
    browser.wait_css("#phone").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    browser.close().await;
}

/// Signs in at `/c/{company}` through the screens and waits for the appointment list.
async fn sign_in(portal: &Portal, browser: &Browser, company: &str, phone: &str) {
    let b = &browser.client;
    b.goto(&portal.url(&format!("/c/{company}"))).await.unwrap();
    browser.wait_css("#phone").await;
    browser.type_into("#phone", phone).await;
    browser.click("form button[type=submit]").await;
    browser.wait_css("#code").await;
    let code = portal.last_code(phone).await;
    browser.type_into("#code", &code).await;
    browser.click("form button[type=submit]").await;
    browser.wait_css("[data-testid=appointments]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_notifications_on_this_device() {
    let portal = Portal::start().await;
    let browser = Browser::start().await;
    let b = &browser.client;
    sign_in(&portal, &browser, "salon-lumiere", "+4915100000004").await;
    // Allowed (as if the customer said yes to the prompt), but headless Chromium has no push
    // service: subscribing fails, the card says so and stays usable.
    let origin = portal.url("");
    browser
        .cdp(
            "Browser.grantPermissions",
            serde_json::json!({"origin": origin, "permissions": ["notifications"]}),
        )
        .await;
    b.goto(&portal.url("/c/salon-lumiere/preferences"))
        .await
        .unwrap();
    browser.wait_controlled().await;
    browser.wait_text("[data-testid=push-state]", "Aus").await;
    browser.click("[data-testid=push-on]").await;
    let error = browser.text("[data-testid=push-error]").await;
    assert!(
        error.contains("konnte nicht für Mitteilungen angemeldet werden"),
        "{error}"
    );
    browser.screenshots("push-failed").await;
    browser.wait_text("[data-testid=push-state]", "Aus").await;
    browser
        .wait_css("[data-testid=push-on]:not([disabled])")
        .await;

    // A push message as the server sends it (see the outbox) reaches the service worker, which
    // shows it.
    let payload = serde_json::json!({
        "id": "0c0ffee0-0000-4000-8000-000000000001",
        "kind": "appointment_cancelled",
        "title": "Salon Lumière: Ihr Termin ist storniert",
        "body": "Haarschnitt am 01.12.2026 um 10:00 Uhr",
        "url": "/c/salon-lumiere/appointments/0c0ffee0-0000-4000-8000-000000000002",
        "tag": "appointment-0c0ffee0-0000-4000-8000-000000000002",
    });
    browser
        .cdp("ServiceWorker.enable", serde_json::json!({}))
        .await;
    let started = std::time::Instant::now();
    let mut rounds = 0;
    let mut delivered = Vec::new();
    let shown = loop {
        // Delivered again every two seconds: a worker that is just starting or stopping may miss
        // one. A fresh profile numbers its registrations from 0; the portal's is the only one.
        if rounds % 10 == 0 {
            for id in 0..3 {
                let result = browser
                    .client
                    .issue_cmd(harness::cdp_command(
                        "ServiceWorker.deliverPushMessage",
                        serde_json::json!({"origin": origin, "registrationId": id.to_string(), "data": payload.to_string()}),
                    ))
                    .await;
                delivered.push(format!("{id}: {result:?}"));
            }
        }
        rounds += 1;
        let shown = b
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 navigator.serviceWorker.ready
                   .then(r => r.getNotifications())
                   .then(ns => done(ns.map(n => ({title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url}))))
                   .catch(e => done(String(e)));",
                vec![],
            )
            .await
            .unwrap();
        if shown.as_array().is_some_and(|a| !a.is_empty()) {
            break shown;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no notification shown: {shown}; deliveries: {delivered:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let n = &shown[0];
    assert_eq!(n["title"], payload["title"], "{shown}");
    assert_eq!(n["body"], payload["body"], "{shown}");
    assert_eq!(n["tag"], payload["tag"], "{shown}");
    assert_eq!(n["url"], payload["url"], "{shown}");
    browser.close().await;
}
