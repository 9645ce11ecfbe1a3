//! A course certificate (`certificates`): issued on completion, with the name and course title as they were
//! then, and a random verification code anyone may check at `/verify/{code}`. A renewal of a training
//! programme (#18) issues another for the same course; the earlier ones stay, as history.

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
    /// The last day (Viet Nam's date) it is valid; none: it does not expire.
    pub valid_until: Option<ChronoDate>,
    /// The programme whose completed cycle gave `valid_until`; none: no programme counted it, so a first
    /// one sets the validity, while a later one may only lengthen it.
    pub programme_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
