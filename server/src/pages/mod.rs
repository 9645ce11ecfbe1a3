//! Server-rendered HTML pages: small, readable without JavaScript.

pub mod account;
pub mod attempt;
pub mod catalog;
pub mod certificate;
pub mod competencies;
pub mod course;
pub mod error;
pub mod learners;
pub mod lesson;
pub mod login;
pub mod me;
pub mod quiz;
pub mod search;

use askama::Template;
use poem::http::{StatusCode, header};
use poem::{IntoResponse, Request, Response};

use crate::auth::Viewer;
use crate::i18n::{Lang, Texts};
use crate::static_files;

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

/// Escapes the few characters that would break a `?next=` value.
pub fn encode_query_value(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' => out.push_str("%25"),
            '&' => out.push_str("%26"),
            '#' => out.push_str("%23"),
            '+' => out.push_str("%2B"),
            '"' => out.push_str("%22"),
            _ => out.push(c),
        }
    }
    out
}
