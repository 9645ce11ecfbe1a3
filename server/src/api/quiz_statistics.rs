//! `GET /api/v1/courses/{course}/quizzes/{quiz}/statistics`: a quiz's item analysis (#19) for the course's
//! trainers and admins, the same figures as the page `/courses/{course}/quizzes/{quiz}/statistics`. A figure
//! the data leaves undefined (one attempt, no spread) is `null`, declared `nullable`.

use std::borrow::Cow;
use std::sync::Arc;

use daotao_core::admin_views::quiz_statistics::{FlagView, OptionView, QuestionView, QuizStatisticsView};
use daotao_core::assessment::statistics::Flag;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use poem_openapi::{Enum, Object, OpenApi};
use serde_json::Value;

use super::ApiTags;
use super::caller::Caller;
use super::error::ApiError;
use crate::state::AppState;
use crate::workflows::quiz_statistics::{self as workflow, StatisticsQuery};

pub struct QuizStatisticsApi;

#[OpenApi(tag = "ApiTags::Quizzes")]
impl QuizStatisticsApi {
    /// A quiz's statistics (item analysis)
    ///
    /// For the course's trainers and for admins (403 for anyone else). Counts the submitted attempts
    /// (closed by the server at the deadline included): each learner's first attempt only, unless
    /// `attempts=all`, as Moodle does, because a second attempt is taken by someone who has seen the
    /// questions. Figures are Moodle's: percent scores, sample standard deviations, Cronbach's alpha,
    /// discrimination index (100 × the correlation of the question with the rest of the attempt).
    #[oai(path = "/courses/:course/quizzes/:quiz/statistics", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn statistics(
        &self,
        state: Data<&Arc<AppState>>,
        course: Path<String>,
        quiz: Path<String>,
        /// `all` to count every attempt; first attempts only otherwise.
        attempts: Query<Option<String>>,
        /// A unit's code: only its people and those of its sub-units.
        unit: Query<Option<String>>,
        /// Only attempts submitted on this day (YYYY-MM-DD, Viet Nam's time) or later.
        from: Query<Option<String>>,
        /// Only attempts submitted on this day (YYYY-MM-DD, Viet Nam's time) or earlier.
        to: Query<Option<String>>,
        caller: Caller,
    ) -> Result<Json<QuizStatisticsBody>, ApiError> {
        let library = state.library();
        let course = workflow::course_for(&state.db, &library, caller.user(), &course.0).await?;
        let query = StatisticsQuery { attempts: attempts.0, unit: unit.0, from: from.0, to: to.0 };
        let filter = workflow::filter(&state.db, &query)
            .await?
            .map_err(|problem| ApiError::Http(StatusCode::UNPROCESSABLE_ENTITY, problem.to_string()))?;
        let view = workflow::load(&state.db, &course, &quiz.0, &filter).await?;
        let link_base = state.course_source_url.as_deref();
        Ok(Json(QuizStatisticsBody::new(&course.id, &quiz.0, &query, &view, link_base)))
    }
}

/// A figure that may be undefined on the data: a number, or `null`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure(pub Option<f64>);

impl Type for Figure {
    const IS_REQUIRED: bool = true;
    type RawValueType = f64;
    type RawElementValueType = f64;

    fn name() -> Cow<'static, str> {
        "number_or_null".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            nullable: true,
            ..MetaSchema::new_with_format("number", "double")
        }))
    }

    fn as_raw_value(&self) -> Option<&f64> {
        self.0.as_ref()
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a f64> + 'a> {
        Box::new(self.0.iter())
    }
}

/// Figures are only sent, but an object type of the API reads as well as writes.
impl ParseFromJSON for Figure {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            None | Some(Value::Null) => Ok(Figure(None)),
            Some(Value::Number(n)) => Ok(Figure(n.as_f64())),
            Some(other) => Err(ParseError::expected_type(other)),
        }
    }
}

impl ToJSON for Figure {
    fn to_json(&self) -> Option<Value> {
        Some(self.0.and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number))
    }
}

/// A quiz's statistics.
#[derive(Debug, Object)]
pub struct QuizStatisticsBody {
    pub course: String,
    pub quiz: String,
    /// The attempts counted.
    pub filter: StatisticsFilter,
    pub summary: QuizFigures,
    /// In the quiz file's order, then questions no longer in the file.
    pub questions: Vec<QuestionFigures>,
}

/// Which attempts were counted.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct StatisticsFilter {
    /// Every attempt (`true`) or each learner's first only.
    pub all_attempts: bool,
    pub unit: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The quiz as a whole, on the attempts' percent scores.
