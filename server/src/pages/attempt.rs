//! `/attempts/{id}`: one attempt, for its owner only. While open: the questions as a plain form that works
//! without JavaScript (with it, answers autosave through the API and a countdown shows); `POST` saves or
//! submits. Once submitted: the score, pass or fail, and per question what was right, with the explanation.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use daotao_content::course::Course;
use daotao_content::quiz::grade::{Answer, Answers};
use daotao_content::quiz::review::{ReviewedQuestion, format_number};
use daotao_content::quiz::{Kind, Question};
use daotao_core::assessment::attempts::{self, Attempt, AttemptError};
use daotao_core::entities::quiz;
use poem::error::NotFoundError;
use poem::http::StatusCode;
use poem::web::{Data, Path, Query};
use poem::{Body, Request, handler};
use sea_orm::EntityTrait;
use serde::Deserialize;

use super::{Chrome, PageResult, private_html};
use crate::auth::guard::LoggedIn;
use crate::auth::{self, csrf};
use crate::error::AppError;
use crate::i18n::{Lang, Texts};
use crate::state::AppState;
use crate::static_files;

/// Form bodies larger than this are refused: a quiz's answers are far smaller.
const MAX_FORM_BYTES: usize = 256 * 1024;

/// One question of the open attempt's form, with what was saved for it.
pub struct QuestionView {
    pub number: usize,
    pub id: String,
    pub kind: &'static str,
    pub stem_html: String,
    pub options: Vec<OptionView>,
    /// Short and numerical: the saved text.
    pub text: String,
    /// Matching: the texts to pick from.
    pub choices: Vec<String>,
}

pub struct OptionView {
    pub id: String,
    pub html: String,
    pub checked: bool,
    /// Matching: the right text saved for this item.
    pub selected: String,
}

#[derive(Template)]
#[template(path = "attempt.html")]
struct AttemptPage {
    chrome: Chrome,
    course_id: String,
    course_title: String,
    quiz_id: String,
    quiz_title: String,
    id: i64,
    number: i32,
    questions: Vec<QuestionView>,
    seconds_left: Option<i64>,
    deadline: String,
    /// The time the attempt allows, to the minute (the quiz's limit and the person's extra time, #19).
    minutes_allowed: Option<i64>,
    /// Whether that time is longer than the quiz's limit: the person has extra time.
    extra_time: bool,
    saved: bool,
    notice: Option<&'static str>,
    script_url: &'static str,
}

#[derive(Template)]
#[template(path = "result.html")]
struct ResultPage {
    chrome: Chrome,
    course_id: String,
    course_title: String,
    quiz_id: String,
    quiz_title: String,
    number: i32,
    percent: String,
    score: String,
    max_score: String,
    pass_percent: i32,
    passed: bool,
    closed_by_server: bool,
    completed: bool,
    /// After a fail with attempts left: how many (`None`: no limit), for a "try again" button.
    retake: Option<Option<u32>>,
    questions: Vec<ReviewedQuestion>,
}

#[derive(Deserialize)]
pub struct Flags {
    #[serde(default)]
    saved: Option<String>,
}

/// An attempt's number from the address: anything else is a page that does not exist (the site's
/// own 404 page, not a bare "bad request").
fn attempt_id(text: &str) -> poem::Result<i64> {
    text.parse().map_err(|_| NotFoundError.into())
}

/// `GET /attempts/{id}`.
#[handler]
pub async fn show_attempt(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path(id): Path<String>,
    Query(flags): Query<Flags>,
    lang: Lang,
    me: LoggedIn,
) -> PageResult {
    let id = attempt_id(&id)?;
    let attempt =
        attempts::find_own(&state.db, &state.library(), me.user().id, id, chrono::Utc::now()).await?;
    show(req, &state, attempt, lang, flags.saved.is_some(), None, StatusCode::OK).await
}

