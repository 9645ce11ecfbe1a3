//! Several servers (#21): `library_fingerprints`, the fingerprint of the course files each running server has
//! loaded, so a server whose copy differs from the others' can say so (its log and `/readyz`).
//!
//! One row per running server process (`server`: host, address and process id), refreshed every half
//! minute (`seen_at`, Unix seconds: compared as numbers on both engines); a row not refreshed for a while
//! belongs to a server that has stopped and is ignored, then deleted.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("library_fingerprints")
                    .col(string_len("server", 200).primary_key())
                    .col(string_len("fingerprint", 64))
                    .col(integer("courses"))
                    .col(big_integer("loaded_at"))
                    .col(big_integer("seen_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("library_fingerprints").to_owned()).await
    }
}
