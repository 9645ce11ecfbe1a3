//! `/courses/{course}`: a course's summary, lessons and quizzes.

use std::sync::Arc;

use askama::Template;
use daotao_core::course::Course;
use poem::error::NotFoundError;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Request, Response, handler};

use super::{Chrome, html};
use crate::i18n::Lang;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "course.html")]
struct CoursePage {
    chrome: Chrome,
    course: Arc<Course>,
}

#[handler]
pub fn course(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path(id): Path<String>,
    lang: Lang,
) -> poem::Result<Response> {
    let course = state.library().courses.get(&id).cloned().ok_or(NotFoundError)?;
    Ok(html(&CoursePage { chrome: Chrome::new(lang, req), course }, StatusCode::OK))
}
