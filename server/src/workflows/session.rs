//! Logging in (behind the per-address throttle) and logging out (with its audit row), for the login form
//! and `POST`/`DELETE /api/v1/session` alike; signing on through the city's identity provider, and the
//! provider's single logout.

use std::net::IpAddr;

use daotao_core::people::auth::login::{LoggedIn, LoginError, login};
use daotao_core::people::auth::session::{self, NewSession};
use daotao_core::people::sso::{self, Identity, Provider, Refusal};
use daotao_core::platform::audit::{self, Event};

use super::Actor;
use crate::error::AppError;
use crate::metrics::LoginOutcome;
use crate::sso::SingleSignOn;
use crate::sso::oidc::token::LogoutClaims;
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
    let address = ip.map(|ip| ip.to_string());
    if let Some(address) = &address
        && let Some(wait) = state.throttle.retry_after(&state.db, address, chrono::Utc::now()).await?
    {
        match door {
            Door::Site => tracing::warn!(ip = %address, "login throttled"),
            Door::Api => tracing::warn!(ip = %address, "API login throttled"),
        }
        state.metrics.login(LoginOutcome::Throttled);
        return Err(AppError::Throttled(wait));
    }
    let ip_text = crate::auth::ip_text(ip);
    let outcome = login(&state.db, username, password, &ip_text, &state.auth.policy).await;
    if let (Err(LoginError::Invalid), Some(address)) = (&outcome, &address) {
        state.throttle.record_failure(&state.db, address, chrono::Utc::now()).await?;
    }
    match &outcome {
        Ok(_) => state.metrics.login(LoginOutcome::Succeeded),
        Err(LoginError::Invalid | LoginError::LocalPasswordsOff) => state.metrics.login(LoginOutcome::Failed),
        Err(LoginError::Db(_)) => {}
    }
    Ok(outcome?)
}

/// Why signing on did not open a session: the account rule refused the person, or something broke.
pub enum SignOnFailure {
    Refused(Refusal),
    App(AppError),
}

/// Opens a session for the person the provider vouches for: their account found, linked or created and
/// refreshed by core's rules, and a new session (a new id: any session the browser had ends), tied to
/// the provider's session for single logout.
pub async fn sign_on(
    state: &AppState,
    sso: &SingleSignOn,
    identity: &Identity,
    ip: Option<IpAddr>,
    provider_session: Option<&str>,
    previous_token: Option<String>,
) -> Result<NewSession, SignOnFailure> {
    let ip_text = crate::auth::ip_text(ip);
    let account = match sso::sign_in(&state.db, identity, &sso.rules, &ip_text).await {
        Ok(account) => account,
        Err(Refusal::Db(e)) => return Err(SignOnFailure::App(e.into())),
        Err(refusal) => {
            tracing::warn!(username = identity.username, ip = ip_text, "single sign-on refused: {refusal}");
            return Err(SignOnFailure::Refused(refusal));
        }
    };
    let app = |e: sea_orm::DbErr| SignOnFailure::App(e.into());
    if let Some(token) = previous_token {
        session::end(&state.db, &token).await.map_err(app)?;
    }
    let new =
        session::create_signed_on(&state.db, account.id, &ip_text, &state.auth.policy, provider_session)
            .await
            .map_err(app)?;
    let event = Event {
        user_id: Some(account.id),
        actor: &account.username,
        action: "login",
        target: &account.username,
        ip: &ip_text,
        result: "success",
        detail: match identity.provider {
            Provider::Cas => "single sign-on: CAS",
            Provider::Oidc => "single sign-on: OpenID Connect",
        },
    };
    audit::record(&state.db, event).await.map_err(app)?;
    Ok(new)
}

/// CAS single logout: ends our sessions opened with `ticket`.
pub async fn end_for_provider_session(state: &AppState, ticket: &str) -> Result<u64, String> {
    session::end_for_sso_session(&state.db, ticket).await.map_err(|e| e.to_string())
}

/// OpenID Connect back-channel logout: ends the sessions of the provider session `sid`, or, when the
/// token names only the subject, all of that person's sessions from the provider. A token is good once.
pub async fn end_for_logout_token(state: &AppState, claims: &LogoutClaims) -> Result<u64, String> {
    let fresh = sso::spend_once(&state.db, "oidc-logout", &claims.jti).await.map_err(|e| e.to_string())?;
    if !fresh {
        return Err("a logout token used twice".into());
    }
    match (&claims.sid, &claims.sub) {
        (Some(sid), _) => session::end_for_sso_session(&state.db, sid).await,
        (None, Some(sub)) => session::end_for_subject(&state.db, Provider::Oidc, sub).await,
        (None, None) => return Err("neither sid nor sub".into()),
    }
    .map_err(|e| e.to_string())
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
