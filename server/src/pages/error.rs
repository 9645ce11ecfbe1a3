//! Error pages (404, 405, 500, ...) in the site's style and the visitor's language.

use askama::Template;
use poem::http::StatusCode;
use poem::{Endpoint, IntoResponse, Request, Response};

use super::{Chrome, html};
use crate::i18n::Lang;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    status: u16,
    title: &'static str,
    body: &'static str,
}

/// Renders the error page for `status`.
pub fn page(lang: Lang, path: &str, status: StatusCode) -> Response {
    let t = lang.texts();
    let (title, body) = if status == StatusCode::NOT_FOUND {
        (t.not_found_title, t.not_found_body)
    } else {
        (t.error_title, t.error_body)
    };
    let chrome = Chrome::for_path(lang, path);
    html(&ErrorPage { chrome, status: status.as_u16(), title, body }, status)
}

/// Middleware body: turns every error a handler or the router returns into a styled page.
pub async fn render_errors<E: Endpoint>(ep: E, req: Request) -> poem::Result<Response> {
    let lang = Lang::of(&req);
    let path = req.uri().path().to_string();
    match ep.call(req).await {
        Ok(resp) => Ok(resp.into_response()),
        Err(err) => {
            let status = err.status();
            // Errors that carry their own meaning for clients (304-like 412, 416 with
            // Content-Range, 429 with Retry-After...) keep their own response.
            if !(status == StatusCode::NOT_FOUND
                || status == StatusCode::METHOD_NOT_ALLOWED
                || status.is_server_error())
            {
                return Ok(err.into_response());
            }
            if status.is_server_error() {
                tracing::error!(%path, "{err}");
            }
            let mut resp = page(lang, &path, status);
            if status == StatusCode::METHOD_NOT_ALLOWED {
                resp.headers_mut().insert(poem::http::header::ALLOW, "GET, HEAD".parse().unwrap());
            }
            Ok(resp)
        }
    }
}
