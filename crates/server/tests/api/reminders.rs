//! Reminders: 24 h and 2 h before by default, each once even with several schedulers at the same
//! time, none for cancelled appointments (also when cancelled after the reminder was queued), and
//! per-company offsets.

use chrono::Duration;
use portal_db::SystemScope;
use portal_domain::Clock;
use portal_usecases::{Actor, appointments::cancel_appointment};

use crate::appointments::{TESTER, berlin, cancel, fixture};
use crate::helpers::*;
use crate::integrations::{ALL_SCOPES, api_key, get, put};
use serde_json::json;

both_databases!(manual_workers;
    each_reminder_once_and_never_when_cancelled,
    company_offsets_replace_the_defaults,
);

/// Runs the scheduler once; returns how many reminder SMS the fixture's customer has now (demo
/// customers' appointments get reminders too and are left out).
async fn queue_due(app: &TestApp) -> i64 {
    portal_server::reminders::queue_due(&app.state)
        .await
        .unwrap();
    queued_for_tester(app).await
}

async fn queued_for_tester(app: &TestApp) -> i64 {
    use sea_orm::ConnectionTrait;
    let row = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            format!(
                "SELECT COUNT(*) AS n FROM notifications WHERE kind = 'appointment_reminder' \
                 AND channel = 'sms' AND recipient = '{TESTER}'"
            ),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

async fn reminder_texts(app: &TestApp) -> Vec<String> {
    portal_server::outbox::deliver_due(&app.state)
        .await
        .unwrap();
    app.sent_sms()
        .await
        .into_iter()
        .filter(|(to, body)| to == TESTER && body.contains("Erinnerung"))
        .map(|(_, body)| body)
        .collect()
}

async fn each_reminder_once_and_never_when_cancelled(app: TestApp) {
    let f = fixture(&app, WEBER).await;
    let start = app.clock.now();
    // 30 h ahead (16:00 Berlin tomorrow), 31 h (cancelled at once), and 29 h (cancelled later).
    let kept = f.book(&app, berlin(2026, 11, 26, 16, 0)).await;
    let cancelled_early = f.book(&app, berlin(2026, 11, 26, 17, 0)).await;
    let cancelled_late = f.book(&app, berlin(2026, 11, 26, 15, 0)).await;
    let tokens = app.sign_in(WEBER, TESTER).await;
    assert_eq!(
        cancel(&app, &tokens.access, &cancelled_early, None)
            .await
            .status(),
        200
    );
    assert_eq!(queue_due(&app).await, 0, "no window open yet");

    // 24 h before: three schedulers (as on three instances) at once queue each reminder once.
    app.clock
        .set(start + Duration::hours(6) + Duration::minutes(2));
    let runs: Vec<_> = (0..3)
        .map(|_| {
            let state = app.state.clone();
            tokio::spawn(async move { portal_server::reminders::queue_due(&state).await })
        })
        .collect();
    for run in runs {
        run.await.unwrap().unwrap();
    }
    assert_eq!(
        queued_for_tester(&app).await,
        2,
        "the kept one and the one cancelled later"
    );
    assert_eq!(queue_due(&app).await, 2);

    // Cancelled after its reminder was queued, before delivery: the reminder is dropped.
    let staff = SystemScope::for_company(f.company);
    cancel_appointment(
        &app.state.ctx(),
        Actor::System(&staff),
        cancelled_late.parse().unwrap(),
        None,
    )
    .await
    .unwrap();
    let texts = reminder_texts(&app).await;
    assert_eq!(
        texts,
        vec![
            "Praxis Dr. Weber: Erinnerung an Ihren Termin Kontrolle am Do. 26.11.2026 um 16:00 Uhr, Testpraxis."
        ]
    );

    // 2 h before: the second reminder, once.
    app.clock
        .set(start + Duration::hours(28) + Duration::minutes(1));
    assert_eq!(queue_due(&app).await, 3);
    assert_eq!(queue_due(&app).await, 3);
    let texts = reminder_texts(&app).await;
    assert_eq!(texts.len(), 2);
    assert!(texts.iter().all(|t| t.contains("16:00")), "{texts:?}");

    // After the start nothing more.
    app.clock.set(start + Duration::hours(31));
    assert_eq!(queue_due(&app).await, 3);
    let tokens = app.sign_in(WEBER, TESTER).await;
    let history = app.history(&tokens.access, "?channel=sms").await;
    let reminders: Vec<_> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "appointment_reminder")
        .map(|m| m["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(reminders.len(), 3, "two sent, one dropped: {history}");
    assert_eq!(reminders.iter().filter(|s| *s == "sent").count(), 2);
    assert_eq!(reminders.iter().filter(|s| *s == "failed").count(), 1);
    let _ = kept;
}

async fn company_offsets_replace_the_defaults(app: TestApp) {
    let f = fixture(&app, WEBER).await;
    let start = app.clock.now();
    let key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let path = "/settings/reminders";
    let current: serde_json::Value = get(&app, &key, path).await.json().await.unwrap();
    assert_eq!(current["offsets_minutes"], json!([1440, 120]));
    for bad in [json!([0]), json!([20161]), json!([1, 2, 3, 4, 5])] {
        let res = put(&app, &key, path, &json!({"offsets_minutes": bad})).await;
        assert_problem(res, 422, "validation_failed").await;
    }
    let branch = f.branch.as_uuid().to_string();
    let branch_key = api_key(&app, WEBER, Some(&branch), ALL_SCOPES).await;
    let res = put(&app, &branch_key, path, &json!({"offsets_minutes": [30]})).await;
    assert_problem(res, 403, "forbidden").await;
    let res = put(&app, &key, path, &json!({"offsets_minutes": [60]})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        portal_db::reminders::offsets(&app.db, whole_company(f.company))
            .await
            .unwrap(),
        vec![60]
    );
    // 3 h ahead (13:00 Berlin).
    f.book(&app, berlin(2026, 11, 25, 13, 0)).await;
    app.clock
        .set(start + Duration::hours(1) + Duration::minutes(5));
    assert_eq!(
        queue_due(&app).await,
        0,
        "the default 2 h no longer applies"
    );
    app.clock
        .set(start + Duration::hours(2) + Duration::minutes(1));
    assert_eq!(queue_due(&app).await, 1);
    assert_eq!(queue_due(&app).await, 1);
    assert_eq!(reminder_texts(&app).await.len(), 1);

    // An empty list turns reminders off.
    portal_db::reminders::set_offsets(&app.db, whole_company(f.company), &[], start)
        .await
        .unwrap();
    f.book(&app, berlin(2026, 11, 25, 17, 0)).await;
    app.clock
        .set(start + Duration::hours(6) + Duration::minutes(30));
    assert_eq!(queue_due(&app).await, 1, "nothing new");
}
