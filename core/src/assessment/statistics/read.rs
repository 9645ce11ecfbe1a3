//! The attempts of one quiz as the item analysis takes them: read from `quiz_attempts`, each question
//! named by its bank id so that one question is counted across shuffles, draws and attempts.
//!
//! Which attempts count ([`Filter`]):
//! - submitted ones only (by the learner, or closed by the server at the deadline, graded on what was saved);
//! - by default a learner's first attempt only (`number = 1`), as Moodle's report does: a learner who tries
//!   again has seen the questions (and, after the review, the answers), so later attempts measure memory of
//!   the quiz more than the competence, inflate the facility and blur the discrimination. All attempts on
//!   request;
//! - optionally those of the people of one unit and its sub-units, and those submitted within a period
//!   (dates in Viet Nam's time, both ends included).
//!
//! Each question is worth one mark (`content::quiz::grade`); its score is the mark stored in `marks`, in
//! the order asked. An attempt's question knows its bank question and the bank ids of its options
//! (`Question::origin`); one started before they were kept is matched to the current bank by its text
//! (and its options by theirs), and a question found nowhere gets an id of its own made from its text
//! (`~` and 12 hex digits) so it is still counted.
//!
//! Only the fields the analysis needs are decoded, borrowing the stored JSON where it can: at 100,000
//! attempts the decoding is most of the time (`benches/quiz-statistics`).

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::NaiveDate;
use daotao_content::course::Quiz;
use daotao_content::quiz::{Kind, Question, question_id};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, QueryFilter, QuerySelect};
use serde::Deserialize;

use super::{Answer, Attempt, Choice};
use crate::entities::{quiz, quiz_attempt, user};
use crate::platform::local_time;

/// Which attempts to analyse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Every attempt, not only each learner's first one.
    pub all_attempts: bool,
    /// Only people of this unit (its id) and its sub-units.
    pub unit: Option<i64>,
    /// Only attempts submitted on this day (in Viet Nam) or later.
    pub from: Option<NaiveDate>,
    /// Only attempts submitted on this day (in Viet Nam) or earlier.
    pub to: Option<NaiveDate>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("stored attempt {0} cannot be read: {1}")]
    Corrupt(i64, serde_json::Error),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// The submitted attempts of `quiz` in course `course_id` that `filter` keeps, oldest first, each question
