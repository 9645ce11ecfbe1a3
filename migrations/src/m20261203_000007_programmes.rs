//! Training programmes by position (#18): `programme_assignments`, one row per person, programme and cycle.
//!
//! The programmes themselves live in `courses/programmes.toml`, not here: `programme_id` is their id as text,
//! so a programme removed from the file leaves its history readable. A cycle is open while neither
//! `completed_on` nor `withdrawn_on` is set; a completed cycle is never rewritten (later cycles are new rows).
//! The daily pass reads a programme's rows at once (`programme_id`) and finds the open ones across programmes.

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
                    .table("programme_assignments")
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    .col(string_len("programme_id", 100))
                    .col(integer("cycle"))
                    .col(date("assigned_on"))
                    .col(date("due_on"))
                    .col(date_null("completed_on"))
                    .col(date_null("valid_until"))
                    .col(date_null("withdrawn_on"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_programme_assignments_user")
                            .from("programme_assignments", "user_id")
                            .to("users", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        index(manager, "programme_assignments", &["user_id", "programme_id", "cycle"], true).await?;
        index(manager, "programme_assignments", &["programme_id", "user_id"], false).await?;
        index(manager, "programme_assignments", &["completed_on", "withdrawn_on"], false).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("programme_assignments").to_owned()).await
    }
}
