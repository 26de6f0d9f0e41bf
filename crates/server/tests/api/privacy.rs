//! GDPR: the export holds every category and nothing of anyone else; erasure leaves no trace of
//! the person in any table and ends every session; the access log; the retention purge.

use chrono::{DateTime, Duration, Utc};
use portal_domain::{Clock as _, CompanySlug};
use reqwest::Method;
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value as SqlValue};
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::method};

use crate::{helpers::*, integrations::api_key, personal_helpers::*};

both_databases!(
    export_holds_every_category_and_nothing_of_anyone_else,
    erasure_leaves_no_trace_and_ends_every_session,
    erasure_at_a_salon_deletes_every_appointment,
    export_and_erasure_need_a_recent_sign_in_and_confirmation,
    retention_purges_challenges_sessions_and_message_bodies,
);

const JONAS: &str = "+4915100000002";

async fn company_id(app: &TestApp, slug: &str) -> Uuid {
    portal_db::companies::find_by_slug(&app.db, &CompanySlug::parse(slug).unwrap())
        .await
        .unwrap()
        .unwrap()
        .id
        .as_uuid()
}

/// A push subscription and a support chat for the customer (their APIs belong to another issue,
/// so the rows are written directly).
async fn add_push_and_support(app: &TestApp, company: Uuid, customer: Uuid, text: &str) {
    let now: DateTime<Utc> = start_time();
    exec(
        app,
        "INSERT INTO push_subscriptions (id, company_id, customer_id, endpoint, p256dh, auth, user_agent, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            Uuid::now_v7().into(),
            company.into(),
            customer.into(),
            format!("https://push.example.com/{customer}").into(),
            "BPubKey".into(),
            "authsecret".into(),
            "Firefox".into(),
            now.into(),
        ],
    )
    .await;
    let thread = Uuid::now_v7();
    exec(
        app,
        "INSERT INTO support_threads (id, company_id, customer_id, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        vec![thread.into(), company.into(), customer.into(), "open".into(), now.into(), now.into()],
    )
    .await;
    exec(
        app,
        "INSERT INTO support_messages (id, company_id, thread_id, author, author_name, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        vec![Uuid::now_v7().into(), company.into(), thread.into(), "customer".into(), SqlValue::String(None), text.into(), now.into()],
    )
    .await;
}

