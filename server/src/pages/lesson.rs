//! `/courses/{course}/{lesson}`: a lesson, rendered when it was loaded; and
//! `POST /courses/{course}/{lesson}/read` to mark it read.

use std::sync::Arc;

use askama::Template;
use daotao_content::course::{Course, Lesson, TocEntry};
use poem::http::StatusCode;
use poem::web::{Data, Form, Path};
use poem::{Request, handler};

use super::{Chrome, CsrfForm, PageResult, html, private_html};
use crate::auth::guard::LoggedIn;
use crate::auth::{self, Viewer, csrf};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::workflows::find;
use crate::workflows::progress::{self, Track};

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
    /// The table of contents as a person reads it: sections (h2), each with its sub-sections (h3).
    toc: Vec<(&'a TocEntry, Vec<&'a TocEntry>)>,
    /// `None` for anonymous visitors.
    track: Option<Track>,
}

#[handler]
pub async fn lesson(
    req: &Request,
    state: Data<&Arc<AppState>>,
    viewer: Viewer,
    Path((course_id, lesson_id)): Path<(String, String)>,
    lang: Lang,
) -> PageResult {
    let library = state.library();
    let (course, index, lesson) = find::lesson(&library, &course_id, &lesson_id)?;
    let track = match viewer.user() {
        Some(user) => Some(Track::load(&state.db, user.id, course).await?),
        None => None,
    };
    let personal = track.is_some();
    let page = LessonPage {
        chrome: Chrome::new(lang, req),
        course,
        lesson,
        number: index + 1,
        previous: index.checked_sub(1).and_then(|i| course.lessons.get(i)),
        next: course.lessons.get(index + 1),
        show_toc: lesson.toc.len() >= TOC_MIN_ENTRIES,
        toc: nest_toc(&lesson.toc),
        track,
    };
    Ok(if personal { private_html(&page, StatusCode::OK) } else { html(&page, StatusCode::OK) })
}

/// `POST /courses/{course}/{lesson}/read`: then on to the next lesson.
#[handler]
pub async fn mark_read(
    state: Data<&Arc<AppState>>,
    Path((course_id, lesson_id)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
    me: LoggedIn,
) -> PageResult {
    csrf::check(me.csrf_token(), &form.csrf)?;
    let library = state.library();
    let (course, index, _) = find::lesson(&library, &course_id, &lesson_id)?;
    progress::mark_read(&state.db, me.user().id, course, &lesson_id).await?;
    let to = match course.lessons.get(index + 1) {
        Some(next) => format!("/courses/{course_id}/{}", next.id),
        None => format!("/courses/{course_id}"),
    };
    Ok(auth::redirect(&to))
}

/// Groups each sub-section under the section before it, so the numbered list counts sections only
/// (a sub-section before any section stands on its own).
fn nest_toc(entries: &[TocEntry]) -> Vec<(&TocEntry, Vec<&TocEntry>)> {
    let mut nested: Vec<(&TocEntry, Vec<&TocEntry>)> = Vec::new();
    for entry in entries {
        match nested.last_mut() {
            Some((section, subs)) if entry.level > section.level => subs.push(entry),
            _ => nested.push((entry, Vec::new())),
        }
    }
    nested
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(level: u8, id: &str) -> TocEntry {
        TocEntry { level, id: id.into(), text: id.into() }
    }

    #[test]
    fn sub_sections_nest_under_their_section() {
        let toc = [entry(3, "a"), entry(2, "b"), entry(3, "c"), entry(3, "d"), entry(2, "e")];
        let ids: Vec<(&str, Vec<&str>)> = nest_toc(&toc)
            .into_iter()
            .map(|(s, subs)| (s.id.as_str(), subs.iter().map(|e| e.id.as_str()).collect()))
            .collect();
        assert_eq!(ids, [("a", vec![]), ("b", vec!["c", "d"]), ("e", vec![])]);
    }
}
