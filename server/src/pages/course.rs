//! `/courses/{course}`: a course's summary, lessons and quizzes; for a
//! logged-in learner also their enrolment and progress, and `POST
//! /courses/{course}/enrol` to enrol themself.

use std::sync::Arc;

use askama::Template;
use daotao_content::course::Course;
use poem::http::StatusCode;
use poem::web::{Data, Form, Path};
use poem::{Request, handler};

use super::{Chrome, CsrfForm, PageResult, html, private_html};
use crate::auth::guard::LoggedIn;
use crate::auth::{self, Viewer, csrf};
use crate::i18n::{self, Lang};
use crate::state::AppState;
use crate::workflows::progress::Track;
use crate::workflows::{Actor, enrolment, find};

#[derive(Template)]
#[template(path = "course.html")]
struct CoursePage {
    chrome: Chrome,
    course: Arc<Course>,
    /// The audience tags in words, e.g. "mọi cán bộ, công chức".
    audience: String,
    /// `None` for anonymous visitors.
    track: Option<Track>,
    /// A trainer or admin: link to the learners' page (which checks the assignment).
    staff: bool,
    /// The quiz that completes the course, if it has one: pointed to once every lesson is read.
    completion_quiz: Option<String>,
    /// Completed, the course asks for feedback, not answered yet: the prompt (#19).
    ask_feedback: bool,
    /// A trainer or admin and the course asks for feedback: link to the results (which checks the assignment).
    feedback_results: bool,
}

#[handler]
pub async fn course(
    req: &Request,
    state: Data<&Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<String>,
    lang: Lang,
) -> PageResult {
    let course = find::course(&state.library(), &id)?.clone();
    let audience =
        course.meta.audience.iter().map(|tag| i18n::audience(lang, tag)).collect::<Vec<_>>().join(", ");
    let track = match viewer.user() {
        Some(user) => Some(Track::load(&state.db, user.id, &course).await?),
        None => None,
    };
    let personal = track.is_some();
    let staff = viewer.user().is_some_and(|u| u.role != daotao_core::entities::user::Role::Learner);
    let completion_quiz = course.meta.completion.quiz.as_ref().map(|q| q.get_ref().clone());
    let ask_feedback = match (viewer.user(), &track) {
        (Some(user), Some(track)) => super::feedback::asks(&state, user.id, &course, track.completed).await?,
        _ => false,
    };
    let feedback_results = staff && state.library().questionnaire(&course).is_some();
    let page = CoursePage {
        chrome: Chrome::new(lang, req),
        course,
        audience,
        track,
        staff,
        completion_quiz,
        ask_feedback,
        feedback_results,
    };
    Ok(if personal { private_html(&page, StatusCode::OK) } else { html(&page, StatusCode::OK) })
}

/// `POST /courses/{course}/enrol`: self-enrolment from the course page.
#[handler]
pub async fn enrol(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
    me: LoggedIn,
) -> PageResult {
    csrf::check(me.csrf_token(), &form.csrf)?;
    let actor = Actor { user: me.user(), ip: auth::client_ip(req) };
    enrolment::self_enrol(&state.db, &actor, &id).await?;
    Ok(auth::redirect(&format!("/courses/{id}")))
}
