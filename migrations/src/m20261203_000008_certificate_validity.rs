//! Certificates that expire (#18): `certificates.valid_until`, the last day a certificate is valid (none: it
//! does not expire), and `certificates.programme_id`, the training programme whose completed cycle gave it
//! that validity (none: no programme has counted it yet). The link tells "valid for good because a programme
//! without expiry counted it" from "never counted", so a later programme never shortens a validity.
//!
//! A renewal issues a second certificate for the same course while the first stays as history, so the
//! unique index on `(user_id, course_id)` becomes a plain one (an index can be dropped on SQLite and
//! PostgreSQL alike; the columns are added one statement each, as SQLite requires).

use sea_orm_migration::{prelude::*, schema::*};

use crate::create_index::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UNIQUE: &str = "ux_certificates_user_id_course_id";
const PLAIN: &str = "ix_certificates_user_id_course_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("certificates").add_column(date_null("valid_until")).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("certificates")
                    .add_column(string_len_null("programme_id", 100))
                    .to_owned(),
            )
            .await?;
        manager.drop_index(Index::drop().name(UNIQUE).table("certificates").to_owned()).await?;
        index(manager, "certificates", &["user_id", "course_id"], false).await
    }

    /// Fails while a person holds two certificates for one course (a renewal was issued): those are history
    /// the earlier schema cannot hold.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(PLAIN).table("certificates").to_owned()).await?;
        index(manager, "certificates", &["user_id", "course_id"], true).await?;
        manager
            .alter_table(Table::alter().table("certificates").drop_column("programme_id").to_owned())
            .await?;
        manager.alter_table(Table::alter().table("certificates").drop_column("valid_until").to_owned()).await
    }
}