async fn show(
    req: &Request,
    state: &AppState,
    attempt: Attempt,
    lang: Lang,
    saved: bool,
    notice: Option<&'static str>,
    status: StatusCode,
) -> PageResult {
    let t = lang.texts();
    let library = state.library();
    let quiz_row = quiz::Entity::find_by_id(attempt.row.quiz_id).one(&state.db).await?;
    let quiz_row = quiz_row.ok_or(AttemptError::NotFound)?;
    let course: Option<&Arc<Course>> = library.courses.get(&attempt.row.course_id);
    let course_title = course.map(|c| c.meta.title.clone()).unwrap_or_else(|| attempt.row.course_id.clone());
    let chrome = Chrome::new(lang, req);
    if let Some(score) = attempt.score() {
        let completed =
            daotao_core::learning::enrollment::find(&state.db, attempt.row.user_id, &attempt.row.course_id)
                .await?
                .is_some_and(|e| e.completed_at.is_some());
        let passed = attempt.row.passed == Some(true);
        let retake = match course.and_then(|c| c.quizzes.iter().find(|q| q.id == quiz_row.slug)) {
            Some(quiz) if !passed => {
                let taken =
                    attempts::list_own(&state.db, attempt.row.user_id, &attempt.row.course_id, &quiz.id)
                        .await?
                        .len();
                let left = super::quiz::attempts_left(quiz, taken);
                (left != Some(0)).then_some(left)
            }
            _ => None,
        };
        let page = ResultPage {
            chrome,
            course_id: attempt.row.course_id.clone(),
            course_title,
            quiz_id: quiz_row.slug,
            quiz_title: quiz_row.title,
            number: attempt.row.number,
            percent: format_number(score.percent),
            score: format_number(score.score),
            max_score: format_number(score.max_score),
            pass_percent: attempt.row.pass_percent,
            passed,
            closed_by_server: attempt.row.closed_by_server,
            completed,
            retake,
            questions: attempt.review(t.quiz_true, t.quiz_false),
        };
        return Ok(private_html(&page, status));
    }
    let allowed = attempt.row.deadline.map(|d| d - attempt.row.started_at);
    let limit = course
        .and_then(|c| c.quizzes.iter().find(|q| q.id == quiz_row.slug))
        .map_or(u32::MAX, |q| q.settings.time_limit_minutes);
    let page = AttemptPage {
        chrome,
        course_id: attempt.row.course_id.clone(),
        course_title,
        quiz_id: quiz_row.slug,
        quiz_title: quiz_row.title,
        id: attempt.row.id,
        number: attempt.row.number,
        questions: attempt
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| question_view(i + 1, q, attempt.answers.get(&q.id), t))
            .collect(),
        seconds_left: attempt.seconds_left(chrono::Utc::now()),
        deadline: attempt.row.deadline.map(super::local_time).unwrap_or_default(),
        minutes_allowed: allowed.map(|d| (d.num_seconds() + 59) / 60),
        extra_time: allowed.is_some_and(|d| d.num_seconds() > i64::from(limit) * 60),
        saved,
        notice,
        script_url: static_files::quiz_js_url(),
    };
    Ok(private_html(&page, status))
}

fn question_view(number: usize, q: &Question, saved: Option<&Answer>, t: &Texts) -> QuestionView {
    let picked = |id: &str| matches!(saved, Some(Answer::Options(ids)) if ids.iter().any(|p| p == id));
    let option = |id: &str, html: &str| OptionView {
        id: id.to_owned(),
        html: html.to_owned(),
        checked: picked(id),
        selected: String::new(),
    };
    let asked = daotao_content::quiz::asked::ask(q, t.quiz_true, t.quiz_false);
    let options = match &q.kind {
        Kind::Matching { pairs, .. } => pairs
            .iter()
            .map(|p| OptionView {
                id: p.id.clone(),
                html: p.left_html.clone(),
                checked: false,
                selected: match saved {
                    Some(Answer::Matching(m)) => m.get(&p.id).cloned().unwrap_or_default(),
                    _ => String::new(),
                },
            })
            .collect(),
        _ => asked.options.iter().map(|o| option(&o.id, &o.html)).collect(),
    };
    let text = match saved {
        Some(Answer::Text(s)) => s.clone(),
        Some(Answer::Number(n)) => format_number(*n),
        _ => String::new(),
    };
    QuestionView {
        number,
        id: q.id.clone(),
        kind: asked.kind,
        stem_html: q.stem_html.clone(),
        options,
        text,
        choices: asked.choices,
    }
}

