//! The integrator API's keys: hashed at rest, revoked and unknown keys, scopes, the CLI.

use chrono::Duration;
use portal_db::{api_keys, companies};
use portal_domain::{Clock as _, CompanySlug};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{helpers::*, integrations::*};

both_databases!(
    api_keys_are_hashed_at_rest_and_work,
    revoked_unknown_and_missing_keys_get_the_customer_401,
    missing_scope_is_forbidden,
);

/// A row's text columns, whatever the backend.
async fn api_key_rows(app: &TestApp) -> Vec<(String, String, String, String)> {
    let backend = app.db.get_database_backend();
    app.db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT prefix, key_hash, name, scopes FROM api_keys",
        ))
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.try_get("", "prefix").unwrap(),
                r.try_get("", "key_hash").unwrap(),
                r.try_get("", "name").unwrap(),
                r.try_get("", "scopes").unwrap(),
            )
        })
        .collect()
}

async fn api_keys_are_hashed_at_rest_and_work(app: TestApp) {
    let key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let (prefix, secret) = key.strip_prefix("pk_").unwrap().split_once('_').unwrap();
    assert_eq!((prefix.len(), secret.len()), (8, 43));
    let rows = api_key_rows(&app).await;
    assert_eq!(rows.len(), 1);
    let (stored_prefix, hash, name, scopes) = &rows[0];
    assert_eq!(stored_prefix, prefix);
    assert_eq!(hash, &hex::encode(Sha256::digest(key.as_bytes())));
    assert_eq!((name.as_str(), scopes.as_str()), ("test", ALL_SCOPES));
    for column in [stored_prefix, hash, name, scopes] {
        assert!(!column.contains(secret), "the secret is not stored");
    }

    json_ok(get(&app, &key, "/branches").await, 200).await;
    let company = companies::find_by_slug(&app.db, &CompanySlug::parse(WEBER).unwrap())
        .await
        .unwrap()
        .unwrap();
    let used = |app: &TestApp| {
        let db = app.db.clone();
        async move { api_keys::list(&db, company.id).await.unwrap()[0].last_used_at }
    };
    assert_eq!(used(&app).await, Some(start_time()));
    app.clock.advance(Duration::seconds(30));
    json_ok(get(&app, &key, "/branches").await, 200).await;
    assert_eq!(
        used(&app).await,
        Some(start_time()),
        "at most once a minute"
    );
    app.clock.advance(Duration::seconds(31));
    json_ok(get(&app, &key, "/branches").await, 200).await;
    assert_eq!(used(&app).await, Some(app.clock.now()));
    assert!(
        !captured_logs().contains(secret),
        "the secret never reaches the log"
    );
}

async fn revoked_unknown_and_missing_keys_get_the_customer_401(app: TestApp) {
    let customer_401 = assert_problem(
        app.client
            .get(app.url("/api/customer/profile"))
            .send()
            .await
            .unwrap(),
        401,
        "unauthorized",
    )
    .await;
    let key = api_key(&app, WEBER, None, ALL_SCOPES).await;
    json_ok(get(&app, &key, "/branches").await, 200).await;
    let prefix = &key[3..11];
    assert!(
        api_keys::revoke(&app.db, prefix, app.clock.now())
            .await
            .unwrap()
    );
    let revoked = assert_problem(get(&app, &key, "/branches").await, 401, "unauthorized").await;
    assert_eq!(revoked, customer_401);
    let body = json!({"name": "X", "country": "DE", "timezone": "Europe/Berlin"});
    let revoked_post = assert_problem(
        post(&app, &key, "/branches", &body).await,
        401,
        "unauthorized",
    )
    .await;
    assert_eq!(revoked_post, customer_401);

    // The right prefix with a wrong secret, garbage, and nothing at all.
    let live = api_key(&app, WEBER, None, ALL_SCOPES).await;
    let mut forged = live.clone();
    forged.replace_range(forged.len() - 4.., "AAAA");
    for bad in [forged.as_str(), "pk_nonsense", "Bearer"] {
        let res = get(&app, bad, "/branches").await;
        assert_eq!(assert_problem(res, 401, "unauthorized").await, customer_401);
    }
    let res = app
        .client
        .get(app.url(&v1("/branches")))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_problem(res, 401, "unauthorized").await, customer_401);
    json_ok(get(&app, &live, "/branches").await, 200).await;
}

async fn missing_scope_is_forbidden(app: TestApp) {
    let customers_only = api_key(&app, WEBER, None, "customers").await;
    assert_problem(
        get(&app, &customers_only, "/branches").await,
        403,
        "forbidden",
    )
    .await;
    let body = json!({"name": "Mitte", "country": "DE", "timezone": "Europe/Berlin"});
    assert_problem(
        post(&app, &customers_only, "/branches", &body).await,
        403,
        "forbidden",
    )
    .await;
    json_ok(get(&app, &customers_only, "/customers").await, 200).await;

    let catalog_only = api_key(&app, WEBER, None, "catalog").await;
    assert_problem(
        get(&app, &catalog_only, "/customers").await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        put(&app, &catalog_only, "/customers", &json!({"phone": ANNA})).await,
        403,
        "forbidden",
    )
    .await;
    let branch = create_branch(&app, &catalog_only, "Mitte").await;

    // A branch-bound key cannot change what every branch shares.
    let branch_key = api_key(&app, WEBER, Some(&branch), ALL_SCOPES).await;
    assert_problem(
        post(&app, &branch_key, "/branches", &body).await,
        403,
        "forbidden",
    )
    .await;
    let service = json!({"name": "Check-up", "duration_minutes": 30});
    assert_problem(
        post(&app, &branch_key, "/services", &service).await,
        403,
        "forbidden",
    )
    .await;
    assert_eq!(get(&app, &branch_key, "/services").await.status(), 200);
}

/// The real binary against a temp SQLite database: the last line is the key, and the key works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_creates_lists_and_revokes_keys() {
    let dir = std::env::temp_dir().join(format!("portal-cli-{}", Uuid::new_v4().simple()));
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
    run(&["seed-demo"]);
    let out = run(&[
        "api-key",
        "create",
        "--company",
        WEBER,
        "--name",
        "phone assistant",
        "--scopes",
        "catalog customers",
    ]);
    let key = out.lines().last().unwrap().trim().to_owned();
    assert!(key.starts_with("pk_") && key.len() == 55, "{out}");
    let prefix = key[3..11].to_owned();
    let listed = run(&["api-key", "list", "--company", WEBER]);
    assert!(
        listed.contains(&prefix) && listed.contains("phone assistant"),
        "{listed}"
    );
    assert!(!listed.contains(&key[12..]), "list never prints the secret");

    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.database.url = url.clone();
        s.data_dir = dir.clone();
    })
    .await
    .unwrap();
    let res = get(&app, &key, "/branches").await;
    assert!(json_ok(res, 200).await["items"].is_array());
    assert_problem(
        get(
            &app,
            &key,
            "/customers/00000000-0000-7000-8000-000000000000",
        )
        .await,
        404,
        "not_found",
    )
    .await;

    run(&["api-key", "revoke", "--prefix", &prefix]);
    assert_problem(get(&app, &key, "/branches").await, 401, "unauthorized").await;
    drop(app);
    let _ = std::fs::remove_dir_all(dir);
}
