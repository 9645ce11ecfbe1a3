//! Quiz attempts (each keeps the questions it asked, so editing a quiz never changes a past result) and the
//! moment an enrollment's course was completed.

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
                    .table("quiz_attempts")
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    .col(big_integer("quiz_id"))
                    .col(string_len("course_id", 100))
                    .col(integer("number"))
                    .col(text("questions"))
                    .col(text("answers"))
                    .col(integer("pass_percent"))
                    .col(timestamp_with_time_zone("started_at"))
                    .col(timestamp_with_time_zone_null("deadline"))
                    .col(timestamp_with_time_zone_null("submitted_at"))
                    .col(boolean("closed_by_server"))
                    .col(text_null("marks"))
                    .col(double_null("score"))
                    .col(double("max_score"))
                    .col(double_null("percent"))
                    .col(boolean_null("passed"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_quiz_attempts_user")
                            .from("quiz_attempts", "user_id")
                            .to("users", "id"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_quiz_attempts_quiz")
                            .from("quiz_attempts", "quiz_id")
                            .to("quizzes", "id"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_quiz_attempts_course")
                            .from("quiz_attempts", "course_id")
                            .to("courses", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        // One attempt per number: two tabs starting at once cannot both take the last attempt.
        index(manager, "quiz_attempts", &["user_id", "quiz_id", "number"], true).await?;
        index(manager, "quiz_attempts", &["course_id", "user_id"], false).await?;
        // The sweeper looks for open attempts past their deadline.
        index(manager, "quiz_attempts", &["submitted_at", "deadline"], false).await?;
        manager
            .alter_table(
                Table::alter()
                    .table("enrollments")
                    .add_column(timestamp_with_time_zone_null("completed_at"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("enrollments").drop_column("completed_at").to_owned())
            .await?;
        manager.drop_table(Table::drop().table("quiz_attempts").to_owned()).await
    }
}
