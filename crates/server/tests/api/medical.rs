//! Medical history: consent, recent sign-in, versions, encryption at rest, audit, the integrator
//! side and key rotation.

use portal_domain::SecretString;
use portal_server::crypto::MedicalKeys;
use reqwest::Method;
use serde_json::{Value, json};

use crate::{
    helpers::*,
    integrations::{api_key, get as integrator_get, put as integrator_put},
    personal_helpers::*,
};

both_databases!(
    medical_history_needs_consent_and_keeps_every_version,
    medical_history_is_only_ciphertext_at_rest,
    medical_history_needs_a_recent_sign_in_and_a_healthcare_company,
    staff_read_and_write_through_the_integrator_api_audited,
);

const ALLERGY: &str = "Penicillin-Allergie (Exanthem 2019)";
const CORRECTED: &str = "Penicillin-Allergie (Exanthem 2019), Latex";

async fn consent(app: &TestApp, token: &str, granted: bool) -> Value {
    ok_json(
        put(
            app,
            "/api/customer/medical-history/consent",
            token,
            &json!({"granted": granted}),
        )
        .await,
        200,
    )
    .await
}

async fn medical_history_needs_consent_and_keeps_every_version(app: TestApp) {
    let me = app.sign_in(WEBER, ANNA).await;
    let body =
        json!({"allergies": ALLERGY, "insurance": {"provider": "AOK Nordost", "number": "A123"}});
    assert_problem(
        put(&app, "/api/customer/medical-history", &me.access, &body).await,
        403,
        "consent_required",
    )
    .await;
    let current = ok_json(
        app.get_auth("/api/customer/medical-history", &me.access)
            .await,
        200,
    )
    .await;
    assert_eq!(
        current,
        json!({"consent": {"granted": false, "granted_at": null}, "current": null})
    );

    let given = consent(&app, &me.access, true).await;
    assert_eq!(given["granted"], true);
    let v1 = ok_json(
        put(&app, "/api/customer/medical-history", &me.access, &body).await,
        200,
    )
    .await;
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["written_by"], "customer");
    assert_eq!(v1["content"]["allergies"], ALLERGY);
    assert_eq!(
        v1["content"]["insurance"],
        json!({"provider": "AOK Nordost", "number": "A123"})
    );
    assert_eq!(v1["content"]["medications"], Value::Null);

    app.clock.advance(chrono::Duration::minutes(2));
    let v2 = ok_json(
        put(
            &app,
            "/api/customer/medical-history",
            &me.access,
            &json!({"allergies": CORRECTED, "notes": "Bitte kein Latex."}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(v2["version"], 2);
    let current = ok_json(
        app.get_auth("/api/customer/medical-history", &me.access)
            .await,
        200,
    )
    .await;
    assert_eq!(current["current"], v2);
    assert_eq!(current["consent"]["granted"], true);

    let versions = ok_json(
        app.get_auth("/api/customer/medical-history/versions", &me.access)
            .await,
        200,
    )
    .await;
    assert_eq!(
        versions["items"],
        json!([
            {"version": 2, "created_at": v2["created_at"], "written_by": "customer"},
            {"version": 1, "created_at": v1["created_at"], "written_by": "customer"}
        ])
    );
    assert_ne!(v1["created_at"], v2["created_at"]);
    // The correction keeps the original readable.
    let first = ok_json(
        app.get_auth("/api/customer/medical-history/versions/1", &me.access)
            .await,
        200,
    )
    .await;
    assert_eq!(first, v1);
    assert_problem(
        app.get_auth("/api/customer/medical-history/versions/3", &me.access)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get_auth("/api/customer/medical-history/versions/x", &me.access)
            .await,
        404,
        "not_found",
    )
    .await;

    // Limits are enforced per field, naming it; nothing is stored.
    for (body, field) in [
        (json!({"allergies": "x".repeat(2001)}), "allergies"),
        (json!({"notes": "x".repeat(4001)}), "notes"),
        (
            json!({"emergency_contact": {"name": "Peter", "phone": "1".repeat(33)}}),
            "emergency_contact.phone",
        ),
        (json!({"insurance": {"provider": ""}}), "insurance.provider"),
        (json!({"blood_type": "A"}), ""),
    ] {
        let problem = assert_problem(
            put(&app, "/api/customer/medical-history", &me.access, &body).await,
            422,
            "validation_failed",
        )
        .await;
        let got = problem["errors"][0]["field"].as_str().unwrap();
        assert!(
            got == field
                || (field.is_empty() && problem["detail"].as_str().unwrap().contains("blood_type")),
            "{problem}"
        );
    }
    let versions = ok_json(
        app.get_auth("/api/customer/medical-history/versions", &me.access)
            .await,
        200,
    )
    .await;
    assert_eq!(versions["items"].as_array().unwrap().len(), 2);

    // Another customer sees none of it.
    let jonas = app.sign_in(WEBER, "+4915100000002").await;
    let theirs = ok_json(
        app.get_auth("/api/customer/medical-history", &jonas.access)
            .await,
        200,
    )
    .await;
    assert_eq!(theirs["current"], Value::Null);
    assert_problem(
        app.get_auth("/api/customer/medical-history/versions/1", &jonas.access)
            .await,
        404,
        "not_found",
    )
    .await;

    // Withdrawn consent stops further writes; the stored versions stay readable.
    consent(&app, &me.access, false).await;
    assert_problem(
        put(
            &app,
            "/api/customer/medical-history",
            &me.access,
            &json!({}),
        )
        .await,
        403,
        "consent_required",
    )
    .await;
    let first = ok_json(
        app.get_auth("/api/customer/medical-history/versions/1", &me.access)
            .await,
        200,
    )
    .await;
    assert_eq!(first["content"]["allergies"], ALLERGY);

    // Every read and write is in the customer's audit log.
    let audit = ok_json(app.get_auth("/api/customer/audit", &me.access).await, 200).await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "medical_history.consent_granted",
        "medical_history.write",
        "medical_history.read",
        "medical_history.list_versions",
        "medical_history.consent_withdrawn",
    ] {
        assert!(actions.contains(&action), "{action} missing in {actions:?}");
    }
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "medical_history.write")
            .count(),
        2
    );
    // The log never carries health text.
    assert!(!captured_logs().contains("Exanthem"));
}

