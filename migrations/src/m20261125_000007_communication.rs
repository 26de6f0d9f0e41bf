//! Communication hub: what the outbox needs beyond the engagement tables (the appointment a message
//! is about, an attachment), per-company reminder offsets and the reminder log that makes every
//! reminder happen once, whatever the number of server instances.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE takes one change at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Notifications::Table)
                    .add_column(uuid_null(Notifications::AppointmentId))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Notifications::Table)
                    // An ICS calendar file sent with a confirmation email.
                    .add_column(text_null(Notifications::Attachment))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReminderSettings::Table)
                    .col(uuid(ReminderSettings::CompanyId).primary_key())
                    // Minutes before the start, comma-separated, e.g. `1440,120`.
                    .col(text(ReminderSettings::OffsetsMinutes))
                    .col(timestamp_with_time_zone(ReminderSettings::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reminder_settings_company_id")
                            .from(ReminderSettings::Table, ReminderSettings::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReminderLog::Table)
                    .col(pk_uuid(ReminderLog::Id))
                    .col(uuid(ReminderLog::CompanyId))
                    .col(uuid(ReminderLog::AppointmentId))
                    .col(integer(ReminderLog::OffsetMinutes))
                    .col(timestamp_with_time_zone(ReminderLog::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reminder_log_company_id")
                            .from(ReminderLog::Table, ReminderLog::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reminder_log_appointment_id")
                            .from(ReminderLog::Table, ReminderLog::AppointmentId)
                            .to(Appointments::Table, Appointments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The once-only guarantee: a second instance's insert for the same reminder fails.
        manager
            .create_index(
                Index::create()
                    .name("ux_reminder_log_appointment_id_offset_minutes")
                    .table(ReminderLog::Table)
                    .col(ReminderLog::AppointmentId)
                    .col(ReminderLog::OffsetMinutes)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The customer's inbox counts unread messages.
        manager
            .create_index(
                Index::create()
                    .name("ix_notifications_customer_id_read_at")
                    .table(Notifications::Table)
                    .col(Notifications::CustomerId)
                    .col(Notifications::ReadAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_notifications_customer_id_read_at")
                    .table(Notifications::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(ReminderLog::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ReminderSettings::Table).to_owned())
            .await?;
        for column in [Notifications::Attachment, Notifications::AppointmentId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Notifications::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    CustomerId,
    ReadAt,
    AppointmentId,
    Attachment,
}

#[derive(DeriveIden)]
enum ReminderSettings {
    Table,
    CompanyId,
    OffsetsMinutes,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ReminderLog {
    Table,
    Id,
    CompanyId,
    AppointmentId,
    OffsetMinutes,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Appointments {
    Table,
    Id,
}
