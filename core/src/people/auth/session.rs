//! Sessions in the database, so any number of servers can share them and a
//! logout or deactivation ends them at once. The client holds a random token;
//! the table holds its SHA-256.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};

use super::Policy;
use super::token::{hash_token, random_token};
use crate::entities::user::Provider;
use crate::entities::{session, user};
use crate::platform::group_commit;

/// `last_seen_at` is written at most this often, so reading pages does not write on every request.
const TOUCH_EVERY: chrono::Duration = chrono::Duration::seconds(60);

/// A session just created: the token goes to the client once and is never stored.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// A live session with its account.
#[derive(Debug, Clone)]
pub struct Current {
    pub session: session::Model,
    pub user: user::Model,
}

/// Opens a session for `user_id`.
pub async fn create(
    db: &DatabaseConnection,
    user_id: i64,
    ip: &str,
    policy: &Policy,
) -> Result<NewSession, DbErr> {
    insert(db, user_id, ip, policy, None).await
}

/// Opens a session for `user_id` signed on through a provider, tied to the provider's session handle
/// (`sso_session`: CAS's service ticket, OpenID Connect's `sid`) so the provider's single logout can end it
/// ([`end_for_sso_session`]). Only the handle's SHA-256 is stored, like the token's.
pub async fn create_signed_on(
    db: &DatabaseConnection,
    user_id: i64,
    ip: &str,
    policy: &Policy,
    sso_session: Option<&str>,
) -> Result<NewSession, DbErr> {
    insert(db, user_id, ip, policy, sso_session.map(hash_token)).await
}

async fn insert(
    db: &DatabaseConnection,
    user_id: i64,
    ip: &str,
    policy: &Policy,
    sso_session: Option<String>,
) -> Result<NewSession, DbErr> {
    let now = Utc::now();
    let token = random_token();
    let csrf_token = random_token();
    let expires_at =
        now + chrono::Duration::from_std(policy.session_max).unwrap_or(chrono::Duration::hours(12));
    session::Entity::insert(session::ActiveModel {
        id: NotSet,
        token_hash: Set(hash_token(&token)),
        user_id: Set(user_id),
        csrf_token: Set(csrf_token.clone()),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(expires_at),
        ip: Set(ip.to_string()),
        sso_session: Set(sso_session),
    })
    .exec(db)
    .await?;
    Ok(NewSession { token, csrf_token, expires_at })
}

/// The live session for `token`, if any: not expired (idle or absolute) and
/// of an active account. Expired sessions are deleted when met.
pub async fn lookup(db: &DatabaseConnection, token: &str, policy: &Policy) -> Result<Option<Current>, DbErr> {
    if token.len() != 64 {
        return Ok(None);
    }
    let Some((found, Some(account))) = session::Entity::find()
        .filter(session::Column::TokenHash.eq(hash_token(token)))
        .find_also_related(user::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let now = Utc::now();
    let idle = chrono::Duration::from_std(policy.session_idle).unwrap_or(chrono::Duration::hours(2));
    if found.expires_at <= now || found.last_seen_at + idle <= now || !account.active {
        session::Entity::delete_by_id(found.id).exec(db).await?;
        return Ok(None);
    }
    let mut found = found;
    if now - found.last_seen_at > TOUCH_EVERY {
        let touch = session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, sea_orm::sea_query::Expr::value(now))
            .filter(session::Column::Id.eq(found.id));
        // On SQLite committed with the other writes queued meanwhile: when a crowd that logged in over more
        // than a minute starts an exam, nearly every first request touches its session, and one commit (one
        // `fsync` under the one write lock) each would queue them all behind each other.
        if group_commit::batches(db) {
            group_commit::write(db, move |txn| Box::pin(async move { touch.exec(txn).await })).await?;
        } else {
            touch.exec(db).await?;
        }
        found.last_seen_at = now;
    }
    Ok(Some(Current { session: found, user: account }))
}

/// Ends the session of `token` (logout).
pub async fn end(db: &DatabaseConnection, token: &str) -> Result<(), DbErr> {
    session::Entity::delete_many().filter(session::Column::TokenHash.eq(hash_token(token))).exec(db).await?;
    Ok(())
}

/// Ends every session of an account (deactivation, password reset), except `keep` if given.
pub async fn end_all(db: &DatabaseConnection, user_id: i64, keep: Option<i64>) -> Result<u64, DbErr> {
    let mut delete = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id));
    if let Some(keep) = keep {
        delete = delete.filter(session::Column::Id.ne(keep));
    }
    Ok(delete.exec(db).await?.rows_affected)
}

/// Ends the sessions opened with the provider's session handle `sso_session` (its single logout: CAS names
/// the service ticket as `SessionIndex`, an OpenID Connect logout token carries `sid`). Returns how many.
pub async fn end_for_sso_session(db: &DatabaseConnection, sso_session: &str) -> Result<u64, DbErr> {
    Ok(session::Entity::delete_many()
        .filter(session::Column::SsoSession.eq(hash_token(sso_session)))
        .exec(db)
        .await?
        .rows_affected)
}

/// Ends every session of the account linked to `subject` at `provider` (an OpenID Connect logout token with
/// `sub` but no `sid` means all of that person's sessions). Sessions opened with a password end too: the
/// provider says the person has left, and a shared computer must not stay signed in. Returns how many.
pub async fn end_for_subject(
    db: &DatabaseConnection,
    provider: Provider,
    subject: &str,
) -> Result<u64, DbErr> {
    let Some(user_id) = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::SsoProvider.eq(provider))
        .filter(user::Column::SsoSubject.eq(subject))
        .into_tuple::<i64>()
        .one(db)
        .await?
    else {
        return Ok(0);
    };
    end_all(db, user_id, None).await
}
