//! A person changes their password (and must, after logging in with a one-time password); every try
//! leaves an audit row.

use daotao_core::people::accounts::{self, AccountError};
use sea_orm::DatabaseConnection;

use super::Actor;

/// Changes the password and ends the person's other sessions (`keep_session` stays open).
pub async fn change_password(
    db: &DatabaseConnection,
    actor: &Actor<'_>,
    current: &str,
    new: &str,
    keep_session: i64,
) -> Result<(), AccountError> {
    let outcome = accounts::change_password(db, actor.user, current, new, Some(keep_session)).await;
    actor.record_outcome(db, "password_change", &actor.user.username, &outcome).await?;
    outcome
}
