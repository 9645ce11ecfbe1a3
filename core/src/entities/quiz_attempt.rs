//! One attempt at a quiz (`quiz_attempts`). `questions` is the JSON of the questions asked, keys included, so
//! the attempt is graded and reviewed the same way whatever later happens to the quiz file; `answers` the JSON
//! of the answers saved so far.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "quiz_attempts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub quiz_id: i64,
    pub course_id: String,
    /// 1 for a learner's first attempt at this quiz, 2 for the next, ...
    pub number: i32,
    pub questions: String,
    pub answers: String,
    pub pass_percent: i32,
    pub started_at: ChronoDateTimeUtc,
    pub deadline: Option<ChronoDateTimeUtc>,
    pub submitted_at: Option<ChronoDateTimeUtc>,
    /// True when the server closed the attempt at its deadline (the learner never submitted).
    pub closed_by_server: bool,
    /// JSON array of the marks per question, in the order asked.
    pub marks: Option<String>,
    pub score: Option<f64>,
    pub max_score: f64,
    pub percent: Option<f64>,
    pub passed: Option<bool>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::quiz::Entity", from = "Column::QuizId", to = "super::quiz::Column::Id")]
    Quiz,
    #[sea_orm(belongs_to = "super::user::Entity", from = "Column::UserId", to = "super::user::Column::Id")]
    User,
}

impl Related<super::quiz::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Quiz.def()
    }
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
