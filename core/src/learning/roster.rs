//! Who may see a course's learners, and what they see: trainers assigned to
//! the course and admins get the roster with each learner's progress.
//! Set-based: a handful of queries whatever the number of learners.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait,
};

use crate::entities::user::{self, Role};
use crate::entities::{course_trainer, enrollment, quiz_attempt, unit};

/// Whether `viewer` may see the learners of `course_id`.
pub async fn may_view(
    db: &impl ConnectionTrait,
    viewer: &user::Model,
    course_id: &str,
) -> Result<bool, DbErr> {
    Ok(match viewer.role {
        Role::Admin => true,
        Role::Trainer => {
            course_trainer::Entity::find_by_id((course_id.to_string(), viewer.id)).one(db).await?.is_some()
        }
        Role::Learner => false,
    })
}

/// One learner of a course, with progress.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterLine {
    pub username: String,
    pub full_name: String,
    pub unit: String,
    pub due_date: Option<NaiveDate>,
    pub lessons_read: u32,
    pub lessons_total: u32,
    pub overdue: bool,
    /// Graded quiz attempts in this course, and the best percentage among them.
    pub attempts: u32,
    pub best_percent: Option<f64>,
    pub completed: bool,
}

/// user id, due date, completed at, username, full name, unit name.
type EnrolledRow =
    (i64, Option<NaiveDate>, Option<chrono::DateTime<chrono::Utc>>, String, String, Option<String>);

/// Every learner enrolled in `course_id`, ordered by name.
pub async fn roster(
    db: &impl ConnectionTrait,
    course_id: &str,
    today: NaiveDate,
) -> Result<Vec<RosterLine>, DbErr> {
    let enrolled: Vec<EnrolledRow> = enrollment::Entity::find()
        .select_only()
        .column(enrollment::Column::UserId)
        .column(enrollment::Column::DueDate)
        .column(enrollment::Column::CompletedAt)
        .column(user::Column::Username)
        .column(user::Column::FullName)
        .column(unit::Column::Name)
        .join(JoinType::InnerJoin, enrollment::Relation::User.def())
        .join(JoinType::LeftJoin, user::Relation::Unit.def())
        .filter(enrollment::Column::CourseId.eq(course_id))
        .order_by_asc(user::Column::FullName)
        .into_tuple()
        .all(db)
        .await?;
    let read = crate::learning::progress::lessons_read_per_person(db, course_id, None).await?;
    let total = read.total as u32;
    let scores: Vec<(i64, i64, Option<f64>)> = quiz_attempt::Entity::find()
        .select_only()
        .column(quiz_attempt::Column::UserId)
        .column_as(quiz_attempt::Column::Id.count(), "attempts")
        .column_as(quiz_attempt::Column::Percent.max(), "best")
        .filter(quiz_attempt::Column::CourseId.eq(course_id))
        .filter(quiz_attempt::Column::SubmittedAt.is_not_null())
        .group_by(quiz_attempt::Column::UserId)
        .into_tuple()
        .all(db)
        .await?;
    let scores: HashMap<i64, (u32, Option<f64>)> =
        scores.into_iter().map(|(user, n, best)| (user, (n as u32, best))).collect();
    Ok(enrolled
        .into_iter()
        .map(|(user_id, due_date, completed_at, username, full_name, unit)| {
            let lessons_read = read.of(user_id) as u32;
            let (attempts, best_percent) = scores.get(&user_id).copied().unwrap_or((0, None));
            RosterLine {
                username,
                full_name,
                unit: unit.unwrap_or_default(),
                due_date,
                lessons_read,
                lessons_total: total,
                overdue: due_date.is_some_and(|d| d < today) && completed_at.is_none(),
                attempts,
                best_percent,
                completed: completed_at.is_some(),
            }
        })
        .collect())
}
