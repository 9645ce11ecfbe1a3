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
use sea_orm::sea_query::{Expr, Order, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, ExprTrait, QueryFilter, QuerySelect,
};
use serde::Deserialize;
use serde_json::value::RawValue;

use rustc_hash::{FxHashMap, FxHashSet};

use super::{Answer, Attempt, Choice, Id, IdList};
use crate::entities::{quiz, quiz_attempt, quiz_attempt_item, user};
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

/// Attempts read by id per statement (PostgreSQL allows 65,535 bound values, SQLite 32,766).
const CHUNK: usize = 10_000;

/// Item records are read in blocks of attempt ids this wide, one row per block.
const BLOCK: i64 = 4096;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// An attempt (or, for item records, the first attempt of a block) whose stored JSON does not read.
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
    // The people of the unit and its sub-units, as a subquery both reads below filter on.
    let people = match filter.unit {
        Some(unit) => {
            let units = crate::learning::enrollment::subtree(db, unit).await?;
            let mut people = Query::select();
            people
                .column(user::Column::Id)
                .from(user::Entity)
                .and_where(Expr::col(user::Column::UnitId).is_in(units));
            Some(people)
        }
        None => None,
    };
    let since = filter.from.map(local_time::start_of);
    let before = filter.to.and_then(|to| to.succ_opt()).map(local_time::start_of);

    // Attempts graded with their item record (all since #19's statistics): the narrow table alone, read as a
    // JSON array per block of attempt ids, so that the database sends a few hundred rows, not one per attempt
    // (per row, the driver's hand-over costs more than SQLite's reading: `benches/quiz-statistics`).
    let backend = db.get_database_backend();
    let concat = match backend {
        DatabaseBackend::Postgres => "string_agg",
        _ => "group_concat",
    };
    let block = format!("attempt_id / {BLOCK}");
    let mut select = Query::select();
    select
        .expr(Expr::cust("MIN(attempt_id)"))
        .expr(Expr::cust(format!(
            "'[' || {concat}('[' || attempt_id || ',' || items || ']', ',' ORDER BY attempt_id) || ']'"
        )))
        .from(quiz_attempt_item::Entity)
        .and_where(Expr::col(quiz_attempt_item::Column::QuizId).is_in(quiz_ids.clone()))
        .add_group_by([Expr::cust(block.clone())])
        .order_by_expr(Expr::cust(block), Order::Asc);
    if !filter.all_attempts {
        select.and_where(Expr::col(quiz_attempt_item::Column::Number).eq(1));
    }
    if let Some(since) = since {
        select.and_where(Expr::col(quiz_attempt_item::Column::SubmittedAt).gte(since));
    }
    if let Some(before) = before {
        select.and_where(Expr::col(quiz_attempt_item::Column::SubmittedAt).lt(before));
    }
    if let Some(people) = &people {
        select.and_where(Expr::col(quiz_attempt_item::Column::UserId).in_subquery(people.clone()));
    }
    let mut ids = Interner::default();
    let mut recorded: Vec<(i64, Attempt)> = Vec::new();
    for row in db.query_all(&select).await? {
        let (from, block): (i64, String) = (row.try_get_by_index(0)?, row.try_get_by_index(1)?);
        let block: Vec<(i64, Vec<StoredItem>)> =
            serde_json::from_str(&block).map_err(|e| ReadError::Corrupt(from, e))?;
        for (id, items) in block {
            recorded.push((id, attempt_of(items, &mut ids).map_err(|e| ReadError::Corrupt(id, e))?));
        }
    }

    // Older attempts, from their questions as asked, matched to the bank. Which ones is found on the
    // attempts' first columns only (cheap: their questions are not read), and usually none is.
    let without_record: Vec<i64> = quiz_attempt::Entity::find()
        .select_only()
        .column(quiz_attempt::Column::Id)
        .filter(quiz_attempt::Column::QuizId.is_in(quiz_ids))
        .filter(
            quiz_attempt::Column::Id.not_in_subquery(
                Query::select()
                    .column(quiz_attempt_item::Column::AttemptId)
                    .from(quiz_attempt_item::Entity)
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(db)
        .await?;
    let mut older: Vec<(i64, String, String, Option<String>)> = Vec::new();
    for ids in without_record.chunks(CHUNK) {
        let mut select = quiz_attempt::Entity::find()
            .select_only()
            .column(quiz_attempt::Column::Id)
            .column(quiz_attempt::Column::Questions)
            .column(quiz_attempt::Column::Answers)
            .column(quiz_attempt::Column::Marks)
            .filter(quiz_attempt::Column::Id.is_in(ids.iter().copied()))
            .filter(quiz_attempt::Column::SubmittedAt.is_not_null())
            .filter(quiz_attempt::Column::Marks.is_not_null());
        if !filter.all_attempts {
            select = select.filter(quiz_attempt::Column::Number.eq(1));
        }
        if let Some(since) = since {
            select = select.filter(quiz_attempt::Column::SubmittedAt.gte(since));
        }
        if let Some(before) = before {
            select = select.filter(quiz_attempt::Column::SubmittedAt.lt(before));
        }
        if let Some(people) = &people {
            select = select.filter(quiz_attempt::Column::UserId.in_subquery(people.clone()));
        }
        older.extend(select.into_tuple::<(i64, String, String, Option<String>)>().all(db).await?);
    }
    let bank = Bank::new(&quiz.questions);
    let mut attempts = recorded;
    for (id, questions, answers, marks) in &older {
        let (attempt, _) = decode_with(&bank, &mut ids, questions, answers, marks.as_deref().unwrap_or("[]"))
            .map_err(|e| ReadError::Corrupt(*id, e))?;
        attempts.push((*id, attempt));
    }
    attempts.sort_unstable_by_key(|(id, _)| *id);
    Ok(attempts.into_iter().map(|(_, attempt)| attempt).collect())
}

/// The item record of a graded attempt (`quiz_attempt_items.items`): what [`decode`] makes of it, kept so that the
/// statistics read about 60 bytes a question instead of the questions' HTML. `questions` are the attempt's
/// questions as stored (`quiz_attempts.questions`), `answers` and `marks` as graded. `None` when a question
/// does not name its bank question (an attempt started before they did): those are matched to the bank at
/// each read.
pub fn items_record(questions: &str, answers: &str, marks: &str) -> Option<String> {
    let (attempt, every_origin) =
        decode_with(&Bank::new(&[]), &mut Interner::default(), questions, answers, marks).ok()?;
    if !every_origin {
        return None;
    }
    fn strs(ids: &[Id]) -> Vec<&str> {
        ids.iter().map(|id| id.as_ref()).collect()
    }
    let items: Vec<Item> = attempt
        .answers
        .iter()
        .map(|answer| Item {
            q: answer.question.as_ref(),
            s: answer.score,
            c: answer.choice.as_ref().map(|c| ItemChoice {
                o: strs(&c.offered),
                r: strs(&c.right),
                p: strs(&c.picked),
            }),
        })
        .collect();
    Some(serde_json::to_string(&items).expect("items serialise"))
}

/// One question of an item record, with short keys: it is stored once per question of every attempt.
#[derive(serde::Serialize)]
struct Item<'a> {
    /// Bank id.
    q: &'a str,
    /// Score (marks, the question's maximum being 1).
    s: f64,
    /// A choice question's options by bank id.
    #[serde(skip_serializing_if = "Option::is_none")]
    c: Option<ItemChoice<'a>>,
}

