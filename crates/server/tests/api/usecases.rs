//! The use cases called directly (no HTTP) and the promises of their shape: everything is checked
//! before anything is written, and a change commits together with its effects or not at all.

use chrono::{DateTime, Duration, Utc};
use portal_api_types::ErrorCode;
use portal_db::{SystemScope, api_keys, customers};
use portal_domain::{AppointmentStatus, ChallengeId, Clock as _, CompanySlug, OtpCode};
use portal_usecases::{
    Actor, Ctx, Faults,
    appointments::{BookAppointment, book_appointment, cancel_appointment, get_appointment},
    auth::{ClientInfo, start_sign_in, verify_code},
    privacy::erase_account,
};
use serde_json::json;
use uuid::Uuid;

use crate::{helpers::*, integrations::*};

both_databases!(
    a_patch_with_an_invalid_status_changes_nothing,
    a_booking_never_commits_without_its_confirmation,
    a_cancellation_never_commits_without_its_effects,
    sign_in_and_erasure_through_the_use_cases,
);

/// A branch, a staff member performing a 30-minute service and a reachable customer, made over
/// the integrator API. Returns the key and the booking input for `starts_at`.
async fn setup(app: &TestApp, starts_at: DateTime<Utc>) -> (String, BookAppointment) {
    let key = api_key(app, WEBER, None, ALL_SCOPES).await;
    let dana = json!({"phone": "0151 00000088", "name": "Dana Kurz", "email": "dana@example.net"});
    let (branch, staff, service, customer) = catalogue(app, &key, &dana).await;
    let input = BookAppointment {
        branch_id: branch.parse().unwrap(),
        staff_id: staff.parse().unwrap(),
        service_id: service.parse().unwrap(),
        customer_id: customer.parse().unwrap(),
        starts_at,
        status: None,
        source: None,
        external_ref: None,
        notes: None,
    };
    (key, input)
}

/// The scope of `key`, as the API-key extractor builds it.
async fn scope_of(app: &TestApp, key: &str) -> api_keys::IntegratorScope {
    api_keys::authenticate(&app.db, key, app.clock.now())
        .await
        .unwrap()
        .unwrap()
}

/// A context like the server's, with `point` armed to fail.
fn failing_at<'a>(app: &'a TestApp, faults: &'a Faults, point: &'static str) -> Ctx<'a> {
    faults.arm(point);
    Ctx {
        faults,
        ..app.state.ctx()
    }
}

async fn rows(app: &TestApp, table: &str, appointment: Uuid) -> i64 {
    count_where(
        app,
        &format!("SELECT COUNT(*) AS n FROM {table} WHERE appointment_id = ?"),
        vec![appointment.into()],
    )
    .await
}

async fn a_patch_with_an_invalid_status_changes_nothing(app: TestApp) {
    let start = app.clock.now() + Duration::days(3);
    let (key, input) = setup(&app, start).await;
    let scope = scope_of(&app, &key).await;
    let booked = book_appointment(&app.state.ctx(), Actor::Integrator(&scope), input)
        .await
        .unwrap();
    let messages_before = rows(&app, "notifications", booked.id).await;
    assert!(messages_before > 0, "the booking was confirmed");

    // A new start and a status an update may not set: 422, and the move did not happen either.
    let res = patch(
        &app,
        &key,
        &format!("/appointments/{}", booked.id),
        &json!({"version": 1, "starts_at": (start + Duration::hours(1)).to_rfc3339(), "status": "cancelled"}),
    )
    .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "status");
    let after = get_appointment(&app.state.ctx(), Actor::Integrator(&scope), booked.id)
        .await
        .unwrap();
    assert_eq!(after.starts_at, start);
    assert_eq!(after.version, 1);
    assert_eq!(after.status, AppointmentStatus::Booked);
    assert_eq!(
        rows(&app, "notifications", booked.id).await,
        messages_before,
        "no 'moved' message queued"
    );
    assert_eq!(rows(&app, "appointment_events", booked.id).await, 1);

    // The same move with a valid status is one change: moved, confirmed, one message more per channel.
    let res = patch(
        &app,
        &key,
        &format!("/appointments/{}", booked.id),
        &json!({"version": 1, "starts_at": (start + Duration::hours(1)).to_rfc3339(), "status": "confirmed"}),
    )
    .await;
    let updated = json_ok(res, 200).await;
    assert_eq!(updated["status"], "confirmed");
    assert_eq!(updated["version"], 3);
    assert_eq!(
        rows(&app, "notifications", booked.id).await,
        2 * messages_before
    );
}

