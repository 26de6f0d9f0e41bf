//! `support_messages`: one message in a support thread.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "support_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub thread_id: Uuid,
    /// `customer` | `staff`.
    pub author: String,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: DateTimeUtc,
    /// When the other side read it.
    pub read_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::support_threads::Entity",
        from = "Column::ThreadId",
        to = "super::support_threads::Column::Id",
        on_delete = "Cascade"
    )]
    SupportThreads,
}

impl Related<super::support_threads::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SupportThreads.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
