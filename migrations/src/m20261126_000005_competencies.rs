//! Competency awards (each with its evidence: the course, the attempt, the score) and course certificates
//! (with a verification code anyone can check). Both are written once, when a course is completed, and never
//! rewritten: changing a course's mapping later changes only future awards.

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
                    .table("competency_awards")
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    .col(string_len("code", 50))
                    .col(integer("level"))
                    .col(string_len("course_id", 100))
                    .col(big_integer_null("attempt_id"))
                    .col(double_null("score_percent"))
                    .col(timestamp_with_time_zone("awarded_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_competency_awards_user")
                            .from("competency_awards", "user_id")
                            .to("users", "id"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_competency_awards_course")
                            .from("competency_awards", "course_id")
                            .to("courses", "id"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_competency_awards_attempt")
                            .from("competency_awards", "attempt_id")
                            .to("quiz_attempts", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        // A course awards a competency to a person once.
        index(manager, "competency_awards", &["user_id", "code", "course_id"], true).await?;
        index(manager, "competency_awards", &["code", "level"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table("certificates")
                    .col(big_pk_auto("id"))
                    .col(string_len_uniq("code", 32))
                    .col(big_integer("user_id"))
                    .col(string_len("course_id", 100))
                    .col(text("full_name"))
                    .col(text("course_title"))
                    .col(double_null("score_percent"))
                    .col(timestamp_with_time_zone("issued_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_certificates_user")
                            .from("certificates", "user_id")
                            .to("users", "id"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_certificates_course")
                            .from("certificates", "course_id")
                            .to("courses", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        index(manager, "certificates", &["user_id", "course_id"], true).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["certificates", "competency_awards"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
