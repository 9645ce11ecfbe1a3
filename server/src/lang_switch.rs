//! `/lang/{code}?next=/path`: the language switch. It only stores a preference
//! cookie and sends the visitor back, so it is safe as a plain link.

use poem::http::{StatusCode, header};
use poem::web::cookie::{Cookie, SameSite};
use poem::web::{Path, Query};
use poem::{Response, handler};
use serde::Deserialize;

use crate::i18n::{COOKIE, Lang};

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

#[handler]
pub fn switch(Path(code): Path<String>, Query(query): Query<Next>) -> poem::Result<Response> {
    let lang = Lang::from_code(&code).ok_or(poem::error::NotFoundError)?;
    let mut cookie = Cookie::new_with_str(COOKIE, lang.code());
    cookie.set_path("/");
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_max_age(std::time::Duration::from_secs(365 * 24 * 3600));
    Ok(Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, local_path(query.next.as_deref()))
        .header(header::SET_COOKIE, cookie.to_string())
        .body(()))
}

/// Only a path on this site (never `//evil.example` or `https://...`) is followed.
/// Browsers drop tabs and newlines from URLs and read `\` as `/`, so
/// `/\t/evil.example` would become `//evil.example`: those are refused too.
pub fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && !p.chars().any(|c| c.is_control() || c.is_whitespace()) =>
        {
            p
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path(Some("/courses/a")), "/courses/a");
        assert_eq!(local_path(Some("//evil.example/x")), "/");
        assert_eq!(local_path(Some("https://evil.example")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(Some("/\t/evil.example")), "/");
        assert_eq!(local_path(Some("/ /evil.example")), "/");
        assert_eq!(local_path(None), "/");
    }
}
