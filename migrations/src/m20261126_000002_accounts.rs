//! Accounts and learning records: units, users, sessions, enrollments,
//! lesson progress, trainers' course assignments and the audit log.

use sea_orm_migration::{prelude::*, schema::*};

use crate::create_index::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_units(manager).await?;
        create_users(manager).await?;
        create_sessions(manager).await?;
        create_enrollments(manager).await?;
        create_lesson_progress(manager).await?;
        create_course_trainers(manager).await?;
        create_audit_log(manager).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in
            ["audit_log", "course_trainers", "lesson_progress", "enrollments", "sessions", "users", "units"]
        {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

/// The organisation tree: each unit under its parent.
async fn create_units(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table("units")
                .col(big_pk_auto("id"))
                .col(string_len_uniq("code", 50))
                .col(text("name"))
                .col(big_integer_null("parent_id"))
                .foreign_key(
                    ForeignKey::create().name("fk_units_parent").from("units", "parent_id").to("units", "id"),
                )
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Accounts, each in a unit, with an index on the unit.
async fn create_users(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table("users")
                .col(big_pk_auto("id"))
                .col(string_len_uniq("username", 100))
                .col(text("full_name"))
                .col(text_null("email"))
                .col(big_integer_null("unit_id"))
                .col(text("position"))
                .col(string_len("role", 20))
                .col(text("password_hash"))
                .col(boolean("must_change_password"))
                .col(boolean("active"))
                .col(integer("failed_logins"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create().name("fk_users_unit").from("users", "unit_id").to("units", "id"),
                )
                .to_owned(),
        )
        .await?;
    index(manager, "users", &["unit_id"], false).await?;
    Ok(())
}

/// Login sessions, deleted with their user, with an index on the user.
async fn create_sessions(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table("sessions")
                .col(big_pk_auto("id"))
                .col(string_len_uniq("token_hash", 64))
                .col(big_integer("user_id"))
                .col(string_len("csrf_token", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("last_seen_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(text("ip"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_sessions_user")
                        .from("sessions", "user_id")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
    index(manager, "sessions", &["user_id"], false).await?;
    Ok(())
}

/// Who is enrolled in which course (once each), with an index on the course.
async fn create_enrollments(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table("enrollments")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(string_len("course_id", 100))
                .col(date_null("due_date"))
                .col(big_integer_null("enrolled_by"))
                .col(timestamp_with_time_zone("enrolled_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_enrollments_user")
                        .from("enrollments", "user_id")
                        .to("users", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_enrollments_course")
                        .from("enrollments", "course_id")
                        .to("courses", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_enrollments_by")
                        .from("enrollments", "enrolled_by")
                        .to("users", "id"),
                )
                .to_owned(),
        )
        .await?;
    index(manager, "enrollments", &["user_id", "course_id"], true).await?;
    index(manager, "enrollments", &["course_id"], false).await?;
    Ok(())
}

/// The lessons each learner has read (once each).
async fn create_lesson_progress(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table("lesson_progress")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(big_integer("lesson_id"))
                .col(timestamp_with_time_zone("read_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_progress_user")
                        .from("lesson_progress", "user_id")
                        .to("users", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_progress_lesson")
                        .from("lesson_progress", "lesson_id")
                        .to("lessons", "id"),
                )
                .to_owned(),
        )
        .await?;
    index(manager, "lesson_progress", &["user_id", "lesson_id"], true).await?;
    Ok(())
}

/// The trainers assigned to each course.
async fn create_course_trainers(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table("course_trainers")
                .col(string_len("course_id", 100))
                .col(big_integer("user_id"))
                .primary_key(Index::create().col("course_id").col("user_id"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_trainers_course")
                        .from("course_trainers", "course_id")
                        .to("courses", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_trainers_user")
                        .from("course_trainers", "user_id")
                        .to("users", "id"),
                )
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// The audit log, with an index on its time.
async fn create_audit_log(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table("audit_log")
                .col(big_pk_auto("id"))
                .col(timestamp_with_time_zone("at"))
                .col(big_integer_null("user_id"))
                .col(text("actor"))
                .col(string_len("action", 50))
                .col(text("target"))
                .col(text("ip"))
                .col(string_len("result", 20))
                .col(text("detail"))
                .to_owned(),
        )
        .await?;
    index(manager, "audit_log", &["at"], false).await?;
    Ok(())
}
