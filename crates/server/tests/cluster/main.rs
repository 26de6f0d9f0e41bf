//! Two real `portal serve` processes on one PostgreSQL database: the promises that must hold
//! across instances — every limit, under a burst released at once and spread over both — hold.
//! Each test starts its own pair on a fresh database; without PostgreSQL the tests skip unless
//! `PORTAL_TEST_REQUIRE_PG=1`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap is a failed test"
)]

#[path = "../support/burst.rs"]
mod burst;
#[path = "../support/fakes.rs"]
mod fakes;
mod harness;
#[path = "../support/instance.rs"]
#[allow(
    dead_code,
    reason = "shared with the browser tests, which read the log and kill the server"
)]
mod instance;

use burst::burst;
use harness::Cluster;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;

const WEBER: &str = "praxis-weber";
const ANNA: &str = "+4915100000001";

fn count(statuses: &[StatusCode], status: StatusCode) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

/// Opens `n` connections to every instance, so a burst does not start with connecting.
async fn warm_up(cluster: &Cluster, n: usize) {
    burst(n * cluster.instances.len(), |i| {
        let request = cluster.http.get(cluster.pick(i).url("/health/live")).send();
        async move { request.await.unwrap().status() }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_for_one_number_over_two_instances_sends_one_code() {
    let Some(cluster) = Cluster::start(2, &[]).await else {
        return;
    };
    let cluster = Arc::new(cluster);
    warm_up(&cluster, 10).await;
    let statuses = burst(20, |i| {
        let cluster = cluster.clone();
        async move {
            cluster
                .http
                .post(cluster.pick(i).url("/api/customer/auth"))
                .json(&json!({"company": WEBER, "phone": ANNA}))
                .send()
                .await
                .unwrap()
                .status()
        }
    })
    .await;
    assert_eq!(count(&statuses, StatusCode::ACCEPTED), 1, "{statuses:?}");
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), 19);
    cluster.wait_for_sms(ANNA, 1).await;
    // Both instances' code lanes poll the same queue: still one SMS.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(cluster.sms().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_from_one_address_over_two_instances_stops_at_the_hourly_cap() {
    let Some(cluster) = Cluster::start(2, &[]).await else {
        return;
    };
    let cluster = Arc::new(cluster);
    warm_up(&cluster, 20).await;
    // Forty different numbers from one address (127.0.0.1 on both): 20 an hour.
    let statuses = burst(40, |i| {
        let cluster = cluster.clone();
        async move {
            cluster
                .http
                .post(cluster.pick(i).url("/api/customer/auth"))
                .json(&json!({"company": WEBER, "phone": format!("+49151{:08}", 50_000_000 + i)}))
                .send()
                .await
                .unwrap()
                .status()
        }
    })
    .await;
    assert_eq!(count(&statuses, StatusCode::ACCEPTED), 20, "{statuses:?}");
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_support_messages_over_two_instances_stops_at_the_hourly_cap() {
    let Some(cluster) = Cluster::start(2, &[]).await else {
        return;
    };
    // Signed in on one instance, the token works on the other: the session lives in the database.
    let token = cluster.sign_in(0, WEBER, ANNA).await;
    let cluster = Arc::new(cluster);
    warm_up(&cluster, 30).await;
    let statuses = burst(60, |i| {
        let (cluster, token) = (cluster.clone(), token.clone());
        async move {
            cluster
                .http
                .post(cluster.pick(i).url("/api/customer/support/messages"))
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn guesses_over_two_instances_and_several_challenges_stop_at_the_lock() {
    let Some(cluster) = Cluster::start(2, &[("PORTAL__OTP__RESEND_SECONDS", "1")]).await else {
        return;
    };
    // Three challenges allow 15 comparisons between them; the number's lock allows 10.
    let mut challenges = Vec::new();
    for i in 0..3 {
        let res = cluster
            .http
            .post(cluster.pick(i).url("/api/customer/auth"))
            .json(&json!({"company": WEBER, "phone": ANNA}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
        let body: Value = res.json().await.unwrap();
        challenges.push(body["challenge_id"].as_str().unwrap().to_owned());
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    }
    let codes: Vec<u32> = cluster
        .wait_for_sms(ANNA, 3)
        .await
        .iter()
        .map(|body| body[..6].parse().unwrap())
        .collect();
    let cluster = Arc::new(cluster);
    warm_up(&cluster, 23).await;
    let answers = burst(45, |i| {
        let cluster = cluster.clone();
        let challenge = challenges[i % 3].clone();
        // Never the code of any of the three challenges.
        let guess = (1..)
            .map(|d| (codes[i % 3] + d + i as u32) % 1_000_000)
            .find(|g| !codes.contains(g))
            .unwrap();
        async move {
            let res = cluster
                .http
                .post(cluster.pick(i).url("/api/customer/auth/verify"))
                .json(&json!({"challenge_id": challenge, "code": format!("{guess:06}")}))
                .send()
                .await
                .unwrap();
            let body: Value = res.json().await.unwrap();
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
