//! Schema migrations for the portal.
//!
//! Every migration is frozen and self-contained: it names its own tables and columns through local
//! `DeriveIden` enums and never imports the entity crate, so changing an entity can never change what
//! an already-applied migration does. Add a new migration instead of editing an old one.
//!
//! All migrations must run unchanged on SQLite and PostgreSQL. On SQLite foreign keys can only be
//! declared inside `CREATE TABLE`, so every foreign key is created together with its table.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_identity;
mod m20261125_000002_scheduling;
mod m20261125_000003_engagement;
mod m20261125_000005_webhook_attempts;
mod m20261125_000006_privacy;
mod m20261125_000007_communication;
mod m20261201_000008_rate_limits;

/// Runs the portal's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_identity::Migration),
            Box::new(m20261125_000002_scheduling::Migration),
            Box::new(m20261125_000003_engagement::Migration),
            Box::new(m20261125_000005_webhook_attempts::Migration),
            Box::new(m20261125_000006_privacy::Migration),
            Box::new(m20261125_000007_communication::Migration),
            Box::new(m20261201_000008_rate_limits::Migration),
        ]
    }
}
