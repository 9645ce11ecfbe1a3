//! Course feedback (#19), stored so that nobody, not even an admin with SQL, can tell whose answer is whose.
//!
//! - `feedback_answered` says only that a person answered a course: no time, no link to an answer.
//! - `feedback_pending` is the pool answers wait in until at least five of a course are there; then all of them
//!   move to `feedback_responses` at once, in random order and with new random ids.
//! - `feedback_responses` is what results read: no person, only the month (for the period filter), the unit
//!   (for the by-unit view), the scores by item id and the comment.
//!
//! Ids are random text, never a sequence; the SQLite tables are `WITHOUT ROWID` so no hidden rowid keeps the
//! order of insertion. The rest of the design (one transaction per answer, the PostgreSQL `xmin` and `ctid`) is
//! `daotao_core::learning::feedback`'s and `docs/course-feedback.md`'s.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE: &[&str] = &[
    "CREATE TABLE feedback_answered (
        course_id VARCHAR(100) NOT NULL REFERENCES courses (id),
        user_id INTEGER NOT NULL REFERENCES users (id),
        PRIMARY KEY (course_id, user_id)
    ) WITHOUT ROWID",
    "CREATE TABLE feedback_pending (
        id VARCHAR(32) NOT NULL PRIMARY KEY,
        course_id VARCHAR(100) NOT NULL REFERENCES courses (id),
        month VARCHAR(7) NOT NULL,
        unit_id INTEGER NULL REFERENCES units (id),
        scores TEXT NOT NULL,
        comment TEXT NOT NULL
    ) WITHOUT ROWID",
    "CREATE TABLE feedback_responses (
        id VARCHAR(32) NOT NULL PRIMARY KEY,
        course_id VARCHAR(100) NOT NULL REFERENCES courses (id),
        month VARCHAR(7) NOT NULL,
        unit_id INTEGER NULL REFERENCES units (id),
        scores TEXT NOT NULL,
        comment TEXT NOT NULL
    ) WITHOUT ROWID",
    "CREATE INDEX ix_feedback_pending_course ON feedback_pending (course_id)",
    "CREATE INDEX ix_feedback_responses_course_month ON feedback_responses (course_id, month)",
];

const POSTGRES: &[&str] = &[
    "CREATE TABLE feedback_answered (
        course_id VARCHAR(100) NOT NULL REFERENCES courses (id),
        user_id BIGINT NOT NULL REFERENCES users (id),
        PRIMARY KEY (course_id, user_id)
    )",
    "CREATE TABLE feedback_pending (
        id VARCHAR(32) NOT NULL PRIMARY KEY,
        course_id VARCHAR(100) NOT NULL REFERENCES courses (id),
        month VARCHAR(7) NOT NULL,
        unit_id BIGINT NULL REFERENCES units (id),
        scores TEXT NOT NULL,
        comment TEXT NOT NULL
    )",
    "CREATE TABLE feedback_responses (
        id VARCHAR(32) NOT NULL PRIMARY KEY,
        course_id VARCHAR(100) NOT NULL REFERENCES courses (id),
        month VARCHAR(7) NOT NULL,
        unit_id BIGINT NULL REFERENCES units (id),
        scores TEXT NOT NULL,
        comment TEXT NOT NULL
    )",
    "CREATE INDEX ix_feedback_pending_course ON feedback_pending (course_id)",
    "CREATE INDEX ix_feedback_responses_course_month ON feedback_responses (course_id, month)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements = match db.get_database_backend() {
            DbBackend::Postgres => POSTGRES,
            _ => SQLITE,
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["feedback_responses", "feedback_pending", "feedback_answered"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
