//! `/courses/{course}`: a course's summary, lessons and quizzes.

use std::sync::Arc;

use askama::Template;
use daotao_core::course::Course;
use poem::error::NotFoundError;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Request, Response, handler};

use super::{Chrome, html};
use crate::i18n::{self, Lang};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "course.html")]
struct CoursePage {
    chrome: Chrome,
    course: Arc<Course>,
    /// The audience tags in words, e.g. "mọi cán bộ, công chức".
    audience: String,
}

#[handler]
pub fn course(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path(id): Path<String>,
    lang: Lang,
) -> poem::Result<Response> {
    let course = state.library().courses.get(&id).cloned().ok_or(NotFoundError)?;
    let audience =
        course.meta.audience.iter().map(|tag| i18n::audience(lang, tag)).collect::<Vec<_>>().join(", ");
    Ok(html(&CoursePage { chrome: Chrome::new(lang, req), course, audience }, StatusCode::OK))
}
