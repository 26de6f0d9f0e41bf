//! The one limiter under bursts: requests released together (a barrier) pass a limit exactly as
//! often as it allows — no count-then-insert gap — on SQLite and PostgreSQL.

use std::sync::Arc;

use chrono::Duration;
use portal_db::limiter::{self, Decision, Limit};
use portal_domain::Clock as _;
use reqwest::StatusCode;
use serde_json::json;
use tokio::sync::Barrier;

use crate::{burst::burst, helpers::*};

both_databases!(
    concurrent_hits_pass_a_limit_exactly_max_times,
    a_burst_of_sign_ins_for_one_number_sends_one_code,
    a_burst_from_one_address_stops_at_the_hourly_cap,
    a_burst_of_support_messages_stops_at_the_hourly_cap,
    guesses_over_several_challenges_stop_at_the_lock,
);

fn count(statuses: &[StatusCode], status: StatusCode) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

async fn concurrent_hits_pass_a_limit_exactly_max_times(app: TestApp) {
    let now = app.clock.now();
    let limit = Limit {
        max: 10,
        window: Duration::minutes(5),
    };
    let barrier = Arc::new(Barrier::new(50));
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (db, barrier) = (app.db.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                limiter::hit(&db, "test:burst", limit, now).await.unwrap()
            })
        })
        .collect();
    let mut allowed = 0;
    for task in tasks {
        if task.await.unwrap().allowed() {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 10);
    // Refused until the window ends, with the time left as the hint; a new window after it.
    match limiter::hit(&app.db, "test:burst", limit, now + Duration::minutes(4))
        .await
        .unwrap()
    {
        Decision::Refused { retry_after } => assert_eq!(retry_after, Duration::minutes(1)),
        Decision::Allowed => panic!("the window is full"),
    }
    let later = now + Duration::minutes(5);
    assert!(
        limiter::hit(&app.db, "test:burst", limit, later)
            .await
            .unwrap()
            .allowed()
    );
    // A refund gives one hit back.
    limiter::refund(&app.db, "test:burst").await.unwrap();
    let limit_one = Limit { max: 1, ..limit };
    assert!(
        limiter::hit(&app.db, "test:burst", limit_one, later)
            .await
            .unwrap()
            .allowed()
    );
}

async fn a_burst_of_sign_ins_for_one_number_sends_one_code(app: TestApp) {
    let app = Arc::new(app);
    let statuses = burst(20, |_| {
        let app = app.clone();
        async move { app.request_code(WEBER, ANNA).await.status() }
    })
    .await;
    assert_eq!(count(&statuses, StatusCode::ACCEPTED), 1, "{statuses:?}");
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), 19);
    let codes = app
        .sent_sms()
        .await
        .into_iter()
        .filter(|(to, _)| to == ANNA)
        .count();
    assert_eq!(codes, 1, "one SMS, not one per request");
}

async fn a_burst_from_one_address_stops_at_the_hourly_cap(app: TestApp) {
    // Forty different (unknown) numbers from one address: the address may ask 20 times an hour.
    let app = Arc::new(app);
    let statuses = burst(40, |i| {
        let app = app.clone();
        async move {
            app.request_code(WEBER, &format!("+49151{:08}", 50_000_000 + i))
                .await
                .status()
        }
    })
    .await;
    assert_eq!(count(&statuses, StatusCode::ACCEPTED), 20, "{statuses:?}");
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), 20);
}

async fn a_burst_of_support_messages_stops_at_the_hourly_cap(app: TestApp) {
    let tokens = app.sign_in(WEBER, ANNA).await;
    let app = Arc::new(app);
    let statuses = burst(60, |i| {
        let (app, token) = (app.clone(), tokens.access.clone());
        async move {
            app.client
                .post(app.url("/api/customer/support/messages"))
                .bearer_auth(token)
                .json(&json!({"body": format!("Nachricht {i}")}))
                .send()
                .await
                .unwrap()
                .status()
        }
    })
    .await;
    assert_eq!(count(&statuses, StatusCode::CREATED), 30, "{statuses:?}");
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), 30);
}

async fn guesses_over_several_challenges_stop_at_the_lock(app: TestApp) {
    // Three challenges allow 15 comparisons between them; the number's lock allows 10.
    let mut challenges = Vec::new();
    for _ in 0..3 {
        challenges.push(app.challenge(WEBER, ANNA).await);
        app.clock.advance(Duration::seconds(61));
    }
    let code: u32 = app.last_code(ANNA).await.parse().unwrap();
    let app = Arc::new(app);
    let answers = burst(45, |i| {
        let app = app.clone();
        let challenge = challenges[i % 3].clone();
        // Never any challenge's code: each differs from the last code by 1..=45, and the earlier
        // codes are as likely to be hit by chance as any other six digits.
        let guess = format!("{:06}", (code + 1 + i as u32) % 1_000_000);
        async move {
            let res = app.verify(&challenge, &guess).await;
            let body: serde_json::Value = res.json().await.unwrap();
            body["code"].as_str().unwrap_or("ok").to_owned()
        }
    })
    .await;
    let compared = answers.iter().filter(|c| *c == "invalid_code").count();
    assert!(
        compared <= 10,
        "{compared} guesses were compared: {answers:?}"
    );
    assert!(answers.iter().any(|c| c == "phone_locked"), "{answers:?}");
}
