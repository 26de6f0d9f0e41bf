//! Scheduling: branches, staff, services, working hours, time off, appointments and their history.
//!
//! Times are UTC instants (`timestamp with time zone`); only `working_hours` keeps wall-clock
//! "HH:MM" text, because opening hours follow the branch's zone across DST changes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Branches::Table)
                    .col(pk_uuid(Branches::Id))
                    .col(uuid(Branches::CompanyId))
                    .col(text(Branches::Name))
                    .col(text_null(Branches::Street))
                    .col(text_null(Branches::PostalCode))
                    .col(text_null(Branches::City))
                    .col(string_len(Branches::Country, 2))
                    .col(text_null(Branches::Phone))
                    .col(text(Branches::Timezone))
                    .col(boolean(Branches::Active).default(true))
                    .col(timestamp_with_time_zone(Branches::CreatedAt))
                    .col(timestamp_with_time_zone(Branches::UpdatedAt))
                    .foreign_key(&mut company_fk(
                        "fk_branches_company_id",
                        Branches::Table,
                        Branches::CompanyId,
                    ))
                    .to_owned(),
            )
            .await?;
        create_index(
            manager,
            "ix_branches_company_id",
            Branches::Table,
            [Branches::CompanyId],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Staff::Table)
                    .col(pk_uuid(Staff::Id))
                    .col(uuid(Staff::CompanyId))
                    .col(uuid_null(Staff::BranchId))
                    .col(text(Staff::DisplayName))
                    .col(boolean(Staff::Active))
                    .col(timestamp_with_time_zone(Staff::CreatedAt))
                    .col(timestamp_with_time_zone(Staff::UpdatedAt))
                    .foreign_key(&mut company_fk(
                        "fk_staff_company_id",
                        Staff::Table,
                        Staff::CompanyId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_staff_branch_id")
                            .from(Staff::Table, Staff::BranchId)
                            .to(Branches::Table, Branches::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(
            manager,
            "ix_staff_company_id_branch_id",
            Staff::Table,
            [Staff::CompanyId, Staff::BranchId],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Services::Table)
                    .col(pk_uuid(Services::Id))
                    .col(uuid(Services::CompanyId))
                    .col(text(Services::Name))
                    .col(text_null(Services::Description))
                    .col(integer(Services::DurationMinutes))
                    .col(integer(Services::BufferBeforeMinutes).default(0))
                    .col(integer(Services::BufferAfterMinutes).default(0))
                    .col(big_integer_null(Services::PriceCents))
                    .col(string_len_null(Services::Currency, 3))
                    // Null means "use the company's policy".
                    .col(integer_null(Services::CancelNoticeMinutes))
                    .col(integer_null(Services::RescheduleNoticeMinutes))
                    .col(boolean(Services::Active))
                    .col(timestamp_with_time_zone(Services::CreatedAt))
                    .col(timestamp_with_time_zone(Services::UpdatedAt))
                    .foreign_key(&mut company_fk(
                        "fk_services_company_id",
                        Services::Table,
                        Services::CompanyId,
                    ))
                    .to_owned(),
            )
            .await?;
        // The service catalogue is listed per company.
        create_index(
            manager,
            "ix_services_company_id",
            Services::Table,
            [Services::CompanyId],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(StaffServices::Table)
                    .col(uuid(StaffServices::StaffId))
                    .col(uuid(StaffServices::ServiceId))
                    .col(uuid(StaffServices::CompanyId))
                    .primary_key(
                        Index::create()
                            .col(StaffServices::StaffId)
                            .col(StaffServices::ServiceId),
                    )
                    .foreign_key(&mut company_fk(
                        "fk_staff_services_company_id",
                        StaffServices::Table,
                        StaffServices::CompanyId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_staff_services_staff_id")
                            .from(StaffServices::Table, StaffServices::StaffId)
                            .to(Staff::Table, Staff::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_staff_services_service_id")
                            .from(StaffServices::Table, StaffServices::ServiceId)
                            .to(Services::Table, Services::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // "Who can perform this service?" is the first question of every availability search; the
        // primary key only serves the staff-first direction.
        create_index(
            manager,
            "ix_staff_services_service_id",
            StaffServices::Table,
            [StaffServices::ServiceId],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(WorkingHours::Table)
                    .col(pk_uuid(WorkingHours::Id))
                    .col(uuid(WorkingHours::CompanyId))
                    .col(uuid(WorkingHours::StaffId))
                    .col(uuid(WorkingHours::BranchId))
                    // ISO weekday: 1 = Monday .. 7 = Sunday.
                    .col(small_integer(WorkingHours::Weekday))
                    // "HH:MM" wall-clock time in the branch's zone.
                    .col(text(WorkingHours::StartLocal))
                    .col(text(WorkingHours::EndLocal))
                    .col(date_null(WorkingHours::ValidFrom))
                    .col(date_null(WorkingHours::ValidUntil))
                    .foreign_key(&mut company_fk(
                        "fk_working_hours_company_id",
                        WorkingHours::Table,
                        WorkingHours::CompanyId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_working_hours_staff_id")
                            .from(WorkingHours::Table, WorkingHours::StaffId)
                            .to(Staff::Table, Staff::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_working_hours_branch_id")
                            .from(WorkingHours::Table, WorkingHours::BranchId)
                            .to(Branches::Table, Branches::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(
            manager,
            "ix_working_hours_staff_id_weekday",
            WorkingHours::Table,
            [WorkingHours::StaffId, WorkingHours::Weekday],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(TimeOff::Table)
                    .col(pk_uuid(TimeOff::Id))
                    .col(uuid(TimeOff::CompanyId))
                    .col(uuid(TimeOff::StaffId))
                    .col(timestamp_with_time_zone(TimeOff::StartsAt))
                    .col(timestamp_with_time_zone(TimeOff::EndsAt))
                    .col(text_null(TimeOff::Reason))
                    .foreign_key(&mut company_fk(
                        "fk_time_off_company_id",
                        TimeOff::Table,
                        TimeOff::CompanyId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_time_off_staff_id")
                            .from(TimeOff::Table, TimeOff::StaffId)
                            .to(Staff::Table, Staff::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(
            manager,
            "ix_time_off_staff_id_starts_at",
            TimeOff::Table,
            [TimeOff::StaffId, TimeOff::StartsAt],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Appointments::Table)
                    .col(pk_uuid(Appointments::Id))
                    .col(uuid(Appointments::CompanyId))
                    .col(uuid(Appointments::BranchId))
                    .col(uuid(Appointments::StaffId))
                    .col(uuid(Appointments::ServiceId))
                    .col(uuid(Appointments::CustomerId))
                    .col(timestamp_with_time_zone(Appointments::StartsAt))
                    .col(timestamp_with_time_zone(Appointments::EndsAt))
                    // booked | confirmed | cancelled | completed | no_show
                    .col(text(Appointments::Status))
                    // phone_assistant | integrator | portal | staff
                    .col(text(Appointments::Source))
                    .col(text_null(Appointments::ExternalRef))
                    .col(text_null(Appointments::Notes))
                    .col(text_null(Appointments::CancelReason))
                    .col(text_null(Appointments::CancelledBy))
                    .col(timestamp_with_time_zone_null(Appointments::CancelledAt))
                    // Optimistic concurrency: every change is `... WHERE version = ?` and raises it.
                    .col(integer(Appointments::Version).default(1))
                    .col(timestamp_with_time_zone(Appointments::CreatedAt))
                    .col(timestamp_with_time_zone(Appointments::UpdatedAt))
                    .foreign_key(&mut company_fk(
                        "fk_appointments_company_id",
                        Appointments::Table,
                        Appointments::CompanyId,
                    ))
                    // History must not vanish with a branch, staff member, service or customer
                    // (customers are erased in place), so these refuse the delete. NO ACTION rather
                    // than RESTRICT: it is checked at the end of the statement, so deleting a whole
                    // company, which cascades down every path at once, still succeeds.
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_appointments_branch_id")
                            .from(Appointments::Table, Appointments::BranchId)
                            .to(Branches::Table, Branches::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_appointments_staff_id")
                            .from(Appointments::Table, Appointments::StaffId)
                            .to(Staff::Table, Staff::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_appointments_service_id")
                            .from(Appointments::Table, Appointments::ServiceId)
                            .to(Services::Table, Services::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_appointments_customer_id")
                            .from(Appointments::Table, Appointments::CustomerId)
                            .to(Customers::Table, Customers::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(
            manager,
            "ix_appointments_company_id_customer_id_starts_at",
            Appointments::Table,
            [
                Appointments::CompanyId,
                Appointments::CustomerId,
                Appointments::StartsAt,
            ],
        )
        .await?;
        create_index(
            manager,
            "ix_appointments_staff_id_starts_at",
            Appointments::Table,
            [Appointments::StaffId, Appointments::StartsAt],
        )
        .await?;
        create_index(
            manager,
            "ix_appointments_branch_id_starts_at",
            Appointments::Table,
            [Appointments::BranchId, Appointments::StartsAt],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(AppointmentEvents::Table)
                    .col(pk_uuid(AppointmentEvents::Id))
                    .col(uuid(AppointmentEvents::CompanyId))
                    .col(uuid(AppointmentEvents::AppointmentId))
                    // created | rescheduled | cancelled | status_changed
                    .col(text(AppointmentEvents::Kind))
                    .col(text(AppointmentEvents::Actor))
                    .col(text_null(AppointmentEvents::ActorId))
                    .col(timestamp_with_time_zone_null(
                        AppointmentEvents::FromStartsAt,
                    ))
                    .col(timestamp_with_time_zone_null(AppointmentEvents::ToStartsAt))
                    .col(text_null(AppointmentEvents::Reason))
                    .col(timestamp_with_time_zone(AppointmentEvents::CreatedAt))
                    .foreign_key(&mut company_fk(
                        "fk_appointment_events_company_id",
                        AppointmentEvents::Table,
                        AppointmentEvents::CompanyId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_appointment_events_appointment_id")
                            .from(AppointmentEvents::Table, AppointmentEvents::AppointmentId)
                            .to(Appointments::Table, Appointments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(
            manager,
            "ix_appointment_events_appointment_id_created_at",
            AppointmentEvents::Table,
            [
                AppointmentEvents::AppointmentId,
                AppointmentEvents::CreatedAt,
            ],
        )
        .await?;

        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Children before parents; dropping a table drops its indexes.
        drop_table(manager, AppointmentEvents::Table).await?;
        drop_table(manager, Appointments::Table).await?;
        drop_table(manager, TimeOff::Table).await?;
        drop_table(manager, WorkingHours::Table).await?;
        drop_table(manager, StaffServices::Table).await?;
        drop_table(manager, Services::Table).await?;
        drop_table(manager, Staff::Table).await?;
        drop_table(manager, Branches::Table).await
    }
}

/// `company_id` → `companies(id)`, deleted with the company.
fn company_fk<T: IntoIden, C: IntoIden>(
    name: &str,
    table: T,
    column: C,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, column)
        .to(Companies::Table, Companies::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

async fn create_index<T, C, const N: usize>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: T,
    columns: [C; N],
) -> Result<(), DbErr>
where
    T: IntoIden,
    C: IntoIden,
{
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(column);
    }
    manager.create_index(index).await
}

async fn drop_table<T: IntoIden>(manager: &SchemaManager<'_>, table: T) -> Result<(), DbErr> {
    manager
        .drop_table(Table::drop().table(table).to_owned())
        .await
}

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Branches {
    Table,
    Id,
    CompanyId,
    Name,
    Street,
    PostalCode,
    City,
    Country,
    Phone,
    Timezone,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Staff {
    Table,
    Id,
    CompanyId,
    BranchId,
    DisplayName,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Services {
    Table,
    Id,
    CompanyId,
    Name,
    Description,
    DurationMinutes,
    BufferBeforeMinutes,
    BufferAfterMinutes,
    PriceCents,
    Currency,
    CancelNoticeMinutes,
    RescheduleNoticeMinutes,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum StaffServices {
    Table,
    StaffId,
    ServiceId,
    CompanyId,
}

#[derive(DeriveIden)]
enum WorkingHours {
    Table,
    Id,
    CompanyId,
    StaffId,
    BranchId,
    Weekday,
    StartLocal,
    EndLocal,
    ValidFrom,
    ValidUntil,
}

#[derive(DeriveIden)]
enum TimeOff {
    Table,
    Id,
    CompanyId,
    StaffId,
    StartsAt,
    EndsAt,
    Reason,
}

#[derive(DeriveIden)]
enum Appointments {
    Table,
    Id,
    CompanyId,
    BranchId,
    StaffId,
    ServiceId,
    CustomerId,
    StartsAt,
    EndsAt,
    Status,
    Source,
    ExternalRef,
    Notes,
    CancelReason,
    CancelledBy,
    CancelledAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AppointmentEvents {
    Table,
    Id,
    CompanyId,
    AppointmentId,
    Kind,
    Actor,
    ActorId,
    FromStartsAt,
    ToStartsAt,
    Reason,
    CreatedAt,
}