/// Cancels the first appointment that may still be cancelled, with `reason`.
async fn cancel_one(app: &TestApp, token: &str, reason: &str) -> String {
    let list = ok_json(app.get_auth("/api/customer/appointments", token).await, 200).await;
    let id = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["can_cancel"]["allowed"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = send(
        app,
        Method::POST,
        &format!("/api/customer/appointments/{id}/cancel"),
        token,
        Some(&json!({"reason": reason})),
    )
    .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    id
}

async fn fill_in(app: &TestApp, token: &str, email: &str, street: &str, allergy: &str) {
    let body = json!({
        "name": if email.starts_with("jonas") { "Jonas Becker" } else { "Anna Schmidt" },
        "email": email, "language": "de",
        "address": {"street": street, "postal_code": "10115", "city": "Berlin", "country": "DE"},
        "date_of_birth": "1990-02-03",
    });
    ok_json(put(app, "/api/customer/profile", token, &body).await, 200).await;
    let code = last_email_code(app, email).await;
    ok_json(
        post(
            app,
            "/api/customer/profile/email/verify",
            token,
            &json!({"code": code}),
        )
        .await,
        200,
    )
    .await;
    ok_json(
        put(
            app,
            "/api/customer/medical-history/consent",
            token,
            &json!({"granted": true}),
        )
        .await,
        200,
    )
    .await;
    ok_json(
        put(
            app,
            "/api/customer/medical-history",
            token,
            &json!({"allergies": allergy}),
        )
        .await,
        200,
    )
    .await;
    let prefs = json!({"items": [{"channel": "email", "purpose": "marketing", "granted": true}]});
    ok_json(
        put(app, "/api/customer/preferences", token, &prefs).await,
        200,
    )
    .await;
}

async fn export_holds_every_category_and_nothing_of_anyone_else(app: TestApp) {
    let weber = company_id(&app, WEBER).await;
    let me = app.sign_in(WEBER, ANNA).await;
    let anna = me.customer_id.parse::<Uuid>().unwrap();
    fill_in(
        &app,
        &me.access,
        "anna.export@example.net",
        "Exportweg 1",
        "Anna-Allergie-4711",
    )
    .await;
    ok_json(
        put(
            &app,
            "/api/customer/medical-history",
            &me.access,
            &json!({"allergies": "Anna-Allergie-4712"}),
        )
        .await,
        200,
    )
    .await;
    let cancelled = cancel_one(&app, &me.access, "Anna muss arbeiten").await;
    add_push_and_support(&app, weber, anna, "Anna fragt nach Parkplätzen").await;
    // Someone else at the same company, and the same person at another company.
    let jonas = app.sign_in(WEBER, JONAS).await;
    fill_in(
        &app,
        &jonas.access,
        "jonas.other@example.net",
        "Fremdstraße 9",
        "Jonas-Allergie-999",
    )
    .await;
    add_push_and_support(
        &app,
        weber,
        jonas.customer_id.parse().unwrap(),
        "Jonas fragt etwas",
    )
    .await;
    let salon = app.sign_in(LUMIERE, ANNA).await;
    cancel_one(&app, &salon.access, "Salon-Absage-321").await;

    let res = app.get_auth("/api/customer/export", &me.access).await;
    assert_eq!(
        res.headers().get("content-disposition").unwrap(),
        "attachment; filename=\"personal-data.json\""
    );
    let export = ok_json(res, 200).await;
    assert_eq!(export["profile"]["id"], me.customer_id.as_str());
    assert_eq!(export["profile"]["email"], "anna.export@example.net");
    assert_eq!(export["profile"]["address"]["street"], "Exportweg 1");
    let appointments = export["appointments"].as_array().unwrap();
    assert!(appointments.len() >= 2, "demo history and upcoming");
    let mine = appointments
        .iter()
        .find(|a| a["id"] == cancelled.as_str())
        .unwrap();
    assert_eq!(mine["status"], "cancelled");
    assert_eq!(mine["cancel_reason"], "Anna muss arbeiten");
    assert!(
        mine["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "cancelled")
    );
    assert!(
        appointments
            .iter()
            .all(|a| a["service"].is_string() && a["branch"].is_string())
    );
    let messages = export["messages"].as_array().unwrap();
    assert!(
        messages
            .iter()
            .any(|m| m["channel"] == "sms" && m["kind"] == "appointment_cancelled"),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m["channel"] == "email" && m["recipient"] == "anna.export@example.net")
    );
    assert_eq!(
        export["support_messages"][0]["body"],
        "Anna fragt nach Parkplätzen"
    );
    assert_eq!(export["consents"][0]["purpose"], "marketing");
    assert!(export["medical_history_consent_at"].is_string());
    let medical = export["medical_history"].as_array().unwrap();
    assert_eq!(medical.len(), 2);
    assert_eq!(medical[0]["content"]["allergies"], "Anna-Allergie-4711");
    assert_eq!(medical[1]["content"]["allergies"], "Anna-Allergie-4712");
    assert!(!export["devices"]["sessions"].as_array().unwrap().is_empty());
    assert_eq!(
        export["devices"]["push_subscriptions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let audit = export["audit"].as_array().unwrap();
    assert!(audit.iter().any(|e| e["action"] == "auth.sign_in"));
    assert!(audit.iter().any(|e| e["action"] == "medical_history.write"));

    // Nothing of anyone else.
    let text = export.to_string();
    for other in [
        "Jonas",
        "jonas.other",
        "Fremdstraße",
        "Jonas-Allergie",
        "Salon-Absage-321",
        &jonas.customer_id,
        &salon.customer_id,
    ] {
        assert!(!text.contains(other), "{other} leaked into the export");
    }
    // The export itself is audited.
    let log = ok_json(app.get_auth("/api/customer/audit", &me.access).await, 200).await;
    assert_eq!(log["items"][0]["action"], "privacy.export");
}

async fn erasure_leaves_no_trace_and_ends_every_session(app: TestApp) {
    let integrator = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&integrator)
        .await;
    let weber = company_id(&app, WEBER).await;
    let events: Vec<String> = ["appointment.cancelled", "customer.erased"]
        .iter()
        .map(|e| (*e).to_owned())
        .collect();
    portal_db::webhooks::create_endpoint(
        &app.db,
        whole_company(portal_domain::CompanyId::from_uuid(weber)),
        &format!("{}/hooks", integrator.uri()),
        &events,
        "whsec_test_secret_of_enough_length",
        start_time(),
    )
    .await
    .unwrap();

    let phone_device = app.sign_in(WEBER, JONAS).await;
    let me = app.sign_in(WEBER, JONAS).await;
    let jonas = me.customer_id.parse::<Uuid>().unwrap();
    const EMAIL: &str = "jonas.geheim@example.net";
    const STREET: &str = "Geheimweg 42";
    const ALLERGY: &str = "Xylocain-Unverträglichkeit-7731";
    fill_in(&app, &me.access, EMAIL, STREET, ALLERGY).await;
    cancel_one(&app, &me.access, "Jonas Becker hat Fieber").await;
    add_push_and_support(&app, weber, jonas, "Hallo, hier ist Jonas Becker").await;
    // Staff also wrote to the medical history, and the phone assistant knows the customer.
    let key = api_key(&app, WEBER, None, "medical customers").await;
    let path = format!("/customers/{jonas}/medical-history");
    ok_json(
        crate::integrations::put(
            &app,
            &key,
            &path,
            &json!({"notes": "Praxisnotiz zu Xylocain"}),
        )
        .await,
        200,
    )
    .await;
    let before = dump_database(&app.db).await;
    // (Other people called Jonas exist in the demo data; the full name and surname are his alone.)
    for needle in ["Jonas Becker", "Becker", "15100000002", EMAIL, STREET] {
        assert!(
            !find_in_dump(&before, needle).is_empty(),
            "the scan must see {needle} before erasure"
        );
    }
    let appointments_before = ok_json(app.get_auth("/api/customer/export", &me.access).await, 200)
        .await["appointments"]
        .as_array()
        .unwrap()
        .len();

    let res = send(
        &app,
        Method::DELETE,
        "/api/customer?confirm=true",
        &me.access,
        None,
    )
    .await;
    assert_eq!(res.status(), 204, "{}", res.text().await.unwrap());

    // Every session is dead, access and refresh alike.
    for tokens in [&me, &phone_device] {
        assert_problem(
            app.get_auth("/api/customer/profile", &tokens.access).await,
            401,
            "unauthorized",
        )
        .await;
        assert_problem(
            app.refresh(&tokens.refresh).await,
            401,
            "invalid_refresh_token",
        )
        .await;
    }
    // No table holds the name, number, email, address or any medical text.
    let dump = dump_database(&app.db).await;
    for needle in [
        "Jonas Becker",
        "Becker",
        "15100000002",
        EMAIL,
        "geheim@",
        STREET,
        "Xylocain",
        "Unverträglichkeit",
        "Praxisnotiz",
        "Fieber",
        "1990-02-03",
    ] {
        let found = find_in_dump(&dump, needle);
        assert!(found.is_empty(), "{needle} survived erasure: {found:#?}");
    }
    // Past appointments within the practice's 10-year retention stay, pseudonymised; future ones go.
    let kept: Vec<(DateTime<Utc>, Option<String>)> = {
        let backend = app.db.get_database_backend();
        let sql = if backend == DbBackend::Postgres {
            "SELECT starts_at, cancel_reason FROM appointments WHERE customer_id = $1"
        } else {
            "SELECT starts_at, cancel_reason FROM appointments WHERE customer_id = ?"
        };
        app.db
            .query_all_raw(Statement::from_sql_and_values(backend, sql, [jonas.into()]))
            .await
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r.try_get("", "starts_at").unwrap(),
                    r.try_get("", "cancel_reason").unwrap(),
                )
            })
            .collect()
    };
    assert!(
        !kept.is_empty() && kept.len() < appointments_before,
        "{} of {appointments_before}",
        kept.len()
    );
    assert!(
        kept.iter()
            .all(|(at, reason)| *at <= app.clock.now() && reason.is_none())
    );
    // The integrator hears of it.
    let requests = wait_for_requests(&integrator, 2).await;
    let erased: Vec<Value> = requests
        .iter()
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap())
        .filter(|b| b["event"] == "customer.erased")
        .collect();
    assert_eq!(erased.len(), 1, "{requests:?}");
    assert_eq!(erased[0]["data"]["customer_id"], jonas.to_string());
    let typed: portal_api_types::webhooks::WebhookPayload =
        serde_json::from_value(erased[0].clone()).unwrap();
    assert_eq!(typed.event.name(), "customer.erased");
    // The number may sign up again later as someone new; now it is nobody's.
    app.clock.advance(Duration::seconds(61));
    let sms_before = app.sent_sms().await.len();
    app.challenge(WEBER, JONAS).await;
    assert_eq!(app.sent_sms().await.len(), sms_before);
    // Erasing twice is not possible: the tokens are dead.
    let res = send(
        &app,
        Method::DELETE,
        "/api/customer?confirm=true",
        &me.access,
        None,
    )
    .await;
    assert_problem(res, 401, "unauthorized").await;
}

