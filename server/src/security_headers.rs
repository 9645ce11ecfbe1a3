//! Security headers on every response. A handler may set a stricter
//! Content-Security-Policy of its own (course assets are sandboxed); the
//! site-wide policy fills in where it did not.

use poem::http::{HeaderValue, header};
use poem::{Endpoint, IntoResponse, Request, Response};

/// Scripts and styles only from this site, nothing framed, nothing inline.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
     script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// For files trainers put in `assets/`: shown, never run. An HTML or SVG file
/// opened directly gets a sandbox (no script, no same-origin access).
pub const ASSET_CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox";

/// The site-wide policy, letting forms lead on to `form_origins` too: the single sign-on button and the
/// logout form redirect to the identity provider, and browsers hold a form's redirects to `form-action`.
pub fn policy(form_origins: &[String]) -> HeaderValue {
    if form_origins.is_empty() {
        return HeaderValue::from_static(CONTENT_SECURITY_POLICY);
    }
    let policy = CONTENT_SECURITY_POLICY
        .replace("form-action 'self'", &format!("form-action 'self' {}", form_origins.join(" ")));
    HeaderValue::from_str(&policy).expect("origins are ASCII")
}

/// Middleware body: adds the headers, `csp` unless the handler set a policy of its own.
pub async fn add<E: Endpoint>(ep: E, req: Request, csp: HeaderValue) -> poem::Result<Response> {
    let mut resp = ep.call(req).await?.into_response();
    let headers = resp.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    Ok(resp)
}
