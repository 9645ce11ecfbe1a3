//! Single sign-on (CAS 3.0, OpenID Connect).
//!
//! `users.sso_provider` and `users.sso_subject`: which provider vouches for an account and its stable id there,
//! unique together (a partial index: most accounts have neither). `sessions.sso_session`: the provider's
//! session handle, so a single-logout request from the provider ends the sessions it opened.
//!
//! `sso_pending`: an OpenID Connect sign-in between the redirect to the provider and the callback, in the
//! database because several servers share it and the callback may reach another server. `sso_spent`: the
//! SHA-256 of every ticket, code and state already used, so a replayed one is refused on any server.
//! Both are pruned by age, hence their time indexes.

use sea_orm_migration::{prelude::*, schema::*};

use crate::create_index::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_user_link(manager).await?;
        // SQLite alters one column per statement.
        manager
            .alter_table(
                Table::alter().table("sessions").add_column(string_len_null("sso_session", 64)).to_owned(),
            )
            .await?;
        index(manager, "sessions", &["sso_session"], false).await?;
        create_pending(manager).await?;
        create_spent(manager).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["sso_spent", "sso_pending"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        manager
            .drop_index(Index::drop().name("ix_sessions_sso_session").table("sessions").to_owned())
            .await?;
        manager.alter_table(Table::alter().table("sessions").drop_column("sso_session").to_owned()).await?;
        manager
            .drop_index(Index::drop().name("ux_users_sso_provider_sso_subject").table("users").to_owned())
            .await?;
        for column in ["sso_subject", "sso_provider"] {
            manager.alter_table(Table::alter().table("users").drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

/// The provider and subject of an account, one account per subject.
async fn add_user_link(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table("users").add_column(string_len_null("sso_provider", 10)).to_owned())
        .await?;
    manager
        .alter_table(Table::alter().table("users").add_column(text_null("sso_subject")).to_owned())
        .await?;
    manager
        .create_index(
            Index::create()
                .name("ux_users_sso_provider_sso_subject")
                .table("users")
                .col("sso_provider")
                .col("sso_subject")
                .unique()
                .and_where(Expr::col("sso_subject").is_not_null())
                .to_owned(),
        )
        .await
}

/// OpenID Connect sign-ins waiting for their callback, by state.
async fn create_pending(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table("sso_pending")
                .col(text("state").primary_key())
                .col(text("nonce"))
                .col(text("code_verifier"))
                .col(text("next_path"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
    index(manager, "sso_pending", &["created_at"], false).await
}

/// Hashes of single-use values already used.
async fn create_spent(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table("sso_spent")
                .col(string_len("hash", 64).primary_key())
                .col(timestamp_with_time_zone("spent_at"))
                .to_owned(),
        )
        .await?;
    index(manager, "sso_spent", &["spent_at"], false).await
}