async fn erasure_at_a_salon_deletes_every_appointment(app: TestApp) {
    let sophie = app.sign_in(LUMIERE, "+4915100000004").await;
    let id = sophie.customer_id.parse::<Uuid>().unwrap();
    let res = send(
        &app,
        Method::DELETE,
        "/api/customer?confirm=true",
        &sophie.access,
        None,
    )
    .await;
    assert_eq!(res.status(), 204);
    let backend = app.db.get_database_backend();
    let sql = if backend == DbBackend::Postgres {
        "SELECT COUNT(*) AS n FROM appointments WHERE customer_id = $1"
    } else {
        "SELECT COUNT(*) AS n FROM appointments WHERE customer_id = ?"
    };
    let row = app
        .db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [id.into()]))
        .await
        .unwrap()
        .unwrap();
    let n: i64 = row.try_get("", "n").unwrap();
    assert_eq!(n, 0, "no retention at a salon");
    let dump = dump_database(&app.db).await;
    assert!(find_in_dump(&dump, "Sophie").is_empty());
    assert!(find_in_dump(&dump, "Wagner").is_empty());
    // Anna at the salon is untouched.
    let anna = app.sign_in(LUMIERE, ANNA).await;
    let profile = ok_json(
        app.get_auth("/api/customer/profile", &anna.access).await,
        200,
    )
    .await;
    assert_eq!(profile["name"], "Anna Schmidt");
}

