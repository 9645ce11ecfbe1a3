//! Course completion: every active lesson read and, when the course names one, its completion quiz passed.
//! Checked after a lesson is marked read and after an attempt is graded; the moment is recorded once, on the
//! enrollment (`completed_at`), and then the course's competencies are awarded and its certificate issued.
//!
//! The work is split in two so the write transaction only writes: [`prepare`] reads what a completion would
//! write (the enrollment, the person, the evidence), [`apply`] records it. `apply` decides in the very
//! statement that sets `completed_at` whether every active lesson is read and the quiz passed, so the
//! decision and the write are one atomic step even when a lesson is marked read and the quiz submitted at the
//! same moment (two tabs), and a course is completed once.

use chrono::{DateTime, Utc};
use daotao_content::course::Course;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
    TransactionSession, TransactionTrait,
};

use crate::entities::{enrollment, lesson, lesson_progress, quiz, quiz_attempt, user};
use crate::learning::awards::{Earned, Evidence};

/// A completion that may be due, with everything it would write; see [`prepare`] and [`apply`].
#[derive(Debug, Clone)]
pub struct Pending {
    enrollment_id: i64,
    user_id: i64,
    course_id: String,
    quiz: Option<String>,
    earned: Earned,
}

/// Reads what completing `course` would write for `user_id`: `None` if not enrolled or already complete.
/// `graded` is an attempt being graded in the coming transaction (not stored as graded yet): it is weighed
/// as evidence with the stored passes, which are only read if it is not the first attempt.
pub async fn prepare(
    db: &impl ConnectionTrait,
    user_id: i64,
    course: &Course,
    graded: Option<&quiz_attempt::Model>,
    now: DateTime<Utc>,
) -> Result<Option<Pending>, DbErr> {
    let Some((enrolled, Some(person))) = enrollment::Entity::find()
        .filter(enrollment::Column::UserId.eq(user_id))
        .filter(enrollment::Column::CourseId.eq(&course.id))
        .find_also_related(user::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if enrolled.completed_at.is_some() {
        return Ok(None);
    }
    let stored = match graded {
        Some(a) if a.number <= 1 => None,
        _ => crate::learning::awards::evidence(db, user_id, course).await?,
    };
    let this = graded.filter(|a| a.passed == Some(true)).map(Evidence::of);
    // The best pass counts; of equals the earlier, which is the stored one.
    let evidence = match (stored, this) {
        (Some(s), Some(t)) if t.percent > s.percent => Some(t),
        (s, t) => s.or(t),
    };
    Ok(Some(Pending {
        enrollment_id: enrolled.id,
        user_id,
        course_id: course.id.clone(),
        quiz: course.meta.completion.quiz.as_ref().map(|q| q.get_ref().clone()),
        earned: crate::learning::awards::earned(&person, course, evidence, now),
    }))
}

/// Records `pending` at `now` if it is due (every active lesson read and the quiz passed, as the database
/// says inside `db`'s transaction), with its awards and certificate; true only the first time.
pub async fn apply(db: &impl ConnectionTrait, pending: Pending, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let unread = Query::select()
        .expr(Expr::val(1))
        .from(lesson::Entity)
        .and_where(lesson::Column::CourseId.eq(&pending.course_id))
        .and_where(lesson::Column::Active.eq(true))
        .and_where(
            Expr::exists(
                Query::select()
                    .expr(Expr::val(1))
                    .from(lesson_progress::Entity)
                    .and_where(
                        Expr::col((lesson_progress::Entity, lesson_progress::Column::LessonId))
                            .equals((lesson::Entity, lesson::Column::Id)),
                    )
                    .and_where(lesson_progress::Column::UserId.eq(pending.user_id))
                    .to_owned(),
            )
            .not(),
        )
        .to_owned();
    let mut update = enrollment::Entity::update_many()
        .col_expr(enrollment::Column::CompletedAt, Expr::value(now))
        .filter(enrollment::Column::Id.eq(pending.enrollment_id))
        .filter(enrollment::Column::CompletedAt.is_null())
        .filter(Expr::exists(unread).not());
    if let Some(slug) = &pending.quiz {
        let passed = Query::select()
            .expr(Expr::val(1))
            .from(quiz_attempt::Entity)
            .inner_join(
                quiz::Entity,
                Expr::col((quiz::Entity, quiz::Column::Id))
                    .equals((quiz_attempt::Entity, quiz_attempt::Column::QuizId)),
            )
            .and_where(quiz_attempt::Column::UserId.eq(pending.user_id))
            .and_where(quiz_attempt::Column::Passed.eq(true))
            .and_where(quiz::Column::CourseId.eq(&pending.course_id))
            .and_where(quiz::Column::Slug.eq(slug))
            .to_owned();
        update = update.filter(Expr::exists(passed));
    }
    if update.exec(db).await?.rows_affected != 1 {
        return Ok(false);
    }
    crate::learning::awards::write(db, pending.earned).await?;
    Ok(true)
}

/// Records the completion of `course` by `user_id` if it is due; returns true only the first time.
pub async fn check(
    db: &(impl ConnectionTrait + TransactionTrait),
    user_id: i64,
    course: &Course,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    // Cheap reads first: most calls (a lesson read in the middle of a course) end here without writing.
    let Some(enrolled) = crate::learning::enrollment::find(db, user_id, &course.id).await? else {
        return Ok(false);
    };
    if enrolled.completed_at.is_some() || !all_lessons_read(db, user_id, &course.id).await? {
        return Ok(false);
    }
    if let Some(slug) = &course.meta.completion.quiz
        && !quiz_passed(db, user_id, &course.id, slug.get_ref()).await?
    {
        return Ok(false);
    }
    let Some(pending) = prepare(db, user_id, course, None, now).await? else { return Ok(false) };
    // Completion, awards and certificate are committed together or not at all.
    let txn = db.begin().await?;
    let done = apply(&txn, pending, now).await?;
    txn.commit().await?;
    Ok(done)
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
    let read = crate::learning::progress::read_lessons(db, user_id, course_id).await?;
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
