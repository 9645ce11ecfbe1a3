//! An answer waiting in the pool until at least five of its course are there (`feedback_pending`, #19); then
//! it moves to `feedback_responses` with the others, in random order, under a new random id.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "feedback_pending")]
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
