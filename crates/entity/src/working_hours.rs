//! `working_hours`: a weekly shift of a staff member at a branch, in the branch's wall-clock time.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "working_hours")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub staff_id: Uuid,
    pub branch_id: Uuid,
    /// ISO weekday: 1 = Monday .. 7 = Sunday.
    pub weekday: i16,
    /// "HH:MM" in the branch's zone; kept local so the shift stays put across DST changes.
    pub start_local: String,
    /// "HH:MM" in the branch's zone.
    pub end_local: String,
    /// First day (inclusive) the shift applies; `None` means always.
    pub valid_from: Option<Date>,
    /// Last day (inclusive) the shift applies; `None` means open-ended.
    pub valid_until: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::staff::Entity",
        from = "Column::StaffId",
        to = "super::staff::Column::Id",
        on_delete = "Cascade"
    )]
    Staff,
    #[sea_orm(
        belongs_to = "super::branches::Entity",
        from = "Column::BranchId",
        to = "super::branches::Column::Id",
        on_delete = "Cascade"
    )]
    Branches,
}

impl Related<super::staff::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Staff.def()
    }
}

impl Related<super::branches::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Branches.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
