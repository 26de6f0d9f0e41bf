//! The integrator API's tenancy: another company's objects are not found; a branch key sees and
//! changes only its branch.

use serde_json::json;
use uuid::Uuid;

use crate::{helpers::*, integrations::*};

both_databases!(
    another_companys_objects_are_not_found,
    branch_key_sees_and_changes_only_its_branch,
    branch_key_reads_only_customers_of_its_branch,
);

async fn another_companys_objects_are_not_found(app: TestApp) {
    let weber = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let lumiere = api_key(&app, LUMIERE, None, ALL_SCOPES).await;
    let branch = create_branch(&app, &weber, "Praxis Mitte").await;
    let staff = create_staff(&app, &weber, Some(&branch)).await;
    let service = create_service(&app, &weber, "Check-up").await;
    let time_off = create_time_off(&app, &weber, &staff).await;
    let customer = json_ok(
        put(
            &app,
            &weber,
            "/customers",
            &json!({"phone": "0151 44445555"}),
        )
        .await,
        201,
    )
    .await;
    let customer = id(&customer);

    let missing =
        not_found_body(get(&app, &lumiere, &format!("/branches/{}", Uuid::now_v7())).await).await;
    for path in [
        format!("/branches/{branch}"),
        format!("/staff/{staff}"),
        format!("/staff/{staff}/services"),
        format!("/staff/{staff}/working-hours"),
        format!("/staff/{staff}/time-off"),
        format!("/services/{service}"),
        format!("/customers/{customer}"),
    ] {
        let foreign = not_found_body(get(&app, &lumiere, &path).await).await;
        assert_eq!(foreign, missing, "{path} looks exactly like a missing id");
    }
    let foreign = not_found_body(
        patch(
            &app,
            &lumiere,
            &format!("/branches/{branch}"),
            &json!({"active": false}),
        )
        .await,
    )
    .await;
    assert_eq!(foreign, missing);
    let foreign = not_found_body(
        patch(
            &app,
            &lumiere,
            &format!("/staff/{staff}"),
            &json!({"active": false}),
        )
        .await,
    )
    .await;
    assert_eq!(foreign, missing);
    let foreign = not_found_body(
        patch(
            &app,
            &lumiere,
            &format!("/services/{service}"),
            &json!({"active": false}),
        )
        .await,
    )
    .await;
    assert_eq!(foreign, missing);
    let foreign = not_found_body(
        delete(
            &app,
            &lumiere,
            &format!("/staff/{staff}/time-off/{time_off}"),
        )
        .await,
    )
    .await;
    assert_eq!(foreign, missing);
    let foreign = not_found_body(
        put(
            &app,
            &lumiere,
            &format!("/staff/{staff}/services"),
            &json!({"service_ids": []}),
        )
        .await,
    )
    .await;
    assert_eq!(foreign, missing);
    let path = format!("/staff/{staff}/time-off");
    let body = json!({"starts_at": "2027-02-01T08:00:00Z", "ends_at": "2027-02-01T12:00:00Z"});
    assert_eq!(
        not_found_body(post(&app, &lumiere, &path, &body).await).await,
        missing
    );

    // Lumière's own key cannot attach Weber's service or branch either.
    let own_staff = create_staff(&app, &lumiere, None).await;
    let res = put(
        &app,
        &lumiere,
        &format!("/staff/{own_staff}/services"),
        &json!({"service_ids": [service]}),
    )
    .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "service_ids[0]");
    let res = put(
        &app,
        &lumiere,
        &format!("/staff/{own_staff}/working-hours"),
        &json!({"hours": [{"weekday": 1, "start": "08:00", "end": "12:00", "branch_id": branch}]}),
    )
    .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "hours[0].branch_id");

    for list in ["/branches", "/services", "/customers"] {
        let page = json_ok(get(&app, &lumiere, list).await, 200).await;
        let text = page.to_string();
        assert!(
            !text.contains(&branch) && !text.contains(&service) && !text.contains(&customer),
            "{list}: {text}"
        );
    }
    let staff_page = json_ok(get(&app, &lumiere, "/staff?limit=100").await, 200).await;
    let ids: Vec<_> = staff_page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect();
    assert!(ids.contains(&own_staff) && !ids.contains(&staff), "{ids:?}");
    // Weber's objects are untouched.
    let branch_now = json_ok(get(&app, &weber, &format!("/branches/{branch}")).await, 200).await;
    assert_eq!(branch_now["active"], true);
}

