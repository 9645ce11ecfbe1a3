//! The JSON shapes of quiz attempts (DESIGN.md, "Interfaces"): questions as asked, without keys, and the
//! review after grading.

use chrono::{DateTime, Utc};
use daotao_content::quiz::asked::{AskedOption, AskedQuestion};
use daotao_content::quiz::review::{ReviewedOption, ReviewedQuestion};
use daotao_core::assessment::attempts::Attempt;
use poem_openapi::Object;

use crate::i18n::{Texts, VI};

/// The API labels a true/false question's two options in Vietnamese (the pages use the reader's language).
const LABELS: &Texts = &VI;

/// A question as asked: no answer key, weights or explanations.
#[derive(Debug, Object)]
pub struct QuestionOut {
    pub id: String,
    /// `single`, `multiple`, `true_false`, `short`, `numerical` or `matching`.
    pub kind: String,
    pub stem_html: String,
    /// Choice options, true/false (`true`, `false`), or the left items of a matching question.
    pub options: Vec<OptionOut>,
    /// Matching only: the texts to match each left item with.
    pub choices: Vec<String>,
}

#[derive(Debug, Object)]
pub struct OptionOut {
    pub id: String,
    pub html: String,
}

impl From<AskedQuestion> for QuestionOut {
    fn from(q: AskedQuestion) -> Self {
        Self {
            id: q.id,
            kind: q.kind.to_string(),
            stem_html: q.stem_html,
            options: q.options.into_iter().map(|AskedOption { id, html }| OptionOut { id, html }).collect(),
            choices: q.choices,
        }
    }
}

/// An attempt: while open, its questions and the answers saved so far; once submitted, also its result.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AttemptOut {
    pub id: i64,
    pub course: String,
    pub quiz: String,
    /// 1 for the first attempt at this quiz, ...
    pub number: i32,
    pub started_at: DateTime<Utc>,
    /// The server closes the attempt at this time (plus a few seconds of grace); none without a time limit.
    pub deadline: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub questions: Vec<QuestionOut>,
    /// The answers saved, by question id, in the shape they were sent.
    pub answers: serde_json::Value,
    /// Present once submitted.
    pub result: Option<ResultOut>,
}

/// A graded attempt, in `GET /attempts/{id}` once submitted.
#[derive(Debug, Object)]
pub struct ResultOut {
    pub score: f64,
    pub max_score: f64,
    pub percent: f64,
    pub pass_percent: i32,
    pub passed: bool,
    /// True when the server closed the attempt at its deadline.
    pub closed_by_server: bool,
    pub questions: Vec<ReviewedOut>,
}

/// The answer to `POST /attempts/{id}/submit` (DESIGN.md: `{score, max_score, percent, passed, questions}`): the
/// result at the top level and every question asked, graded and explained. The same on every retry.
#[derive(Debug, Object)]
pub struct GradedOut {
    pub id: i64,
    pub course: String,
    pub quiz: String,
    pub number: i32,
    pub started_at: DateTime<Utc>,
    pub submitted_at: DateTime<Utc>,
    /// Score, pass or fail and the reviewed questions, as fields of this object.
    #[oai(flatten)]
    pub result: ResultOut,
}

impl GradedOut {
    /// `None` while the attempt is open.
    pub fn of(attempt: &Attempt) -> Option<GradedOut> {
        let row = &attempt.row;
        Some(GradedOut {
            id: row.id,
            course: row.course_id.clone(),
            quiz: attempt.quiz_slug.clone(),
            number: row.number,
            started_at: row.started_at,
            submitted_at: row.submitted_at?,
            result: result_out(attempt)?,
        })
    }
}

/// A question after grading: what was right, what the learner answered, the explanation.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReviewedOut {
    pub id: String,
    pub kind: String,
    pub stem_html: String,
    pub options: Vec<ReviewedOptionOut>,
    pub typed: Option<String>,
    pub accepted: Vec<String>,
    /// Marks earned, 0 to 1.
    pub marks: f64,
    pub correct: bool,
    pub explanation_html: Option<String>,
    pub feedback_html: Vec<String>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReviewedOptionOut {
    pub id: String,
    pub html: String,
    pub right: bool,
    pub picked: bool,
    /// Matching: the right text for this item and the one picked.
    pub right_text: Option<String>,
    pub picked_text: Option<String>,
}

impl From<ReviewedQuestion> for ReviewedOut {
    fn from(q: ReviewedQuestion) -> Self {
        Self {
            id: q.id,
            kind: q.kind.to_string(),
            stem_html: q.stem_html,
            options: q
                .options
                .into_iter()
                .map(|ReviewedOption { id, html, right, picked, right_text, picked_text }| {
                    ReviewedOptionOut { id, html, right, picked, right_text, picked_text }
                })
                .collect(),
            typed: q.typed,
            accepted: q.accepted,
            marks: q.marks,
            correct: q.correct,
            explanation_html: q.explanation_html,
            feedback_html: q.feedback_html,
        }
    }
}

/// The result and review of a submitted attempt; `None` while it is open.
fn result_out(attempt: &Attempt) -> Option<ResultOut> {
    let row = &attempt.row;
    attempt.score().map(|score| ResultOut {
        score: score.score,
        max_score: score.max_score,
        percent: score.percent,
        pass_percent: row.pass_percent,
        passed: row.passed.unwrap_or(false),
        closed_by_server: row.closed_by_server,
        questions: attempt.review(LABELS.quiz_true, LABELS.quiz_false).into_iter().map(Into::into).collect(),
    })
}

/// The attempt for its owner; keys only in `result`, and only once submitted.
pub fn attempt_out(attempt: &Attempt) -> AttemptOut {
    use daotao_content::quiz::asked::ask;
    let row = &attempt.row;
    AttemptOut {
        id: row.id,
        course: row.course_id.clone(),
        quiz: attempt.quiz_slug.clone(),
        number: row.number,
        started_at: row.started_at,
        deadline: row.deadline,
        submitted_at: row.submitted_at,
        questions: attempt
            .questions
            .iter()
            .map(|q| ask(q, LABELS.quiz_true, LABELS.quiz_false).into())
            .collect(),
        answers: serde_json::to_value(&attempt.answers).unwrap_or_default(),
        result: result_out(attempt),
    }
}
