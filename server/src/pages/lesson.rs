//! `/courses/{course}/{lesson}`: a lesson, rendered when it was loaded.

use std::sync::Arc;

use askama::Template;
use daotao_core::course::{Course, Lesson};
use poem::error::NotFoundError;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Request, Response, handler};

use super::{Chrome, html};
use crate::i18n::Lang;
use crate::state::AppState;

/// A table of contents is shown once a lesson has this many sections.
const TOC_MIN_ENTRIES: usize = 3;

#[derive(Template)]
#[template(path = "lesson.html")]
struct LessonPage<'a> {
    chrome: Chrome,
    course: &'a Course,
    lesson: &'a Lesson,
    number: usize,
    previous: Option<&'a Lesson>,
    next: Option<&'a Lesson>,
    show_toc: bool,
}

#[handler]
pub fn lesson(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path((course_id, lesson_id)): Path<(String, String)>,
    lang: Lang,
) -> poem::Result<Response> {
    let library = state.library();
    let course = library.courses.get(&course_id).ok_or(NotFoundError)?;
    let (index, lesson) = course.lesson(&lesson_id).ok_or(NotFoundError)?;
    let page = LessonPage {
        chrome: Chrome::new(lang, req),
        course,
        lesson,
        number: index + 1,
        previous: index.checked_sub(1).and_then(|i| course.lessons.get(i)),
        next: course.lessons.get(index + 1),
        show_toc: lesson.toc.len() >= TOC_MIN_ENTRIES,
    };
    Ok(html(&page, StatusCode::OK))
}
