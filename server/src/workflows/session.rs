//! Logging in (behind the per-address throttle) and logging out (with its audit row), for the login form
//! and `POST`/`DELETE /api/v1/session` alike.

use std::net::IpAddr;
use std::time::Instant;

use daotao_core::people::auth::login::{LoggedIn, LoginError, login};
use daotao_core::people::auth::session;

use super::Actor;
use crate::error::AppError;
use crate::state::AppState;

/// Which door a person came through: the log and the audit trail tell the API's logins and logouts apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    Site,
    Api,
}

/// Checks the credentials, unless `ip` has failed too often lately ([`AppError::Throttled`]); a failure
/// ([`AppError::BadCredentials`]) counts against `ip`.
pub async fn log_in(
    state: &AppState,
    door: Door,
    ip: Option<IpAddr>,
    username: &str,
    password: &str,
) -> Result<LoggedIn, AppError> {
    if let Some(ip) = ip
        && let Some(wait) = state.throttle.retry_after(ip, Instant::now())
    {
        match door {
            Door::Site => tracing::warn!(ip = %ip, "login throttled"),
            Door::Api => tracing::warn!(ip = %ip, "API login throttled"),
        }
        return Err(AppError::Throttled(wait));
    }
    let ip_text = crate::auth::ip_text(ip);
    let outcome = login(&state.db, username, password, &ip_text, &state.auth.policy).await;
    if let (Err(LoginError::Invalid), Some(ip)) = (&outcome, ip) {
        state.throttle.record_failure(ip, Instant::now());
    }
    Ok(outcome?)
}

/// Ends the session `token` and writes the audit row.
pub async fn log_out(state: &AppState, door: Door, actor: &Actor<'_>, token: &str) -> Result<(), AppError> {
    session::end(&state.db, token).await?;
    let detail = match door {
        Door::Site => "",
        Door::Api => "api",
    };
    actor.record(&state.db, "logout", &actor.user.username, "success", detail).await?;
    Ok(())
}
