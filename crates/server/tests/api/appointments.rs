//! The customer's appointments end to end: lists, policy, slots, DST, concurrency, documents,
//! confirmation SMS and tenant isolation.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc, Weekday};
use portal_db::{
    TransactionTrait,
    appointments::{self, ChangedBy, NewAppointment, WriteOutcome},
    catalog,
};
use portal_domain::{
    AppointmentStatus, Clock, CompanyId, CompanySlug, CustomerId, PhoneNumber,
    ids::{BranchId, ServiceId, StaffId},
};
use serde_json::{Value, json};

use crate::helpers::*;

both_databases!(
    upcoming_and_past_lists_page_in_order,
    cancel_deadline_is_exact_and_refusal_names_deadline_and_phone,
    grace_period_allows_cancelling_a_fresh_booking,
    cancelled_and_past_appointments_are_refused,
    slots_leave_out_booked_time_off_and_buffers,
    slots_follow_daylight_saving_changes,
    reschedule_moves_and_records_history,
    twenty_concurrent_reschedules_into_one_slot_one_wins,
    documents_follow_the_appointment,
    cancellation_sends_a_confirmation_sms,
    other_customers_and_companies_get_identical_404s,
    cancel_reads_a_json_body_or_query_options_never_a_dropped_body,
);

/// A branch with two staff members working Mon–Fri 09:00–17:00 (Berlin) and one 30-minute service
/// with 10 minutes buffer after.
/// The fixture's customer: exists at both demo companies' fixtures, has no demo appointments.
pub(crate) const TESTER: &str = "+4915100000099";

pub(crate) struct Fixture {
    pub(crate) company: CompanyId,
    pub(crate) branch: BranchId,
    pub(crate) staff: StaffId,
    colleague: StaffId,
    pub(crate) service: ServiceId,
    pub(crate) anna: CustomerId,
}

pub(crate) async fn fixture(app: &TestApp, company_slug: &str) -> Fixture {
    let now = app.clock.now();
    let company =
        portal_db::companies::find_by_slug(&app.db, &CompanySlug::parse(company_slug).unwrap())
            .await
            .unwrap()
            .unwrap();
    let branch = catalog::create_branch(
        &app.db,
        whole_company(company.id),
        catalog::NewBranch {
            name: "Testpraxis".into(),
            street: Some("Teststraße 1".into()),
            postal_code: Some("10115".into()),
            city: Some("Berlin".into()),
            country: "DE".into(),
            phone: Some("+493011112222".into()),
            timezone: chrono_tz::Europe::Berlin,
        },
        now,
    )
    .await
    .unwrap();
    let service = catalog::create_service(
        &app.db,
        whole_company(company.id),
        catalog::NewService {
            name: "Kontrolle".into(),
            description: None,
            duration_minutes: 30,
            buffer_before_minutes: 0,
            buffer_after_minutes: 10,
            price_cents: None,
            currency: None,
            cancel_notice_minutes: None,
            reschedule_notice_minutes: None,
            active: true,
        },
        now,
    )
    .await
    .unwrap();
    let mut people = Vec::new();
    for name in ["Dr. Test", "Dr. Kollegin"] {
        let person = catalog::create_staff(
            &app.db,
            whole_company(company.id),
            catalog::NewStaff {
                branch_id: Some(branch.id),
                display_name: name.into(),
                active: true,
            },
            now,
        )
        .await
        .unwrap();
        catalog::set_staff_services(&app.db, whole_company(company.id), person.id, &[service.id])
            .await
            .unwrap();
        let shifts: Vec<catalog::Shift> = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ]
        .into_iter()
        .map(|weekday| catalog::Shift {
            branch_id: branch.id,
            weekday,
            start: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
            valid_from: None,
            valid_until: None,
        })
        .collect();
        catalog::set_working_hours(&app.db, whole_company(company.id), person.id, &shifts)
            .await
            .unwrap();
        people.push(person.id);
    }
    // A customer of her own, so the demo appointments do not mix in.
    let anna = match portal_db::customers::find_by_phone(
        &app.db,
        company.id,
        &PhoneNumber::from_e164(TESTER).unwrap(),
    )
    .await
    .unwrap()
    {
        Some(c) => c,
        None => portal_db::customers::create(
            &app.db,
            portal_db::customers::NewCustomer {
                company_id: company.id,
                phone: PhoneNumber::from_e164(TESTER).unwrap(),
                name: Some(portal_domain::PersonName::parse("Tessa Tester").unwrap()),
                email: None,
                locale: None,
            },
            now,
        )
        .await
        .unwrap(),
    };
    Fixture {
        company: company.id,
        branch: branch.id,
        staff: people[0],
        colleague: people[1],
        service: service.id,
        anna: anna.id,
    }
}

