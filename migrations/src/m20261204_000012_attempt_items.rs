//! `quiz_attempts.items` (#19): at grading, each question's bank id, its score and, for a choice question, the
//! bank ids of the options shown, keyed right and picked, as compact JSON. The quiz statistics read this
//! (about 60 bytes a question) instead of the questions as asked with all their HTML (kilobytes), which keeps
//! 100,000 attempts under the two seconds. Null for attempts graded before it, which the statistics
//! still read the slow way.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("quiz_attempts").add_column(text_null("items")).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("quiz_attempts").drop_column("items").to_owned()).await
    }
}
