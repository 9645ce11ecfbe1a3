//! One e-mail in the outbox (`mail_outbox`): queued once under its `dedup_key`, claimed by one sender at a
//! time, then sent or, after the last attempt, failed; see [`crate::mail`].

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Who, what and which cycle or week: the same reminder is never queued twice.
    #[sea_orm(unique)]
    pub dedup_key: String,
    pub kind: String,
    pub user_id: Option<i64>,
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub queued_at: ChronoDateTimeUtc,
    pub attempts: i32,
    pub next_attempt_at: ChronoDateTimeUtc,
    /// A sender's lease: until then no other sender takes the message.
    pub claimed_until: Option<ChronoDateTimeUtc>,
    pub claimed_by: Option<String>,
    pub sent_at: Option<ChronoDateTimeUtc>,
    /// Set after the last attempt failed; the message is not tried again.
    pub failed_at: Option<ChronoDateTimeUtc>,
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