pub(crate) fn berlin(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Berlin
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

impl Fixture {
    /// Books for Anna with the main staff member, booked a day before "now".
    pub(crate) async fn book(&self, app: &TestApp, starts_at: DateTime<Utc>) -> String {
        self.book_with(
            app,
            self.staff,
            self.anna,
            starts_at,
            AppointmentStatus::Booked,
        )
        .await
    }

    async fn book_with(
        &self,
        app: &TestApp,
        staff: StaffId,
        customer: CustomerId,
        starts_at: DateTime<Utc>,
        status: AppointmentStatus,
    ) -> String {
        let new = NewAppointment {
            id: uuid::Uuid::now_v7(),
            company_id: self.company,
            branch_id: self.branch.as_uuid(),
            staff_id: staff.as_uuid(),
            service_id: self.service.as_uuid(),
            customer_id: customer,
            starts_at,
            ends_at: starts_at + Duration::minutes(30),
            status,
            source: "phone_assistant".into(),
            external_ref: None,
            notes: None,
        };
        let booked_at = app.clock.now() - Duration::days(1);
        insert(app, &new, booked_at)
            .await
            .expect("the slot is free")
    }
}

/// Writes an appointment row (as an integrator booked it at `booked_at`); `None` when the slot is
/// taken.
async fn insert(app: &TestApp, new: &NewAppointment, booked_at: DateTime<Utc>) -> Option<String> {
    let by = ChangedBy {
        name: "integrator:test".into(),
        id: None,
    };
    let txn = app.db.begin().await.unwrap();
    let outcome = appointments::create(&txn, new, &by, booked_at)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    (outcome == WriteOutcome::Done).then(|| new.id.to_string())
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let res = app.get_auth(path, token).await;
    (res.status().as_u16(), res.json().await.unwrap())
}

pub(crate) async fn cancel(
    app: &TestApp,
    token: &str,
    id: &str,
    body: Option<Value>,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/customer/appointments/{id}/cancel")))
        .bearer_auth(token)
        .json(&body.unwrap_or_else(|| json!({})))
        .send()
        .await
        .unwrap()
}

async fn reschedule(app: &TestApp, token: &str, id: &str, starts_at: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/customer/appointments/{id}/reschedule")))
        .bearer_auth(token)
        .json(&json!({"starts_at": starts_at}))
        .send()
        .await
        .unwrap()
}

async fn upcoming_and_past_lists_page_in_order(app: TestApp) {
    let f = fixture(&app, WEBER).await;
    // The clock stands at Wednesday 2026-11-25 10:00 Berlin.
    let mut upcoming = Vec::new();
    for day in [3, 1, 2, 5, 4] {
        upcoming.push((day, f.book(&app, berlin(2026, 11, 25 + day, 10, 0)).await));
    }
    for day in [10, 12, 11] {
        f.book_with(
            &app,
            f.staff,
            f.anna,
            berlin(2026, 11, day, 10, 0),
            AppointmentStatus::Completed,
        )
        .await;
    }
    let tokens = app.sign_in(WEBER, TESTER).await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/customer/appointments?limit=2&cursor={c}"),
            None => "/api/customer/appointments?limit=2".into(),
        };
        let (status, page) = get_json(&app, &tokens.access, &path).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["starts_at"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(
        seen,
        [
            "2026-11-26T10:00:00+01:00",
            "2026-11-27T10:00:00+01:00",
            "2026-11-28T10:00:00+01:00",
            "2026-11-29T10:00:00+01:00",
            "2026-11-30T10:00:00+01:00"
        ]
    );
    let (_, past) = get_json(
        &app,
        &tokens.access,
        "/api/customer/appointments?scope=past",
    )
    .await;
    let past: Vec<&str> = past["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["starts_at"].as_str().unwrap())
        .collect();
    assert_eq!(
        past,
        [
            "2026-11-12T10:00:00+01:00",
            "2026-11-11T10:00:00+01:00",
            "2026-11-10T10:00:00+01:00"
        ]
    );
    let (_, first) = get_json(&app, &tokens.access, "/api/customer/appointments?limit=1").await;
    let item = &first["items"][0];
    assert_eq!(item["timezone"], "Europe/Berlin");
    assert_eq!(
        item["branch"]["address"],
        json!(["Teststraße 1", "10115 Berlin"])
    );
    assert_eq!(item["staff"]["name"], "Dr. Test");
    // Its 24-hour deadline passed a minute ago (signing in moved the clock); the next one's is open.
    assert_eq!(
        item["can_cancel"],
        json!({"allowed": false, "deadline": "2026-11-25T10:00:00+01:00"})
    );
    let (_, second) = get_json(
        &app,
        &tokens.access,
        &format!(
            "/api/customer/appointments?limit=1&cursor={}",
            first["next_cursor"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(
        second["items"][0]["can_cancel"],
        json!({"allowed": true, "deadline": "2026-11-26T10:00:00+01:00"})
    );
    assert_eq!(
        get_json(
            &app,
            &tokens.access,
            "/api/customer/appointments?scope=soon"
        )
        .await
        .0,
        422
    );
    assert_eq!(
        get_json(&app, &tokens.access, "/api/customer/appointments?limit=101")
            .await
            .0,
        422
    );
    assert_eq!(
        get_json(
            &app,
            &tokens.access,
            "/api/customer/appointments?cursor=garbage"
        )
        .await
        .0,
        422
    );
}

async fn cancel_deadline_is_exact_and_refusal_names_deadline_and_phone(app: TestApp) {
    let f = fixture(&app, WEBER).await;
    let tokens = app.sign_in(WEBER, TESTER).await;
    let now = app.clock.now();
    // Deadline one second ahead: allowed.
    let early = f
        .book(&app, now + Duration::hours(24) + Duration::seconds(1))
        .await;
    let res = cancel(
        &app,
        &tokens.access,
        &early,
        Some(json!({"reason": "Ich bin krank."})),
    )
    .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "cancelled");
    assert_eq!(body["cancellation"]["reason"], "Ich bin krank.");
    assert_eq!(body["cancellation"]["by"], "customer");
    // Deadline one second ago: refused, with the deadline and the branch phone.
    let start = now + Duration::hours(24) - Duration::seconds(1);
    let late = f.book(&app, start).await;
    let problem = assert_problem(
        cancel(&app, &tokens.access, &late, None).await,
        409,
        "cancellation_window_closed",
    )
    .await;
    let deadline = (start - Duration::hours(24)).with_timezone(&chrono_tz::Europe::Berlin);
    assert_eq!(
        problem["deadline"],
        deadline.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    );
    assert_eq!(problem["phone"], "+493011112222");
    // The refused appointment is unchanged.
    let (_, detail) = get_json(
        &app,
        &tokens.access,
        &format!("/api/customer/appointments/{late}"),
    )
    .await;
    assert_eq!(detail["status"], "booked");
    assert_eq!(detail["can_cancel"]["allowed"], false);
}

async fn grace_period_allows_cancelling_a_fresh_booking(app: TestApp) {
    let f = fixture(&app, WEBER).await;
    let tokens = app.sign_in(WEBER, TESTER).await;
    let now = app.clock.now();
    let start = now + Duration::hours(3);
    let new = NewAppointment {
        id: uuid::Uuid::now_v7(),
        company_id: f.company,
        branch_id: f.branch.as_uuid(),
        staff_id: f.staff.as_uuid(),
        service_id: f.service.as_uuid(),
        customer_id: f.anna,
        starts_at: start,
        ends_at: start + Duration::minutes(30),
        status: AppointmentStatus::Booked,
        source: "phone_assistant".into(),
        external_ref: None,
        notes: None,
    };
    // Booked 9:59 ago: still in the 10-minute grace period although the start is 3 hours away.
    let fresh = insert(&app, &new, now - Duration::seconds(599))
        .await
        .unwrap();
    let later = NewAppointment {
        id: uuid::Uuid::now_v7(),
        starts_at: start + Duration::hours(1),
        ends_at: start + Duration::minutes(90),
        ..new
    };
    let old = insert(&app, &later, now - Duration::minutes(10))
        .await
        .unwrap();
    assert_eq!(
        cancel(&app, &tokens.access, &fresh, None).await.status(),
        200,
        "within 10 minutes of booking"
    );
    assert_problem(
        cancel(&app, &tokens.access, &old, None).await,
        409,
        "cancellation_window_closed",
    )
    .await;
}

async fn cancelled_and_past_appointments_are_refused(app: TestApp) {
    let f = fixture(&app, WEBER).await;
    let id = f.book(&app, app.clock.now() + Duration::days(3)).await;
    let past = f
        .book_with(
            &app,
            f.staff,
            f.anna,
            app.clock.now() - Duration::days(3),
            AppointmentStatus::Completed,
        )
        .await;
    let tokens = app.sign_in(WEBER, TESTER).await;
    assert_eq!(cancel(&app, &tokens.access, &id, None).await.status(), 200);
    assert_problem(
        cancel(&app, &tokens.access, &id, None).await,
        409,
        "already_cancelled",
    )
    .await;
    assert_problem(
        cancel(&app, &tokens.access, &past, None).await,
        409,
        "appointment_not_active",
    )
    .await;
    let booked_past = f
        .book_with(
            &app,
            f.staff,
            f.anna,
            app.clock.now() - Duration::days(2),
            AppointmentStatus::Booked,
        )
        .await;
    assert_problem(
        cancel(&app, &tokens.access, &booked_past, None).await,
        409,
        "appointment_in_past",
    )
    .await;
    let long = json!({"reason": "x".repeat(501)});
    let id2 = f.book(&app, app.clock.now() + Duration::days(4)).await;
    let problem = assert_problem(
        cancel(&app, &tokens.access, &id2, Some(long)).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "reason");
}

async fn slot_starts(app: &TestApp, token: &str, id: &str, from: &str, to: &str) -> Vec<String> {
    let from = from.replace('+', "%2B");
    let to = to.replace('+', "%2B");
    let (status, body) = get_json(
        app,
        token,
        &format!("/api/customer/appointments/{id}/slots?from={from}&to={to}"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["starts_at"].as_str().unwrap()[11..16].to_owned())
        .collect()
}

async fn slots_leave_out_booked_time_off_and_buffers(app: TestApp) {
    let f = fixture(&app, WEBER).await;
    // Monday 2026-11-30, 09:00–12:00 window.
    let mine = f.book(&app, berlin(2026, 12, 3, 9, 0)).await;
    f.book_with(
        &app,
        f.staff,
        f.anna,
        berlin(2026, 11, 30, 10, 0),
        AppointmentStatus::Confirmed,
    )
    .await;
    catalog::add_time_off(
        &app.db,
        whole_company(f.company),
        f.staff,
        catalog::NewTimeOff {
            starts_at: berlin(2026, 11, 30, 11, 0),
            ends_at: berlin(2026, 11, 30, 12, 0),
            reason: None,
        },
    )
    .await
    .unwrap();
    let tokens = app.sign_in(WEBER, TESTER).await;
    let starts = slot_starts(
        &app,
        &tokens.access,
        &mine,
        "2026-11-30T09:00:00+01:00",
        "2026-11-30T12:00:00+01:00",
    )
    .await;
    // 30 min + 10 min buffer after; busy 10:00–10:40 (its own buffer) and 11:00–12:00 off.
    assert_eq!(
        starts,
        ["09:00", "09:15"],
        "10:00–10:40 busy, 11:00–12:00 off, buffers respected"
    );
    // The colleague is free all morning.
    let (_, any) = get_json(&app, &tokens.access, &format!("/api/customer/appointments/{mine}/slots?any_staff=true&from=2026-11-30T09:00:00%2B01:00&to=2026-11-30T10:00:00%2B01:00")).await;
    let names: Vec<&str> = any["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["staff"]["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Dr. Kollegin") && names.contains(&"Dr. Test"),
        "{names:?}"
    );
    // Inside the 24-hour notice there are no slots.
    let soon = slot_starts(
        &app,
        &tokens.access,
        &mine,
        "2026-11-25T09:00:00+01:00",
        "2026-11-26T10:00:00+01:00",
    )
    .await;
    assert!(
        soon.iter().all(|s| s.as_str() >= "10:00"),
        "nothing before now + 24 h: {soon:?}"
    );
}

async fn slots_follow_daylight_saving_changes(app: TestApp) {
    let f = fixture(&app, WEBER).await;
    // Two weeks before the spring change (last Sunday of March 2027 is the 28th).
    app.clock.set(berlin(2027, 3, 14, 12, 0));
    let id = f.book(&app, berlin(2027, 3, 31, 9, 0)).await;
    let tokens = app.sign_in(WEBER, TESTER).await;
    let (_, body) = get_json(&app, &tokens.access, &format!("/api/customer/appointments/{id}/slots?from=2027-03-27T00:00:00%2B01:00&to=2027-03-30T00:00:00%2B02:00")).await;
    let slots: Vec<&str> = body["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["starts_at"].as_str().unwrap())
        .collect();
    assert!(
        slots.contains(&"2027-03-27T09:00:00+01:00"),
        "Saturday in winter time"
    );
    assert!(
        slots.contains(&"2027-03-28T09:00:00+02:00"),
        "Sunday already in summer time"
    );
    assert!(slots.contains(&"2027-03-29T16:30:00+02:00"));
    assert_eq!(
        slots.iter().filter(|s| s.starts_with("2027-03-28")).count(),
        31,
        "09:00–16:30 on a 15-minute grid"
    );
    // Autumn: the last Sunday of October 2027 is the 31st.
    app.clock.set(berlin(2027, 10, 20, 12, 0));
    let id = f.book(&app, berlin(2027, 11, 3, 9, 0)).await;
    let tokens = app.sign_in(WEBER, TESTER).await;
    let (_, body) = get_json(&app, &tokens.access, &format!("/api/customer/appointments/{id}/slots?from=2027-10-30T00:00:00%2B02:00&to=2027-11-01T00:00:00%2B01:00")).await;
    let slots: Vec<&str> = body["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["starts_at"].as_str().unwrap())
        .collect();
    assert!(slots.contains(&"2027-10-30T09:00:00+02:00"));
    assert!(slots.contains(&"2027-10-31T09:00:00+01:00"));
    // And a reschedule onto the changed day keeps the wall-clock time.
    let res = reschedule(&app, &tokens.access, &id, "2027-10-31T09:00:00+01:00").await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap()["starts_at"],
        "2027-10-31T09:00:00+01:00"
    );
}

async fn reschedule_moves_and_records_history(app: TestApp) {
    let f = fixture(&app, WEBER).await;
    let id = f.book(&app, berlin(2026, 12, 2, 10, 0)).await;
    let tokens = app.sign_in(WEBER, TESTER).await;
    let res = reschedule(&app, &tokens.access, &id, "2026-12-03T14:15:00+01:00").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["starts_at"], "2026-12-03T14:15:00+01:00");
    assert_eq!(body["ends_at"], "2026-12-03T14:45:00+01:00");
    // Same instant in UTC is accepted too.
    let res = reschedule(&app, &tokens.access, &id, "2026-12-04T08:00:00Z").await;
    assert_eq!(res.status(), 200);
    let (_, detail) = get_json(
        &app,
        &tokens.access,
        &format!("/api/customer/appointments/{id}"),
    )
    .await;
    let history = detail["history"].as_array().unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(history[0]["kind"], "booked");
    assert_eq!(history[0]["by"], "business");
    assert_eq!(
        history[1],
        json!({"kind": "rescheduled", "by": "customer", "at": history[1]["at"], "from": "2026-12-02T10:00:00+01:00", "to": "2026-12-03T14:15:00+01:00", "reason": null})
    );
    assert_eq!(history[2]["to"], "2026-12-04T09:00:00+01:00");
    // Not a slot: outside hours, off the grid, inside the notice window, or another staff member's
    // service they do not perform.
    for bad in [
        "2026-12-04T20:00:00+01:00",
        "2026-12-04T10:07:00+01:00",
        "2026-11-25T15:00:00+01:00",
    ] {
        assert_problem(
            reschedule(&app, &tokens.access, &id, bad).await,
            409,
            "slot_unavailable",
        )
        .await;
    }
    let res = app
        .client
        .post(app.url(&format!("/api/customer/appointments/{id}/reschedule")))
        .bearer_auth(&tokens.access)
        .json(&json!({"starts_at": "2026-12-04T11:00:00+01:00", "staff_id": f.colleague.as_uuid()}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap()["staff"]["name"],
        "Dr. Kollegin"
    );
}

async fn twenty_concurrent_reschedules_into_one_slot_one_wins(app: TestApp) {
    let f = fixture(&app, WEBER).await;
    let mut ids = Vec::new();
    for day in 0..20 {
        ids.push(
            f.book(&app, berlin(2026, 12, 1, 9, 0) + Duration::days(day))
                .await,
        );
    }
    let tokens = app.sign_in(WEBER, TESTER).await;
    let target = "2026-12-22T12:00:00+01:00";
    let attempts = ids
        .iter()
        .map(|id| reschedule(&app, &tokens.access, id, target));
    let results = futures_util::future::join_all(attempts).await;
    let mut won = 0;
    for res in results {
        match res.status().as_u16() {
            200 => won += 1,
            409 => assert_eq!(problem(res).await["code"], "slot_unavailable"),
            other => panic!(
                "unexpected status {other}: {}",
                res.text().await.unwrap_or_default()
            ),
        }
    }
    assert_eq!(won, 1, "exactly one reschedule gets the slot");
    let (_, list) = get_json(&app, &tokens.access, "/api/customer/appointments?limit=100").await;
    let at_target = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["starts_at"] == target)
        .count();
    assert_eq!(at_target, 1);
}

async fn documents_follow_the_appointment(app: TestApp) {
    let f = fixture(&app, WEBER).await;
    let id = f.book(&app, berlin(2026, 12, 2, 10, 0)).await;
    let tokens = app.sign_in(WEBER, TESTER).await;
    let ics = |app: &TestApp| {
        let req = app
            .client
            .get(app.url(&format!("/api/customer/appointments/{id}/confirmation.ics")))
            .bearer_auth(&tokens.access);
        async move { req.send().await.unwrap() }
    };
    let res = ics(&app).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let text = res.text().await.unwrap();
    assert!(
        text.contains("DTSTART;TZID=Europe/Berlin:20261202T100000"),
        "{text}"
    );
    assert!(text.contains("SEQUENCE:0") && text.contains("METHOD:REQUEST"));
    let uid = text
        .lines()
        .find(|l| l.starts_with("UID:"))
        .unwrap()
        .to_owned();
    reschedule(&app, &tokens.access, &id, "2026-12-03T11:00:00+01:00").await;
    let text = ics(&app).await.text().await.unwrap();
    assert!(
        text.contains("SEQUENCE:1") && text.contains("DTSTART;TZID=Europe/Berlin:20261203T110000")
    );
    assert!(text.contains(&uid), "UID stays stable");
    cancel(&app, &tokens.access, &id, None).await;
    let text = ics(&app).await.text().await.unwrap();
    assert!(
        text.contains("METHOD:CANCEL")
            && text.contains("STATUS:CANCELLED")
            && text.contains("SEQUENCE:2")
    );

    let res = app
        .client
        .get(app.url(&format!("/api/customer/appointments/{id}/confirmation.pdf")))
        .bearer_auth(&tokens.access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
}

async fn cancellation_sends_a_confirmation_sms(app: TestApp) {
    let f = fixture(&app, WEBER).await;
    let id = f.book(&app, berlin(2026, 12, 2, 10, 0)).await;
    let tokens = app.sign_in(WEBER, TESTER).await;
    let before = app.sent_sms().await.len();
    assert_eq!(cancel(&app, &tokens.access, &id, None).await.status(), 200);
    wait_for_requests(&app.twilio, before + 1).await;
    let texts: Vec<_> = app.sent_sms().await.into_iter().skip(before).collect();
    assert_eq!(texts.len(), 1, "one confirmation SMS");
    assert_eq!(texts[0].0, TESTER);
    assert_eq!(
        texts[0].1,
        "Praxis Dr. Weber: Ihr Termin Kontrolle am Mi. 02.12.2026 um 10:00 Uhr ist storniert."
    );
}

async fn other_customers_and_companies_get_identical_404s(app: TestApp) {
    let weber = fixture(&app, WEBER).await;
    let annas = weber.book(&app, berlin(2026, 12, 2, 10, 0)).await;
    let jonas = app.sign_in(WEBER, "+4915100000002").await;
    fixture(&app, LUMIERE).await; // the same phone number at the other company
    let same_phone_other_company = app.sign_in(LUMIERE, TESTER).await;
    let missing = uuid::Uuid::now_v7().to_string();
    for token in [&jonas.access, &same_phone_other_company.access] {
        for id in [&annas, &missing] {
            let base = format!("/api/customer/appointments/{id}");
            let mut bodies = Vec::new();
            for res in [
                app.get_auth(&base, token).await,
                app.get_auth(&format!("{base}/slots"), token).await,
                app.get_auth(&format!("{base}/confirmation.ics"), token)
                    .await,
                app.get_auth(&format!("{base}/confirmation.pdf"), token)
                    .await,
                cancel(&app, token, id, None).await,
                reschedule(&app, token, id, "2026-12-03T11:00:00+01:00").await,
            ] {
                bodies.push(assert_problem(res, 404, "not_found").await);
            }
            assert!(bodies.windows(2).all(|w| w[0] == w[1]));
        }
    }
    // Anna's appointment is untouched.
    let owner = app.sign_in(WEBER, TESTER).await;
    let (_, detail) = get_json(
        &app,
        &owner.access,
        &format!("/api/customer/appointments/{annas}"),
    )
    .await;
    assert_eq!(detail["status"], "booked");
    assert_eq!(detail["starts_at"], "2026-12-02T10:00:00+01:00");
}

async fn cancel_reads_a_json_body_or_query_options_never_a_dropped_body(app: TestApp) {
    let f = fixture(&app, WEBER).await;
    let id = f.book(&app, berlin(2026, 12, 2, 10, 0)).await;
    let tokens = app.sign_in(WEBER, TESTER).await;
    let path = format!("/api/customer/appointments/{id}");
    let status = || async { get_json(&app, &tokens.access, &path).await.1["status"].clone() };
    // A garbage body is refused, and nothing is cancelled with the reason dropped.
    let res = app
        .client
        .post(app.url(&format!("{path}/cancel")))
        .bearer_auth(&tokens.access)
        .header("content-type", "application/json")
        .body("reason=krank")
        .send()
        .await
        .unwrap();
    assert_problem(res, 400, "invalid_json").await;
    // A DELETE takes no body: one that comes with a body says so instead of dropping it.
    let res = app
        .client
        .delete(app.url(&path))
        .bearer_auth(&tokens.access)
        .json(&json!({"reason": "Ich bin krank."}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "body");
    assert_eq!(status().await, "booked");
    // The DELETE form with its reason as a query parameter.
    let res = app
        .client
        .delete(app.url(&format!("{path}?reason=Ich%20bin%20krank.")))
        .bearer_auth(&tokens.access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(status().await, "cancelled");
    let (_, detail) = get_json(&app, &tokens.access, &path).await;
    assert!(detail.to_string().contains("Ich bin krank."), "{detail}");
}
