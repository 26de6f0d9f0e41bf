//! Errors of the data layer.

use sea_orm::{DbErr, RuntimeErr, SqlErr, sqlx};

/// What went wrong in the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database cannot be reached or is overloaded; the caller should answer 503.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] DbErr),
    /// A unique constraint refused the write.
    #[error("unique constraint violated: {0}")]
    Conflict(String),
    /// A stored value does not parse into its domain type (data written by something else).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// Preparing the database (folders, files) failed.
    #[error("database setup failed: {0}")]
    Setup(String),
    /// Any other database error: a bug, not a transient condition.
    #[error("database error: {0}")]
    Other(#[source] DbErr),
}

impl From<DbErr> for DbError {
    fn from(err: DbErr) -> Self {
        if let Some(SqlErr::UniqueConstraintViolation(what)) = err.sql_err() {
            return Self::Conflict(what);
        }
        if is_unavailable(&err) {
            Self::Unavailable(err)
        } else {
            Self::Other(err)
        }
    }
}

fn is_unavailable(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            match &**e {
                sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::Protocol(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed => true,
                // SQLite "database is locked" / "busy": another writer held the file past busy_timeout.
                sqlx::Error::Database(db) => {
                    matches!(db.code().as_deref(), Some("5" | "6" | "517"))
                }
                _ => false,
            }
        }
        _ => false,
    }
}
