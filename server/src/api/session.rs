//! `POST /session` (log in, get a bearer token) and `DELETE /session` (log out).
//! The same core calls, throttle and audit trail as the HTML login form.

use std::sync::Arc;

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
use crate::workflows::Actor;
use crate::workflows::session::{Door, log_in, log_out};

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
    /// with `Retry-After`. Where the city turned local passwords off, a learner's
    /// or trainer's right password gets 403: they sign in through the single sign-on.
    #[oai(path = "/session", method = "post")]
    async fn create(
        &self,
        req: &Request,
        state: Data<&Arc<AppState>>,
        body: Json<LoginRequest>,
    ) -> Result<LoginResponse, ApiError> {
        let ip = auth::remote_ip(req);
        let logged_in = log_in(&state, Door::Api, ip, &body.username, &body.password).await?;
        Ok(LoginResponse::Created(Json(SessionCreated {
            token: logged_in.session.token,
            expires_at: logged_in.session.expires_at,
            user: UserInfo::from(&logged_in.user),
        })))
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
        let actor = Actor { user: caller.user(), ip: auth::client_ip(req) };
        log_out(&state, Door::Api, &actor, &caller.token).await?;
        // A browser that logged out through the API forgets its cookie too.
        let clear = (caller.via == Via::Cookie).then(|| {
            auth::clear_session_cookie(state.auth.secure_cookies).to_str().unwrap_or_default().to_string()
        });
        Ok(LogoutResponse::Ended(clear))
    }
}