#[derive(serde::Serialize)]
struct ItemChoice<'a> {
    /// Offered, in the order shown.
    o: Vec<&'a str>,
    /// Keyed right.
    r: Vec<&'a str>,
    /// Picked.
    p: Vec<&'a str>,
}

/// An [`Item`] as read: the id borrowed from the stored text, each list of ids left as its JSON text, which
/// names the list in the [`Interner`] without a single allocation once that list was seen.
#[derive(Deserialize)]
struct StoredItem<'a> {
    #[serde(borrow)]
    q: Cow<'a, str>,
    s: f64,
    #[serde(default, borrow)]
    c: Option<StoredItemChoice<'a>>,
}

#[derive(Deserialize)]
struct StoredItemChoice<'a> {
    #[serde(borrow)]
    o: &'a RawValue,
    #[serde(borrow)]
    r: &'a RawValue,
    #[serde(borrow)]
    p: &'a RawValue,
}

/// One shared [`Id`] per distinct id read, and one shared [`IdList`] per distinct list: the attempts of a
/// quiz name a few dozen ids, in a few hundred orders, millions of times. Allocating each again would be most
/// of the read's time (`benches/quiz-statistics`).
#[derive(Default)]
pub struct Interner {
    ids: FxHashSet<Id>,
    lists: FxHashMap<Box<str>, IdList>,
    /// Lists by their JSON text, as item records store them.
    json_lists: FxHashMap<Box<str>, IdList>,
    /// The lookup key of a list, reused.
    key: String,
}