/// The answers of the form: every question of the attempt gets a value (empty when nothing was picked or
/// typed), so the form replaces what was saved, as a learner expects of "save".
fn answers_from_form(questions: &[Question], pairs: &[(String, String)]) -> Answers {
    let values = |name: &str| -> Vec<String> {
        pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    };
    questions
        .iter()
        .map(|q| {
            let answer = match &q.kind {
                Kind::Single { .. } | Kind::Multiple { .. } | Kind::TrueFalse { .. } => {
                    Answer::Options(values(&q.id).into_iter().filter(|v| !v.is_empty()).collect())
                }
                Kind::Short { .. } | Kind::Numerical { .. } => {
                    Answer::Text(values(&q.id).into_iter().next().unwrap_or_default())
                }
                Kind::Matching { pairs: items, .. } => Answer::Matching(
                    items
                        .iter()
                        .map(|p| {
                            (
                                p.id.clone(),
                                values(&format!("{}.{}", q.id, p.id)).into_iter().next().unwrap_or_default(),
                            )
                        })
                        .collect::<BTreeMap<_, _>>(),
                ),
            };
            (q.id.clone(), answer)
        })
        .collect()
}

/// `POST /attempts/{id}`: `action=save` keeps the answers; `action=submit` grades.
#[handler]
pub async fn post(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path(id): Path<String>,
    lang: Lang,
    body: Body,
    me: LoggedIn,
) -> PageResult {
    let id = attempt_id(&id)?;
    let here = format!("/attempts/{id}");
    let user_id = me.user().id;
    let bytes = body.into_bytes_limit(MAX_FORM_BYTES).await.map_err(poem::Error::from)?;
    let pairs: Vec<(String, String)> =
        form_urlencoded::parse(&bytes).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let field =
        |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default();
    csrf::check(me.csrf_token(), field("csrf"))?;
    let submit = field("action") == "submit";
    let now = chrono::Utc::now();
    let t = lang.texts();
    let library = state.library();
    let attempt = attempts::find_own(&state.db, &library, user_id, id, now).await?;
    let answers = answers_from_form(&attempt.questions, &pairs);
    let result = if submit {
        attempts::submit(&state.db, &library, user_id, id, Some(answers), now).await
    } else {
        attempts::save_answers(&state.db, &library, user_id, id, answers, now).await
    };
    let error = match result {
        Ok(attempt) if submit => {
            state.metrics.submitted(&attempt.row, now);
            return Ok(auth::redirect(&here));
        }
        Ok(_) => return Ok(auth::redirect(&format!("{here}?saved=1"))),
        Err(e) => e,
    };
    // Saving after the deadline or after submitting, or a bad answer: show what there is, with why.
    let (attempt, notice) = match &error {
        AttemptError::Submitted | AttemptError::Expired => {
            let attempt = attempts::find_own(&state.db, &library, user_id, id, now).await?;
            let notice = if attempt.row.closed_by_server { t.quiz_expired } else { t.quiz_already_submitted };
            (attempt, notice)
        }
        AttemptError::BadAnswer(_) => (attempt, t.quiz_bad_answer),
        _ => return Err(error.into()),
    };
    let status = AppError::from(error).status();
    show(req, &state, attempt, lang, false, Some(notice), status).await
}
