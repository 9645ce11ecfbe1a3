//! The per-address login limit: an address that failed `limit` logins within `window` gets no further try
//! until the oldest of them is older than the window. It counts failures only, so a whole exam room behind one
//! NAT address logging in at 9:00 is never slowed, while one address guessing passwords is. (Lock-outs that
//! stop guessing one account live with the account: `login`.)
//!
//! The failures are kept in the database (`login_failures`), which every server shares: behind a round-robin
//! load balancer a guesser meets one limit, not one per server. The database is already on every login's
//! path (the account is read there), so this adds one indexed read per login and one write per failure, and
//! needs nothing more to run.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entities::login_failure;

/// The limit: failures allowed per address within the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressLimit {
    pub limit: u32,
    pub window: Duration,
}

impl AddressLimit {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self { limit: limit.max(1), window }
    }

    fn window_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::MAX)
    }

    /// If `address` is over the limit at `now`: how long until it may try again (at least a second).
    pub async fn retry_after(
        &self,
        db: &impl ConnectionTrait,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Duration>, DbErr> {
        let recent: Vec<DateTime<Utc>> = login_failure::Entity::find()
            .select_only()
            .column(login_failure::Column::FailedAt)
            .filter(login_failure::Column::Address.eq(address))
            .filter(login_failure::Column::FailedAt.gt(self.window_start(now)))
            .order_by_desc(login_failure::Column::FailedAt)
            .limit(u64::from(self.limit))
            .into_tuple()
            .all(db)
            .await?;
        if recent.len() < self.limit as usize {
            return Ok(None);
        }
        // The oldest of the last `limit` failures: once it leaves the window, one more try is allowed.
        let oldest = recent[recent.len() - 1];
        let free_at = oldest + chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::MAX);
        let wait = (free_at - now).to_std().unwrap_or_default();
        Ok(Some(wait.max(Duration::from_secs(1))))
    }

    /// Counts one failed login from `address` at `now`, and forgets every failure older than the window.
    pub async fn record_failure(
        &self,
        db: &impl ConnectionTrait,
        address: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        login_failure::Entity::delete_many()
            .filter(login_failure::Column::FailedAt.lte(self.window_start(now)))
            .exec(db)
            .await?;
        let failure =
            login_failure::ActiveModel { id: NotSet, address: Set(address.to_string()), failed_at: Set(now) };
        login_failure::Entity::insert(failure).exec_without_returning(db).await?;
        Ok(())
    }
}
