//! Keeps the database's catalog (`courses`, `lessons`, `quizzes`) in step with
//! the course files, so learning records can point at real rows.
//!
//! Rows are upserted by id and never deleted: a course, lesson or quiz that
//! disappears from disk is marked inactive, and its learning records survive.

use daotao_content::course::{Course, Library};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, TransactionTrait,
};

use crate::entities::{course, lesson, quiz};

/// Syncs every course of `library`, and marks courses missing from it inactive.
pub async fn sync_library(db: &DatabaseConnection, library: &Library) -> Result<(), DbErr> {
    for course in library.courses.values() {
        sync_course(db, course).await?;
    }
    let served: Vec<String> = library.courses.keys().cloned().collect();
    course::Entity::update_many()
        .col_expr(course::Column::Active, Expr::value(false))
        .filter(course::Column::Id.is_not_in(served))
        .exec(db)
        .await?;
    Ok(())
}

/// Upserts one course with its lessons and quizzes, in one transaction.
pub async fn sync_course(db: &DatabaseConnection, c: &Course) -> Result<(), DbErr> {
    let now = chrono::Utc::now();
    let txn = db.begin().await?;
    course::Entity::insert(course::ActiveModel {
        id: Set(c.id.clone()),
        title: Set(c.meta.title.clone()),
        summary: Set(c.meta.summary.clone()),
        hours: Set(c.meta.hours as i32),
        self_enrol: Set(c.meta.self_enrol),
        content_hash: Set(c.content_hash.clone()),
        active: Set(true),
        synced_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(course::Column::Id)
            .update_columns([
                course::Column::Title,
                course::Column::Summary,
                course::Column::Hours,
                course::Column::SelfEnrol,
                course::Column::ContentHash,
                course::Column::Active,
                course::Column::SyncedAt,
            ])
            .to_owned(),
    )
    .exec(&txn)
    .await?;

    for (position, l) in c.lessons.iter().enumerate() {
        lesson::Entity::insert(lesson::ActiveModel {
            id: NotSet,
            course_id: Set(c.id.clone()),
            slug: Set(l.id.clone()),
            position: Set(position as i32 + 1),
            title: Set(l.title.clone()),
            content_hash: Set(l.content_hash.clone()),
            active: Set(true),
            synced_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([lesson::Column::CourseId, lesson::Column::Slug])
                .update_columns([
                    lesson::Column::Position,
                    lesson::Column::Title,
                    lesson::Column::ContentHash,
                    lesson::Column::Active,
                    lesson::Column::SyncedAt,
                ])
                .to_owned(),
        )
        .exec(&txn)
        .await?;
    }
    lesson::Entity::update_many()
        .col_expr(lesson::Column::Active, Expr::value(false))
        .filter(lesson::Column::CourseId.eq(c.id.as_str()))
        .filter(lesson::Column::Slug.is_not_in(c.lessons.iter().map(|l| l.id.clone())))
        .exec(&txn)
        .await?;

    for (position, q) in c.quizzes.iter().enumerate() {
        quiz::Entity::insert(quiz::ActiveModel {
            id: NotSet,
            course_id: Set(c.id.clone()),
            slug: Set(q.id.clone()),
            position: Set(position as i32 + 1),
            title: Set(q.title.clone()),
            content_hash: Set(q.content_hash.clone()),
            active: Set(true),
            synced_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([quiz::Column::CourseId, quiz::Column::Slug])
                .update_columns([
                    quiz::Column::Position,
                    quiz::Column::Title,
                    quiz::Column::ContentHash,
                    quiz::Column::Active,
                    quiz::Column::SyncedAt,
                ])
                .to_owned(),
        )
        .exec(&txn)
        .await?;
    }
    quiz::Entity::update_many()
        .col_expr(quiz::Column::Active, Expr::value(false))
        .filter(quiz::Column::CourseId.eq(c.id.as_str()))
        .filter(quiz::Column::Slug.is_not_in(c.quizzes.iter().map(|q| q.id.clone())))
        .exec(&txn)
        .await?;
    txn.commit().await
}

/// Marks a course (and its lessons and quizzes) inactive: its folder is gone.
pub async fn deactivate_course(db: &DatabaseConnection, id: &str) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    course::Entity::update_many()
        .col_expr(course::Column::Active, Expr::value(false))
        .filter(course::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    lesson::Entity::update_many()
        .col_expr(lesson::Column::Active, Expr::value(false))
        .filter(lesson::Column::CourseId.eq(id))
        .exec(&txn)
        .await?;
    quiz::Entity::update_many()
        .col_expr(quiz::Column::Active, Expr::value(false))
        .filter(quiz::Column::CourseId.eq(id))
        .exec(&txn)
        .await?;
    txn.commit().await
}
