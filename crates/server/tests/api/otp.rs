//! The OTP rules of DESIGN.md: expiry, single use, attempts, lockout, cooldown, caps, enumeration.

use chrono::Duration;
use serde_json::{Value, json};
use wiremock::{Mock, ResponseTemplate, matchers::method};

use crate::helpers::*;

both_databases!(
    code_is_valid_until_just_before_five_minutes,
    code_is_refused_at_five_minutes,
    code_is_single_use,
    five_wrong_codes_end_the_challenge,
    ten_failures_lock_the_phone_across_new_codes,
    resend_waits_sixty_seconds,
    at_most_five_codes_per_phone_per_hour,
    at_most_twenty_codes_per_ip_per_hour,
    company_daily_cap_counts_only_codes_sent,
    concurrent_guesses_reach_the_comparison_at_most_five_times,
    unknown_and_known_numbers_get_identical_answers,
    codes_of_one_company_never_work_for_another,
    national_and_international_forms_reach_the_same_customer,
    invalid_phone_and_foreign_country_are_refused,
    an_sms_outage_changes_no_answer_and_charges_nothing,
    database_never_holds_the_code,
    sms_text_is_localised_with_webotp_line,
);
both_databases!(impatient_twilio; a_late_provider_answer_does_not_open_the_limits);

both_databases!(unlimited_codes; known_and_unknown_numbers_answer_in_the_same_time);

fn unlimited_codes(settings: &mut portal_server::config::Settings) {
    settings.otp.resend_seconds = 0;
    settings.otp.per_phone_per_hour = 10_000;
    settings.otp.per_ip_per_hour = 10_000;
}

async fn known_and_unknown_numbers_answer_in_the_same_time(app: TestApp) {
    // A provider that takes 150 ms: were the answer to wait for it, known numbers would answer
    // 150 ms later than unknown ones.
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"sid": "SM3", "status": "queued"}))
                .set_delay(std::time::Duration::from_millis(150)),
        )
        .with_priority(1)
        .mount(&app.twilio)
        .await;
    let timed = |phone: &'static str| {
        let app = &app;
        async move {
            let started = std::time::Instant::now();
            let res = app.request_code(WEBER, phone).await;
            let elapsed = started.elapsed();
            assert_eq!(res.status(), 202);
            res.bytes().await.unwrap();
            elapsed
        }
    };
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..50 {
        // Interleaved, in an order that alternates which kind goes first.
        if i % 2 == 0 {
            known.push(timed(ANNA).await);
            unknown.push(timed("+4915199999999").await);
        } else {
            unknown.push(timed("+4915199999999").await);
            known.push(timed(ANNA).await);
        }
    }
    let median = |v: &mut Vec<std::time::Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (known, unknown) = (median(&mut known), median(&mut unknown));
    eprintln!("sign-in answer medians: known {known:?}, unknown {unknown:?}");
    assert!(
        known.abs_diff(unknown) < std::time::Duration::from_millis(5),
        "known {known:?} vs unknown {unknown:?}"
    );
    // The codes did go out, after the answers.
    assert_eq!(app.sent_sms().await.len(), 50);
}

fn impatient_twilio(settings: &mut portal_server::config::Settings) {
    settings.twilio.timeout_seconds = 1;
}

async fn a_late_provider_answer_does_not_open_the_limits(app: TestApp) {
    // Twilio takes the message but answers after our timeout: the code may well arrive, so the
    // number's wait and hourly count stand, and a second code cannot follow half a minute later.
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"sid": "SM2", "status": "queued"}))
                .set_delay(std::time::Duration::from_secs(2)),
        )
        .with_priority(1)
        .mount(&app.twilio)
        .await;
    let challenge = app.challenge(WEBER, ANNA).await;
    app.outbox_idle().await;
    app.clock.advance(Duration::seconds(31));
    assert_problem(app.request_code(WEBER, ANNA).await, 429, "resend_too_soon").await;
    assert_eq!(
        app.sent_sms().await.len(),
        1,
        "one SMS, not one per impatient request"
    );
    // The code that may have arrived late still works.
    let (_, body) = app.sent_sms().await.pop().unwrap();
    assert_eq!(app.verify(&challenge, &body[..6]).await.status(), 200);
    let status = count_where(
        &app,
        "SELECT COUNT(*) AS n FROM notifications WHERE kind = 'sign_in_code' AND status = 'failed'",
        vec![],
    )
    .await;
    assert_eq!(status, 1, "the unanswered send is not retried");
}

