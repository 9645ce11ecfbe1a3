//! The item record of a graded attempt (`quiz_attempt_items`, #19): what the quiz statistics need of it, in a
//! narrow table of its own so that reading 100,000 of them never touches the attempts' questions (see the
//! migration `m20261204_000012_attempt_items`). Written with the grade, in the same transaction; never changed.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "quiz_attempt_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub attempt_id: i64,
    pub quiz_id: i64,
    pub user_id: i64,
    /// The attempt's number (1 for a learner's first), for the first-attempts-only default.
    pub number: i32,
    pub submitted_at: ChronoDateTimeUtc,
    /// The compact JSON of `assessment::statistics::read::items_record`.
    pub items: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::quiz_attempt::Entity",
        from = "Column::AttemptId",
        to = "super::quiz_attempt::Column::Id"
    )]
    Attempt,
}

impl Related<super::quiz_attempt::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Attempt.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