/// named by its bank id (see the module documentation). An unknown quiz has no attempts.
pub async fn attempts(
    db: &impl ConnectionTrait,
    course_id: &str,
    quiz: &Quiz,
    filter: &Filter,
) -> Result<Vec<Attempt>, ReadError> {
    let quiz_ids: Vec<i64> = quiz::Entity::find()
        .select_only()
        .column(quiz::Column::Id)
        .filter(quiz::Column::CourseId.eq(course_id))
        .filter(quiz::Column::Slug.eq(quiz.id.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    if quiz_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut select = quiz_attempt::Entity::find()
        .select_only()
        .column(quiz_attempt::Column::Id)
        .filter(quiz_attempt::Column::QuizId.is_in(quiz_ids))
        .filter(quiz_attempt::Column::SubmittedAt.is_not_null())
        .filter(quiz_attempt::Column::Marks.is_not_null());
    if !filter.all_attempts {
        select = select.filter(quiz_attempt::Column::Number.eq(1));
    }
    if let Some(from) = filter.from {
        select = select.filter(quiz_attempt::Column::SubmittedAt.gte(local_time::start_of(from)));
    }
    if let Some(to) = filter.to.and_then(|to| to.succ_opt()) {
        select = select.filter(quiz_attempt::Column::SubmittedAt.lt(local_time::start_of(to)));
    }
    if let Some(unit) = filter.unit {
        let units = crate::learning::enrollment::subtree(db, unit).await?;
        let people = Query::select()
            .column(user::Column::Id)
            .from(user::Entity)
            .and_where(Expr::col(user::Column::UnitId).is_in(units))
            .to_owned();
        select = select.filter(quiz_attempt::Column::UserId.in_subquery(people));
    }
    // Attempts graded with their item record (all since #19's statistics) are read from it alone; older ones
    // from the questions as asked, matched to the bank.
    let recorded: Vec<(i64, String)> = select
        .clone()
        .column(quiz_attempt::Column::Items)
        .filter(quiz_attempt::Column::Items.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let older: Vec<(i64, String, String, Option<String>)> = select
        .column(quiz_attempt::Column::Questions)
        .column(quiz_attempt::Column::Answers)
        .column(quiz_attempt::Column::Marks)
        .filter(quiz_attempt::Column::Items.is_null())
        .into_tuple()
        .all(db)
        .await?;
    let bank = Bank::new(&quiz.questions);
    let mut attempts = recorded
        .iter()
        .map(|(id, items)| Ok((*id, decode_items(items).map_err(|e| ReadError::Corrupt(*id, e))?)))
        .chain(older.iter().map(|(id, questions, answers, marks)| {
            let attempt = decode(&bank, questions, answers, marks.as_deref().unwrap_or("[]"))
                .map_err(|e| ReadError::Corrupt(*id, e))?;
            Ok((*id, attempt))
        }))
        .collect::<Result<Vec<_>, ReadError>>()?;
    attempts.sort_unstable_by_key(|(id, _)| *id);
    Ok(attempts.into_iter().map(|(_, attempt)| attempt).collect())
}

/// The item record of a graded attempt (`quiz_attempts.items`): what [`decode`] makes of it, kept so that the
/// statistics read about 60 bytes a question instead of the questions' HTML. `None` when a question does not
/// name its bank question (an attempt started before they did): those are matched to the bank at each read.
pub fn items_record(questions: &[Question], answers: &str, marks: &[f64]) -> Option<String> {
    if questions.iter().any(|q| q.origin.is_none()) {
        return None;
    }
    let questions = serde_json::to_string(questions).expect("questions serialise");
    let marks = serde_json::to_string(marks).expect("marks serialise");
    let attempt = decode(&Bank::new(&[]), &questions, answers, &marks).ok()?;
    let items: Vec<Item> = attempt
        .answers
        .into_iter()
        .map(|answer| Item {
            q: answer.question,
            s: answer.score,
            c: answer.choice.map(|c| ItemChoice { o: c.offered, r: c.right, p: c.picked }),
        })
        .collect();
    Some(serde_json::to_string(&items).expect("items serialise"))
}

/// One question of an item record, with short keys: it is stored once per question of every attempt.
#[derive(serde::Serialize, Deserialize)]
struct Item {
    /// Bank id.
    q: String,
    /// Score (marks, the question's maximum being 1).
    s: f64,
    /// A choice question's options by bank id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    c: Option<ItemChoice>,
}

#[derive(serde::Serialize, Deserialize)]
struct ItemChoice {
    /// Offered, in the order shown.
    o: Vec<String>,
    /// Keyed right.
    r: Vec<String>,
    /// Picked.
    p: Vec<String>,
}

/// An attempt from its item record, as [`decode`] would make it from the questions as asked.
pub fn decode_items(items: &str) -> Result<Attempt, serde_json::Error> {
    let items: Vec<Item> = serde_json::from_str(items)?;
    let max = items.len() as f64;
    let mut total = 0.0;
    let answers = items
        .into_iter()
        .map(|item| {
            total += item.s;
            Answer {
                question: item.q,
                score: item.s,
                max: 1.0,
                choice: item.c.map(|c| Choice { picked: c.p, right: c.r, offered: c.o }),
            }
        })
        .collect();
    Ok(Attempt { total, max, answers })
}

/// The current bank, to name the questions of attempts that do not name their bank question.
pub struct Bank<'a> {
    by_stem: HashMap<&'a str, &'a Question>,
}

impl<'a> Bank<'a> {
    pub fn new(questions: &'a [Question]) -> Self {
        Self { by_stem: questions.iter().map(|q| (q.stem_html.as_str(), q)).collect() }
    }
}

/// What the analysis needs of a stored question (`content::quiz::Question` as JSON).
#[derive(Deserialize)]
struct StoredQuestion<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    stem_html: Cow<'a, str>,
    #[serde(borrow)]
    kind: StoredKind<'a>,
    #[serde(default, borrow)]
    origin: Option<StoredOrigin<'a>>,
}

/// `Kind` as JSON, read as one struct (an internally tagged enum would be buffered first).
#[derive(Deserialize)]
struct StoredKind<'a> {
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    options: Vec<StoredOption<'a>>,
    /// True/false: the right answer.
    #[serde(default)]
    answer: Option<bool>,
}

