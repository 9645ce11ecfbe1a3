//! A quiz's statistics (#19), as the trainers' page and the JSON API both ask for them: who may see them
//! (the course's trainers and admins, the rule of the course's learners page) and the filter read from the
//! query (`attempts=all`, `unit=CODE`, `from=YYYY-MM-DD`, `to=YYYY-MM-DD`; empty fields count as absent,
//! as a GET form sends them).

use std::sync::Arc;

use chrono::NaiveDate;
use daotao_content::course::{Course, Library};
use daotao_core::admin_views::quiz_statistics::{self, QuizStatisticsView};
use daotao_core::assessment::statistics::read::Filter;
use daotao_core::entities::user;
use daotao_core::learning::roster::may_view;
use daotao_core::people::units;
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use crate::error::AppError;
use crate::workflows::find;

/// The query of the page and of the API, as sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StatisticsQuery {
    /// `all` for every attempt; anything else (or nothing) for first attempts only.
    pub attempts: Option<String>,
    pub unit: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl StatisticsQuery {
    fn field(value: &Option<String>) -> Option<&str> {
        value.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }

    pub fn all_attempts(&self) -> bool {
        Self::field(&self.attempts) == Some("all")
    }

    pub fn unit(&self) -> Option<&str> {
        Self::field(&self.unit)
    }

    pub fn from(&self) -> Option<&str> {
        Self::field(&self.from)
    }

    pub fn to(&self) -> Option<&str> {
        Self::field(&self.to)
    }
}

/// Why a query cannot be answered as given: the page says it beside the form, the API answers 422.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryProblem {
    UnknownUnit(String),
    BadDate(String),
}

impl std::fmt::Display for QueryProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QueryProblem::UnknownUnit(code) => write!(f, "no unit with code `{code}`"),
            QueryProblem::BadDate(text) => write!(f, "`{text}` is not a date (YYYY-MM-DD)"),
        }
    }
}

/// The course `course_id` if `viewer` may see its quizzes' statistics, else the refusal every trainer-only
/// page gives (403).
pub async fn course_for(
    db: &DatabaseConnection,
    library: &Library,
    viewer: &user::Model,
    course_id: &str,
) -> Result<Arc<Course>, AppError> {
    let course = find::course(library, course_id)?.clone();
    if !may_view(db, viewer, course_id).await? {
        return Err(AppError::Forbidden(format!("not a trainer of course `{course_id}`")));
    }
    Ok(course)
}

/// The filter the query asks for, or what is wrong with it.
pub async fn filter(
    db: &DatabaseConnection,
    query: &StatisticsQuery,
) -> Result<Result<Filter, QueryProblem>, AppError> {
    let date = |text: Option<&str>| match text {
        None => Ok(None),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| QueryProblem::BadDate(text.to_owned())),
    };
    let (from, to) = match (date(query.from()), date(query.to())) {
        (Ok(from), Ok(to)) => (from, to),
        (Err(problem), _) | (_, Err(problem)) => return Ok(Err(problem)),
    };
    let unit = match query.unit() {
        None => None,
        Some(code) => match units::find_by_code(db, code).await? {
            Some(unit) => Some(unit.id),
            None => return Ok(Err(QueryProblem::UnknownUnit(code.to_owned()))),
        },
    };
    Ok(Ok(Filter { all_attempts: query.all_attempts(), unit, from, to }))
}

/// The statistics of quiz `quiz_id` of `course` under `filter`.
pub async fn load(
    db: &DatabaseConnection,
    course: &Course,
    quiz_id: &str,
    filter: &Filter,
) -> Result<QuizStatisticsView, AppError> {
    let quiz = find::quiz(course, quiz_id)?;
    Ok(quiz_statistics::load(db, course, quiz, filter).await?)
}
