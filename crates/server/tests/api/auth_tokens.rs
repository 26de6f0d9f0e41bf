//! Access and refresh tokens: rotation, replay, forgery, expiry, tenant binding, logs.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Duration;
use portal_domain::SecretString;
use portal_server::tokens::{Claims, TokenService};
use serde_json::Value;

use crate::helpers::*;

both_databases!(
    refresh_rotates_and_old_token_stops_working,
    replayed_refresh_token_revokes_the_family,
    forged_and_malformed_access_tokens_are_refused,
    expired_access_token_is_refused,
    token_reissued_for_another_company_is_refused,
    idle_and_absolute_timeouts_end_sessions,
    logs_hold_no_code_and_no_token,
);

fn claims_of(token: &str) -> Claims {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn signer() -> TokenService {
    TokenService::new(
        &SecretString::new(JWT_SECRET),
        "customer-portal",
        "customer-portal-api",
        900,
    )
}

async fn refresh_rotates_and_old_token_stops_working(app: TestApp) {
    let tokens = app.sign_in(WEBER, ANNA).await;
    app.clock.advance(Duration::minutes(10));
    let res = app.refresh(&tokens.refresh).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let next_refresh = body["refresh_token"].as_str().unwrap();
    let next_access = body["access_token"].as_str().unwrap();
    assert_ne!(next_refresh, tokens.refresh);
    assert_eq!(body["customer"]["id"], tokens.customer_id.as_str());
    assert_eq!(
        app.get_auth("/api/customer/profile", next_access)
            .await
            .status(),
        200
    );
    // The access token carries the original sign-in time, not the refresh time.
    assert_eq!(
        claims_of(next_access).auth_time,
        claims_of(&tokens.access).auth_time
    );
    // The next one rotates again.
    assert_eq!(app.refresh(next_refresh).await.status(), 200);
}

async fn replayed_refresh_token_revokes_the_family(app: TestApp) {
    let tokens = app.sign_in(WEBER, ANNA).await;
    let body: Value = app.refresh(&tokens.refresh).await.json().await.unwrap();
    let thief_copy = tokens.refresh.clone();
    let legit_refresh = body["refresh_token"].as_str().unwrap().to_owned();
    let legit_access = body["access_token"].as_str().unwrap().to_owned();
    // The used token comes back: treat as theft and end the whole session.
    assert_problem(app.refresh(&thief_copy).await, 401, "invalid_refresh_token").await;
    assert_problem(
        app.refresh(&legit_refresh).await,
        401,
        "invalid_refresh_token",
    )
    .await;
    assert_problem(
        app.get_auth("/api/customer/profile", &legit_access).await,
        401,
        "unauthorized",
    )
    .await;
    assert_problem(
        app.refresh("not-a-token").await,
        401,
        "invalid_refresh_token",
    )
    .await;
}

async fn forged_and_malformed_access_tokens_are_refused(app: TestApp) {
    let tokens = app.sign_in(WEBER, ANNA).await;
    assert_eq!(
        app.get_auth("/api/customer/profile", &tokens.access)
            .await
            .status(),
        200
    );
    let claims = claims_of(&tokens.access);

    // alg: none with the same claims.
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
    let none_token = format!("{header}.{payload}.");
    // Wrong audience, wrong issuer, wrong type, wrong key.
    let wrong_aud = signer()
        .sign(&Claims {
            aud: "someone-else".into(),
            ..claims.clone()
        })
        .unwrap();
    let wrong_iss = signer()
        .sign(&Claims {
            iss: "evil".into(),
            ..claims.clone()
        })
        .unwrap();
    let wrong_typ = signer()
        .sign(&Claims {
            typ: "refresh".into(),
            ..claims.clone()
        })
        .unwrap();
    let wrong_key = TokenService::new(
        &SecretString::new("another-secret-of-at-least-32-bytes!!"),
        "customer-portal",
        "customer-portal-api",
        900,
    )
    .sign(&claims)
    .unwrap();
    let mut tampered = tokens.access.clone();
    tampered.insert(tokens.access.find('.').unwrap() + 5, 'x');
    for (what, token) in [
        ("alg none", none_token.as_str()),
        ("wrong aud", &wrong_aud),
        ("wrong iss", &wrong_iss),
        ("wrong typ", &wrong_typ),
        ("wrong key", &wrong_key),
        ("tampered", &tampered),
        ("refresh token as access token", &tokens.refresh),
        ("garbage", "a.b.c"),
    ] {
        let res = app.get_auth("/api/customer/profile", token).await;
        assert_eq!(res.status(), 401, "{what}");
        assert_eq!(problem(res).await["code"], "unauthorized", "{what}");
    }
    let res = app
        .client
        .get(app.url("/api/customer/profile"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "unauthorized").await;
}

async fn expired_access_token_is_refused(app: TestApp) {
    let tokens = app.sign_in(WEBER, ANNA).await;
    app.clock.advance(Duration::seconds(899));
    assert_eq!(
        app.get_auth("/api/customer/profile", &tokens.access)
            .await
            .status(),
        200
    );
    app.clock.advance(Duration::seconds(1));
    assert_problem(
        app.get_auth("/api/customer/profile", &tokens.access).await,
        401,
        "unauthorized",
    )
    .await;
    // Not yet valid (nbf in the future) is refused too.
    let claims = claims_of(&tokens.access);
    let future = signer()
        .sign(&Claims {
            nbf: claims.nbf + 3600,
            exp: claims.exp + 7200,
            ..claims
        })
        .unwrap();
    assert_problem(
        app.get_auth("/api/customer/profile", &future).await,
        401,
        "unauthorized",
    )
    .await;
}

async fn token_reissued_for_another_company_is_refused(app: TestApp) {
    let weber = app.sign_in(WEBER, ANNA).await;
    let lumiere = app.sign_in(LUMIERE, ANNA).await;
    let w = claims_of(&weber.access);
    let l = claims_of(&lumiere.access);
    assert_ne!(w.cid, l.cid);
    // Even correctly signed, a session of company A never serves company B or its customer.
    for forged in [
        Claims {
            cid: l.cid,
            ..w.clone()
        },
        Claims {
            sub: l.sub,
            ..w.clone()
        },
        Claims {
            cid: l.cid,
            sub: l.sub,
            ..w.clone()
        },
    ] {
        let token = signer().sign(&forged).unwrap();
        assert_problem(
            app.get_auth("/api/customer/profile", &token).await,
            401,
            "unauthorized",
        )
        .await;
    }
    let profile: Value = app
        .get_auth("/api/customer/profile", &lumiere.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(profile["company"]["slug"], LUMIERE);
    assert_ne!(profile["id"], weber.customer_id.as_str());
}

async fn idle_and_absolute_timeouts_end_sessions(app: TestApp) {
    // Salon (beauty): idle 7 days, absolute 30 days.
    let idle = app.sign_in(LUMIERE, "+4915100000004").await;
    app.clock.advance(Duration::days(7));
    assert_problem(
        app.refresh(&idle.refresh).await,
        401,
        "invalid_refresh_token",
    )
    .await;

    let mut active = app.sign_in(LUMIERE, "+4915100000004").await;
    for _ in 0..4 {
        app.clock.advance(Duration::days(6));
        let body: Value = app.refresh(&active.refresh).await.json().await.unwrap();
        active.refresh = body["refresh_token"]
            .as_str()
            .expect("refresh within idle window works")
            .to_owned();
    }
    app.clock.advance(Duration::days(6)); // 30 days since sign-in
    assert_problem(
        app.refresh(&active.refresh).await,
        401,
        "invalid_refresh_token",
    )
    .await;

    // Healthcare: idle 24 hours.
    let weber = app.sign_in(WEBER, ANNA).await;
    app.clock.advance(Duration::hours(24));
    assert_problem(
        app.refresh(&weber.refresh).await,
        401,
        "invalid_refresh_token",
    )
    .await;
}

async fn logs_hold_no_code_and_no_token(app: TestApp) {
    let challenge = app.challenge(WEBER, ANNA).await;
    let code = app.last_code(ANNA).await;
    let body: Value = app.verify(&challenge, &code).await.json().await.unwrap();
    let access = body["access_token"].as_str().unwrap();
    let refresh = body["refresh_token"].as_str().unwrap();
    let refreshed: Value = app.refresh(refresh).await.json().await.unwrap();
    app.get_auth("/api/customer/profile", access).await;
    let logs = captured_logs();
    assert!(
        logs.contains("sign-in code requested"),
        "the log capture works"
    );
    assert!(
        !logs.contains(&format!("#{code}")) && !logs.contains(&format!("{code} ist")),
        "code in logs"
    );
    for secret in [
        access,
        refresh,
        refreshed["access_token"].as_str().unwrap(),
        refreshed["refresh_token"].as_str().unwrap(),
    ] {
        assert!(!logs.contains(secret), "token in logs");
    }
    assert!(!logs.contains(ANNA), "full phone number in logs");
}