#[derive(Deserialize)]
struct StoredOption<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    html: Cow<'a, str>,
    weight: f64,
}

#[derive(Deserialize)]
struct StoredOrigin<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(default, borrow)]
    parts: Vec<Cow<'a, str>>,
}

/// A stored answer: only picked options matter here.
#[derive(Deserialize)]
#[serde(untagged)]
enum StoredAnswer<'a> {
    #[serde(borrow)]
    Options(Vec<Cow<'a, str>>),
    Other(serde::de::IgnoredAny),
}

/// One stored attempt (its questions, answers and marks as JSON) as the analysis takes it.
pub fn decode(
    bank: &Bank,
    questions: &str,
    answers: &str,
    marks: &str,
) -> Result<Attempt, serde_json::Error> {
    let questions: Vec<StoredQuestion> = serde_json::from_str(questions)?;
    let answers: HashMap<Cow<str>, StoredAnswer> = serde_json::from_str(answers)?;
    let marks: Vec<f64> = serde_json::from_str(marks)?;
    let mut total = 0.0;
    let answers = questions
        .iter()
        .zip(marks.iter().copied().chain(std::iter::repeat(0.0)))
        .map(|(question, score)| {
            total += score;
            let picked = match answers.get(&question.id) {
                Some(StoredAnswer::Options(ids)) => ids.as_slice(),
                _ => &[],
            };
            let (id, choice) = identify(bank, question, picked);
            Answer { question: id, score, max: 1.0, choice }
        })
        .collect();
    Ok(Attempt { total, max: questions.len() as f64, answers })
}

/// The bank id of `question` and, for a choice question, its options by bank id.
fn identify(bank: &Bank, question: &StoredQuestion, picked: &[Cow<str>]) -> (String, Option<Choice>) {
    let source = match &question.origin {
        Some(_) => None,
        None => bank.by_stem.get(question.stem_html.as_ref()).copied(),
    };
    let id = match (&question.origin, source) {
        (Some(origin), _) => origin.id.clone().into_owned(),
        (None, Some(source)) => source.id.clone(),
        (None, None) => format!("~{}", question_id(&question.stem_html)),
    };
    let kind = &question.kind;
    let choice = match kind.kind.as_ref() {
        "single" | "multiple" => {
            let single = kind.kind == "single";
            // The bank id of each option, in the order shown.
            let ids: Vec<String> = kind
                .options
                .iter()
                .enumerate()
                .map(|(i, option)| option_bank_id(question, source, i, option))
                .collect();
            let right = kind
                .options
                .iter()
                .zip(&ids)
                .filter(|(option, _)| if single { option.weight >= 1.0 } else { option.weight > 0.0 })
                .map(|(_, id)| id.clone())
                .collect();
            let picked = picked
                .iter()
                .filter_map(|p| kind.options.iter().position(|o| o.id == *p).map(|i| ids[i].clone()))
                .collect();
            Some(Choice { picked, right, offered: ids })
        }
        "true_false" => {
            let right = if kind.answer.unwrap_or(true) { "true" } else { "false" };
            let picked =
                picked.iter().filter(|p| *p == "true" || *p == "false").map(|p| p.to_string()).collect();
            Some(Choice {
                picked,
                right: vec![right.to_owned()],
                offered: vec!["true".into(), "false".into()],
            })
        }
        _ => None,
    };
    (id, choice)
}

