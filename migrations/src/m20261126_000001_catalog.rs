//! The synced course catalog: one row per course, lesson and quiz found on
//! disk, so enrollments, progress and attempts can hold real foreign keys.
//! Rows are never deleted when a file disappears; they are marked inactive,
//! so learning records that point at them survive edits.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("courses")
                    .col(string_len("id", 100).primary_key())
                    .col(text("title"))
                    .col(text("summary"))
                    .col(integer("hours"))
                    .col(boolean("self_enrol"))
                    .col(string_len("content_hash", 64))
                    .col(boolean("active"))
                    .col(timestamp_with_time_zone("synced_at"))
                    .to_owned(),
            )
            .await?;
        for (table, fk) in [("lessons", "fk_lessons_course"), ("quizzes", "fk_quizzes_course")] {
            manager
                .create_table(
                    Table::create()
                        .table(table)
                        .col(big_pk_auto("id"))
                        .col(string_len("course_id", 100))
                        .col(string_len("slug", 100))
                        .col(integer("position"))
                        .col(text("title"))
                        .col(string_len("content_hash", 64))
                        .col(boolean("active"))
                        .col(timestamp_with_time_zone("synced_at"))
                        .foreign_key(
                            ForeignKey::create()
                                .name(fk)
                                .from(table, "course_id")
                                .to("courses", "id")
                                .on_delete(ForeignKeyAction::Restrict),
                        )
                        .to_owned(),
                )
                .await?;
            manager
                .create_index(
                    Index::create()
                        .name(format!("ux_{table}_course_slug"))
                        .table(table)
                        .col("course_id")
                        .col("slug")
                        .unique()
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["quizzes", "lessons", "courses"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
