//! One cycle of a training programme for one person (`programme_assignments`): open until completed or
//! withdrawn; see [`crate::learning::programmes`].

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programme_assignments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    /// The programme's id in `courses/programmes.toml`.
    pub programme_id: String,
    /// 1 for the first cycle, then one more for each cycle opened again.
    pub cycle: i32,
    pub assigned_on: ChronoDate,
    pub due_on: ChronoDate,
    pub completed_on: Option<ChronoDate>,
    /// `completed_on` plus the programme's validity; none when it never expires.
    pub valid_until: Option<ChronoDate>,
    /// Set when the person no longer matched the programme while the cycle was open.
    pub withdrawn_on: Option<ChronoDate>,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::user::Entity", from = "Column::UserId", to = "super::user::Column::Id")]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
