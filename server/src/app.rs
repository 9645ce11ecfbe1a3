//! The route table and the middleware every response goes through.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::middleware::{CatchPanic, Compression, CookieJarManager, SetHeader, Tracing};
use poem::{Endpoint, EndpointExt, Route, get};

use crate::i18n::Lang;
use crate::pages::{catalog, course, error, lesson};
use crate::state::AppState;
use crate::{course_assets, health, lang_switch, static_files};

/// Scripts and styles only from this site, nothing framed, nothing inline.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
     script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Builds the whole web application over `state`.
pub fn app(state: Arc<AppState>) -> impl Endpoint {
    Route::new()
        .at("/", get(catalog::catalog))
        .at("/healthz", get(health::healthz))
        .at("/lang/:code", get(lang_switch::switch))
        .at("/static/:file", get(static_files::serve))
        .at("/courses/:course", get(course::course))
        .at("/courses/:course/assets/*path", get(course_assets::serve))
        .at("/courses/:course/:lesson", get(lesson::lesson))
        .data(state)
        .around(error::render_errors)
        .with(
            CatchPanic::new().with_handler(|_| error::page(Lang::Vi, "/", StatusCode::INTERNAL_SERVER_ERROR)),
        )
        .with(CookieJarManager::new())
        .with(
            SetHeader::new()
                .overriding("content-security-policy", CONTENT_SECURITY_POLICY)
                .overriding("x-content-type-options", "nosniff")
                .overriding("referrer-policy", "same-origin")
                .overriding("x-frame-options", "DENY"),
        )
        .with(Compression::new())
        .with(Tracing)
}
