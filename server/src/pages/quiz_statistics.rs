//! `/courses/{course}/quizzes/{quiz}/statistics`: a quiz's item analysis (#19) for the course's trainers and
//! admins (anyone else gets the refusal of the course's learners page). A GET form chooses the attempts
//! (`attempts=all`, `unit=`, `from=`, `to=`) and works without JavaScript; every figure is in words and
//! numbers, the right options are marked in text, and a flagged question links to its file and line.

use std::sync::Arc;

use askama::Template;
use daotao_content::course::Course;
use daotao_core::admin_views::quiz_statistics::{QuestionView, QuizStatisticsView};
use daotao_core::assessment::statistics::Flag;
use poem::http::StatusCode;
use poem::web::{Data, Path, Query};
use poem::{Request, handler};

use super::{Chrome, PageResult, private_html};
use crate::auth::guard::LoggedIn;
use crate::i18n::{Lang, StatsTexts};
use crate::state::AppState;
use crate::workflows::find;
use crate::workflows::quiz_statistics::{self as workflow, QueryProblem, StatisticsQuery};

#[derive(Template)]
#[template(path = "quiz_statistics.html")]
struct StatisticsPage {
    chrome: Chrome,
    s: &'static StatsTexts,
    course: Arc<Course>,
    quiz_id: String,
    quiz_title: String,
    all_attempts: bool,
    unit: String,
    from: String,
    to: String,
    /// What is wrong with the query, said beside the form.
    problem: Option<String>,
    attempts: usize,
    /// The quiz figures: label and value.
    summary: Vec<(&'static str, String)>,
    questions: Vec<Row>,
}

/// One question as the table shows it, every figure already in words.
struct Row {
    number: usize,
    stem: String,
    kind: &'static str,
    asked: usize,
    facility: String,
    sd: String,
    discrimination: String,
    efficiency: String,
    flags: Vec<String>,
    /// `courses/{course}/quiz/{file}:{line}`.
    source: Option<String>,
    /// The same in the courses' repository, when configured.
    link: Option<String>,
    options: Vec<OptionRow>,
}

struct OptionRow {
    text: String,
    picked: String,
    right: bool,
}

/// `GET /courses/{course}/quizzes/{quiz}/statistics`.
#[handler]
pub async fn statistics(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path((course_id, quiz_id)): Path<(String, String)>,
    Query(query): Query<StatisticsQuery>,
    lang: Lang,
    me: LoggedIn,
) -> PageResult {
    let library = state.library();
    let course = workflow::course_for(&state.db, &library, me.user(), &course_id).await?;
    let quiz_title = find::quiz(&course, &quiz_id)?.title.clone();
    let s = lang.texts().stats;
    let (problem, view) = match workflow::filter(&state.db, &query).await? {
        Ok(filter) => (None, Some(workflow::load(&state.db, &course, &quiz_id, &filter).await?)),
        Err(QueryProblem::UnknownUnit(code)) => (Some((s.unknown_unit)(&code)), None),
        Err(QueryProblem::BadDate(text)) => (Some((s.bad_date)(&text)), None),
    };
    let status = if problem.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let link_base = state.course_source_url.as_deref();
    let page = StatisticsPage {
        chrome: Chrome::new(lang, req),
        s,
        quiz_id,
        quiz_title,
        all_attempts: query.all_attempts(),
        unit: query.unit().unwrap_or_default().to_owned(),
        from: query.from().unwrap_or_default().to_owned(),
        to: query.to().unwrap_or_default().to_owned(),
        problem,
        attempts: view.as_ref().map_or(0, |v| v.quiz.attempts),
        summary: view.as_ref().map(|v| summary(lang, s, v)).unwrap_or_default(),
        questions: view
            .as_ref()
            .map(|v| v.questions.iter().enumerate().map(|(i, q)| row(lang, s, i + 1, q, link_base)).collect())
            .unwrap_or_default(),
        course,
    };
    Ok(private_html(&page, status))
}

/// A figure with one decimal in the language's way (a comma in Vietnamese); undefined ones in words.
fn figure(lang: Lang, s: &StatsTexts, value: Option<f64>) -> String {
    match value {
        None => format!("– ({})", s.undefined),
        Some(value) => {
            let text = format!("{:.1}", (value * 10.0).round() / 10.0 + 0.0);
            if lang == Lang::Vi { text.replace('.', ",") } else { text }
        }
    }
}

fn summary(lang: Lang, s: &'static StatsTexts, view: &QuizStatisticsView) -> Vec<(&'static str, String)> {
    let q = &view.quiz;
    let percent = |value: Option<f64>| match value {
        Some(_) => format!("{}%", figure(lang, s, value)),
        None => figure(lang, s, value),
    };
    vec![
        (s.attempts_counted, q.attempts.to_string()),
        (s.mean, percent(q.mean)),
        (s.median, percent(q.median)),
        (s.sd, percent(q.sd)),
        (s.alpha, percent(q.cronbach_alpha)),
        (s.error_ratio, percent(q.error_ratio)),
        (s.standard_error, percent(q.standard_error)),
    ]
}

fn row(lang: Lang, s: &'static StatsTexts, number: usize, q: &QuestionView, link_base: Option<&str>) -> Row {
    let f = &q.figures;
    let option_text = |id: &str, text: &Option<String>| match (id, text) {
        (_, Some(text)) => text.clone(),
        ("true", None) => s.answer_true.to_owned(),
        ("false", None) => s.answer_false.to_owned(),
        (id, None) => id.to_owned(),
    };
    let flags = q
        .flags
        .iter()
        .map(|flag| match &flag.flag {
            Flag::TooEasy => s.too_easy.to_owned(),
            Flag::TooHard => s.too_hard.to_owned(),
            Flag::LowDiscrimination => s.low_discrimination.to_owned(),
            Flag::LikelyWrongKey { option } => (s.wrong_key)(&match &flag.option {
                Some(o) => option_text(&o.id, &o.text),
                None => option.clone(),
            }),
        })
        .collect();
    Row {
        number,
        stem: if q.stem.is_empty() { s.removed.to_owned() } else { q.stem.clone() },
        kind: q.kind.and_then(|k| s.kinds.iter().find(|(id, _)| *id == k)).map_or("", |(_, name)| name),
        asked: f.asked,
        facility: figure(lang, s, f.facility),
        sd: figure(lang, s, f.sd),
        discrimination: figure(lang, s, f.discrimination_index),
        efficiency: figure(lang, s, f.discriminative_efficiency),
        flags,
        source: q.source.as_ref().map(|source| source.text()),
        link: q.source.as_ref().and_then(|source| source.link(link_base)),
        options: q
            .options
            .iter()
            .map(|o| OptionRow {
                text: option_text(&o.id, &o.text),
                picked: s.picked.of(o.picked),
                right: o.right,
            })
            .collect(),
    }
}