async fn medical_history_is_only_ciphertext_at_rest(app: TestApp) {
    let me = app.sign_in(WEBER, ANNA).await;
    consent(&app, &me.access, true).await;
    let body = json!({
        "allergies": ALLERGY,
        "medications": "Metoprolol-Succinat 47,5 mg",
        "emergency_contact": {"name": "Gottfried Notfallkontakt", "phone": "+49 30 9999", "relationship": "Bruder"},
    });
    ok_json(
        put(&app, "/api/customer/medical-history", &me.access, &body).await,
        200,
    )
    .await;
    let dump = dump_database(&app.db).await;
    assert!(
        dump.contains("medical_history_versions"),
        "the scan sees the table"
    );
    for needle in [
        "Exanthem",
        "Metoprolol",
        "Gottfried Notfallkontakt",
        "Bruder",
    ] {
        assert!(
            find_in_dump(&dump, needle).is_empty(),
            "{needle} stored readable: {:?}",
            find_in_dump(&dump, needle)
        );
    }
}

async fn medical_history_needs_a_recent_sign_in_and_a_healthcare_company(app: TestApp) {
    let me = app.sign_in(WEBER, ANNA).await;
    consent(&app, &me.access, true).await;
    ok_json(
        put(
            &app,
            "/api/customer/medical-history",
            &me.access,
            &json!({"allergies": ALLERGY}),
        )
        .await,
        200,
    )
    .await;
    app.clock.advance(chrono::Duration::minutes(10));
    ok_json(
        app.get_auth("/api/customer/medical-history", &me.access)
            .await,
        200,
    )
    .await;
    app.clock.advance(chrono::Duration::seconds(1));
    for (method, path) in [
        (Method::GET, "/api/customer/medical-history"),
        (Method::GET, "/api/customer/medical-history/versions"),
        (Method::GET, "/api/customer/medical-history/versions/1"),
    ] {
        assert_problem(
            send(&app, method, path, &me.access, None).await,
            401,
            "reauth_required",
        )
        .await;
    }
    assert_problem(
        put(
            &app,
            "/api/customer/medical-history",
            &me.access,
            &json!({"allergies": "x"}),
        )
        .await,
        401,
        "reauth_required",
    )
    .await;
    // Signing in again (a new session) opens it again.
    let fresh = app.sign_in(WEBER, ANNA).await;
    let current = ok_json(
        app.get_auth("/api/customer/medical-history", &fresh.access)
            .await,
        200,
    )
    .await;
    assert_eq!(current["current"]["version"], 1);

    // A salon has no medical history at all.
    let salon = app.sign_in(LUMIERE, ANNA).await;
    for (method, path) in [
        (Method::GET, "/api/customer/medical-history"),
        (Method::GET, "/api/customer/medical-history/versions"),
    ] {
        assert_problem(
            send(&app, method, path, &salon.access, None).await,
            404,
            "not_found",
        )
        .await;
    }
    assert_problem(
        put(
            &app,
            "/api/customer/medical-history/consent",
            &salon.access,
            &json!({"granted": true}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        put(
            &app,
            "/api/customer/medical-history",
            &salon.access,
            &json!({}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
}

async fn staff_read_and_write_through_the_integrator_api_audited(app: TestApp) {
    let me = app.sign_in(WEBER, ANNA).await;
    consent(&app, &me.access, true).await;
    ok_json(
        put(
            &app,
            "/api/customer/medical-history",
            &me.access,
            &json!({"allergies": ALLERGY}),
        )
        .await,
        200,
    )
    .await;
    let path = format!("/customers/{}/medical-history", me.customer_id);

    let no_scope = api_key(&app, WEBER, None, "customers appointments").await;
    assert_problem(
        integrator_get(&app, &no_scope, &path).await,
        403,
        "forbidden",
    )
    .await;
    let key = api_key(&app, WEBER, None, "medical").await;
    let prefix = format!("integrator:{}", &key[3..11]);
    let history = ok_json(integrator_get(&app, &key, &path).await, 200).await;
    assert_eq!(history["items"][0]["content"]["allergies"], ALLERGY);
    app.clock.advance(chrono::Duration::minutes(1));
    let v2 = ok_json(
        integrator_put(&app, &key, &path, &json!({"allergies": CORRECTED})).await,
        200,
    )
    .await;
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["written_by"], "practice");

    // The customer sees the practice's version and who looked.
    let current = ok_json(
        app.get_auth("/api/customer/medical-history", &me.access)
            .await,
        200,
    )
    .await;
    assert_eq!(current["current"]["content"]["allergies"], CORRECTED);
    let audit = ok_json(app.get_auth("/api/customer/audit", &me.access).await, 200).await;
    let by_staff: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"] == prefix.as_str())
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        by_staff,
        ["medical_history.write", "medical_history.read"],
        "{audit}"
    );

    // Other companies' keys and customers: not found.
    let salon_key = api_key(&app, LUMIERE, None, "medical").await;
    assert_problem(
        integrator_get(&app, &salon_key, &path).await,
        404,
        "not_found",
    )
    .await;
    let salon = app.sign_in(LUMIERE, ANNA).await;
    let salon_path = format!("/customers/{}/medical-history", salon.customer_id);
    assert_problem(
        integrator_get(&app, &key, &salon_path).await,
        404,
        "not_found",
    )
    .await;
}

const OLD_KEY: &str = "1111111111111111111111111111111111111111111111111111111111111111";
const NEW_KEY: &str = "2222222222222222222222222222222222222222222222222222222222222222";

/// Key rotation: versions sealed with the old key are re-sealed with the new one, and every
/// version stays readable with the new key alone. On both databases, with explicit keys (the
/// default spawn generates them).
mod rotation {
    use super::*;

    async fn run(backend: Backend) {
        let Some(app) = spawn_app_with(backend, |s| {
            s.auth.medical_keys = Some(SecretString::new(format!("old={OLD_KEY}")));
        })
        .await
        else {
            return;
        };
        let me = app.sign_in(WEBER, ANNA).await;
        consent(&app, &me.access, true).await;
        for text in [ALLERGY, CORRECTED, "dritte Fassung"] {
            ok_json(
                put(
                    &app,
                    "/api/customer/medical-history",
                    &me.access,
                    &json!({"allergies": text}),
                )
                .await,
                200,
            )
            .await;
        }
        let jonas = app.sign_in(WEBER, "+4915100000002").await;
        consent(&app, &jonas.access, true).await;
        ok_json(
            put(
                &app,
                "/api/customer/medical-history",
                &jonas.access,
                &json!({"notes": "Jonas' Notiz"}),
            )
            .await,
            200,
        )
        .await;

        let both = MedicalKeys::parse(&format!("old={OLD_KEY}\nnew={NEW_KEY}"), None).unwrap();
        assert_eq!(
            portal_server::crypto::rotate(&app.db, &both).await.unwrap(),
            4
        );
        assert_eq!(
            portal_server::crypto::rotate(&app.db, &both).await.unwrap(),
            0,
            "nothing left to do"
        );

        let only_new = MedicalKeys::parse(&format!("new={NEW_KEY}"), None).unwrap();
        let company = portal_db::companies::find_by_slug(
            &app.db,
            &portal_domain::CompanySlug::parse(WEBER).unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
        let anna = portal_domain::CustomerId::from_uuid(me.customer_id.parse().unwrap());
        let versions = portal_db::medical::list(&app.db, company.id, anna)
            .await
            .unwrap();
        assert_eq!(versions.len(), 3);
        let texts: Vec<String> = versions
            .iter()
            .map(|v| {
                assert_eq!(v.key_id, "new");
                let content: Value = serde_json::from_slice(&only_new.open(v).unwrap()).unwrap();
                content["allergies"].as_str().unwrap().to_owned()
            })
            .collect();
        assert_eq!(texts, [ALLERGY, CORRECTED, "dritte Fassung"]);
        let dump = dump_database(&app.db).await;
        assert!(find_in_dump(&dump, "dritte Fassung").is_empty());
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

/// `portal keys rotate` on a development database: a new key is generated, every version is
/// re-sealed with it, and the server still reads them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_rotates_development_keys() {
    let dir = std::env::temp_dir().join(format!("portal-keys-{}", uuid::Uuid::new_v4().simple()));
    let url = format!("sqlite://{}", dir.join("portal.db").display());
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_portal"))
            .args(args)
            .env("PORTAL_CONFIG_DIR", dir.join("no-config"))
            .env("PORTAL__DATABASE__URL", &url)
            .env("PORTAL__DATA_DIR", &dir)
            .env("PORTAL__LOG__FILTER", "warn")
            .env_remove("RUST_LOG")
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    // The demo gives Anna at Praxis Dr. Weber one version, sealed with the generated key k1.
    run(&["seed-demo"]);
    let keys_file = dir.join("secrets").join("medical.keys");
    let before = std::fs::read_to_string(&keys_file).unwrap();
    assert!(before.starts_with("k1="), "{before}");
    let out = run(&["keys", "rotate"]);
    assert!(
        out.contains("re-encrypted 1 medical history version(s) with key k2"),
        "{out}"
    );
    let after = std::fs::read_to_string(&keys_file).unwrap();
    assert!(
        after.starts_with(before.trim()) && after.contains("\nk2="),
        "old keys stay: {after}"
    );
    let keys = MedicalKeys::parse(&after, None).unwrap();
    let db = portal_db::connect(&url, 1).await.unwrap();
    let company =
        portal_db::companies::find_by_slug(&db, &portal_domain::CompanySlug::parse(WEBER).unwrap())
            .await
            .unwrap()
            .unwrap();
    let anna = portal_db::customers::find_by_phone(
        &db,
        company.id,
        &portal_domain::PhoneNumber::from_e164(ANNA).unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    let versions = portal_db::medical::list(&db, company.id, anna.id)
        .await
        .unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].key_id, "k2");
    let content: Value = serde_json::from_slice(&keys.open(&versions[0]).unwrap()).unwrap();
    assert_eq!(content["allergies"], "Penicillin");
    db.close().await.unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}
