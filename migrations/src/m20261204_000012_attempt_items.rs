//! `quiz_attempt_items` (#19): at grading, each question's bank id, its score and, for a choice question, the
//! bank ids of the options shown, keyed right and picked, as compact JSON, with the few columns the quiz
//! statistics filter on (quiz, learner, attempt number, when submitted). The statistics read this narrow table
//! (about 60 bytes a question) instead of `quiz_attempts`, whose rows hold the questions as asked with all
//! their HTML (kilobytes): in SQLite a column after those is reached only by walking the row's overflow
//! pages, and in PostgreSQL through TOAST, which kept 100,000 attempts well over the two seconds.
//! A graded attempt never changes, so the copy never goes stale. Attempts graded before it have no row
//! here and are read the slow way.

use sea_orm_migration::{prelude::*, schema::*};

use crate::create_index::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("quiz_attempt_items")
                    .col(big_integer("attempt_id").primary_key())
                    .col(big_integer("quiz_id"))
                    .col(big_integer("user_id"))
                    .col(integer("number"))
                    .col(timestamp_with_time_zone("submitted_at"))
                    .col(text("items"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_quiz_attempt_items_attempt")
                            .from("quiz_attempt_items", "attempt_id")
                            .to("quiz_attempts", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(manager, "quiz_attempt_items", &["quiz_id", "number"], false).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("quiz_attempt_items").to_owned()).await
    }
}
