//! Server-rendered HTML pages: small, readable without JavaScript.

pub mod account;
pub mod attempt;
pub mod catalog;
pub mod certificate;
pub mod competencies;
pub mod course;
pub mod error;
pub mod feedback;
pub mod learners;
pub mod lesson;
pub mod login;
pub mod me;
pub mod quiz;
pub mod quiz_statistics;
pub mod search;
pub mod sso;

use askama::Template;
use percent_encoding::{AsciiSet, percent_encode};
use poem::http::{StatusCode, header};
use poem::{IntoResponse, Request, Response};
use serde::Deserialize;

use crate::auth::Viewer;
use crate::error::AppError;
use crate::i18n::{Lang, Texts};
use crate::static_files;

/// What a page handler answers: the page, or why not (rendered by [`error::render_errors`]).
pub type PageResult = Result<Response, AppError>;

/// A form that carries only the session's CSRF token (enrol, start a quiz, mark read, log out).
#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// What every page's frame (header, language switch, footer) needs.
pub struct Chrome {
    pub lang: Lang,
    pub t: &'static Texts,
    /// The current path, for the language switch to come back to.
    pub path: String,
    pub css_url: &'static str,
    pub favicon_url: &'static str,
    /// The logged-in person's name, for the header.
    pub user_name: Option<String>,
    /// The session's CSRF token, for the logout form in the header.
    pub csrf: String,
}

impl Chrome {
    pub fn new(lang: Lang, req: &Request) -> Self {
        let mut chrome = Self::for_path(lang, req.uri().path());
        if let Some(viewer) = req.extensions().get::<Viewer>() {
            chrome.user_name = viewer.user().map(|u| u.full_name.clone());
            chrome.csrf = viewer.csrf_token().unwrap_or_default().to_string();
        }
        chrome
    }

    pub fn for_path(lang: Lang, path: &str) -> Self {
        Self {
            lang,
            t: lang.texts(),
            path: encode_query_value(path),
            css_url: static_files::css_url(),
            favicon_url: static_files::favicon_url(),
            user_name: None,
            csrf: String::new(),
        }
    }
}

/// A page only its viewer may see: never stored by the browser or a proxy.
pub fn private_html(template: &impl Template, status: StatusCode) -> Response {
    let mut resp = html(template, status);
    resp.headers_mut().insert(header::CACHE_CONTROL, poem::http::HeaderValue::from_static("no-store"));
    resp
}

/// Renders a page template into an HTML response with `status`.
pub fn html(template: &impl Template, status: StatusCode) -> Response {
    match template.render() {
        Ok(body) => Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
            .header(header::CACHE_CONTROL, "no-cache")
            .body(body),
        Err(e) => {
            tracing::error!("template error: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A moment as people in Viet Nam read it: their clock (UTC+7 all year, no daylight saving), labelled.
pub fn local_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&daotao_core::platform::local_time::offset())
        .format("%d/%m/%Y %H:%M (GMT+7)")
        .to_string()
}

/// The day of a moment in Viet Nam, as people there write it (dd/mm/yyyy).
pub fn local_date(at: chrono::DateTime<chrono::Utc>) -> String {
    daotao_core::platform::local_time::date_of(at).format("%d/%m/%Y").to_string()
}

/// The characters that would end a query value or change what it means.
const QUERY_VALUE: &AsciiSet = &AsciiSet::EMPTY.add(b'%').add(b'&').add(b'#').add(b'+').add(b'"');

/// Escapes the few characters that would break a `?next=` or `?q=` value. Other text stays as typed, so a
/// search link shows "chính quyền" as the reader wrote it (the crate would escape every non-ASCII byte;
/// browsers send both the same way).
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while !rest.is_empty() {
        let ascii = rest.find(|c: char| !c.is_ascii()).unwrap_or(rest.len());
        out.extend(percent_encode(&rest.as_bytes()[..ascii], QUERY_VALUE));
        let other = rest[ascii..].find(|c: char| c.is_ascii()).map_or(rest.len(), |i| ascii + i);
        out.push_str(&rest[ascii..other]);
        rest = &rest[other..];
    }
    out
}

/// Where the site is reached: the configured `public_url`, else the scheme the cookies say and the
/// request's `Host`, so the printed address can be typed into a browser as it is.
pub fn site_url(state: &crate::state::AppState, req: &Request) -> String {
    if let Some(url) = &state.public_url {
        return url.clone();
    }
    let host =
        req.headers().get(poem::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = if state.auth.secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}")
}

#[cfg(test)]
mod tests {
    use super::encode_query_value;

    #[test]
    fn query_values_escape_only_what_would_break_them() {
        assert_eq!(encode_query_value("/courses/a/b"), "/courses/a/b");
        assert_eq!(encode_query_value("/search?q=a&page=2"), "/search?q=a%26page=2");
        assert_eq!(encode_query_value("100% #1 a+b \"x\""), "100%25 %231 a%2Bb %22x%22");
        assert_eq!(encode_query_value("/search?q=m%E1%BA%ADt"), "/search?q=m%25E1%25BA%25ADt");
        assert_eq!(encode_query_value("chính quyền số & \"mã OTP\""), "chính quyền số %26 %22mã OTP%22");
        assert_eq!(encode_query_value("ễ#ễ"), "ễ%23ễ");
        assert_eq!(encode_query_value(""), "");
    }
}
