//! Creating accounts and setting passwords: shared by the admin commands,
//! imports and the web pages.

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
};

use crate::entities::unit;
use crate::entities::user::{self, Provider, Role};
use crate::people::auth::login::normalize_username;
use crate::people::auth::password::{self, WeakPassword};
use crate::people::auth::{session, token};

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub unit_code: Option<String>,
    pub position: String,
    pub role: Role,
    /// `None`: a one-time password is generated and must be changed at first login.
    pub password: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(
        "username `{0}` is not valid: use 3 to 100 lowercase letters, digits, dots, hyphens or underscores"
    )]
    BadUsername(String),
    #[error("username `{0}` is already taken")]
    Taken(String),
    #[error("no unit with code `{0}`")]
    UnknownUnit(String),
    #[error("no account `{0}`")]
    UnknownUser(String),
    #[error("the current password is wrong")]
    WrongPassword,
    #[error(transparent)]
    Weak(#[from] WeakPassword),
    #[error("extra time of {0}% is more than the {MAX_EXTRA_TIME_PERCENT}% allowed")]
    ExtraTimeTooLarge(u32),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// The most extra time an admin may grant: triple the time limit. More is a mistake (a typo of 50 as 500), and
/// an attempt that stays open for hours keeps its questions on a shared screen.
pub const MAX_EXTRA_TIME_PERCENT: u32 = 200;

/// Usernames are ASCII so they can be typed on any keyboard.
pub fn is_valid_username(username: &str) -> bool {
    (3..=100).contains(&username.len())
        && username.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// Creates an account; returns it and the one-time password if one was generated.
pub async fn add_user(
    db: &impl ConnectionTrait,
    new: NewUser,
) -> Result<(user::Model, Option<String>), AccountError> {
    let username = normalize_username(&new.username);
    if !is_valid_username(&username) {
        return Err(AccountError::BadUsername(new.username));
    }
    if user::Entity::find().filter(user::Column::Username.eq(&username)).one(db).await?.is_some() {
        return Err(AccountError::Taken(username));
    }
    let unit_id = match &new.unit_code {
        Some(code) => Some(
            unit::Entity::find()
                .filter(unit::Column::Code.eq(code.trim()))
                .one(db)
                .await?
                .ok_or_else(|| AccountError::UnknownUnit(code.clone()))?
                .id,
        ),
        None => None,
    };
    let (password, one_time) = choose_password(&username, new.password)?;
    let hash = password::hash_off_runtime(password).await;
    let row = AccountRow {
        username,
        full_name: new.full_name,
        email: new.email,
        unit_id,
        position: new.position,
        role: new.role,
        must_change_password: one_time.is_some(),
    };
    let model = row.into_active_model(hash, chrono::Utc::now()).insert(db).await?;
    Ok((model, one_time))
}

/// The password to set: the one given (if strong enough), or a generated
/// one-time password, also returned so it can be handed to the person once.
fn choose_password(username: &str, given: Option<String>) -> Result<(String, Option<String>), AccountError> {
    match given {
        Some(p) => {
            password::check_strength(username, &p)?;
            Ok((p, None))
        }
        None => {
            let p = token::one_time_password();
            Ok((p.clone(), Some(p)))
        }
    }
}

/// The columns of a new account, checked already; the one place a `users` row is built,
/// for `add_user` and for imports alike.
#[derive(Debug, Clone)]
pub struct AccountRow {
    /// Already normalised ([`normalize_username`]) and valid.
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub unit_id: Option<i64>,
    pub position: String,
    pub role: Role,
    pub must_change_password: bool,
}

impl AccountRow {
    /// The row to insert, with text trimmed and NFC-normalised.
    pub fn into_active_model(
        self,
        password_hash: String,
        now: chrono::DateTime<chrono::Utc>,
    ) -> user::ActiveModel {
        let full_name = daotao_content::text::nfc(self.full_name.trim());
        user::ActiveModel {
            id: NotSet,
            search_key: Set(crate::people::search_key::search_key(&full_name, &self.username)),
            username: Set(self.username),
            full_name: Set(full_name),
            email: Set(self.email.map(|e| e.trim().to_string()).filter(|e| !e.is_empty())),
            unit_id: Set(self.unit_id),
            position: Set(daotao_content::text::nfc(self.position.trim())),
            role: Set(self.role),
            password_hash: Set(password_hash),
            must_change_password: Set(self.must_change_password),
            active: Set(true),
            failed_logins: Set(0),
            locked_until: Set(None),
            created_at: Set(now),
            sso_provider: Set(None),
            sso_subject: Set(None),
            extra_time_percent: Set(0),
        }
    }

    /// The row of an account that signs on through `provider` as `subject`: no local password (an empty hash
    /// never verifies) and nothing to change at first sign-in.
    pub fn into_signed_on_model(
        self,
        provider: Provider,
        subject: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> user::ActiveModel {
        let mut model = Self { must_change_password: false, ..self }.into_active_model(String::new(), now);
        model.sso_provider = Set(Some(provider));
        model.sso_subject = Set(Some(subject.to_string()));
        model
    }
}

/// An admin sets (or resets) a password. `None` generates a one-time password,
/// returned, that must be changed at first login. Every session of the account ends.
pub async fn set_password(
    db: &DatabaseConnection,
    username: &str,
    new_password: Option<String>,
) -> Result<Option<String>, AccountError> {
    let username = normalize_username(username);
    let account = user::Entity::find()
        .filter(user::Column::Username.eq(&username))
        .one(db)
        .await?
        .ok_or_else(|| AccountError::UnknownUser(username.clone()))?;
    let (password, one_time) = choose_password(&username, new_password)?;
    let hash = password::hash_off_runtime(password).await;
    let mut model: user::ActiveModel = account.clone().into();
    model.password_hash = Set(hash);
    model.must_change_password = Set(one_time.is_some());
    model.failed_logins = Set(0);
    model.locked_until = Set(None);
    model.update(db).await?;
    session::end_all(db, account.id, None).await?;
    Ok(one_time)
}

/// A person changes their own password: the current one is checked, other
/// sessions end, the one given by `keep_session` stays.
pub async fn change_password(
    db: &DatabaseConnection,
    account: &user::Model,
    current: &str,
    new_password: &str,
    keep_session: Option<i64>,
) -> Result<(), AccountError> {
    if !password::verify_off_runtime(current.to_string(), Some(account.password_hash.clone())).await {
        return Err(AccountError::WrongPassword);
    }
    password::check_strength(&account.username, new_password)?;
    if new_password == current {
        return Err(AccountError::Weak(WeakPassword::SameAsOld));
    }
    let hash = password::hash_off_runtime(new_password.to_string()).await;
    let mut model: user::ActiveModel = account.clone().into();
    model.password_hash = Set(hash);
    model.must_change_password = Set(false);
    model.update(db).await?;
    session::end_all(db, account.id, keep_session).await?;
    Ok(())
}

/// Finds an account by username.
pub async fn find_user(db: &impl ConnectionTrait, username: &str) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find().filter(user::Column::Username.eq(normalize_username(username))).one(db).await
}

/// The details of an account an admin may edit (the username never changes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountDetails {
    pub full_name: String,
    pub email: Option<String>,
    pub unit_code: String,
    pub position: String,
    pub role: Role,
}

async fn existing(db: &impl ConnectionTrait, username: &str) -> Result<user::Model, AccountError> {
    find_user(db, username).await?.ok_or_else(|| AccountError::UnknownUser(normalize_username(username)))
}

/// Replaces an account's details; the filter key follows the new name.
pub async fn update_user(
    db: &impl ConnectionTrait,
    username: &str,
    details: AccountDetails,
) -> Result<user::Model, AccountError> {
    let account = existing(db, username).await?;
    let unit_id = unit::Entity::find()
        .filter(unit::Column::Code.eq(details.unit_code.trim()))
        .one(db)
        .await?
        .ok_or_else(|| AccountError::UnknownUnit(details.unit_code.trim().to_string()))?
        .id;
    let full_name = daotao_content::text::nfc(details.full_name.trim());
    let mut model: user::ActiveModel = account.clone().into();
    model.search_key = Set(crate::people::search_key::search_key(&full_name, &account.username));
    model.full_name = Set(full_name);
    model.email = Set(details.email.map(|e| e.trim().to_string()).filter(|e| !e.is_empty()));
    model.unit_id = Set(Some(unit_id));
    model.position = Set(daotao_content::text::nfc(details.position.trim()));
    model.role = Set(details.role);
    Ok(model.update(db).await?)
}

/// Deactivates (`active = false`: cannot log in, every session ends at once) or
/// reactivates an account. Returns the account and how many sessions ended.
pub async fn set_active(
    db: &DatabaseConnection,
    username: &str,
    active: bool,
) -> Result<(user::Model, u64), AccountError> {
    let account = existing(db, username).await?;
    let mut model: user::ActiveModel = account.into();
    model.active = Set(active);
    let account = model.update(db).await?;
    let ended = if active { 0 } else { session::end_all(db, account.id, None).await? };
    Ok((account, ended))
}

/// Lifts a lock-out after failed logins (the count of failures starts again).
/// Returns the account and whether it was locked.
pub async fn unlock(db: &impl ConnectionTrait, username: &str) -> Result<(user::Model, bool), AccountError> {
    let account = existing(db, username).await?;
    let was_locked = account.locked_until.is_some_and(|until| until > chrono::Utc::now());
    let mut model: user::ActiveModel = account.into();
    model.locked_until = Set(None);
    model.failed_logins = Set(0);
    Ok((model.update(db).await?, was_locked))
}

/// Grants a person `percent` extra time on every timed quiz (0 takes it away), for attempts started from now
/// on; an attempt already running keeps its deadline. A change is recorded in the audit log with the value
/// before and after, in the same transaction. Returns the account and the percentage it had before.
pub async fn set_extra_time(
    db: &DatabaseConnection,
    username: &str,
    percent: u32,
    actor: &str,
    ip: &str,
) -> Result<(user::Model, u32), AccountError> {
    if percent > MAX_EXTRA_TIME_PERCENT {
        return Err(AccountError::ExtraTimeTooLarge(percent));
    }
    // It writes what it read: on SQLite it takes the write lock first (`begin_write`).
    let txn = crate::platform::db::begin_write(db).await?;
    let account = existing(&txn, username).await?;
    let before = account.extra_time_percent.max(0) as u32;
    if before == percent {
        txn.commit().await?;
        return Ok((account, before));
    }
    let mut model: user::ActiveModel = account.into();
    model.extra_time_percent = Set(percent as i32);
    let account = model.update(&txn).await?;
    crate::platform::audit::record(
        &txn,
        crate::platform::audit::Event {
            user_id: Some(account.id),
            actor,
            action: "user.extra_time",
            target: &account.username,
            ip,
            result: "success",
            detail: &format!("{before}% -> {percent}%"),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((account, before))
}
