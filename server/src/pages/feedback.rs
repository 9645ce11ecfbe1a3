//! Course feedback (#19): `/courses/{course}/feedback`, the questionnaire a learner who completed the course
//! answers once (then a thank-you), and `/courses/{course}/feedback/results`, the answers for the course's
//! trainers and admins, by period and unit, never for fewer than five. No audit row is written for an answer:
//! its time would undo what the storage hides (see `daotao_core::learning::feedback`).

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use daotao_content::course::{Course, Questionnaire};
use daotao_core::learning::feedback::results::{self, Filter, MIN_GROUP, Results, Summary, UnitChoice};
use daotao_core::learning::feedback::{self, Answer, FeedbackError, MAX_COMMENT_CHARS};
use daotao_core::learning::roster::may_view;
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Request, handler};
use serde::Deserialize;

use super::{Chrome, PageResult, private_html};
use crate::auth::guard::LoggedIn;
use crate::auth::{self, csrf};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::workflows::find;

/// One statement with the level the learner picked (kept when the form comes back with an error).
struct ItemView {
    id: String,
    text: String,
    picked: Option<u8>,
}

impl ItemView {
    /// Whether level `n` (1 to 5) is the one picked.
    fn picked_is(&self, n: &usize) -> bool {
        self.picked.is_some_and(|p| usize::from(p) == *n)
    }
}

#[derive(Template)]
#[template(path = "feedback.html")]
struct FeedbackPage {
    chrome: Chrome,
    course: Arc<Course>,
    items: Vec<ItemView>,
    comment_question: String,
    comment: String,
    max_comment: usize,
    comment_hint: String,
    error: Option<String>,
    /// Answered: the thank-you instead of the form.
    answered: bool,
}

/// The course and its questionnaire; a course without one has no feedback page.
fn course_and_questionnaire(
    state: &AppState,
    id: &str,
) -> Result<(Arc<Course>, Arc<Questionnaire>), AppError> {
    let library = state.library();
    let course = find::course(&library, id)?.clone();
    let questionnaire = library
        .questionnaire(&course)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("course `{id}` asks for no feedback")))?;
    Ok((course, questionnaire))
}

/// Whether the person may answer: enrolled and completed (the rule `feedback::submit` enforces again).
async fn check_completed(state: &AppState, user_id: i64, course_id: &str) -> Result<(), AppError> {
    let completed = daotao_core::learning::enrollment::find(&state.db, user_id, course_id)
        .await?
        .is_some_and(|e| e.completed_at.is_some());
    if completed {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!("course `{course_id}` is not completed")))
    }
}

fn page(chrome: Chrome, course: Arc<Course>, q: &Questionnaire, answer: &Answer) -> FeedbackPage {
    FeedbackPage {
        course,
        items: q
            .items
            .iter()
            .map(|i| ItemView {
                id: i.id.clone(),
                text: i.text.clone(),
                picked: answer.scores.get(&i.id).copied(),
            })
            .collect(),
        comment_question: q.comment.clone(),
        comment: answer.comment.clone(),
        max_comment: MAX_COMMENT_CHARS,
        comment_hint: (chrome.t.feedback_comment_hint)(MAX_COMMENT_CHARS),
        error: None,
        answered: false,
        chrome,
    }
}

/// `GET /courses/{course}/feedback`: the questionnaire, or the thank-you once answered.
#[handler]
pub async fn form(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path(id): Path<String>,
    lang: Lang,
    me: LoggedIn,
) -> PageResult {
    let (course, questionnaire) = course_and_questionnaire(&state, &id)?;
    check_completed(&state, me.user().id, &id).await?;
    let mut page = page(Chrome::new(lang, req), course, &questionnaire, &Answer::default());
    page.answered = feedback::has_answered(&state.db, me.user().id, &id).await?;
    Ok(private_html(&page, StatusCode::OK))
}

/// `POST /courses/{course}/feedback`: `score.<item id>` = 1..5 for every item, `comment`, `csrf`.
#[handler]
pub async fn submit(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path(id): Path<String>,
    lang: Lang,
    Form(fields): Form<Vec<(String, String)>>,
    me: LoggedIn,
) -> PageResult {
    let submitted_csrf = fields.iter().find(|(k, _)| k == "csrf").map_or("", |(_, v)| v.as_str());
    csrf::check(me.csrf_token(), submitted_csrf)?;
    let (course, questionnaire) = course_and_questionnaire(&state, &id)?;
    let answer = read_answer(&fields);
    let outcome =
        feedback::submit(&state.db, me.user().id, &id, &questionnaire, &answer, chrono::Utc::now()).await;
    let t = lang.texts();
    let error = match outcome {
        Ok(()) | Err(FeedbackError::AlreadyAnswered) => {
            return Ok(auth::redirect(&format!("/courses/{id}/feedback")));
        }
        Err(FeedbackError::NotCompleted) => {
            return Err(AppError::Forbidden(format!("course `{id}` is not completed")));
        }
        Err(FeedbackError::Db(e)) => return Err(e.into()),
        Err(FeedbackError::Unanswered(_)) => t.feedback_missing.to_string(),
        Err(FeedbackError::CommentTooLong(chars)) => (t.feedback_comment_too_long)(chars, MAX_COMMENT_CHARS),
    };
    let mut page = page(Chrome::new(lang, req), course, &questionnaire, &answer);
    page.error = Some(error);
    Ok(private_html(&page, StatusCode::UNPROCESSABLE_ENTITY))
}