async fn export_and_erasure_need_a_recent_sign_in_and_confirmation(app: TestApp) {
    let me = app.sign_in(WEBER, ANNA).await;
    let problem = assert_problem(
        send(
            &app,
            Method::DELETE,
            "/api/customer?confirm=false",
            &me.access,
            None,
        )
        .await,
        422,
        "confirmation_required",
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("confirm"));
    assert_problem(
        send(
            &app,
            Method::DELETE,
            "/api/customer",
            &me.access,
            Some(&json!({})),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    app.clock.advance(Duration::minutes(11));
    assert_problem(
        app.get_auth("/api/customer/export", &me.access).await,
        401,
        "reauth_required",
    )
    .await;
    assert_problem(
        send(
            &app,
            Method::DELETE,
            "/api/customer?confirm=true",
            &me.access,
            None,
        )
        .await,
        401,
        "reauth_required",
    )
    .await;
    // Nothing happened; the audit log (no step-up needed) shows the sign-in.
    let profile = ok_json(app.get_auth("/api/customer/profile", &me.access).await, 200).await;
    assert_eq!(profile["name"], "Anna Schmidt");
    let audit = ok_json(app.get_auth("/api/customer/audit", &me.access).await, 200).await;
    let first = &audit["items"][0];
    assert_eq!(first["action"], "auth.sign_in");
    assert_eq!(first["actor"], "customer");
    assert_eq!(first["ip"], "127.0.0.1");
    let other = app.sign_in(WEBER, JONAS).await;
    let theirs = ok_json(
        app.get_auth("/api/customer/audit", &other.access).await,
        200,
    )
    .await;
    assert_eq!(
        theirs["items"].as_array().unwrap().len(),
        1,
        "only their own sign-in"
    );
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

async fn retention_purges_challenges_sessions_and_message_bodies(app: TestApp) {
    let weber = company_id(&app, WEBER).await;
    let salon = company_id(&app, LUMIERE).await;
    let old = app.sign_in(WEBER, ANNA).await;
    // An SMS at each company (cancellation confirmations).
    cancel_one(&app, &old.access, "r1").await;
    let salon_tokens = app.sign_in(LUMIERE, ANNA).await;
    cancel_one(&app, &salon_tokens.access, "r2").await;
    // The praxis keeps message bodies 30 days, the salon the default two years.
    portal_db::retention::set_company_retention(
        &app.db,
        portal_domain::CompanyId::from_uuid(weber),
        None,
        Some(30),
    )
    .await
    .unwrap();
    let logout = app
        .client
        .post(app.url("/api/customer/auth/logout"))
        .bearer_auth(&old.access)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    // The outbox sends the confirmations (a queued message keeps its text).
    for _ in 0..100 {
        if count(
            &app,
            "SELECT COUNT(*) AS n FROM notifications WHERE status = 'queued'",
        )
        .await
            == 0
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let challenges = count(&app, "SELECT COUNT(*) AS n FROM otp_challenges").await;
    assert!(challenges >= 2);

    // A day later the challenges are gone; the ended session is kept for 30 days.
    let now = start_time() + Duration::hours(25);
    let purged = portal_db::retention::purge(&app.db, now).await.unwrap();
    assert_eq!(purged.challenges as i64, challenges);
    assert_eq!(purged.sessions, 0);
    assert_eq!(purged.message_bodies, 0);
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM otp_challenges").await,
        0
    );

    // 31 days on: the ended session goes (with its refresh tokens), the live one stays; the
    // praxis's message bodies go, the salon's stay.
    let sessions_before = count(&app, "SELECT COUNT(*) AS n FROM sessions").await;
    let now = start_time() + Duration::days(31);
    let purged = portal_db::retention::purge(&app.db, now).await.unwrap();
    assert!(purged.sessions >= 1, "{purged:?}");
    assert!(count(&app, "SELECT COUNT(*) AS n FROM sessions").await < sessions_before);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM sessions WHERE revoked_at IS NOT NULL"
        )
        .await,
        0
    );
    assert!(purged.message_bodies >= 1);
    let bodies =
        "SELECT COUNT(*) AS n FROM notifications WHERE body_text IS NOT NULL AND company_id = ?";
    assert_eq!(count_where(&app, bodies, vec![weber.into()]).await, 0);
    assert!(count_where(&app, bodies, vec![salon.into()]).await >= 1);
    let rows = "SELECT COUNT(*) AS n FROM notifications WHERE company_id = ?";
    assert!(
        count_where(&app, rows, vec![weber.into()]).await >= 1,
        "the record that a message was sent stays"
    );
    // Running it again finds nothing more.
    let again = portal_db::retention::purge(&app.db, now).await.unwrap();
    assert_eq!(again, portal_db::retention::Purged::default());
}

/// The server runs the purge by itself every `retention.interval_seconds`.
mod background_retention {
    use super::*;

    async fn run(backend: Backend) {
        let Some(app) = spawn_app_with(backend, |s| s.retention.interval_seconds = 1).await else {
            return;
        };
        app.challenge(WEBER, ANNA).await;
        assert!(count(&app, "SELECT COUNT(*) AS n FROM otp_challenges").await >= 1);
        app.clock.advance(Duration::hours(25));
        let mut left = -1;
        for _ in 0..60 {
            left = count(&app, "SELECT COUNT(*) AS n FROM otp_challenges").await;
            if left == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(left, 0, "the retention job did not run");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        run(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        run(Backend::Postgres).await;
    }
}
