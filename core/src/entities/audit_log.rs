//! One audited event (`audit_log`): who, what, when (UTC), from where, with what result.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: ChronoDateTimeUtc,
    pub user_id: Option<i64>,
    /// The username as typed (for failed logins) or of the acting account.
    pub actor: String,
    pub action: String,
    pub target: String,
    pub ip: String,
    pub result: String,
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
