//! `login_failures` (#21): failed logins by client address, so that the per-address limit counts the
//! failures every server saw, not each server its own (behind a round-robin load balancer a guesser would
//! otherwise get the limit once per server). Rows older than the window are deleted as new ones come.

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
                    .table("login_failures")
                    .col(big_pk_auto("id"))
                    .col(string_len("address", 64))
                    .col(timestamp_with_time_zone("failed_at"))
                    .to_owned(),
            )
            .await?;
        index(manager, "login_failures", &["address", "failed_at"], false).await?;
        index(manager, "login_failures", &["failed_at"], false).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("login_failures").to_owned()).await
    }
}