impl Interner {
    /// The shared id equal to `id`.
    pub fn id(&mut self, id: &str) -> Id {
        match self.ids.get(id) {
            Some(shared) => shared.clone(),
            None => {
                let shared: Id = id.into();
                self.ids.insert(shared.clone());
                shared
            }
        }
    }

    /// The shared list a JSON array of ids stands for.
    fn json_list(&mut self, json: &RawValue) -> Result<IdList, serde_json::Error> {
        if let Some(shared) = self.json_lists.get(json.get()) {
            return Ok(shared.clone());
        }
        let ids: Vec<Cow<str>> = serde_json::from_str(json.get())?;
        let shared = self.list(&ids);
        self.json_lists.insert(json.get().into(), shared.clone());
        Ok(shared)
    }

    /// The shared list equal to `ids`.
    pub fn list<S: AsRef<str>>(&mut self, ids: &[S]) -> IdList {
        self.key.clear();
        for id in ids {
            // Ids are printable text: a control character cannot be part of one.
            self.key.push_str(id.as_ref());
            self.key.push('\u{1f}');
        }
        if let Some(shared) = self.lists.get(self.key.as_str()) {
            return shared.clone();
        }
        let shared: IdList = ids.iter().map(|id| self.id(id.as_ref())).collect();
        self.lists.insert(self.key.as_str().into(), shared.clone());
        shared
    }
}

/// An attempt from its item record, as [`decode`] would make it from the questions as asked.
pub fn decode_items(items: &str) -> Result<Attempt, serde_json::Error> {
    attempt_of(serde_json::from_str(items)?, &mut Interner::default())
}

/// The attempt an item record describes.
fn attempt_of(items: Vec<StoredItem>, ids: &mut Interner) -> Result<Attempt, serde_json::Error> {
    let max = items.len() as f64;
    let mut total = 0.0;
    let mut answers = Vec::with_capacity(items.len());
    for item in items {
        total += item.s;
        let choice = match item.c {
            Some(c) => Some(Choice {
                picked: ids.json_list(c.p)?,
                right: ids.json_list(c.r)?,
                offered: ids.json_list(c.o)?,
            }),
            None => None,
        };
        answers.push(Answer { question: ids.id(&item.q), score: item.s, max: 1.0, choice });
    }
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
    decode_with(bank, &mut Interner::default(), questions, answers, marks).map(|(attempt, _)| attempt)
}

/// [`decode`], and whether every question named its bank question (none was matched by text).
fn decode_with(
    bank: &Bank,
    ids: &mut Interner,
    questions: &str,
    answers: &str,
    marks: &str,
) -> Result<(Attempt, bool), serde_json::Error> {
    let questions: Vec<StoredQuestion> = serde_json::from_str(questions)?;
    let every_origin = questions.iter().all(|question| question.origin.is_some());
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
            let (id, choice) = identify(bank, ids, question, picked);
            Answer { question: id, score, max: 1.0, choice }
        })
        .collect();
    Ok((Attempt { total, max: questions.len() as f64, answers }, every_origin))
}

