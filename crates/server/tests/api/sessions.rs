//! Devices: listing, signing out one or all, and immediate refusal of ended sessions.

use serde_json::Value;

use crate::helpers::*;

both_databases!(
    sessions_list_devices_and_mark_the_current_one,
    logout_refuses_the_access_token_at_once,
    deleting_a_session_refuses_its_tokens_at_once,
    another_customers_session_is_not_found,
);

async fn sessions_list_devices_and_mark_the_current_one(app: TestApp) {
    app.sign_in(WEBER, ANNA).await; // a second device
    let laptop = app.sign_in(WEBER, ANNA).await;
    let res = app.get_auth("/api/customer/sessions", &laptop.access).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let sessions = body["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    assert!(sessions.iter().all(|s| s["user_agent"].is_null()
        && s["created_at"].is_string()
        && s["last_used_at"].is_string()));
}

async fn logout_refuses_the_access_token_at_once(app: TestApp) {
    let tokens = app.sign_in(WEBER, ANNA).await;
    let res = app
        .client
        .post(app.url("/api/customer/auth/logout"))
        .bearer_auth(&tokens.access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
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

async fn deleting_a_session_refuses_its_tokens_at_once(app: TestApp) {
    let other = app.sign_in(WEBER, ANNA).await;
    let me = app.sign_in(WEBER, ANNA).await;
    let body: Value = app
        .get_auth("/api/customer/sessions", &me.access)
        .await
        .json()
        .await
        .unwrap();
    let other_id = body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == false)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/customer/sessions/{other_id}");
    let res = app
        .client
        .delete(app.url(&path))
        .bearer_auth(&me.access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_problem(
        app.get_auth("/api/customer/profile", &other.access).await,
        401,
        "unauthorized",
    )
    .await;
    assert_problem(
        app.refresh(&other.refresh).await,
        401,
        "invalid_refresh_token",
    )
    .await;
    assert_eq!(
        app.get_auth("/api/customer/profile", &me.access)
            .await
            .status(),
        200
    );
    // Deleting it again: gone.
    let res = app
        .client
        .delete(app.url(&path))
        .bearer_auth(&me.access)
        .send()
        .await
        .unwrap();
    assert_problem(res, 404, "not_found").await;
}

async fn another_customers_session_is_not_found(app: TestApp) {
    let victim = app.sign_in(LUMIERE, ANNA).await;
    let attacker = app.sign_in(WEBER, ANNA).await;
    let body: Value = app
        .get_auth("/api/customer/sessions", &victim.access)
        .await
        .json()
        .await
        .unwrap();
    let victim_session = body["sessions"][0]["id"].as_str().unwrap().to_owned();
    let res = app
        .client
        .delete(app.url(&format!("/api/customer/sessions/{victim_session}")))
        .bearer_auth(&attacker.access)
        .send()
        .await
        .unwrap();
    let foreign = assert_problem(res, 404, "not_found").await;
    let res = app
        .client
        .delete(app.url(&format!("/api/customer/sessions/{}", uuid::Uuid::now_v7())))
        .bearer_auth(&attacker.access)
        .send()
        .await
        .unwrap();
    let missing = assert_problem(res, 404, "not_found").await;
    assert_eq!(
        foreign, missing,
        "a foreign session looks exactly like a missing one"
    );
    assert_eq!(
        app.get_auth("/api/customer/profile", &victim.access)
            .await
            .status(),
        200
    );
}
