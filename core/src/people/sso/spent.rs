//! Single-use values (CAS tickets, authorization codes, states) used once on any server: the database holds
//! the SHA-256 of each one spent, so a replay reaching another server is refused too, and a leaked table holds
//! no usable value.

use chrono::Utc;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, TryInsertResult};

use crate::entities::sso_spent;
use crate::people::auth::token::hash_token;

/// How long a spent value is remembered: far longer than any provider lets a ticket or code live.
const REMEMBERED: chrono::Duration = chrono::Duration::days(2);

/// Marks `value` of `kind` (e.g. `"cas-ticket"`, `"oidc-code"`) spent: true the first time, false ever after
/// (within [`REMEMBERED`]). The insert itself decides, so two servers racing with one value get one true.
pub async fn spend_once(db: &impl ConnectionTrait, kind: &str, value: &str) -> Result<bool, DbErr> {
    let now = Utc::now();
    // The kind is part of the hash: a code and a state with the same text are different values.
    let row =
        sso_spent::ActiveModel { hash: Set(hash_token(&format!("{kind}\n{value}"))), spent_at: Set(now) };
    let inserted = sso_spent::Entity::insert(row)
        .on_conflict_do_nothing_on([sso_spent::Column::Hash])
        .exec_without_returning(db)
        .await?;
    if super::pending::now_and_then() {
        prune(db, now).await?;
    }
    Ok(matches!(inserted, TryInsertResult::Inserted(n) if n > 0))
}

/// Forgets values spent longer ago than [`REMEMBERED`].
async fn prune(db: &impl ConnectionTrait, now: chrono::DateTime<Utc>) -> Result<u64, DbErr> {
    Ok(sso_spent::Entity::delete_many()
        .filter(sso_spent::Column::SpentAt.lt(now - REMEMBERED))
        .exec(db)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests {
    use sea_orm::PaginatorTrait;

    use super::*;

    #[tokio::test]
    async fn values_older_than_two_days_are_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::platform::db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display()))
            .await
            .unwrap();
        assert!(spend_once(&db, "cas-ticket", "ST-1").await.unwrap());
        assert!(spend_once(&db, "cas-ticket", "ST-2").await.unwrap());
        let later = Utc::now() + REMEMBERED + chrono::Duration::minutes(1);
        assert_eq!(prune(&db, Utc::now()).await.unwrap(), 0, "recent values stay");
        assert_eq!(prune(&db, later).await.unwrap(), 2);
        assert_eq!(sso_spent::Entity::find().count(&db).await.unwrap(), 0);
    }
}