async fn code_is_valid_until_just_before_five_minutes(app: TestApp) {
    let challenge = app.challenge(WEBER, ANNA).await;
    let code = app.last_code(ANNA).await;
    app.clock.advance(Duration::seconds(4 * 60 + 59));
    assert_eq!(app.verify(&challenge, &code).await.status(), 200);
}

async fn code_is_refused_at_five_minutes(app: TestApp) {
    let challenge = app.challenge(WEBER, ANNA).await;
    let code = app.last_code(ANNA).await;
    app.clock.advance(Duration::minutes(5));
    assert_problem(app.verify(&challenge, &code).await, 401, "code_expired").await;
}

async fn code_is_single_use(app: TestApp) {
    let challenge = app.challenge(WEBER, ANNA).await;
    let code = app.last_code(ANNA).await;
    assert_eq!(app.verify(&challenge, &code).await.status(), 200);
    assert_problem(app.verify(&challenge, &code).await, 401, "code_expired").await;
}

fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

async fn five_wrong_codes_end_the_challenge(app: TestApp) {
    let challenge = app.challenge(WEBER, ANNA).await;
    let code = app.last_code(ANNA).await;
    for remaining in (0..5).rev() {
        let body = assert_problem(
            app.verify(&challenge, &wrong(&code)).await,
            401,
            "invalid_code",
        )
        .await;
        assert_eq!(body["attempts_remaining"], remaining);
    }
    // The right code no longer helps: the challenge is over.
    assert_problem(app.verify(&challenge, &code).await, 401, "code_expired").await;
}

async fn ten_failures_lock_the_phone_across_new_codes(app: TestApp) {
    let first = app.challenge(WEBER, ANNA).await;
    let first_code = app.last_code(ANNA).await;
    for _ in 0..5 {
        assert_problem(
            app.verify(&first, &wrong(&first_code)).await,
            401,
            "invalid_code",
        )
        .await;
    }
    // A new code does not reset the count of consecutive failures.
    app.clock.advance(Duration::seconds(61));
    let second = app.challenge(WEBER, ANNA).await;
    let code = app.last_code(ANNA).await;
    for _ in 0..4 {
        assert_problem(
            app.verify(&second, &wrong(&code)).await,
            401,
            "invalid_code",
        )
        .await;
    }
    let body = assert_problem(
        app.verify(&second, &wrong(&code)).await,
        429,
        "phone_locked",
    )
    .await;
    assert_eq!(body["retry_after"], 15 * 60);
    // Locked: even the right code is refused, and no new code is sent.
    assert_problem(app.verify(&second, &code).await, 429, "phone_locked").await;
    let sent = app.sent_sms().await.len();
    app.clock.advance(Duration::minutes(2));
    assert_problem(app.request_code(WEBER, ANNA).await, 429, "phone_locked").await;
    assert_eq!(app.sent_sms().await.len(), sent, "no SMS while locked");
    // After 15 minutes the number may sign in again.
    app.clock.advance(Duration::minutes(13));
    app.sign_in(WEBER, ANNA).await;
}

async fn resend_waits_sixty_seconds(app: TestApp) {
    app.challenge(WEBER, ANNA).await;
    app.clock.advance(Duration::seconds(59));
    let body = assert_problem(app.request_code(WEBER, ANNA).await, 429, "resend_too_soon").await;
    assert_eq!(body["retry_after"], 1);
    app.clock.advance(Duration::seconds(1));
    app.challenge(WEBER, ANNA).await;
    assert_eq!(app.sent_sms().await.len(), 2);
}

async fn at_most_five_codes_per_phone_per_hour(app: TestApp) {
    for _ in 0..5 {
        app.challenge(WEBER, ANNA).await;
        app.clock.advance(Duration::seconds(61));
    }
    let res = app.request_code(WEBER, ANNA).await;
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, 429, "rate_limited").await;
    assert_eq!(
        app.sent_sms().await.len(),
        5,
        "the refused request sent nothing"
    );
    app.clock.advance(Duration::minutes(60));
    app.challenge(WEBER, ANNA).await;
}

async fn at_most_twenty_codes_per_ip_per_hour(app: TestApp) {
    // Twenty different numbers from one address (unknown numbers count too).
    for i in 0..20 {
        app.challenge(WEBER, &format!("+49151100000{i:02}")).await;
    }
    let sent = app.sent_sms().await.len();
    assert_problem(app.request_code(WEBER, ANNA).await, 429, "rate_limited").await;
    assert_eq!(app.sent_sms().await.len(), sent);
}

