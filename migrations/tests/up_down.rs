//! Every migration goes up, comes all the way down, and goes up again, on SQLite and on PostgreSQL.
//!
//! PostgreSQL is taken from `postgres://postgres@127.0.0.1:5432/postgres`, where each run creates and
//! later drops its own database. Without a server the PostgreSQL test is skipped, unless
//! `PORTAL_TEST_REQUIRE_PG=1` makes it mandatory (as CI does).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap is a failed test"
)]

use std::collections::BTreeSet;
use std::error::Error;
use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use portal_migration::Migrator;
use sea_orm_migration::MigratorTrait;
use sea_orm_migration::sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
};

type TestResult = Result<(), Box<dyn Error + Send + Sync>>;

const PG_SERVER: &str = "postgres://postgres@127.0.0.1:5432";
const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The bookkeeping table of sea-orm-migration; it survives a full `down`.
const MIGRATIONS_TABLE: &str = "seaql_migrations";

/// Every table the migrations create.
const TABLES: &[&str] = &[
    // m20261125_000001_identity
    "companies",
    "customers",
    "otp_challenges",
    "phone_lockouts",
    "sessions",
    "refresh_tokens",
    "audit_log",
    // m20261125_000002_scheduling
    "branches",
    "staff",
    "services",
    "staff_services",
    "working_hours",
    "time_off",
    "appointments",
    "appointment_events",
    // m20261125_000003_engagement
    "notifications",
    "consents",
    "medical_history_versions",
    "push_subscriptions",
    "support_threads",
    "support_messages",
    "api_keys",
    "webhook_endpoints",
    "webhook_deliveries",
    "idempotency_keys",
    // m20261125_000005_webhook_attempts
    "webhook_attempts",
];

#[tokio::test]
async fn migrations_round_trip_on_sqlite() -> TestResult {
    let path = std::env::temp_dir().join(format!("portal_mig_{}.sqlite", random_hex()));
    let url = format!("sqlite://{}?mode=rwc", path.display());

    let result = match Database::connect(&url).await {
        Ok(db) => {
            let result = round_trip(&db).await;
            let closed = db.close().await;
            result.and(closed.map_err(Into::into))
        }
        Err(err) => Err(err.into()),
    };

    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut file = path.clone().into_os_string();
        file.push(suffix);
        // Missing side files are normal; nothing else can go wrong that matters to the test.
        let _ = std::fs::remove_file(file);
    }
    result
}

#[tokio::test]
async fn migrations_round_trip_on_postgres() -> TestResult {
    let required = std::env::var("PORTAL_TEST_REQUIRE_PG").is_ok_and(|v| v == "1");
    let admin = match connect(PG_ADMIN_URL).await {
        Ok(admin) => admin,
        Err(err) if required => {
            panic!("PostgreSQL at {PG_ADMIN_URL} is required (PORTAL_TEST_REQUIRE_PG=1): {err}")
        }
        Err(err) => {
            // Straight to stderr: the harness captures `eprintln!` of passing tests, and a skip
            // must be visible.
            let _ = writeln!(
                std::io::stderr(),
                "SKIP migrations_round_trip_on_postgres: PostgreSQL at {PG_ADMIN_URL} unreachable \
                 ({err}); set PORTAL_TEST_REQUIRE_PG=1 to make this a failure"
            );
            return Ok(());
        }
    };

    let name = format!("portal_mig_{}", random_hex());
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await?;

    let result = match connect(&format!("{PG_SERVER}/{name}")).await {
        Ok(db) => {
            let result = round_trip(&db).await;
            let closed = db.close().await;
            result.and(closed.map_err(Into::into))
        }
        Err(err) => Err(err.into()),
    };

    // Drop even when the round trip failed, so failed runs do not pile up databases.
    let dropped = admin
        .execute_unprepared(&format!("DROP DATABASE \"{name}\""))
        .await;
    admin.close().await?;
    result?;
    dropped?;
    Ok(())
}

async fn round_trip(db: &DatabaseConnection) -> TestResult {
    Migrator::up(db, None).await?;
    assert_all_tables_exist(db, "after the first up").await?;
    if !Migrator::get_pending_migrations(db).await?.is_empty() {
        return Err("migrations still pending after up".into());
    }

    Migrator::down(db, None).await?;
    let left: Vec<String> = table_names(db)
        .await?
        .into_iter()
        .filter(|t| t != MIGRATIONS_TABLE)
        .collect();
    if !left.is_empty() {
        return Err(format!("tables left after down: {left:?}").into());
    }

    Migrator::up(db, None).await?;
    assert_all_tables_exist(db, "after up, down, up").await
}

async fn assert_all_tables_exist(db: &DatabaseConnection, when: &str) -> TestResult {
    let present = table_names(db).await?;
    let missing: Vec<&str> = TABLES
        .iter()
        .copied()
        .filter(|t| !present.contains(*t))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("{} missing tables {when}: {missing:?}", backend_name(db)).into())
    }
}

async fn table_names(
    db: &DatabaseConnection,
) -> Result<BTreeSet<String>, Box<dyn Error + Send + Sync>> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        // `table_name` is an `sql_identifier`, which the driver will not decode as a string.
        _ => {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
    };
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await?;
    let mut names = BTreeSet::new();
    for row in rows {
        names.insert(row.try_get::<String>("", "name")?);
    }
    Ok(names)
}

fn backend_name(db: &DatabaseConnection) -> &'static str {
    match db.get_database_backend() {
        DbBackend::Sqlite => "SQLite",
        _ => "PostgreSQL",
    }
}

async fn connect(url: &str) -> Result<DatabaseConnection, sea_orm_migration::DbErr> {
    let mut options = ConnectOptions::new(url);
    options
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    Database::connect(options).await
}

/// Unique enough for a database or file name: std's `RandomState` is randomly keyed per instance.
fn random_hex() -> String {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    hasher.write_u128(nanos);
    hasher.write_u32(std::process::id());
    format!("{:016x}", hasher.finish())
}
