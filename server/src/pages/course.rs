//! `/courses/{course}`: a course's summary, lessons and quizzes; for a
//! logged-in learner also their enrolment and progress, and `POST
//! /courses/{course}/enrol` to enrol themself.

use std::collections::HashSet;
use std::sync::Arc;

use askama::Template;
use daotao_content::course::Course;
use daotao_core::learning::enrollment::{self, EnrollError};
use daotao_core::learning::progress::read_lessons;
use daotao_core::platform::audit::{self, Event};
use poem::error::NotFoundError;
use poem::http::StatusCode;
use poem::web::{Data, Form, Path};
use poem::{Request, Response, handler};

use super::login::{CsrfForm, internal};
use super::{Chrome, html, private_html};
use crate::auth::{self, Viewer, csrf};
use crate::i18n::{self, Lang};
use crate::state::AppState;

/// A logged-in learner's place in a course.
pub struct Track {
    pub enrolled: bool,
    pub read: HashSet<String>,
    /// The first lesson not read yet.
    pub next: Option<String>,
    /// Every lesson read and the completion quiz passed.
    pub completed: bool,
}

impl Track {
    /// Looks up `user_id`'s enrolment and lessons read in `course`.
    pub async fn load(state: &AppState, user_id: i64, of: &Course) -> poem::Result<Track> {
        let enrollment = enrollment::find(&state.db, user_id, &of.id).await.map_err(internal)?;
        let enrolled = enrollment.is_some();
        let completed = enrollment.is_some_and(|e| e.completed_at.is_some());
        let read = if enrolled {
            read_lessons(&state.db, user_id, &of.id).await.map_err(internal)?
        } else {
            HashSet::new()
        };
        let next = of.lessons.iter().find(|l| !read.contains(&l.id)).map(|l| l.id.clone());
        Ok(Track { enrolled, read, next, completed })
    }
}

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
}

#[handler]
pub async fn course(
    req: &Request,
    state: Data<&Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<String>,
    lang: Lang,
) -> poem::Result<Response> {
    if viewer.user().is_none() && !state.auth.anonymous_reading {
        return Ok(auth::login_redirect(req.uri().path()));
    }
    let course = state.library().courses.get(&id).cloned().ok_or(NotFoundError)?;
    let audience =
        course.meta.audience.iter().map(|tag| i18n::audience(lang, tag)).collect::<Vec<_>>().join(", ");
    let track = match viewer.user() {
        Some(user) => Some(Track::load(&state, user.id, &course).await?),
        None => None,
    };
    let personal = track.is_some();
    let staff = viewer.user().is_some_and(|u| u.role != daotao_core::entities::user::Role::Learner);
    let completion_quiz = course.meta.completion.quiz.as_ref().map(|q| q.get_ref().clone());
    let page = CoursePage { chrome: Chrome::new(lang, req), course, audience, track, staff, completion_quiz };
    Ok(if personal { private_html(&page, StatusCode::OK) } else { html(&page, StatusCode::OK) })
}

/// `POST /courses/{course}/enrol`: self-enrolment from the course page.
#[handler]
pub async fn enrol(
    req: &Request,
    state: Data<&Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> poem::Result<Response> {
    let Some(user) = viewer.user() else {
        return Ok(auth::login_redirect(&format!("/courses/{id}")));
    };
    csrf::check(&viewer, &form.csrf)?;
    let result = enrollment::self_enrol(&state.db, &id, user.id).await;
    let ip = auth::client_ip(req);
    let (outcome, detail) = match &result {
        Ok(_) => ("success", String::new()),
        Err(e) => ("failure", e.to_string()),
    };
    let event = Event {
        user_id: Some(user.id),
        actor: &user.username,
        action: "enrol",
        target: &id,
        ip: &ip,
        result: outcome,
        detail: &detail,
    };
    audit::record(&state.db, event).await.map_err(internal)?;
    match result {
        Ok(_) => Ok(auth::redirect(&format!("/courses/{id}"))),
        Err(EnrollError::UnknownCourse(_)) => Err(NotFoundError.into()),
        Err(EnrollError::NotSelfEnrol(_)) => Err(poem::Error::from_status(StatusCode::FORBIDDEN)),
        Err(e) => Err(internal(e)),
    }
}
