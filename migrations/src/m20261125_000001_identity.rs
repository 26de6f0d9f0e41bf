//! Companies, customers and everything sign-in needs: challenges, lockouts, sessions, refresh tokens,
//! and the audit log. Frozen: later changes go into new migrations.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
    Slug,
    Name,
    Industry,
    Locale,
    Region,
    Timezone,
    AllowedCountries,
    BrandColor,
    SupportPhone,
    CancelNoticeMinutes,
    CancelGraceMinutes,
    RescheduleNoticeMinutes,
    BookingHorizonDays,
    SessionIdleMinutes,
    SessionAbsoluteMinutes,
    OtpDailyCap,
    RetentionYears,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
    CompanyId,
    Phone,
    Name,
    Email,
    EmailVerifiedAt,
    Locale,
    ErasedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OtpChallenges {
    Table,
    Id,
    CompanyId,
    CustomerId,
    Phone,
    Purpose,
    CodeHmac,
    Attempts,
    ExpiresAt,
    ConsumedAt,
    Ip,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PhoneLockouts {
    Table,
    Id,
    CompanyId,
    Phone,
    Failures,
    LockedUntil,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    CompanyId,
    CustomerId,
    UserAgent,
    Ip,
    CreatedAt,
    LastUsedAt,
    IdleExpiresAt,
    AbsoluteExpiresAt,
    AuthTime,
    RevokedAt,
    RevokedReason,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    CompanyId,
    SessionId,
    TokenHash,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    CompanyId,
    CustomerId,
    Actor,
    Action,
    Target,
    Ip,
    Details,
    CreatedAt,
}

fn company_fk(table: impl IntoIden, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Companies::Table, Companies::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Companies::Table)
                    .col(pk_uuid(Companies::Id))
                    .col(string_uniq(Companies::Slug))
                    .col(string(Companies::Name))
                    .col(string(Companies::Industry))
                    .col(string(Companies::Locale))
                    .col(string(Companies::Region))
                    .col(string(Companies::Timezone))
                    .col(string(Companies::AllowedCountries))
                    .col(string_null(Companies::BrandColor))
                    .col(string_null(Companies::SupportPhone))
                    .col(integer(Companies::CancelNoticeMinutes).default(1440))
                    .col(integer(Companies::CancelGraceMinutes).default(10))
                    .col(integer(Companies::RescheduleNoticeMinutes).default(1440))
                    .col(integer(Companies::BookingHorizonDays).default(60))
                    .col(integer_null(Companies::SessionIdleMinutes))
                    .col(integer_null(Companies::SessionAbsoluteMinutes))
                    .col(integer(Companies::OtpDailyCap).default(1000))
                    .col(integer_null(Companies::RetentionYears))
                    .col(timestamp_with_time_zone(Companies::CreatedAt))
                    .col(timestamp_with_time_zone(Companies::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Customers::Table)
                    .col(pk_uuid(Customers::Id))
                    .col(uuid(Customers::CompanyId))
                    // Nullable so erasure can remove it; NULLs never collide in the unique index.
                    .col(string_null(Customers::Phone))
                    .col(string_null(Customers::Name))
                    .col(string_null(Customers::Email))
                    .col(timestamp_with_time_zone_null(Customers::EmailVerifiedAt))
                    .col(string_null(Customers::Locale))
                    .col(timestamp_with_time_zone_null(Customers::ErasedAt))
                    .col(timestamp_with_time_zone(Customers::CreatedAt))
                    .col(timestamp_with_time_zone(Customers::UpdatedAt))
                    .foreign_key(&mut company_fk(Customers::Table, Customers::CompanyId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_customers_company_phone")
                    .table(Customers::Table)
                    .col(Customers::CompanyId)
                    .col(Customers::Phone)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OtpChallenges::Table)
                    .col(pk_uuid(OtpChallenges::Id))
                    .col(uuid(OtpChallenges::CompanyId))
                    .col(uuid_null(OtpChallenges::CustomerId))
                    .col(string(OtpChallenges::Phone))
                    .col(string(OtpChallenges::Purpose))
                    .col(string(OtpChallenges::CodeHmac))
                    .col(integer(OtpChallenges::Attempts).default(0))
                    .col(timestamp_with_time_zone(OtpChallenges::ExpiresAt))
                    .col(timestamp_with_time_zone_null(OtpChallenges::ConsumedAt))
                    .col(string(OtpChallenges::Ip))
                    .col(timestamp_with_time_zone(OtpChallenges::CreatedAt))
                    .foreign_key(&mut company_fk(
                        OtpChallenges::Table,
                        OtpChallenges::CompanyId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OtpChallenges::Table, OtpChallenges::CustomerId)
                            .to(Customers::Table, Customers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "ix_otp_challenges_phone_created",
                vec![
                    OtpChallenges::CompanyId,
                    OtpChallenges::Phone,
                    OtpChallenges::CreatedAt,
                ],
            ),
            (
                "ix_otp_challenges_ip_created",
                vec![OtpChallenges::Ip, OtpChallenges::CreatedAt],
            ),
            (
                "ix_otp_challenges_company_created",
                vec![OtpChallenges::CompanyId, OtpChallenges::CreatedAt],
            ),
            ("ix_otp_challenges_expires", vec![OtpChallenges::ExpiresAt]),
        ] {
            let mut index = Index::create()
                .name(name)
                .table(OtpChallenges::Table)
                .to_owned();
            for col in cols {
                index.col(col);
            }
            manager.create_index(index).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(PhoneLockouts::Table)
                    .col(pk_uuid(PhoneLockouts::Id))
                    .col(uuid(PhoneLockouts::CompanyId))
                    .col(string(PhoneLockouts::Phone))
                    .col(integer(PhoneLockouts::Failures).default(0))
                    .col(timestamp_with_time_zone_null(PhoneLockouts::LockedUntil))
                    .col(timestamp_with_time_zone(PhoneLockouts::UpdatedAt))
                    .foreign_key(&mut company_fk(
                        PhoneLockouts::Table,
                        PhoneLockouts::CompanyId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_phone_lockouts_company_phone")
                    .table(PhoneLockouts::Table)
                    .col(PhoneLockouts::CompanyId)
                    .col(PhoneLockouts::Phone)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(pk_uuid(Sessions::Id))
                    .col(uuid(Sessions::CompanyId))
                    .col(uuid(Sessions::CustomerId))
                    .col(string_null(Sessions::UserAgent))
                    .col(string_null(Sessions::Ip))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::LastUsedAt))
                    .col(timestamp_with_time_zone(Sessions::IdleExpiresAt))
                    .col(timestamp_with_time_zone(Sessions::AbsoluteExpiresAt))
                    .col(timestamp_with_time_zone(Sessions::AuthTime))
                    .col(timestamp_with_time_zone_null(Sessions::RevokedAt))
                    .col(string_null(Sessions::RevokedReason))
                    .foreign_key(&mut company_fk(Sessions::Table, Sessions::CompanyId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::CustomerId)
                            .to(Customers::Table, Customers::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sessions_customer")
                    .table(Sessions::Table)
                    .col(Sessions::CustomerId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .col(pk_uuid(RefreshTokens::Id))
                    .col(uuid(RefreshTokens::CompanyId))
                    .col(uuid(RefreshTokens::SessionId))
                    .col(string_uniq(RefreshTokens::TokenHash))
                    .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::UsedAt))
                    .foreign_key(&mut company_fk(
                        RefreshTokens::Table,
                        RefreshTokens::CompanyId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RefreshTokens::Table, RefreshTokens::SessionId)
                            .to(Sessions::Table, Sessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_refresh_tokens_session")
                    .table(RefreshTokens::Table)
                    .col(RefreshTokens::SessionId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(pk_uuid(AuditLog::Id))
                    .col(uuid(AuditLog::CompanyId))
                    .col(uuid_null(AuditLog::CustomerId))
                    .col(string(AuditLog::Actor))
                    .col(string(AuditLog::Action))
                    .col(string_null(AuditLog::Target))
                    .col(string_null(AuditLog::Ip))
                    .col(text_null(AuditLog::Details))
                    .col(timestamp_with_time_zone(AuditLog::CreatedAt))
                    .foreign_key(&mut company_fk(AuditLog::Table, AuditLog::CompanyId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AuditLog::Table, AuditLog::CustomerId)
                            .to(Customers::Table, Customers::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_log_customer_created")
                    .table(AuditLog::Table)
                    .col(AuditLog::CompanyId)
                    .col(AuditLog::CustomerId)
                    .col(AuditLog::CreatedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            Sessions::Table.into_iden(),
            PhoneLockouts::Table.into_iden(),
            OtpChallenges::Table.into_iden(),
            Customers::Table.into_iden(),
            Companies::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
