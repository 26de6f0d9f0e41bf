//! `appointment_events`: the append-only history of an appointment.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appointment_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub appointment_id: Uuid,
    /// `created` | `rescheduled` | `cancelled` | `status_changed`.
    pub kind: String,
    /// Who acted: customer, staff, integrator, phone assistant, system.
    pub actor: String,
    /// Id of the acting customer, staff member or API key, when there is one.
    pub actor_id: Option<String>,
    /// Start before a reschedule.
    pub from_starts_at: Option<DateTimeUtc>,
    /// Start after a reschedule (or at creation).
    pub to_starts_at: Option<DateTimeUtc>,
    pub reason: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::appointments::Entity",
        from = "Column::AppointmentId",
        to = "super::appointments::Column::Id",
        on_delete = "Cascade"
    )]
    Appointments,
}

impl Related<super::appointments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Appointments.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
