//! A course certificate (`certificates`): issued once on completion, with the name and course title as they
//! were then, and a random verification code anyone may check at `/verify/{code}`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "certificates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub code: String,
    pub user_id: i64,
    pub course_id: String,
    pub full_name: String,
    pub course_title: String,
    pub score_percent: Option<f64>,
    pub issued_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