/// The bank id of the `index`th option shown: from the origin; else the bank option with the same text;
/// else an id of its own made from its text.
fn option_bank_id(
    question: &StoredQuestion,
    source: Option<&Question>,
    index: usize,
    option: &StoredOption,
) -> String {
    if let Some(origin) = &question.origin
        && let Some(part) = origin.parts.get(index)
    {
        return part.clone().into_owned();
    }
    let same_text = source.and_then(|source| match &source.kind {
        Kind::Single { options } | Kind::Multiple { options, .. } => {
            options.iter().find(|o| o.html == option.html).map(|o| o.id.clone())
        }
        _ => None,
    });
    same_text.unwrap_or_else(|| format!("~{}", question_id(&option.html)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use daotao_content::quiz::{Choice as BankChoice, Origin};

    fn bank_question(id: &str, stem: &str, options: &[(&str, &str, f64)]) -> Question {
        Question {
            id: id.into(),
            line: 1,
            stem_html: stem.into(),
            kind: Kind::Single {
                options: options
                    .iter()
                    .map(|(id, html, weight)| BankChoice {
                        id: (*id).into(),
                        html: (*html).into(),
                        weight: *weight,
                        feedback_html: None,
                    })
                    .collect(),
            },
            explanation_html: None,
            origin: None,
            group: None,
        }
    }

    /// `bank` as an attempt asks it: renumbered, options reversed, with or without its origin.
    fn asked(bank: &Question, n: usize, with_origin: bool) -> Question {
        let mut q = bank.clone();
        let Kind::Single { options } = &mut q.kind else { panic!() };
        options.reverse();
        let parts = options.iter().map(|o| o.id.clone()).collect();
        for (i, o) in options.iter_mut().enumerate() {
            o.id = format!("o{}", i + 1);
        }
        q.id = format!("q{n}");
        q.origin = with_origin.then(|| Origin { id: bank.id.clone(), parts });
        q
    }

    #[test]
    fn questions_are_named_by_origin_then_by_text_then_by_a_hash_of_their_text() {
        let one =
            bank_question("b1", "<p>Một</p>", &[("a", "Đúng", 1.0), ("b", "Sai", 0.0), ("c", "Khác", 0.0)]);
        let two = bank_question("b2", "<p>Hai \"trích\"</p>", &[("a", "X", 0.0), ("b", "Y", 1.0)]);
        let gone = bank_question("old", "<p>Đã xoá</p>", &[("a", "P", 1.0), ("b", "Q", 0.0)]);
        let current = [one.clone(), two.clone()];
        let bank = Bank::new(&current);
        let questions = vec![asked(&one, 1, true), asked(&two, 2, false), asked(&gone, 3, false)];
        let json = serde_json::to_string(&questions).unwrap();
        // q1: picked o3 = bank a (right); q2: picked o1 = bank b (right, found by its text); q3: o2 = "P".
        let answers = r#"{"q1":["o3"],"q2":["o1"],"q3":["o2"]}"#;
        let attempt = decode(&bank, &json, answers, "[1.0, 1.0, 1.0]").unwrap();
        assert_eq!((attempt.total, attempt.max), (3.0, 3.0));
        let ids: Vec<&str> = attempt.answers.iter().map(|a| a.question.as_str()).collect();
        let gone_id = format!("~{}", question_id("<p>Đã xoá</p>"));
        assert_eq!(ids, ["b1", "b2", gone_id.as_str()]);
        let c1 = attempt.answers[0].choice.as_ref().unwrap();
        assert_eq!((c1.picked.clone(), c1.right.clone()), (vec!["a".to_string()], vec!["a".to_string()]));
        assert_eq!(c1.offered, ["c", "b", "a"]);
        let c2 = attempt.answers[1].choice.as_ref().unwrap();
        assert_eq!(
            (c2.picked.clone(), c2.right.clone(), c2.offered.clone()),
            (vec!["b".to_string()], vec!["b".to_string()], vec!["b".to_string(), "a".to_string()])
        );
        let c3 = attempt.answers[2].choice.as_ref().unwrap();
        assert_eq!(c3.picked, [format!("~{}", question_id("P"))]);
    }

    #[test]
    fn true_false_counts_both_answers_and_text_answers_none() {
        let json = r#"[
            {"id":"q1","line":3,"stem_html":"<p>Đúng?</p>","kind":{"kind":"true_false","answer":false,
             "wrong_feedback_html":null,"right_feedback_html":null},"explanation_html":null,
             "origin":{"id":"tf"}},
            {"id":"q2","line":9,"stem_html":"<p>Gõ</p>","kind":{"kind":"short","answers":[]},
             "explanation_html":null,"origin":{"id":"sh"}}
        ]"#;
        let attempt = decode(&Bank::new(&[]), json, r#"{"q1":["true"],"q2":"chữ"}"#, "[0.0, 1.0]").unwrap();
        let tf = attempt.answers[0].choice.as_ref().unwrap();
        assert_eq!(
            (tf.picked.as_slice(), tf.right.as_slice()),
            (&["true".to_string()][..], &["false".to_string()][..])
        );
        assert_eq!(tf.offered, ["true", "false"]);
        assert_eq!((attempt.answers[1].question.as_str(), attempt.answers[1].choice.is_none()), ("sh", true));
        assert_eq!(attempt.total, 1.0);
    }
}