async fn branch_key_sees_and_changes_only_its_branch(app: TestApp) {
    let company_key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let mitte = create_branch(&app, &company_key, "Mitte").await;
    let pankow = create_branch(&app, &company_key, "Pankow").await;
    let staff_mitte = create_staff(&app, &company_key, Some(&mitte)).await;
    let staff_pankow = create_staff(&app, &company_key, Some(&pankow)).await;
    let time_off_pankow = create_time_off(&app, &company_key, &staff_pankow).await;
    let key = api_key(&app, WEBER, Some(&mitte), ALL_SCOPES).await;

    let missing_branch =
        not_found_body(get(&app, &key, &format!("/branches/{}", Uuid::now_v7())).await).await;
    let missing_staff =
        not_found_body(get(&app, &key, &format!("/staff/{}", Uuid::now_v7())).await).await;
    assert_eq!(missing_branch, missing_staff);
    let missing = missing_branch;

    let branches = json_ok(get(&app, &key, "/branches").await, 200).await;
    let ids: Vec<_> = branches["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect();
    assert_eq!(ids, vec![mitte.clone()]);
    json_ok(get(&app, &key, &format!("/branches/{mitte}")).await, 200).await;
    let staff = json_ok(get(&app, &key, "/staff").await, 200).await;
    let ids: Vec<_> = staff["items"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(ids, vec![staff_mitte.clone()]);

    let time_off_path = format!("/staff/{staff_pankow}/time-off");
    let new_time_off =
        json!({"starts_at": "2027-02-01T08:00:00Z", "ends_at": "2027-02-01T12:00:00Z"});
    for res in [
        get(&app, &key, &format!("/branches/{pankow}")).await,
        patch(
            &app,
            &key,
            &format!("/branches/{pankow}"),
            &json!({"name": "Mine"}),
        )
        .await,
        get(&app, &key, &format!("/staff/{staff_pankow}")).await,
        patch(
            &app,
            &key,
            &format!("/staff/{staff_pankow}"),
            &json!({"branch_id": mitte}),
        )
        .await,
        get(&app, &key, &format!("/staff/{staff_pankow}/working-hours")).await,
        put(
            &app,
            &key,
            &format!("/staff/{staff_pankow}/working-hours"),
            &json!({"hours": []}),
        )
        .await,
        get(&app, &key, &time_off_path).await,
        post(&app, &key, &time_off_path, &new_time_off).await,
        delete(&app, &key, &format!("{time_off_path}/{time_off_pankow}")).await,
    ] {
        assert_eq!(not_found_body(res).await, missing);
    }

    // Its own branch and staff it may change, but not point elsewhere.
    let res = post(
        &app,
        &key,
        "/staff",
        &json!({"display_name": "Jonas", "branch_id": pankow}),
    )
    .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "branch_id");
    let created = json_ok(
        post(&app, &key, "/staff", &json!({"display_name": "Jonas"})).await,
        201,
    )
    .await;
    assert_eq!(
        created["branch_id"],
        mitte.as_str(),
        "defaults to the key's branch"
    );
    let res = patch(
        &app,
        &key,
        &format!("/staff/{staff_mitte}"),
        &json!({"branch_id": null}),
    )
    .await;
    assert_problem(res, 422, "validation_failed").await;
    let hours_path = format!("/staff/{staff_mitte}/working-hours");
    let res = put(
        &app,
        &key,
        &hours_path,
        &json!({"hours": [{"weekday": 2, "start": "09:00", "end": "17:00", "branch_id": pankow}]}),
    )
    .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "hours[0].branch_id");

    // Shifts at other branches are not the branch key's to see or replace.
    let both = json!({"hours": [
        {"weekday": 1, "start": "08:00", "end": "12:00", "branch_id": mitte},
        {"weekday": 3, "start": "08:00", "end": "12:00", "branch_id": pankow},
    ]});
    json_ok(put(&app, &company_key, &hours_path, &both).await, 200).await;
    let mine = json_ok(get(&app, &key, &hours_path).await, 200).await;
    assert_eq!(mine["hours"].as_array().unwrap().len(), 1);
    let replaced =
        json!({"hours": [{"weekday": 5, "start": "10:00", "end": "14:00", "branch_id": mitte}]});
    json_ok(put(&app, &key, &hours_path, &replaced).await, 200).await;
    let all = json_ok(get(&app, &company_key, &hours_path).await, 200).await;
    let days: Vec<_> = all["hours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["weekday"].as_u64().unwrap())
        .collect();
    assert_eq!(days, vec![3, 5]);

    let renamed = json_ok(
        patch(
            &app,
            &key,
            &format!("/branches/{mitte}"),
            &json!({"name": "Mitte Nord"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(renamed["name"], "Mitte Nord");
    let untouched = json_ok(
        get(&app, &company_key, &format!("/branches/{pankow}")).await,
        200,
    )
    .await;
    assert_eq!(untouched["name"], "Pankow");
    let still = json_ok(get(&app, &company_key, &time_off_path).await, 200).await;
    assert_eq!(still["items"].as_array().unwrap().len(), 1);
}

async fn branch_key_reads_only_customers_of_its_branch(app: TestApp) {
    let company_key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let mitte = create_branch(&app, &company_key, "Mitte").await;
    let staff = create_staff(&app, &company_key, Some(&mitte)).await;
    let service = create_service(&app, &company_key, "Kontrolle").await;
    json_ok(
        put(
            &app,
            &company_key,
            &format!("/staff/{staff}/services"),
            &json!({"service_ids": [service]}),
        )
        .await,
        200,
    )
    .await;
    let upsert = |phone: &'static str, name: &'static str| json!({"phone": phone, "name": name, "email": format!("{}@example.org", name.to_lowercase())});
    let ours = id(&json_ok(
        put(
            &app,
            &company_key,
            "/customers",
            &upsert("0151 61616161", "Olga"),
        )
        .await,
        201,
    )
    .await);
    let other = id(&json_ok(
        put(
            &app,
            &company_key,
            "/customers",
            &upsert("0151 62626262", "Paul"),
        )
        .await,
        201,
    )
    .await);
    let booking = json!({"branch_id": mitte, "staff_id": staff, "service_id": service, "customer_id": ours,
        "starts_at": "2026-12-10T10:00:00+01:00"});
    json_ok(
        post(&app, &company_key, "/appointments", &booking).await,
        201,
    )
    .await;

    let key = api_key(&app, WEBER, Some(&mitte), ALL_SCOPES).await;
    let listed = json_ok(get(&app, &key, "/customers").await, 200).await;
    let ids: Vec<_> = listed["items"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(
        ids,
        vec![ours.clone()],
        "only the customer with an appointment at Mitte"
    );
    json_ok(get(&app, &key, &format!("/customers/{ours}")).await, 200).await;
    not_found_body(get(&app, &key, &format!("/customers/{other}")).await).await;
    let by_phone = json_ok(
        get(&app, &key, "/customers?phone=0151%2062626262").await,
        200,
    )
    .await;
    assert_eq!(by_phone["items"], json!([]));

    // It may still add or update anyone by phone and book them; the answer holds what it sent.
    let updated = json_ok(
        put(
            &app,
            &key,
            "/customers",
            &json!({"phone": "0151 62626262", "language": "en"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(id(&updated), other);
    assert_eq!(updated["name"], json!(null), "the stored name stays unread");
    assert_eq!(updated["email"], json!(null));
    assert_eq!(updated["language"], "en");
    let booking = json!({"branch_id": mitte, "staff_id": staff, "service_id": service, "customer_id": other,
        "starts_at": "2026-12-10T11:00:00+01:00"});
    json_ok(post(&app, &key, "/appointments", &booking).await, 201).await;
    // Now Paul has an appointment at Mitte: readable.
    json_ok(get(&app, &key, &format!("/customers/{other}")).await, 200).await;
}
