//! `medical_history_versions`: encrypted medical history; a correction adds a version and keeps the
//! previous ones.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "medical_history_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub customer_id: Uuid,
    /// 1, 2, 3 … per customer; unique, so two concurrent corrections cannot both win.
    pub version: i32,
    /// AES-256-GCM ciphertext including the tag.
    pub ciphertext: Vec<u8>,
    pub nonce: Vec<u8>,
    /// Which key encrypted this version, so keys can rotate.
    pub key_id: String,
    pub actor: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
