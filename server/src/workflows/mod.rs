//! What the pages and the API both do, written once: each workflow takes the caller and its inputs, does the
//! core calls in order and writes its audit row. Failures stay core errors, which `crate::error` maps to one
//! status for pages and API alike; pages and API stay thin adapters over these.

pub mod account;
pub mod enrolment;
pub mod find;
pub mod progress;
pub mod quiz_statistics;
pub mod session;

use daotao_core::entities::user;
use daotao_core::platform::audit::{self, Event};
use sea_orm::{DatabaseConnection, DbErr};

/// The person a workflow acts for, as the audit log names them.
pub struct Actor<'a> {
    pub user: &'a user::Model,
    /// The client's address as text ([`crate::auth::client_ip`]).
    pub ip: String,
}

impl Actor<'_> {
    /// Writes one audit row: `result` is `success` or `failure`, `detail` the failure in words (or a note).
    async fn record(
        &self,
        db: &DatabaseConnection,
        action: &str,
        target: &str,
        result: &str,
        detail: &str,
    ) -> Result<(), DbErr> {
        let event = Event {
            user_id: Some(self.user.id),
            actor: &self.user.username,
            action,
            target,
            ip: &self.ip,
            result,
            detail,
        };
        audit::record(db, event).await
    }

    /// Writes the audit row of an attempt that may have failed.
    async fn record_outcome<T, E: std::fmt::Display>(
        &self,
        db: &DatabaseConnection,
        action: &str,
        target: &str,
        outcome: &Result<T, E>,
    ) -> Result<(), DbErr> {
        match outcome {
            Ok(_) => self.record(db, action, target, "success", "").await,
            Err(e) => self.record(db, action, target, "failure", &e.to_string()).await,
        }
    }
}
