//! Course completion: every active lesson read and, when the course names one, its completion quiz passed.
//! Checked after a lesson is marked read and after an attempt is graded; the moment is recorded once, on the
//! enrollment (`completed_at`), and then the course's competencies are awarded and its certificate issued.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
    TransactionSession, TransactionTrait,
};

use crate::course::Course;
use crate::entities::{enrollment, lesson, quiz, quiz_attempt};

/// Records the completion of `course` by `user_id` if it is due; returns true only the first time.
pub async fn check(
    db: &(impl ConnectionTrait + TransactionTrait),
    user_id: i64,
    course: &Course,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let Some(enrolled) = crate::enrollment::find(db, user_id, &course.id).await? else { return Ok(false) };
    if enrolled.completed_at.is_some() || !all_lessons_read(db, user_id, &course.id).await? {
        return Ok(false);
    }
    if let Some(slug) = &course.meta.completion.quiz
        && !quiz_passed(db, user_id, &course.id, slug.get_ref()).await?
    {
        return Ok(false);
    }
    // Completion, awards and certificate are committed together or not at all.
    let txn = db.begin().await?;
    let updated = enrollment::Entity::update_many()
        .col_expr(enrollment::Column::CompletedAt, Expr::value(now))
        .filter(enrollment::Column::Id.eq(enrolled.id))
        .filter(enrollment::Column::CompletedAt.is_null())
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Ok(false);
    }
    crate::awards::on_completion(&txn, user_id, course, now).await?;
    txn.commit().await?;
    Ok(true)
}

async fn all_lessons_read(db: &impl ConnectionTrait, user_id: i64, course_id: &str) -> Result<bool, DbErr> {
    let active: Vec<String> = lesson::Entity::find()
        .select_only()
        .column(lesson::Column::Slug)
        .filter(lesson::Column::CourseId.eq(course_id))
        .filter(lesson::Column::Active.eq(true))
        .into_tuple()
        .all(db)
        .await?;
    let read = crate::progress::read_lessons(db, user_id, course_id).await?;
    Ok(active.iter().all(|slug| read.contains(slug)))
}

/// Whether any graded attempt at the course's quiz `slug` passed.
pub async fn quiz_passed(
    db: &impl ConnectionTrait,
    user_id: i64,
    course_id: &str,
    slug: &str,
) -> Result<bool, DbErr> {
    let Some(quiz_row) = quiz::Entity::find()
        .filter(quiz::Column::CourseId.eq(course_id))
        .filter(quiz::Column::Slug.eq(slug))
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    let passed = quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::UserId.eq(user_id))
        .filter(quiz_attempt::Column::QuizId.eq(quiz_row.id))
        .filter(quiz_attempt::Column::Passed.eq(true))
        .count(db)
        .await?;
    Ok(passed > 0)
}