/// The bank id of `question` and, for a choice question, its options by bank id.
fn identify(
    bank: &Bank,
    ids: &mut Interner,
    question: &StoredQuestion,
    picked: &[Cow<str>],
) -> (Id, Option<Choice>) {
    let source = match &question.origin {
        Some(_) => None,
        None => bank.by_stem.get(question.stem_html.as_ref()).copied(),
    };
    let id = match (&question.origin, source) {
        (Some(origin), _) => ids.id(&origin.id),
        (None, Some(source)) => ids.id(&source.id),
        (None, None) => ids.id(&format!("~{}", question_id(&question.stem_html))),
    };
    let kind = &question.kind;
    let choice = match kind.kind.as_ref() {
        "single" | "multiple" => {
            let single = kind.kind == "single";
            // The bank id of each option, in the order shown.
            let shown: Vec<Id> = kind
                .options
                .iter()
                .enumerate()
                .map(|(i, option)| option_bank_id(question, source, i, option, ids))
                .collect();
            let right = kind
                .options
                .iter()
                .zip(&shown)
                .filter(|(option, _)| if single { option.weight >= 1.0 } else { option.weight > 0.0 })
                .map(|(_, id)| id.clone())
                .collect::<Vec<Id>>();
            let picked = picked
                .iter()
                .filter_map(|p| kind.options.iter().position(|o| o.id == *p).map(|i| shown[i].clone()))
                .collect::<Vec<Id>>();
            Some(Choice { picked: ids.list(&picked), right: ids.list(&right), offered: ids.list(&shown) })
        }
        "true_false" => {
            let right = if kind.answer.unwrap_or(true) { "true" } else { "false" };
            let picked: Vec<&Cow<str>> = picked.iter().filter(|p| *p == "true" || *p == "false").collect();
            Some(Choice {
                picked: ids.list(&picked),
                right: ids.list(&[right]),
                offered: ids.list(&["true", "false"]),
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
    ids: &mut Interner,
) -> Id {
    if let Some(origin) = &question.origin
        && let Some(part) = origin.parts.get(index)
    {
        return ids.id(part);
    }
    let same_text = source.and_then(|source| match &source.kind {
        Kind::Single { options } | Kind::Multiple { options, .. } => {
            options.iter().find(|o| o.html == option.html).map(|o| ids.id(&o.id))
        }
        _ => None,
    });
    same_text.unwrap_or_else(|| ids.id(&format!("~{}", question_id(&option.html))))
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
        let ids: Vec<&str> = attempt.answers.iter().map(|a| a.question.as_ref()).collect();
        let gone_id = format!("~{}", question_id("<p>Đã xoá</p>"));
        assert_eq!(ids, ["b1", "b2", gone_id.as_str()]);
        let c1 = attempt.answers[0].choice.as_ref().unwrap();
        assert_eq!((names(&c1.picked), names(&c1.right)), (vec!["a"], vec!["a"]));
        assert_eq!(names(&c1.offered), ["c", "b", "a"]);
        let c2 = attempt.answers[1].choice.as_ref().unwrap();
        assert_eq!(
            (names(&c2.picked), names(&c2.right), names(&c2.offered)),
            (vec!["b"], vec!["b"], vec!["b", "a"])
        );
        let c3 = attempt.answers[2].choice.as_ref().unwrap();
        assert_eq!(names(&c3.picked), [format!("~{}", question_id("P"))]);
    }

    fn names(ids: &[Id]) -> Vec<&str> {
        ids.iter().map(|id| id.as_ref()).collect()
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
        assert_eq!((names(&tf.picked), names(&tf.right)), (vec!["true"], vec!["false"]));
        assert_eq!(names(&tf.offered), ["true", "false"]);
        assert_eq!((attempt.answers[1].question.as_ref(), attempt.answers[1].choice.is_none()), ("sh", true));
        assert_eq!(attempt.total, 1.0);
    }
}
