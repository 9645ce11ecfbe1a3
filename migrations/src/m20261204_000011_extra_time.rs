//! Extra time as an accommodation (#19, WCAG 2.2.1 "Timing Adjustable"): `users.extra_time_percent`, the share of
//! a quiz's time limit a person gets on top of it (0: none). An admin grants it; the server's deadline for a new
//! attempt honours it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table("users").add_column(integer("extra_time_percent").default(0)).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("users").drop_column("extra_time_percent").to_owned()).await
    }
}
