//! Who is asking: the session behind a cookie or a bearer token, resolved
//! once per request, plus CSRF checks and the per-address login throttle.

pub mod client_addr;
pub mod csrf;
pub mod guard;

use std::net::IpAddr;
use std::sync::Arc;

use daotao_core::people::auth::session::{self, Current};
use poem::http::{HeaderValue, StatusCode, header};
use poem::web::cookie::{Cookie, SameSite};
use poem::{Endpoint, FromRequest, IntoResponse, Request, RequestBody, Response};

use crate::state::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "daotao_session";

/// How the request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Cookie,
    Bearer,
}

/// The person behind a request, if logged in.
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    pub current: Option<Arc<Current>>,
    pub via: Option<Via>,
    /// The raw token, to end the session at logout.
    pub token: Option<String>,
}

impl Viewer {
    pub fn user(&self) -> Option<&daotao_core::entities::user::Model> {
        self.current.as_ref().map(|c| &c.user)
    }

    pub fn csrf_token(&self) -> Option<&str> {
        self.current.as_ref().map(|c| c.session.csrf_token.as_str())
    }
}

impl<'a> FromRequest<'a> for Viewer {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(req.extensions().get::<Viewer>().cloned().unwrap_or_default())
    }
}

/// The client's address as text, for the audit log.
pub fn client_ip(req: &Request) -> String {
    ip_text(remote_ip(req))
}

/// An address as the audit log writes it.
pub fn ip_text(ip: Option<IpAddr>) -> String {
    ip.map(|ip| ip.to_string()).unwrap_or_else(|| "unknown".into())
}

/// The client's address: the connection's, or behind a trusted proxy the one it names
/// ([`client_addr::client`]).
pub fn remote_ip(req: &Request) -> Option<IpAddr> {
    let peer = req.remote_addr().as_socket_addr().map(|a| a.ip())?;
    let trusted = req.data::<Arc<AppState>>().map(|s| s.trusted_proxies.as_slice()).unwrap_or_default();
    if trusted.is_empty() {
        return Some(peer);
    }
    let forwarded: Vec<&str> =
        req.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    Some(client_addr::client(peer, &forwarded, trusted))
}

fn bearer(req: &Request) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
}

/// Middleware body: looks the session up once and leaves a [`Viewer`] in the request.
/// A person who must change a one-time password is sent to the password page first.
pub async fn resolve<E: Endpoint>(ep: E, mut req: Request) -> poem::Result<Response> {
    let state = req.data::<Arc<AppState>>().expect("app state").clone();
    let found = match bearer(&req) {
        Some(token) => Some((token, Via::Bearer)),
        None => req.cookie().get(SESSION_COOKIE).map(|c| (c.value_str().to_string(), Via::Cookie)),
    };
    let mut viewer = Viewer::default();
    if let Some((token, via)) = found {
        match session::lookup(&state.db, &token, &state.auth.policy).await {
            Ok(Some(current)) => {
                viewer = Viewer { current: Some(Arc::new(current)), via: Some(via), token: Some(token) };
            }
            Ok(None) => {}
            Err(e) => {
                tracing::error!("session lookup failed: {e}");
                return Err(poem::Error::from_status(StatusCode::SERVICE_UNAVAILABLE));
            }
        }
    }
    let path = req.uri().path().to_string();
    let must_change = viewer.user().is_some_and(|u| u.must_change_password);
    req.extensions_mut().insert(viewer);
    if must_change && !allowed_before_password_change(&path) {
        if path.starts_with("/api/") {
            return Ok((
                StatusCode::FORBIDDEN,
                "password change required: log in on the web site to set a new password",
            )
                .into_response());
        }
        return Ok(redirect("/account/password"));
    }
    ep.call(req).await.map(IntoResponse::into_response)
}

fn allowed_before_password_change(path: &str) -> bool {
    path == "/account/password"
        || path == "/logout"
        || path == "/api/v1/session"
        || path.starts_with("/static/")
        || path.starts_with("/lang/")
        || path == "/healthz"
        || path == "/readyz"
}

/// A 303 to a path of this site.
pub fn redirect(to: &str) -> Response {
    Response::builder().status(StatusCode::SEE_OTHER).header(header::LOCATION, to).finish()
}

/// The page to log in at, coming back to `next` afterwards.
pub fn login_redirect(next: &str) -> Response {
    redirect(&format!("/login?next={}", crate::pages::encode_query_value(next)))
}

/// The session cookie for a new login.
pub fn session_cookie(token: &str, secure: bool, max_age: std::time::Duration) -> HeaderValue {
    let mut cookie = Cookie::new_with_str(SESSION_COOKIE, token);
    cookie.set_path("/");
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_secure(secure);
    cookie.set_max_age(max_age);
    HeaderValue::from_str(&cookie.to_string()).expect("cookie header")
}

/// Clears the session cookie (logout).
pub fn clear_session_cookie(secure: bool) -> HeaderValue {
    session_cookie("", secure, std::time::Duration::ZERO)
}
