//! Repositories over SQLite (embedded default) and PostgreSQL (production).
//!
//! Every function takes the instant it acts at from the caller's clock (never the database's), so
//! tests can move time, and answers with plain structs made of domain types: SeaORM rows stay here.
//! Functions over tenant data take a [`Tenant`]: a [`CustomerScope`] (only a verified session
//! produces one), an integrator scope (only a verified API key) or a [`SystemScope`] (jobs, CLI).

pub mod api_keys;
pub mod appointments;
pub mod audit;
pub mod availability;
pub mod bench;
pub mod catalog;
pub mod companies;
pub mod consents;
pub mod customers;
pub mod error;
pub mod idempotency;
pub mod limiter;
pub mod medical;
pub mod notifications;
pub mod otp;
pub mod privacy;
pub mod push;
pub mod reminders;
pub mod retention;
pub mod sessions;
pub mod support;
pub mod tenant;
pub mod webhooks;

pub use error::DbError;
pub use sea_orm::{DatabaseConnection, TransactionTrait};
pub use sessions::{ActiveSession, CustomerScope};
pub use tenant::{SystemScope, Tenant};

use portal_migration::MigratorTrait;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DbBackend};
use std::time::Duration;

/// `sql` written with `?` placeholders, for the connection's database (PostgreSQL numbers them).
pub fn statement(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> sea_orm::Statement {
    let backend = db.get_database_backend();
    let sql = if backend == DbBackend::Postgres {
        let mut n = 0;
        sql.chars()
            .map(|c| {
                if c == '?' {
                    n += 1;
                    format!("${n}")
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        sql.to_owned()
    };
    sea_orm::Statement::from_sql_and_values(backend, sql, values)
}

/// Opens a pool for `url` (`sqlite://path` or `postgres://…`). A SQLite file and its folder are
/// created when missing and switched to WAL, so readers never wait for the writer.
#[tracing::instrument(skip_all, fields(backend))]
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbError> {
    let url = prepare_sqlite_url(url)?;
    let mut options = ConnectOptions::new(url.clone());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false)
        // SQLite settings are per connection: every connection of the pool gets them when it
        // opens (one statement after connecting would reach only one of them).
        .map_sqlx_sqlite_opts(|sqlite| {
            sqlite
                .pragma("journal_mode", "WAL")
                .pragma("synchronous", "NORMAL")
                .pragma("foreign_keys", "ON")
                // Deleted and overwritten rows are zeroed on disk, so erased personal data does
                // not linger in free pages of the file.
                .pragma("secure_delete", "ON")
        });
    let conn = Database::connect(options).await?;
    tracing::Span::current().record("backend", format!("{:?}", conn.get_database_backend()));
    Ok(conn)
}

/// Applies every pending migration.
#[tracing::instrument(skip_all)]
pub async fn migrate(conn: &DatabaseConnection) -> Result<(), DbError> {
    portal_migration::Migrator::up(conn, None).await?;
    Ok(())
}

/// Checks that the database answers.
pub async fn ping(conn: &DatabaseConnection) -> Result<(), DbError> {
    conn.ping().await?;
    Ok(())
}

/// For SQLite, makes sure the file's folder exists and the file is created on first use.
fn prepare_sqlite_url(url: &str) -> Result<String, DbError> {
    let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return Ok(url.to_owned());
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let dir = std::path::Path::new(path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir.filter(|_| path != ":memory:") {
        std::fs::create_dir_all(dir)
            .map_err(|e| DbError::Setup(format!("creating {}: {e}", dir.display())))?;
    }
    let query = if query.contains("mode=") {
        query.to_owned()
    } else if query.is_empty() {
        "mode=rwc".into()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_get_create_mode() {
        assert_eq!(
            prepare_sqlite_url("postgres://x/y").unwrap(),
            "postgres://x/y"
        );
        assert_eq!(
            prepare_sqlite_url("sqlite::memory:").unwrap(),
            "sqlite://:memory:?mode=rwc"
        );
        let dir = std::env::temp_dir().join(format!("portal-db-url-{}", uuid::Uuid::new_v4()));
        let url = format!("sqlite://{}/a.db", dir.display());
        assert_eq!(prepare_sqlite_url(&url).unwrap(), format!("{url}?mode=rwc"));
        assert!(dir.is_dir());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
