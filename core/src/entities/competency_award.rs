//! A competency awarded to a person by completing a course (`competency_awards`), with its evidence.
//! A person's level in a competency is the highest level awarded: a higher award supersedes a lower one.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "competency_awards")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub code: String,
    pub level: i32,
    pub course_id: String,
    /// The passing attempt at the completion quiz, when the course has one.
    pub attempt_id: Option<i64>,
    pub score_percent: Option<f64>,
    pub awarded_at: ChronoDateTimeUtc,
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
