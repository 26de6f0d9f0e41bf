//! `appointments`: a booked slot of one service with one staff member at one branch.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appointments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub branch_id: Uuid,
    pub staff_id: Uuid,
    pub service_id: Uuid,
    pub customer_id: Uuid,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// `booked` | `confirmed` | `cancelled` | `completed` | `no_show`.
    pub status: String,
    /// `phone_assistant` | `integrator` | `portal` | `staff`.
    pub source: String,
    /// The integrator's own id for this appointment.
    pub external_ref: Option<String>,
    pub notes: Option<String>,
    pub cancel_reason: Option<String>,
    /// Actor that cancelled (same vocabulary as `appointment_events.actor`).
    pub cancelled_by: Option<String>,
    pub cancelled_at: Option<DateTimeUtc>,
    /// Optimistic concurrency: every update matches on it and raises it by one.
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::branches::Entity",
        from = "Column::BranchId",
        to = "super::branches::Column::Id"
    )]
    Branches,
    #[sea_orm(
        belongs_to = "super::staff::Entity",
        from = "Column::StaffId",
        to = "super::staff::Column::Id"
    )]
    Staff,
    #[sea_orm(
        belongs_to = "super::services::Entity",
        from = "Column::ServiceId",
        to = "super::services::Column::Id"
    )]
    Services,
}

impl Related<super::branches::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Branches.def()
    }
}

impl Related<super::staff::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Staff.def()
    }
}

impl Related<super::services::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Services.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