async fn company_daily_cap_counts_only_codes_sent(app: TestApp) {
    let weber = portal_db::companies::find_by_slug(
        &app.db,
        &portal_domain::CompanySlug::parse(WEBER).unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    portal_db::companies::set_otp_daily_cap(&app.db, weber.id, 1)
        .await
        .unwrap();
    // Requests for numbers nobody has send nothing, so they cannot use the cap up.
    for n in 0..5 {
        app.challenge(WEBER, &format!("+491519999900{n}")).await;
    }
    app.challenge(WEBER, ANNA).await;
    assert_eq!(app.sent_sms().await.len(), 1, "Anna's code went out");
    // Now the cap is reached: every number, known or not, hears so.
    for number in ["+4915100000002", "+4915199999990"] {
        assert_problem(app.request_code(WEBER, number).await, 429, "rate_limited").await;
    }
    assert_eq!(app.sent_sms().await.len(), 1);
    // Another company is not affected.
    app.challenge(LUMIERE, "+4915100000004").await;
    assert_eq!(app.sent_sms().await.len(), 2);
}

async fn concurrent_guesses_reach_the_comparison_at_most_five_times(app: TestApp) {
    let challenge = app.challenge(WEBER, ANNA).await;
    let code = app.last_code(ANNA).await;
    let guesses = (0..50).map(|i| {
        let guess = format!("{:06}", (code.parse::<u32>().unwrap() + 1 + i) % 1_000_000);
        let app = &app;
        let challenge = challenge.clone();
        async move {
            let res = app.verify(&challenge, &guess).await;
            let body: Value = res.json().await.unwrap();
            body["code"].as_str().unwrap_or("ok").to_owned()
        }
    });
    let codes = futures_util::future::join_all(guesses).await;
    let compared = codes.iter().filter(|c| *c == "invalid_code").count();
    assert!(
        compared <= 5,
        "{compared} guesses reached the comparison: {codes:?}"
    );
    assert!(
        codes
            .iter()
            .all(|c| c == "invalid_code" || c == "code_expired"),
        "{codes:?}"
    );
    assert_problem(app.verify(&challenge, &code).await, 401, "code_expired").await;
}

async fn unknown_and_known_numbers_get_identical_answers(app: TestApp) {
    let known = app.request_code(WEBER, ANNA).await;
    let unknown = app.request_code(WEBER, "+4915199999999").await;
    assert_eq!(known.status(), unknown.status());
    let header_names = |r: &reqwest::Response| {
        let mut names: Vec<String> = r.headers().keys().map(|k| k.to_string()).collect();
        names.sort();
        names
    };
    assert_eq!(header_names(&known), header_names(&unknown));
    let known: Value = known.json().await.unwrap();
    let unknown: Value = unknown.json().await.unwrap();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&known), keys(&unknown));
    assert_eq!(known["expires_in"], unknown["expires_in"]);
    assert_eq!(known["resend_in"], unknown["resend_in"]);
    assert_eq!(
        known["challenge_id"].as_str().unwrap().len(),
        unknown["challenge_id"].as_str().unwrap().len()
    );
    let sent = app.sent_sms().await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, ANNA, "no SMS to the unknown number");
    // Guessing on the unknown challenge behaves like a wrong code.
    assert_problem(
        app.verify(unknown["challenge_id"].as_str().unwrap(), "123456")
            .await,
        401,
        "invalid_code",
    )
    .await;
}

async fn codes_of_one_company_never_work_for_another(app: TestApp) {
    // Anna has an account at both companies with the same number.
    let _weber_challenge = app.challenge(WEBER, ANNA).await;
    let weber_code = app.last_code(ANNA).await;
    let lumiere_challenge = app.challenge(LUMIERE, ANNA).await;
    let lumiere_code = app.last_code(ANNA).await;
    if weber_code != lumiere_code {
        assert_problem(
            app.verify(&lumiere_challenge, &weber_code).await,
            401,
            "invalid_code",
        )
        .await;
    }
    let res = app.verify(&lumiere_challenge, &lumiere_code).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["customer"]["company"]["slug"], LUMIERE);
}

async fn national_and_international_forms_reach_the_same_customer(app: TestApp) {
    for (i, input) in ["0151 00000001", "+49 151 00000001", "0049 15100000001"]
        .into_iter()
        .enumerate()
    {
        app.clock.advance(Duration::seconds(61));
        let res = app.request_code(WEBER, input).await;
        assert_eq!(res.status(), 202);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["phone_masked"], "+49•••••••••01");
        assert_eq!(app.sent_sms().await.len(), i + 1);
        assert_eq!(app.sent_sms().await[i].0, ANNA);
    }
}

