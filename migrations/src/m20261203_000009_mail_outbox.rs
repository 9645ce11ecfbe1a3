//! Reminders by e-mail (#18): `mail_outbox`, every message the platform sends, and `unit_contacts`, the
//! person who receives a unit's weekly digest.
//!
//! A message is queued once: `dedup_key` (person or unit, programme, cycle and kind) is unique, so queueing the
//! same reminder again, on this server or another, is a no-op. A sender claims rows by setting
//! `claimed_until` (a lease), sends, then sets `sent_at`; a sender killed in between leaves a lease that runs
//! out, and the message is sent again by whoever claims it next: at most the message in flight is repeated.
//! A refused or failed send counts `attempts`, keeps `last_error` and waits until `next_attempt_at`; after the
//! last attempt `failed_at` is set and the row stays for the admin to see.

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
                    .table("mail_outbox")
                    .col(big_pk_auto("id"))
                    .col(string_len("dedup_key", 200))
                    .col(string_len("kind", 40))
                    .col(big_integer_null("user_id"))
                    .col(string_len("to_address", 320))
                    .col(string_len("to_name", 200))
                    .col(string_len("subject", 300))
                    .col(text("body_text"))
                    .col(text("body_html"))
                    .col(timestamp_with_time_zone("queued_at"))
                    .col(integer("attempts").default(0))
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    .col(timestamp_with_time_zone_null("claimed_until"))
                    .col(string_len_null("claimed_by", 100))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .col(timestamp_with_time_zone_null("failed_at"))
                    .col(text_null("last_error"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mail_outbox_user")
                            .from("mail_outbox", "user_id")
                            .to("users", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        index(manager, "mail_outbox", &["dedup_key"], true).await?;
        index(manager, "mail_outbox", &["sent_at", "failed_at", "next_attempt_at"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table("unit_contacts")
                    .col(big_integer("unit_id").primary_key())
                    .col(big_integer("user_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_unit_contacts_unit")
                            .from("unit_contacts", "unit_id")
                            .to("units", "id"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_unit_contacts_user")
                            .from("unit_contacts", "user_id")
                            .to("users", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("unit_contacts").to_owned()).await?;
        manager.drop_table(Table::drop().table("mail_outbox").to_owned()).await
    }
}
