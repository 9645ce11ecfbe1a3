//! A published feedback answer (`feedback_responses`, #19): no person, no time but the month; the only rows
//! results read.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "feedback_responses")]
pub struct Model {
    /// Random (32 hex digits), never a sequence: ids must not follow the order answers came in.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub course_id: String,
    /// `YYYY-MM` in Viet Nam's time: the period filter needs no more, and an exact time could name the person.
    pub month: String,
    /// The learner's unit when they answered, for the by-unit view.
    pub unit_id: Option<i64>,
    /// `item-id=score` pairs joined by `,` (see `learning::feedback::Scores`).
    pub scores: String,
    pub comment: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