async fn invalid_phone_and_foreign_country_are_refused(app: TestApp) {
    let body = assert_problem(app.request_code(WEBER, "12").await, 422, "invalid_phone").await;
    assert_eq!(body["errors"][0]["field"], "phone");
    assert_problem(
        app.request_code(WEBER, "+1 202 555 0143").await,
        422,
        "country_not_allowed",
    )
    .await;
    assert_problem(
        app.request_code("no-such-company", ANNA).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.post_json(
            "/api/customer/auth",
            &json!({"company": "Bad Slug!", "phone": ANNA}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(app.sent_sms().await.is_empty());
}

async fn an_sms_outage_changes_no_answer_and_charges_nothing(app: TestApp) {
    app.twilio.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_json(
            json!({"code": 20500, "message": "Internal Server Error", "status": 500}),
        ))
        .mount(&app.twilio)
        .await;
    // More requests than the hourly limit allows, a minute apart: each answer is the one a working
    // day gives, for a known and an unknown number alike.
    for _ in 0..6 {
        let known = app.request_code(WEBER, ANNA).await;
        let unknown = app.request_code(WEBER, "+4915199999999").await;
        assert_eq!(known.status(), 202);
        assert_eq!(unknown.status(), 202);
        app.outbox_idle().await;
        app.clock.advance(Duration::seconds(61));
    }
    // The provider was asked once a minute, for the known number only, and refused each time.
    let asked = app.sent_sms().await;
    assert_eq!(asked.len(), 6);
    assert!(asked.iter().all(|(to, _)| to == ANNA));
    // Operators see the failures.
    assert!(app.state.metrics.sms_failures.get() >= 6);
    assert!(captured_logs().contains("code SMS not sent"));
    // The failed sends did not use the hourly limit up: once Twilio is back, a code arrives.
    app.twilio.reset().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"sid": "SM1", "status": "queued"})),
        )
        .mount(&app.twilio)
        .await;
    let challenge = app.challenge(WEBER, ANNA).await;
    let code = app.last_code(ANNA).await;
    assert_eq!(app.verify(&challenge, &code).await.status(), 200);
}

async fn database_never_holds_the_code(app: TestApp) {
    use sea_orm::{ConnectionTrait, Statement};
    app.challenge(WEBER, ANNA).await;
    let code = app.last_code(ANNA).await;
    let backend = app.db.get_database_backend();
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT phone, purpose, code_hmac, ip FROM otp_challenges",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    for col in ["phone", "purpose", "code_hmac", "ip"] {
        let value: String = rows[0].try_get("", col).unwrap();
        assert!(!value.contains(&code), "{col} holds the code");
    }
    let hmac: String = rows[0].try_get("", "code_hmac").unwrap();
    assert_eq!(hmac.len(), 64, "a hex HMAC-SHA256");
    // The message history has the text with the code masked.
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT body_text FROM notifications WHERE kind = 'sign_in_code'",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let text: String = rows[0].try_get("", "body_text").unwrap();
    assert!(!text.contains(&code), "the history holds the code: {text}");
    assert!(text.contains("••••••"), "{text}");
}

async fn sms_text_is_localised_with_webotp_line(app: TestApp) {
    app.challenge(WEBER, ANNA).await;
    let body = app.last_sign_in_sms(ANNA).await;
    let code = body.split_whitespace().next().unwrap();
    assert!(
        body.starts_with(&format!(
            "{code} ist Ihr Code für Praxis Dr. Weber. Gültig 5 Minuten."
        )),
        "{body}"
    );
    assert_eq!(body.lines().last().unwrap(), format!("@localhost #{code}"));

    // A customer who chose English gets English.
    let tokens = app.sign_in(WEBER, ANNA).await;
    let res = app
        .client
        .put(app.url("/api/customer/profile"))
        .bearer_auth(&tokens.access)
        .json(&json!({"name": "Anna Schmidt", "email": null, "language": "en", "address": null, "date_of_birth": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    app.clock.advance(Duration::seconds(61));
    app.challenge(WEBER, ANNA).await;
    let body = app.last_sign_in_sms(ANNA).await;
    assert!(
        body.contains("is your code for Praxis Dr. Weber. Valid for 5 minutes."),
        "{body}"
    );
}
