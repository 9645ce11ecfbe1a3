//! The audit trail (`audit_log`): logins, logouts, password changes,
//! enrollments... with UTC time, account, source address and result.
//! Never a password.

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

use crate::entities::audit_log;

/// One event to record.
#[derive(Debug, Clone, Default)]
pub struct Event<'a> {
    pub user_id: Option<i64>,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub ip: &'a str,
    pub result: &'a str,
    pub detail: &'a str,
}

/// Appends `event` to the audit log.
pub async fn record(db: &impl ConnectionTrait, event: Event<'_>) -> Result<(), DbErr> {
    audit_log::Entity::insert(audit_log::ActiveModel {
        id: NotSet,
        at: Set(chrono::Utc::now()),
        user_id: Set(event.user_id),
        actor: Set(event.actor.to_string()),
        action: Set(event.action.to_string()),
        target: Set(event.target.to_string()),
        ip: Set(event.ip.to_string()),
        result: Set(event.result.to_string()),
        detail: Set(event.detail.to_string()),
    })
    .exec(db)
    .await?;
    Ok(())
}
