//! Logging in: one generic answer for every failure (unknown account, wrong
//! password, deactivated, locked), the same time spent on each, and a
//! per-account lock after repeated failures. Every attempt is audited.

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

use super::Policy;
use super::password::verify_off_runtime;
use super::session::{self, NewSession};
use crate::entities::user;
use crate::platform::audit::{self, Event};

/// Why a login failed. Deliberately one case: the visitor is never told
/// whether the account exists.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("invalid username or password")]
    Invalid,
    /// The password was right, but only admins may use one here ([`Policy::passwords_for_admins_only`]).
    #[error("local passwords are off for learners and trainers: sign in with single sign-on")]
    LocalPasswordsOff,
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// A successful login.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    pub user: user::Model,
    pub session: NewSession,
}

/// Usernames are compared trimmed and lowercase.
pub fn normalize_username(username: &str) -> String {
    username.trim().to_lowercase()
}

/// Checks the password and opens a session.
pub async fn login(
    db: &DatabaseConnection,
    username: &str,
    password: &str,
    ip: &str,
    policy: &Policy,
) -> Result<LoggedIn, LoginError> {
    let username = normalize_username(username);
    let account = user::Entity::find().filter(user::Column::Username.eq(&username)).one(db).await?;
    let now = Utc::now();
    let fail = |account: Option<&user::Model>, detail: &'static str| {
        let user_id = account.map(|a| a.id);
        let username = username.clone();
        async move {
            audit::record(
                db,
                Event {
                    user_id,
                    actor: &username,
                    action: "login",
                    target: &username,
                    ip,
                    result: "failure",
                    detail,
                },
            )
            .await?;
            tracing::warn!(username, ip, detail, "login failed");
            Err::<LoggedIn, LoginError>(LoginError::Invalid)
        }
    };
    let Some(account) = account else {
        verify_off_runtime(password.to_string(), None).await;
        return fail(None, "unknown account").await;
    };
    if account.locked_until.is_some_and(|until| until > now) {
        verify_off_runtime(password.to_string(), None).await;
        return fail(Some(&account), "account locked").await;
    }
    let matches = verify_off_runtime(password.to_string(), Some(account.password_hash.clone())).await;
    if !account.active {
        return fail(Some(&account), "account deactivated").await;
    }
    if !matches {
        user::Entity::update_many()
            .col_expr(user::Column::FailedLogins, Expr::col(user::Column::FailedLogins).add(1))
            .filter(user::Column::Id.eq(account.id))
            .exec(db)
            .await?;
        let failures = user::Entity::find_by_id(account.id).one(db).await?.map_or(0, |u| u.failed_logins);
        if failures >= policy.lockout_failures as i32 {
            let until =
                now + chrono::Duration::from_std(policy.lockout).unwrap_or(chrono::Duration::minutes(15));
            user::Entity::update_many()
                .col_expr(user::Column::LockedUntil, Expr::value(Some(until)))
                .col_expr(user::Column::FailedLogins, Expr::value(0))
                .filter(user::Column::Id.eq(account.id))
                .exec(db)
                .await?;
            return fail(Some(&account), "wrong password; account locked").await;
        }
        return fail(Some(&account), "wrong password").await;
    }
    user::Entity::update_many()
        .col_expr(user::Column::FailedLogins, Expr::value(0))
        .col_expr(user::Column::LockedUntil, Expr::value(Option::<chrono::DateTime<Utc>>::None))
        .filter(user::Column::Id.eq(account.id))
        .exec(db)
        .await?;
    if policy.passwords_for_admins_only && account.role != user::Role::Admin {
        // Audited like any refused login; the answer differs only because the password was right.
        return match fail(Some(&account), "local passwords are off for learners and trainers").await {
            Err(LoginError::Db(e)) => Err(LoginError::Db(e)),
            _ => Err(LoginError::LocalPasswordsOff),
        };
    }
    let session = session::create(db, account.id, ip, policy).await?;
    audit::record(
        db,
        Event {
            user_id: Some(account.id),
            actor: &account.username,
            action: "login",
            target: &account.username,
            ip,
            result: "success",
            detail: "",
        },
    )
    .await?;
    Ok(LoggedIn { user: account, session })
}
