//! `/`: the course catalog.

use std::sync::Arc;

use askama::Template;
use daotao_content::course::Course;
use poem::http::StatusCode;
use poem::web::Data;
use poem::{Request, Response, handler};

use super::{Chrome, html};
use crate::i18n::Lang;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "catalog.html")]
struct CatalogPage {
    chrome: Chrome,
    courses: Vec<Arc<Course>>,
}

#[handler]
pub fn catalog(req: &Request, state: Data<&Arc<AppState>>, lang: Lang) -> Response {
    let courses = state.library().courses.values().cloned().collect();
    html(&CatalogPage { chrome: Chrome::new(lang, req), courses }, StatusCode::OK)
}
