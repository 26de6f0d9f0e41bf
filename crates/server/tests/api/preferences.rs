//! Communication preferences and the consent register, from the portal and from integrators.

use portal_domain::{Channel, CompanySlug, CustomerId, Purpose};
use serde_json::{Value, json};

use crate::{
    helpers::*,
    integrations::{api_key, post as integrator_post},
    personal_helpers::*,
};

both_databases!(
    preferences_round_trip_into_the_consent_register,
    transactional_cannot_be_turned_off_entirely,
    integrator_records_consent_given_on_the_phone,
);

fn granted(prefs: &Value, channel: &str, purpose: &str) -> bool {
    prefs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["channel"] == channel && p["purpose"] == purpose)
        .unwrap()["granted"]
        .as_bool()
        .unwrap()
}

async fn allows(app: &TestApp, customer: &str, channel: Channel, purpose: Purpose) -> bool {
    let company = portal_db::companies::find_by_slug(&app.db, &CompanySlug::parse(WEBER).unwrap())
        .await
        .unwrap()
        .unwrap();
    portal_db::consents::allows(
        &app.db,
        company.id,
        CustomerId::from_uuid(customer.parse().unwrap()),
        channel,
        purpose,
    )
    .await
    .unwrap()
}

async fn preferences_round_trip_into_the_consent_register(app: TestApp) {
    let me = app.sign_in(WEBER, ANNA).await;
    let prefs = ok_json(
        app.get_auth("/api/customer/preferences", &me.access).await,
        200,
    )
    .await;
    assert_eq!(prefs["items"].as_array().unwrap().len(), 9);
    assert!(
        !granted(&prefs, "email", "marketing"),
        "marketing is opt-in"
    );
    assert!(granted(&prefs, "sms", "reminders"));
    let consents = ok_json(
        app.get_auth("/api/customer/consents", &me.access).await,
        200,
    )
    .await;
    assert_eq!(consents["items"], json!([]));

    let body = json!({"items": [
        {"channel": "email", "purpose": "marketing", "granted": true},
        {"channel": "sms", "purpose": "reminders", "granted": false},
        {"channel": "push", "purpose": "transactional", "granted": true}
    ]});
    let prefs = ok_json(
        put(&app, "/api/customer/preferences", &me.access, &body).await,
        200,
    )
    .await;
    assert!(granted(&prefs, "email", "marketing"));
    assert!(!granted(&prefs, "sms", "reminders"));
    let again = ok_json(
        app.get_auth("/api/customer/preferences", &me.access).await,
        200,
    )
    .await;
    assert_eq!(again, prefs);
    // Withdrawal takes effect for the next message: delivery asks `allows`.
    assert!(!allows(&app, &me.customer_id, Channel::Sms, Purpose::Reminders).await);
    assert!(allows(&app, &me.customer_id, Channel::Email, Purpose::Marketing).await);

    // Only the two real changes are in the register (push transactional was already on).
    let consents = ok_json(
        app.get_auth("/api/customer/consents", &me.access).await,
        200,
    )
    .await;
    let items = consents["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{consents}");
    assert!(
        items
            .iter()
            .all(|c| c["source"] == "portal" && c["at"] == "2026-11-25T09:01:01Z")
    );
    app.clock.advance(chrono::Duration::minutes(1));
    let body = json!({"items": [{"channel": "sms", "purpose": "reminders", "granted": true}]});
    put(&app, "/api/customer/preferences", &me.access, &body).await;
    let consents = ok_json(
        app.get_auth("/api/customer/consents", &me.access).await,
        200,
    )
    .await;
    assert_eq!(
        consents["items"][0],
        json!({"channel": "sms", "purpose": "reminders", "granted": true, "source": "portal", "at": "2026-11-25T09:02:01Z"}),
        "newest first"
    );
    assert_eq!(consents["items"].as_array().unwrap().len(), 3);
    assert!(allows(&app, &me.customer_id, Channel::Sms, Purpose::Reminders).await);

    // Another customer's register is their own.
    let jonas = app.sign_in(WEBER, "+4915100000002").await;
    let theirs = ok_json(
        app.get_auth("/api/customer/consents", &jonas.access).await,
        200,
    )
    .await;
    assert_eq!(theirs["items"], json!([]));

    for (body, field) in [
        (json!({"items": []}), "items"),
        (
            json!({"items": [{"channel": "fax", "purpose": "marketing", "granted": true}]}),
            "items[0].channel",
        ),
        (
            json!({"items": [{"channel": "sms", "purpose": "marketing", "granted": true}, {"channel": "sms", "purpose": "marketing", "granted": false}]}),
            "items[1]",
        ),
    ] {
        let problem = assert_problem(
            put(&app, "/api/customer/preferences", &me.access, &body).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
}

async fn transactional_cannot_be_turned_off_entirely(app: TestApp) {
    let me = app.sign_in(WEBER, ANNA).await;
    let both_off = json!({"items": [
        {"channel": "sms", "purpose": "transactional", "granted": false},
        {"channel": "email", "purpose": "transactional", "granted": false}
    ]});
    assert_problem(
        put(&app, "/api/customer/preferences", &me.access, &both_off).await,
        422,
        "transactional_required",
    )
    .await;
    let consents = ok_json(
        app.get_auth("/api/customer/consents", &me.access).await,
        200,
    )
    .await;
    assert_eq!(
        consents["items"],
        json!([]),
        "a refused change records nothing"
    );
    // One at a time: the first is fine, the second would leave none.
    let sms_off =
        json!({"items": [{"channel": "sms", "purpose": "transactional", "granted": false}]});
    ok_json(
        put(&app, "/api/customer/preferences", &me.access, &sms_off).await,
        200,
    )
    .await;
    let email_off =
        json!({"items": [{"channel": "email", "purpose": "transactional", "granted": false}]});
    assert_problem(
        put(&app, "/api/customer/preferences", &me.access, &email_off).await,
        422,
        "transactional_required",
    )
    .await;
    // Push can go entirely.
    let push_off = json!({"items": [
        {"channel": "push", "purpose": "transactional", "granted": false},
        {"channel": "push", "purpose": "reminders", "granted": false}
    ]});
    let prefs = ok_json(
        put(&app, "/api/customer/preferences", &me.access, &push_off).await,
        200,
    )
    .await;
    assert!(!granted(&prefs, "push", "transactional"));
    assert!(granted(&prefs, "email", "transactional"));
}

async fn integrator_records_consent_given_on_the_phone(app: TestApp) {
    let me = app.sign_in(WEBER, ANNA).await;
    let key = api_key(&app, WEBER, None, "customers").await;
    let path = format!("/customers/{}/consents", me.customer_id);
    let res = integrator_post(
        &app,
        &key,
        &path,
        &json!({"channel": "sms", "purpose": "marketing", "granted": true, "source": "phone"}),
    )
    .await;
    let recorded = ok_json(res, 201).await;
    assert_eq!(recorded["source"], "phone");
    let consents = ok_json(
        app.get_auth("/api/customer/consents", &me.access).await,
        200,
    )
    .await;
    assert_eq!(consents["items"][0]["source"], "phone");
    assert_eq!(consents["items"][0]["granted"], true);
    let prefs = ok_json(
        app.get_auth("/api/customer/preferences", &me.access).await,
        200,
    )
    .await;
    assert!(granted(&prefs, "sms", "marketing"));
    // A customer of another company is not found; a key without the scope is refused.
    let salon = app.sign_in(LUMIERE, ANNA).await;
    let res = integrator_post(
        &app,
        &key,
        &format!("/customers/{}/consents", salon.customer_id),
        &json!({"channel": "sms", "purpose": "marketing", "granted": true, "source": "phone"}),
    )
    .await;
    assert_problem(res, 404, "not_found").await;
    let catalog_only = api_key(&app, WEBER, None, "catalog").await;
    let res = integrator_post(&app, &catalog_only, &path, &json!({"channel": "sms", "purpose": "marketing", "granted": false, "source": "integrator"})).await;
    assert_problem(res, 403, "forbidden").await;
    let audit = ok_json(app.get_auth("/api/customer/audit", &me.access).await, 200).await;
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "consent.record"
                && e["actor"].as_str().unwrap().starts_with("integrator:")),
        "{audit}"
    );
}