#[derive(Debug, Object)]
pub struct QuizFigures {
    pub attempts: u64,
    pub mean: Figure,
    pub median: Figure,
    /// Sample standard deviation.
    pub sd: Figure,
    /// Coefficient of internal consistency, in percent.
    pub cronbach_alpha: Figure,
    /// Share of the spread that is measurement error, in percent.
    pub error_ratio: Figure,
    /// Measurement error on one learner's percent score.
    pub standard_error: Figure,
}

/// One question: figures over the attempts that were asked it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct QuestionFigures {
    /// The question's id in its quiz file (derived from its text).
    pub id: String,
    /// Its text, plain and shortened; empty when it is no longer in the file.
    pub stem: String,
    /// `single`, `multiple`, `true_false`, `short`, `numerical`, `matching`; absent when no longer in the file.
    pub kind: Option<String>,
    /// The quiz file, relative to the courses folder.
    pub file: Option<String>,
    /// 1-based line of the question in `file`.
    pub line: Option<u64>,
    /// The question in the courses' repository, when the server knows its address.
    pub link: Option<String>,
    pub asked: u64,
    /// Mean score in percent.
    pub facility: Figure,
    pub sd: Figure,
    pub discrimination_index: Figure,
    pub discriminative_efficiency: Figure,
    /// Choice questions: every option, how often it was picked, the right ones marked.
    pub options: Vec<OptionFigures>,
    pub flags: Vec<ReviewFlag>,
}

/// An option of a choice question.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OptionFigures {
    /// The option's id in the quiz file (`a`, `b`, ... in file order; `true`/`false`).
    pub id: String,
    /// Plain text; absent for `true`/`false` and for an option no longer in the file.
    pub text: Option<String>,
    pub picked: u64,
    pub right: bool,
}

/// Why a question deserves review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ReviewReason {
    /// Facility above 90.
    TooEasy,
    /// Facility below 20.
    TooHard,
    /// Discrimination index below 10 with at least 30 attempts.
    LowDiscrimination,
    /// The strongest third preferred a wrong option (`option`) to every right one.
    LikelyWrongKey,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReviewFlag {
    pub reason: ReviewReason,
    /// For `likely_wrong_key`: the option's id.
    pub option: Option<String>,
}

impl QuizStatisticsBody {
    fn new(
        course: &str,
        quiz: &str,
        query: &StatisticsQuery,
        view: &QuizStatisticsView,
        link_base: Option<&str>,
    ) -> Self {
        let summary = &view.quiz;
        Self {
            course: course.to_owned(),
            quiz: quiz.to_owned(),
            filter: StatisticsFilter {
                all_attempts: query.all_attempts(),
                unit: query.unit().map(str::to_owned),
                from: query.from().map(str::to_owned),
                to: query.to().map(str::to_owned),
            },
            summary: QuizFigures {
                attempts: summary.attempts as u64,
                mean: Figure(summary.mean),
                median: Figure(summary.median),
                sd: Figure(summary.sd),
                cronbach_alpha: Figure(summary.cronbach_alpha),
                error_ratio: Figure(summary.error_ratio),
                standard_error: Figure(summary.standard_error),
            },
            questions: view.questions.iter().map(|q| question(q, link_base)).collect(),
        }
    }
}

fn question(q: &QuestionView, link_base: Option<&str>) -> QuestionFigures {
    let f = &q.figures;
    QuestionFigures {
        id: q.id.clone(),
        stem: q.stem.clone(),
        kind: q.kind.map(str::to_owned),
        file: q.source.as_ref().map(|s| s.file.clone()),
        line: q.source.as_ref().map(|s| s.line as u64),
        link: q.source.as_ref().and_then(|s| s.link(link_base)),
        asked: f.asked as u64,
        facility: Figure(f.facility),
        sd: Figure(f.sd),
        discrimination_index: Figure(f.discrimination_index),
        discriminative_efficiency: Figure(f.discriminative_efficiency),
        options: q.options.iter().map(option).collect(),
        flags: q.flags.iter().map(flag).collect(),
    }
}

fn option(o: &OptionView) -> OptionFigures {
    OptionFigures { id: o.id.clone(), text: o.text.clone(), picked: o.picked as u64, right: o.right }
}

fn flag(f: &FlagView) -> ReviewFlag {
    let (reason, option) = match &f.flag {
        Flag::TooEasy => (ReviewReason::TooEasy, None),
        Flag::TooHard => (ReviewReason::TooHard, None),
        Flag::LowDiscrimination => (ReviewReason::LowDiscrimination, None),
        Flag::LikelyWrongKey { option } => (ReviewReason::LikelyWrongKey, Some(option.clone())),
    };
    ReviewFlag { reason, option }
}
