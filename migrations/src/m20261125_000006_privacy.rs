//! Personal information and GDPR: postal address, date of birth, an email address waiting for its
//! confirmation code, the explicit consent (GDPR Art. 9) to keep a medical history, and how long a
//! company keeps message bodies. Frozen: later changes go into new migrations.
//!
//! SQLite adds one column per `ALTER TABLE`, so every column is its own statement.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Customers {
    Table,
    AddressStreet,
    AddressPostalCode,
    AddressCity,
    AddressCountry,
    DateOfBirth,
    PendingEmail,
    PendingEmailCodeHmac,
    PendingEmailExpiresAt,
    PendingEmailAttempts,
    MedicalConsentAt,
}

#[derive(DeriveIden)]
enum Companies {
    Table,
    MessageRetentionDays,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let customer_columns = [
            string_null(Customers::AddressStreet),
            string_null(Customers::AddressPostalCode),
            string_null(Customers::AddressCity),
            string_null(Customers::AddressCountry),
            date_null(Customers::DateOfBirth),
            string_null(Customers::PendingEmail),
            string_null(Customers::PendingEmailCodeHmac),
            timestamp_with_time_zone_null(Customers::PendingEmailExpiresAt),
            integer(Customers::PendingEmailAttempts).default(0).take(),
            timestamp_with_time_zone_null(Customers::MedicalConsentAt),
        ];
        for column in customer_columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Customers::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        // Null: the default (two years); message bodies older than this are removed.
        manager
            .alter_table(
                Table::alter()
                    .table(Companies::Table)
                    .add_column(integer_null(Companies::MessageRetentionDays))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Companies::Table)
                    .drop_column(Companies::MessageRetentionDays)
                    .to_owned(),
            )
            .await?;
        for column in [
            Customers::MedicalConsentAt,
            Customers::PendingEmailAttempts,
            Customers::PendingEmailExpiresAt,
            Customers::PendingEmailCodeHmac,
            Customers::PendingEmail,
            Customers::DateOfBirth,
            Customers::AddressCountry,
            Customers::AddressCity,
            Customers::AddressPostalCode,
            Customers::AddressStreet,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Customers::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
