//! CSRF: every form that changes something carries a token the server checks.
//! Logged-in forms use the session's own token (stored with the session);
//! the login form, which has no session yet, uses a double-submit cookie.

use daotao_core::people::auth::token::{constant_time_eq, random_token};
use poem::Request;
use poem::http::{HeaderValue, StatusCode};
use poem::web::cookie::{Cookie, SameSite};

/// Name of the hidden form field.
pub const FIELD: &str = "csrf";
/// Header carrying the token for cookie-authenticated API calls.
pub const HEADER: &str = "x-csrf-token";
/// Cookie holding the login form's token.
pub const LOGIN_COOKIE: &str = "daotao_login_csrf";

/// Refused: the form did not come from our page.
pub fn forbidden() -> poem::Error {
    poem::Error::from_string("CSRF token missing or wrong", StatusCode::FORBIDDEN)
}

/// Checks a logged-in form's token against the session's (`expected`).
pub fn check(expected: &str, submitted: &str) -> poem::Result<()> {
    if !expected.is_empty() && !submitted.is_empty() && constant_time_eq(expected, submitted) {
        Ok(())
    } else {
        Err(forbidden())
    }
}

/// The login form's token: the one already in the visitor's cookie, or a new one
/// (with the `Set-Cookie` value to send).
pub fn login_token(req: &Request, secure: bool) -> (String, Option<HeaderValue>) {
    if let Some(c) = req.cookie().get(LOGIN_COOKIE)
        && c.value_str().len() == 64
    {
        return (c.value_str().to_string(), None);
    }
    let token = random_token();
    let mut cookie = Cookie::new_with_str(LOGIN_COOKIE, &token);
    cookie.set_path("/");
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Strict);
    cookie.set_secure(secure);
    (token, Some(HeaderValue::from_str(&cookie.to_string()).expect("cookie header")))
}

/// Checks the login form's token against its cookie.
pub fn check_login(req: &Request, submitted: &str) -> poem::Result<()> {
    match req.cookie().get(LOGIN_COOKIE) {
        Some(c) if !submitted.is_empty() && constant_time_eq(c.value_str(), submitted) => Ok(()),
        _ => Err(forbidden()),
    }
}