async fn a_booking_never_commits_without_its_confirmation(app: TestApp) {
    let start = app.clock.now() + Duration::days(4);
    let (key, input) = setup(&app, start).await;
    let scope = scope_of(&app, &key).await;
    let bookings_before = count_where(&app, "SELECT COUNT(*) AS n FROM appointments", vec![]).await;
    let messages_before =
        count_where(&app, "SELECT COUNT(*) AS n FROM notifications", vec![]).await;

    // A failure after the booking row and its confirmation were written, before the commit.
    let faults = Faults::armable();
    let ctx = failing_at(&app, &faults, "book_appointment.before_commit");
    let err = book_appointment(&ctx, Actor::Integrator(&scope), input.clone())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("injected"), "{err}");
    assert_eq!(
        count_where(&app, "SELECT COUNT(*) AS n FROM appointments", vec![]).await,
        bookings_before,
        "no booking without its confirmation"
    );
    assert_eq!(
        count_where(&app, "SELECT COUNT(*) AS n FROM notifications", vec![]).await,
        messages_before,
        "no confirmation without its booking"
    );

    // Without the fault the same booking goes through, confirmed by SMS and email at once.
    let booked = book_appointment(&app.state.ctx(), Actor::Integrator(&scope), input)
        .await
        .unwrap();
    assert_eq!(booked.starts_at, start);
    let channels = count_where(
        &app,
        "SELECT COUNT(*) AS n FROM notifications WHERE appointment_id = ? AND kind = ?",
        vec![booked.id.into(), "appointment_booked".into()],
    )
    .await;
    assert_eq!(channels, 2, "SMS and email");
}

async fn a_cancellation_never_commits_without_its_effects(app: TestApp) {
    let start = app.clock.now() + Duration::days(5);
    let (key, input) = setup(&app, start).await;
    let scope = scope_of(&app, &key).await;
    let booked = book_appointment(&app.state.ctx(), Actor::Integrator(&scope), input)
        .await
        .unwrap();
    let messages_before = rows(&app, "notifications", booked.id).await;

    let system = SystemScope::for_company(booked.company_id);
    let faults = Faults::armable();
    let ctx = failing_at(&app, &faults, "cancel_appointment.before_commit");
    cancel_appointment(
        &ctx,
        Actor::System(&system),
        booked.id,
        Some("Praxis zu".into()),
    )
    .await
    .unwrap_err();
    let unchanged = get_appointment(&app.state.ctx(), Actor::System(&system), booked.id)
        .await
        .unwrap();
    assert_eq!(unchanged.status, AppointmentStatus::Booked);
    assert_eq!(unchanged.version, 1);
    assert_eq!(
        rows(&app, "notifications", booked.id).await,
        messages_before
    );
    assert_eq!(rows(&app, "appointment_events", booked.id).await, 1);

    let cancelled = cancel_appointment(
        &app.state.ctx(),
        Actor::System(&system),
        booked.id,
        Some("Praxis zu".into()),
    )
    .await
    .unwrap();
    assert_eq!(cancelled.status, AppointmentStatus::Cancelled);
    assert_eq!(cancelled.cancel_reason.as_deref(), Some("Praxis zu"));
    assert_eq!(
        rows(&app, "notifications", booked.id).await,
        2 * messages_before
    );
}

async fn sign_in_and_erasure_through_the_use_cases(app: TestApp) {
    let ctx = app.state.ctx();
    let client = ClientInfo {
        ip: "192.0.2.7".into(),
        user_agent: Some("use-case test".into()),
    };
    let company = CompanySlug::parse(WEBER).unwrap();
    let challenge = start_sign_in(&ctx, &company, "0151 00000002", &client)
        .await
        .unwrap();
    let id = ChallengeId::from_uuid(challenge.challenge_id);
    let code = app.last_code("+4915100000002").await;
    let wrong = OtpCode::parse(if code == "000000" { "111111" } else { "000000" }).unwrap();
    let refused = verify_code(&ctx, id, &wrong, &client).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::InvalidCode));
    let signed_in = verify_code(&ctx, id, &OtpCode::parse(&code).unwrap(), &client)
        .await
        .unwrap();
    let scope = signed_in.session.scope;
    let actor = Actor::Customer {
        scope: &scope,
        company: &signed_in.company,
    };

    // Not confirmed: refused before anything happens.
    let unconfirmed = erase_account(&ctx, actor, false).await.unwrap_err();
    assert_eq!(unconfirmed.code(), Some(ErrorCode::ConfirmationRequired));
    // A failure before the commit: the customer, their sessions and the audit log are untouched.
    let faults = Faults::armable();
    let failing = failing_at(&app, &faults, "erase_account.before_commit");
    erase_account(&failing, actor, true).await.unwrap_err();
    assert!(customers::get(&app.db, &scope).await.unwrap().is_some());
    let erasures = "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'privacy.erase'";
    assert_eq!(count_where(&app, erasures, vec![]).await, 0);

    let erased = erase_account(&ctx, actor, true).await.unwrap();
    assert!(erased.sessions_ended >= 1);
    assert!(customers::get(&app.db, &scope).await.unwrap().is_none());
    assert_eq!(count_where(&app, erasures, vec![]).await, 1);
}
