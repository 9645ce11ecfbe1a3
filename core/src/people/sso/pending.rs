//! OpenID Connect sign-ins between the redirect to the provider and the callback. Kept in the database, not
//! in memory, because several servers share one database and the callback may reach another server than the
//! redirect did. Each is taken once, and only within [`LIFETIME`].

use chrono::Utc;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::entities::sso_pending;

/// How long a person has at the provider before the sign-in is forgotten.
pub const LIFETIME: chrono::Duration = chrono::Duration::minutes(10);

/// A sign-in waiting for its callback. `nonce` and `code_verifier` are secrets: `Debug` leaves them out.
#[derive(Clone, PartialEq, Eq)]
pub struct Pending {
    /// The `state` parameter, which the callback brings back.
    pub state: String,
    pub nonce: String,
    /// PKCE's verifier, sent with the code.
    pub code_verifier: String,
    /// Where the person goes once signed in (a path on this site, checked by the server).
    pub next_path: String,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending").field("state", &self.state).field("next_path", &self.next_path).finish()
    }
}

/// Records a sign-in before the redirect; now and then forgets the ones never come back.
pub async fn save(db: &impl ConnectionTrait, pending: &Pending) -> Result<(), DbErr> {
    let now = Utc::now();
    sso_pending::Entity::insert(sso_pending::ActiveModel {
        state: Set(pending.state.clone()),
        nonce: Set(pending.nonce.clone()),
        code_verifier: Set(pending.code_verifier.clone()),
        next_path: Set(pending.next_path.clone()),
        created_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    if now_and_then() {
        prune(db, now).await?;
    }
    Ok(())
}

/// Takes the sign-in of `state` and deletes it: `None` if unknown, already taken or older than [`LIFETIME`].
/// The delete decides: of two takes of one state at once, on any servers, only one gets it.
pub async fn take(db: &impl ConnectionTrait, state: &str) -> Result<Option<Pending>, DbErr> {
    let Some(found) = sso_pending::Entity::find_by_id(state.to_string()).one(db).await? else {
        return Ok(None);
    };
    let deleted = sso_pending::Entity::delete_many()
        .filter(sso_pending::Column::State.eq(state))
        .exec(db)
        .await?
        .rows_affected;
    if deleted == 0 || found.created_at + LIFETIME <= Utc::now() {
        return Ok(None);
    }
    Ok(Some(Pending {
        state: found.state,
        nonce: found.nonce,
        code_verifier: found.code_verifier,
        next_path: found.next_path,
    }))
}

/// Forgets sign-ins older than [`LIFETIME`] at `now`.
async fn prune(db: &impl ConnectionTrait, now: chrono::DateTime<Utc>) -> Result<u64, DbErr> {
    Ok(sso_pending::Entity::delete_many()
        .filter(sso_pending::Column::CreatedAt.lt(now - LIFETIME))
        .exec(db)
        .await?
        .rows_affected)
}

/// True once in about 64 calls: old rows are pruned by the writes themselves, without a background job that
/// several servers would all run, at a cost spread thin.
pub(super) fn now_and_then() -> bool {
    rand::random_ratio(1, 64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn abandoned_sign_ins_are_forgotten_after_their_lifetime() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::platform::db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display()))
            .await
            .unwrap();
        let pending = |state: &str| Pending {
            state: state.into(),
            nonce: "n".into(),
            code_verifier: "v".into(),
            next_path: "/".into(),
        };
        save(&db, &pending("a")).await.unwrap();
        save(&db, &pending("b")).await.unwrap();
        assert_eq!(prune(&db, Utc::now()).await.unwrap(), 0);
        assert_eq!(prune(&db, Utc::now() + LIFETIME + chrono::Duration::seconds(1)).await.unwrap(), 2);
        assert_eq!(take(&db, "a").await.unwrap(), None);
    }

    #[test]
    fn debug_leaves_the_secrets_out() {
        let p = Pending {
            state: "s".into(),
            nonce: "bi-mat-nonce".into(),
            code_verifier: "bi-mat-verifier".into(),
            next_path: "/courses".into(),
        };
        let shown = format!("{p:?}");
        assert!(shown.contains("/courses") && !shown.contains("bi-mat"), "{shown}");
    }
}
