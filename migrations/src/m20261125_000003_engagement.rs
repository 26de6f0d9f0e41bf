//! Engagement: the notification outbox, consents, encrypted medical history, push subscriptions,
//! support threads, and the integrator side (API keys, webhooks, idempotency keys).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(pk_uuid(Notifications::Id))
                    .col(uuid(Notifications::CompanyId))
                    // Null once the customer is gone; the row stays as a record of what was sent.
                    .col(uuid_null(Notifications::CustomerId))
                    // sms | email | push
                    .col(text(Notifications::Channel))
                    .col(text(Notifications::Kind))
                    .col(text(Notifications::Recipient))
                    .col(text_null(Notifications::Subject))
                    .col(text_null(Notifications::BodyText))
                    .col(text_null(Notifications::BodyHtml))
                    // queued | sent | delivered | failed
                    .col(text(Notifications::Status))
                    .col(text_null(Notifications::ProviderId))
                    .col(integer(Notifications::Attempts).default(0))
                    .col(timestamp_with_time_zone_null(Notifications::NextAttemptAt))
                    // Lease of the worker that claimed the row, so a crashed worker's claim expires.
                    .col(timestamp_with_time_zone_null(Notifications::LockedUntil))
                    .col(text_null(Notifications::LastError))
                    .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                    .col(timestamp_with_time_zone(Notifications::CreatedAt))
                    .col(timestamp_with_time_zone_null(Notifications::SentAt))
                    .col(timestamp_with_time_zone_null(Notifications::DeliveredAt))
                    .foreign_key(&mut company_fk(
                        "fk_notifications_company_id",
                        Notifications::Table,
                        Notifications::CompanyId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notifications_customer_id")
                            .from(Notifications::Table, Notifications::CustomerId)
                            .to(Customers::Table, Customers::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(
            manager,
            "ix_notifications_company_id_customer_id_created_at",
            Notifications::Table,
            [
                Notifications::CompanyId,
                Notifications::CustomerId,
                Notifications::CreatedAt,
            ],
        )
        .await?;
        // The outbox worker's claim query.
        create_index(
            manager,
            "ix_notifications_status_next_attempt_at",
            Notifications::Table,
            [Notifications::Status, Notifications::NextAttemptAt],
        )
        .await?;
        // Delivery receipts from the provider arrive keyed by its message id.
        create_index(
            manager,
            "ix_notifications_provider_id",
            Notifications::Table,
            [Notifications::ProviderId],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Consents::Table)
                    .col(pk_uuid(Consents::Id))
                    .col(uuid(Consents::CompanyId))
                    .col(uuid(Consents::CustomerId))
                    .col(text(Consents::Channel))
                    .col(text(Consents::Purpose))
                    // Append-only: the latest row per (channel, purpose) is the current answer.
                    .col(boolean(Consents::Granted))
                    .col(text(Consents::Source))
                    .col(timestamp_with_time_zone(Consents::CreatedAt))
                    .foreign_key(&mut company_fk(
                        "fk_consents_company_id",
                        Consents::Table,
                        Consents::CompanyId,
                    ))
                    .foreign_key(&mut customer_fk(
                        "fk_consents_customer_id",
                        Consents::Table,
                        Consents::CustomerId,
                    ))
                    .to_owned(),
            )
            .await?;
        create_index(
            manager,
            "ix_consents_customer_id_created_at",
            Consents::Table,
            [Consents::CustomerId, Consents::CreatedAt],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(MedicalHistoryVersions::Table)
                    .col(pk_uuid(MedicalHistoryVersions::Id))
                    .col(uuid(MedicalHistoryVersions::CompanyId))
                    .col(uuid(MedicalHistoryVersions::CustomerId))
                    .col(integer(MedicalHistoryVersions::Version))
                    // AES-256-GCM output; `key_id` names the key so keys can rotate.
                    .col(blob(MedicalHistoryVersions::Ciphertext))
                    .col(blob(MedicalHistoryVersions::Nonce))
                    .col(text(MedicalHistoryVersions::KeyId))
                    .col(text(MedicalHistoryVersions::Actor))
                    .col(timestamp_with_time_zone(MedicalHistoryVersions::CreatedAt))
                    .foreign_key(&mut company_fk(
                        "fk_medical_history_versions_company_id",
                        MedicalHistoryVersions::Table,
                        MedicalHistoryVersions::CompanyId,
                    ))
                    .foreign_key(&mut customer_fk(
                        "fk_medical_history_versions_customer_id",
                        MedicalHistoryVersions::Table,
                        MedicalHistoryVersions::CustomerId,
                    ))
                    .to_owned(),
            )
            .await?;
        // Two concurrent corrections cannot both become version n + 1.
        create_unique_index(
            manager,
            "ux_medical_history_versions_customer_id_version",
            MedicalHistoryVersions::Table,
            [
                MedicalHistoryVersions::CustomerId,
                MedicalHistoryVersions::Version,
            ],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(PushSubscriptions::Table)
                    .col(pk_uuid(PushSubscriptions::Id))
                    .col(uuid(PushSubscriptions::CompanyId))
                    .col(uuid(PushSubscriptions::CustomerId))
                    .col(text(PushSubscriptions::Endpoint))
                    .col(text(PushSubscriptions::P256dh))
                    .col(text(PushSubscriptions::Auth))
                    .col(text_null(PushSubscriptions::UserAgent))
                    .col(timestamp_with_time_zone(PushSubscriptions::CreatedAt))
                    .foreign_key(&mut company_fk(
                        "fk_push_subscriptions_company_id",
                        PushSubscriptions::Table,
                        PushSubscriptions::CompanyId,
                    ))
                    .foreign_key(&mut customer_fk(
                        "fk_push_subscriptions_customer_id",
                        PushSubscriptions::Table,
                        PushSubscriptions::CustomerId,
                    ))
                    .to_owned(),
            )
            .await?;
        create_unique_index(
            manager,
            "ux_push_subscriptions_customer_id_endpoint",
            PushSubscriptions::Table,
            [PushSubscriptions::CustomerId, PushSubscriptions::Endpoint],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(SupportThreads::Table)
                    .col(pk_uuid(SupportThreads::Id))
                    .col(uuid(SupportThreads::CompanyId))
                    .col(uuid(SupportThreads::CustomerId))
                    .col(text(SupportThreads::Status))
                    .col(timestamp_with_time_zone(SupportThreads::CreatedAt))
                    .col(timestamp_with_time_zone(SupportThreads::UpdatedAt))
                    .foreign_key(&mut company_fk(
                        "fk_support_threads_company_id",
                        SupportThreads::Table,
                        SupportThreads::CompanyId,
                    ))
                    .foreign_key(&mut customer_fk(
                        "fk_support_threads_customer_id",
                        SupportThreads::Table,
                        SupportThreads::CustomerId,
                    ))
                    .to_owned(),
            )
            .await?;
        create_index(
            manager,
            "ix_support_threads_customer_id",
            SupportThreads::Table,
            [SupportThreads::CustomerId],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(SupportMessages::Table)
                    .col(pk_uuid(SupportMessages::Id))
                    .col(uuid(SupportMessages::CompanyId))
                    .col(uuid(SupportMessages::ThreadId))
                    // customer | staff
                    .col(text(SupportMessages::Author))
                    .col(text_null(SupportMessages::AuthorName))
                    .col(text(SupportMessages::Body))
                    .col(timestamp_with_time_zone(SupportMessages::CreatedAt))
                    .col(timestamp_with_time_zone_null(SupportMessages::ReadAt))
                    .foreign_key(&mut company_fk(
                        "fk_support_messages_company_id",
                        SupportMessages::Table,
                        SupportMessages::CompanyId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_support_messages_thread_id")
                            .from(SupportMessages::Table, SupportMessages::ThreadId)
                            .to(SupportThreads::Table, SupportThreads::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(
            manager,
            "ix_support_messages_thread_id_created_at",
            SupportMessages::Table,
            [SupportMessages::ThreadId, SupportMessages::CreatedAt],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .col(pk_uuid(ApiKeys::Id))
                    .col(uuid(ApiKeys::CompanyId))
                    // Null: the key is company-wide; otherwise it sees only this branch.
                    .col(uuid_null(ApiKeys::BranchId))
                    .col(text(ApiKeys::Name))
                    // The prefix finds the row; only a hash of the whole key is stored.
                    .col(text(ApiKeys::Prefix))
                    .col(text(ApiKeys::KeyHash))
                    // Space-separated, like OAuth scopes.
                    .col(text(ApiKeys::Scopes))
                    .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::RevokedAt))
                    .foreign_key(&mut company_fk(
                        "fk_api_keys_company_id",
                        ApiKeys::Table,
                        ApiKeys::CompanyId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_api_keys_branch_id")
                            .from(ApiKeys::Table, ApiKeys::BranchId)
                            .to(Branches::Table, Branches::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        create_unique_index(
            manager,
            "ux_api_keys_prefix",
            ApiKeys::Table,
            [ApiKeys::Prefix],
        )
        .await?;
        create_unique_index(
            manager,
            "ux_api_keys_key_hash",
            ApiKeys::Table,
            [ApiKeys::KeyHash],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(WebhookEndpoints::Table)
                    .col(pk_uuid(WebhookEndpoints::Id))
                    .col(uuid(WebhookEndpoints::CompanyId))
                    .col(text(WebhookEndpoints::Url))
                    .col(text(WebhookEndpoints::Secret))
                    // Space-separated event names the endpoint subscribes to.
                    .col(text(WebhookEndpoints::Events))
                    .col(boolean(WebhookEndpoints::Active))
                    .col(timestamp_with_time_zone(WebhookEndpoints::CreatedAt))
                    .foreign_key(&mut company_fk(
                        "fk_webhook_endpoints_company_id",
                        WebhookEndpoints::Table,
                        WebhookEndpoints::CompanyId,
                    ))
                    .to_owned(),
            )
            .await?;
        // Every appointment change looks up the company's endpoints.
        create_index(
            manager,
            "ix_webhook_endpoints_company_id",
            WebhookEndpoints::Table,
            [WebhookEndpoints::CompanyId],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .col(pk_uuid(WebhookDeliveries::Id))
                    .col(uuid(WebhookDeliveries::CompanyId))
                    .col(uuid(WebhookDeliveries::EndpointId))
                    .col(text(WebhookDeliveries::Event))
                    .col(text(WebhookDeliveries::Payload))
                    .col(text(WebhookDeliveries::Status))
                    .col(integer(WebhookDeliveries::Attempts))
                    .col(timestamp_with_time_zone_null(
                        WebhookDeliveries::NextAttemptAt,
                    ))
                    .col(integer_null(WebhookDeliveries::ResponseStatus))
                    .col(text_null(WebhookDeliveries::LastError))
                    .col(timestamp_with_time_zone(WebhookDeliveries::CreatedAt))
                    .col(timestamp_with_time_zone_null(
                        WebhookDeliveries::DeliveredAt,
                    ))
                    .foreign_key(&mut company_fk(
                        "fk_webhook_deliveries_company_id",
                        WebhookDeliveries::Table,
                        WebhookDeliveries::CompanyId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_deliveries_endpoint_id")
                            .from(WebhookDeliveries::Table, WebhookDeliveries::EndpointId)
                            .to(WebhookEndpoints::Table, WebhookEndpoints::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(
            manager,
            "ix_webhook_deliveries_status_next_attempt_at",
            WebhookDeliveries::Table,
            [WebhookDeliveries::Status, WebhookDeliveries::NextAttemptAt],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(pk_uuid(IdempotencyKeys::Id))
                    .col(uuid(IdempotencyKeys::CompanyId))
                    .col(uuid(IdempotencyKeys::ApiKeyId))
                    .col(text(IdempotencyKeys::Key))
                    // A replay with the same key but a different body is refused, not answered.
                    .col(text(IdempotencyKeys::RequestHash))
                    .col(integer(IdempotencyKeys::ResponseStatus))
                    .col(text(IdempotencyKeys::ResponseBody))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .foreign_key(&mut company_fk(
                        "fk_idempotency_keys_company_id",
                        IdempotencyKeys::Table,
                        IdempotencyKeys::CompanyId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_idempotency_keys_api_key_id")
                            .from(IdempotencyKeys::Table, IdempotencyKeys::ApiKeyId)
                            .to(ApiKeys::Table, ApiKeys::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        create_unique_index(
            manager,
            "ux_idempotency_keys_api_key_id_key",
            IdempotencyKeys::Table,
            [IdempotencyKeys::ApiKeyId, IdempotencyKeys::Key],
        )
        .await?;

        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Children before parents; dropping a table drops its indexes.
        drop_table(manager, IdempotencyKeys::Table).await?;
        drop_table(manager, WebhookDeliveries::Table).await?;
        drop_table(manager, WebhookEndpoints::Table).await?;
        drop_table(manager, ApiKeys::Table).await?;
        drop_table(manager, SupportMessages::Table).await?;
        drop_table(manager, SupportThreads::Table).await?;
        drop_table(manager, PushSubscriptions::Table).await?;
        drop_table(manager, MedicalHistoryVersions::Table).await?;
        drop_table(manager, Consents::Table).await?;
        drop_table(manager, Notifications::Table).await
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

/// `customer_id` → `customers(id)`, deleted with the customer.
fn customer_fk<T: IntoIden, C: IntoIden>(
    name: &str,
    table: T,
    column: C,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, column)
        .to(Customers::Table, Customers::Id)
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
    manager.create_index(index(name, table, columns)).await
}

async fn create_unique_index<T, C, const N: usize>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: T,
    columns: [C; N],
) -> Result<(), DbErr>
where
    T: IntoIden,
    C: IntoIden,
{
    manager
        .create_index(index(name, table, columns).unique().to_owned())
        .await
}

fn index<T, C, const N: usize>(name: &str, table: T, columns: [C; N]) -> IndexCreateStatement
where
    T: IntoIden,
    C: IntoIden,
{
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(column);
    }
    index
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
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    CompanyId,
    CustomerId,
    Channel,
    Kind,
    Recipient,
    Subject,
    BodyText,
    BodyHtml,
    Status,
    ProviderId,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    LastError,
    ReadAt,
    CreatedAt,
    SentAt,
    DeliveredAt,
}

#[derive(DeriveIden)]
enum Consents {
    Table,
    Id,
    CompanyId,
    CustomerId,
    Channel,
    Purpose,
    Granted,
    Source,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MedicalHistoryVersions {
    Table,
    Id,
    CompanyId,
    CustomerId,
    Version,
    Ciphertext,
    Nonce,
    KeyId,
    Actor,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PushSubscriptions {
    Table,
    Id,
    CompanyId,
    CustomerId,
    Endpoint,
    #[sea_orm(iden = "p256dh")]
    P256dh,
    Auth,
    UserAgent,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SupportThreads {
    Table,
    Id,
    CompanyId,
    CustomerId,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SupportMessages {
    Table,
    Id,
    CompanyId,
    ThreadId,
    Author,
    AuthorName,
    Body,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    CompanyId,
    BranchId,
    Name,
    Prefix,
    KeyHash,
    Scopes,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    Id,
    CompanyId,
    Url,
    Secret,
    Events,
    Active,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    CompanyId,
    EndpointId,
    Event,
    Payload,
    Status,
    Attempts,
    NextAttemptAt,
    ResponseStatus,
    LastError,
    CreatedAt,
    DeliveredAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Id,
    CompanyId,
    ApiKeyId,
    Key,
    RequestHash,
    ResponseStatus,
    ResponseBody,
    CreatedAt,
}
