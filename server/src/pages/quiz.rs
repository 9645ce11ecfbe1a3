//! `/courses/{course}/quizzes/{quiz}`: a quiz's rules, the learner's attempts and best result, and `POST
//! .../attempts` to start (or resume) an attempt. Quizzes are for logged-in, enrolled learners only.

use std::sync::Arc;

use askama::Template;
use daotao_content::course::{Course, Quiz};
use daotao_core::assessment::attempts::{self, AttemptError};
use daotao_core::entities::quiz_attempt;
use poem::http::StatusCode;
use poem::web::{Data, Form, Path};
use poem::{Request, handler};

use super::{Chrome, CsrfForm, PageResult, private_html};
use crate::auth::guard::LoggedIn;
use crate::auth::{self, csrf};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::workflows::find;

#[derive(Template)]
#[template(path = "quiz.html")]
struct QuizPage<'a> {
    chrome: Chrome,
    course: &'a Course,
    quiz: &'a Quiz,
    /// How many questions an attempt asks.
    questions: usize,
    enrolled: bool,
    attempts: Vec<quiz_attempt::Model>,
    best: Option<quiz_attempt::Model>,
    /// An attempt still running.
    open: Option<i64>,
    attempts_left: Option<u32>,
    is_completion_quiz: bool,
    /// A message after a refused start.
    notice: Option<&'static str>,
}

/// Attempts `quiz` still allows after `taken` (`None`: no limit).
pub(super) fn attempts_left(quiz: &Quiz, taken: usize) -> Option<u32> {
    let allowed = quiz.settings.attempts;
    (allowed > 0).then(|| allowed.saturating_sub(taken as u32))
}

/// `GET /courses/{course}/quizzes/{quiz}`.
#[handler]
pub async fn show_quiz(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path((course_id, quiz_id)): Path<(String, String)>,
    lang: Lang,
    me: LoggedIn,
) -> PageResult {
    let library = state.library();
    let course = find::course(&library, &course_id)?;
    let quiz = find::quiz(course, &quiz_id)?;
    render(req, &state, me.user().id, course, quiz, lang, None, StatusCode::OK).await
}

#[allow(clippy::too_many_arguments)]
async fn render(
    req: &Request,
    state: &AppState,
    user_id: i64,
    course: &Course,
    quiz: &Quiz,
    lang: Lang,
    notice: Option<&'static str>,
    status: StatusCode,
) -> PageResult {
    let enrolled = daotao_core::learning::enrollment::find(&state.db, user_id, &course.id).await?.is_some();
    let attempts = attempts::list_own(&state.db, user_id, &course.id, &quiz.id).await?;
    let now = chrono::Utc::now();
    let open = attempts
        .iter()
        .find(|a| a.submitted_at.is_none() && a.deadline.is_none_or(|d| now <= d + attempts::DEADLINE_GRACE))
        .map(|a| a.id);
    let best = attempts::best(&attempts).cloned();
    let attempts_left = attempts_left(quiz, attempts.len());
    let questions = daotao_content::quiz::draw::count(&quiz.questions, &quiz.settings);
    let is_completion_quiz = course.meta.completion.quiz.as_ref().is_some_and(|q| *q.get_ref() == quiz.id);
    let page = QuizPage {
        chrome: Chrome::new(lang, req),
        course,
        quiz,
        questions,
        enrolled,
        attempts,
        best,
        open,
        attempts_left,
        is_completion_quiz,
        notice,
    };
    Ok(private_html(&page, status))
}

/// `POST /courses/{course}/quizzes/{quiz}/attempts`: start an attempt (or go back to the running one).
#[handler]
pub async fn start(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path((course_id, quiz_id)): Path<(String, String)>,
    lang: Lang,
    Form(form): Form<CsrfForm>,
    me: LoggedIn,
) -> PageResult {
    csrf::check(me.csrf_token(), &form.csrf)?;
    let user_id = me.user().id;
    let library = state.library();
    let course = find::course(&library, &course_id)?;
    let quiz = find::quiz(course, &quiz_id)?;
    let t = lang.texts();
    let error = match attempts::start(&state.db, &library, me.user(), course, quiz, chrono::Utc::now()).await
    {
        Ok((attempt, created)) => {
            if created {
                state.metrics.attempt_started();
            }
            return Ok(auth::redirect(&format!("/attempts/{}", attempt.row.id)));
        }
        Err(e) => e,
    };
    // Refused: the quiz page again, saying why.
    let notice = match error {
        AttemptError::NoAttemptsLeft(_) => t.quiz_no_attempts_left,
        AttemptError::NotEnrolled(_) => t.quiz_enrol_first,
        _ => return Err(error.into()),
    };
    let status = AppError::from(error).status();
    render(req, &state, user_id, course, quiz, lang, Some(notice), status).await
}
