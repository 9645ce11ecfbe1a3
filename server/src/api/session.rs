//! `POST /session` (log in, get a bearer token) and `DELETE /session` (log out).
//! The same core calls, throttle and audit trail as the HTML login form.

use std::sync::Arc;
use std::time::Instant;

use daotao_core::people::auth::login::{LoginError, login};
use daotao_core::people::auth::session;
use daotao_core::platform::audit::{self, Event};
use poem::Request;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::ApiTags;
use super::caller::Caller;
use super::error::ApiError;
use super::models::{LoginRequest, SessionCreated, UserInfo};
use crate::auth::{self, Via};
use crate::state::AppState;

pub struct SessionApi;

#[derive(ApiResponse)]
pub enum LoginResponse {
    /// Logged in. If `user.must_change_password`, every other call answers 403
    /// until a new password is set on the web site.
    #[oai(status = 201)]
    Created(Json<SessionCreated>),
}

#[derive(ApiResponse)]
pub enum LogoutResponse {
    /// The session has ended; its token no longer works.
    #[oai(status = 204)]
    Ended(#[oai(header = "Set-Cookie")] Option<String>),
}

#[OpenApi(tag = "ApiTags::Session")]
impl SessionApi {
    /// Log in
    ///
    /// Any failure (unknown account, wrong password, locked or deactivated
    /// account) gets the same 401. Too many failures from one address get 429
    /// with `Retry-After`.
    #[oai(path = "/session", method = "post")]
    async fn create(
        &self,
        req: &Request,
        state: Data<&Arc<AppState>>,
        body: Json<LoginRequest>,
    ) -> Result<LoginResponse, ApiError> {
        let ip = auth::remote_ip(req);
        let ip_text = auth::client_ip(req);
        if let Some(ip) = ip
            && let Some(wait) = state.throttle.retry_after(ip, Instant::now())
        {
            tracing::warn!(ip = %ip, "API login throttled");
            return Err(ApiError::Throttled(wait));
        }
        match login(&state.db, &body.username, &body.password, &ip_text, &state.auth.policy).await {
            Ok(logged_in) => Ok(LoginResponse::Created(Json(SessionCreated {
                token: logged_in.session.token,
                expires_at: logged_in.session.expires_at,
                user: UserInfo::from(&logged_in.user),
            }))),
            Err(LoginError::Invalid) => {
                if let Some(ip) = ip {
                    state.throttle.record_failure(ip, Instant::now());
                }
                Err(ApiError::BadCredentials)
            }
            Err(LoginError::Db(e)) => Err(ApiError::internal(e)),
        }
    }

    /// Log out
    ///
    /// Ends the session the call is authenticated with.
    #[oai(
        path = "/session",
        method = "delete",
        request_header(
            name = "X-CSRF-Token",
            ty = "Option<String>",
            description = "Required when authenticated by the session cookie."
        )
    )]
    async fn delete(
        &self,
        req: &Request,
        state: Data<&Arc<AppState>>,
        caller: Caller,
    ) -> Result<LogoutResponse, ApiError> {
        session::end(&state.db, &caller.token).await.map_err(ApiError::internal)?;
        let user = caller.user();
        let ip = auth::client_ip(req);
        let event = Event {
            user_id: Some(user.id),
            actor: &user.username,
            action: "logout",
            target: &user.username,
            ip: &ip,
            result: "success",
            detail: "api",
        };
        audit::record(&state.db, event).await.map_err(ApiError::internal)?;
        // A browser that logged out through the API forgets its cookie too.
        let clear = (caller.via == Via::Cookie).then(|| {
            auth::clear_session_cookie(state.auth.secure_cookies).to_str().unwrap_or_default().to_string()
        });
        Ok(LogoutResponse::Ended(clear))
    }
}
