//! What the admin tool's screens need to stay fast with 100,000 accounts.
//!
//! `users.search_key`: the full name and username folded to lowercase ASCII
//! ("Nguyễn Thị Lan" -> "nguyen thi lan lan.nguyen"), so the admin tool can
//! filter a province's worth of accounts without diacritics in SQL, and list
//! them in name order from an index instead of sorting every row.
//!
//! Rows that exist before this migration get an empty key here; the folding
//! lives in `daotao-core` (which depends on this crate), so `core::db::connect`
//! fills empty keys right after migrating.
//!
//! An index on `enrollments.due_date`, for the overdue figures, and one on
//! `users (unit_id, active)`, so counting a unit's active people reads the index alone.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("users").add_column(text("search_key").default("")).to_owned())
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_users_search_key")
                    .table("users")
                    .col("search_key")
                    .col("id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_users_unit_id_active")
                    .table("users")
                    .col("unit_id")
                    .col("active")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_enrollments_due_date")
                    .table("enrollments")
                    .col("due_date")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_users_unit_id_active").table("users").to_owned()).await?;
        manager
            .drop_index(Index::drop().name("ix_enrollments_due_date").table("enrollments").to_owned())
            .await?;
        manager.drop_index(Index::drop().name("ix_users_search_key").table("users").to_owned()).await?;
        manager.alter_table(Table::alter().table("users").drop_column("search_key").to_owned()).await
    }
}