/// The answer in the form's fields; a level that is not 1 to 5 counts as not picked.
fn read_answer(fields: &[(String, String)]) -> Answer {
    let mut answer = Answer::default();
    for (key, value) in fields {
        if let Some(item) = key.strip_prefix("score.") {
            if let Ok(score @ 1..=5) = value.trim().parse::<u8>() {
                answer.scores.insert(item.to_string(), score);
            }
        } else if key == "comment" {
            answer.comment = value.clone();
        }
    }
    answer
}

/// `?from=YYYY-MM&to=YYYY-MM&unit=CODE`, every one optional (empty means not set).
#[derive(Debug, Default, Deserialize)]
pub struct ResultsQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    unit: String,
}

/// One item's row of the results table.
struct ItemRow {
    text: String,
    removed: bool,
    counts: [usize; 5],
    answers: usize,
    mean: String,
}

#[derive(Template)]
#[template(path = "feedback_results.html")]
struct ResultsPage {
    chrome: Chrome,
    course: Arc<Course>,
    from: String,
    to: String,
    unit: String,
    units: Vec<UnitChoice>,
    /// `None`: fewer than [`MIN_GROUP`] answers in the group.
    summary: Option<Summary>,
    rows: Vec<ItemRow>,
    satisfaction: String,
    /// Said instead of the figures when the group has fewer than [`MIN_GROUP`] answers.
    too_few: String,
}

/// `YYYY-MM`, or nothing.
fn month(value: &str) -> Option<String> {
    let value = value.trim();
    chrono::NaiveDate::parse_from_str(&format!("{value}-01"), "%Y-%m-%d").ok().map(|_| value.to_string())
}

/// `GET /courses/{course}/feedback/results`: for the course's trainers and admins.
#[handler]
pub async fn results_page(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path(id): Path<String>,
    Query(query): Query<ResultsQuery>,
    lang: Lang,
    me: LoggedIn,
) -> PageResult {
    let library = state.library();
    let course = find::course(&library, &id)?.clone();
    if !may_view(&state.db, me.user(), &id).await? {
        return Err(AppError::Forbidden(format!("not a trainer of course `{id}`")));
    }
    let questionnaire = library.questionnaire(&course).cloned();
    let units = results::unit_choices(&state.db).await?;
    let unit = units.iter().find(|u| u.code == query.unit.trim());
    let filter = Filter {
        from: month(&query.from),
        to: month(&query.to),
        units: match unit {
            Some(u) => Some(daotao_core::learning::enrollment::subtree(&state.db, u.id).await?),
            None => None,
        },
    };
    let summary = match results::results(&state.db, &id, questionnaire.as_deref(), &filter).await? {
        Results::TooFew => None,
        Results::Shown(summary) => Some(summary),
    };
    let t = lang.texts();
    let rows = summary
        .iter()
        .flat_map(|s| &s.items)
        .map(|i| ItemRow {
            text: i.text.clone().unwrap_or_else(|| format!("{} ({})", i.id, t.feedback_removed_item)),
            removed: i.text.is_none(),
            counts: i.counts,
            answers: i.answers(),
            mean: decimal(lang, i.mean(), 2),
        })
        .collect();
    let satisfaction =
        summary.as_ref().map(|s| decimal(lang, s.satisfaction_percent(), 1)).unwrap_or_default();
    let page = ResultsPage {
        chrome: Chrome::new(lang, req),
        course,
        from: filter.from.unwrap_or_default(),
        to: filter.to.unwrap_or_default(),
        unit: unit.map(|u| u.code.clone()).unwrap_or_default(),
        units,
        summary,
        rows,
        satisfaction,
        too_few: (t.feedback_too_few)(MIN_GROUP),
    };
    Ok(private_html(&page, StatusCode::OK))
}

/// A number as the reader's language writes it: `4,25` in Vietnamese, `4.25` in English.
fn decimal(lang: Lang, value: f64, places: usize) -> String {
    let s = format!("{value:.places$}");
    if lang == Lang::Vi { s.replace('.', ",") } else { s }
}

/// The courses a person completed whose questionnaire they have not answered, as (id, title), for `/me`.
pub async fn awaiting(state: &AppState, user_id: i64) -> Result<Vec<(String, String)>, AppError> {
    let library = state.library();
    let waiting = feedback::awaiting(&state.db, user_id).await?;
    Ok(waiting
        .into_iter()
        .filter_map(|id| {
            let course = library.courses.get(&id)?;
            library.questionnaire(course)?;
            Some((id, course.meta.title.clone()))
        })
        .collect::<BTreeMap<_, _>>()
        .into_iter()
        .collect())
}

/// Whether the course page asks this person for feedback: completed, questionnaire, not answered yet.
pub async fn asks(
    state: &AppState,
    user_id: i64,
    course: &Course,
    completed: bool,
) -> Result<bool, AppError> {
    if !completed || state.library().questionnaire(course).is_none() {
        return Ok(false);
    }
    Ok(!feedback::has_answered(&state.db, user_id, &course.id).await?)
}
