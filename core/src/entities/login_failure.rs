//! One failed login from one client address (`login_failures`): what the per-address limit counts, shared
//! by every server (`people::auth::address_limit`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "login_failures")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The client's address as text (`203.0.113.7`, `2001:db8::1`).
    pub address: String,
    pub failed_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
