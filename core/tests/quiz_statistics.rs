//! The quiz statistics of #19 against an independent implementation: attempts seeded with a seeded
//! generator into a real database (drawn and shuffled as the server draws them, some in file order, first
//! and later attempts, people of several units, a few attempts from before questions kept their bank ids),
//! read back by `statistics::read` and analysed, and every figure compared with Python's `statistics`
//! module (`tests/python/item_analysis.py`) fed the same attempts as this test knows them, filter by
//! filter. On a SQLite file and on PostgreSQL.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::process::{Command, Stdio};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use daotao_content::course::{Library, Quiz, QuizSettings};
use daotao_content::quiz::grade::{Answer, Answers, grade_all};
use daotao_content::quiz::{Kind, Question, draw};
use daotao_core::assessment::attempts;
use daotao_core::assessment::statistics::read::{self, Filter};
use daotao_core::assessment::statistics::{self, Analysis, Flag};
use daotao_core::entities::user::Role;
use daotao_core::entities::{quiz, quiz_attempt, quiz_attempt_item};
use daotao_core::learning::{catalog, enrollment};
use daotao_core::people::accounts::{self, NewUser};
use daotao_core::people::units::{self, NewUnit};
use daotao_core::platform::{db, local_time};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use serde_json::{Value, json};

mod support;

const COURSE: &str = "an-toan-thong-tin-co-ban";
const QUIZ: &str = "cuoi-khoa";
/// Units: the province, a department with an office below it, another department.
const UNITS: [(&str, Option<&str>); 4] =
    [("TINH", None), ("SO-A", Some("TINH")), ("PHONG-A1", Some("SO-A")), ("SO-B", Some("TINH"))];

/// One stored attempt as this test knows it, independently of the read under test.
struct Known {
    unit: &'static str,
    number: i32,
    /// Day submitted, in Viet Nam.
    day: NaiveDate,
    /// `{question, mark, picked, offered, right}` per question asked, named by bank id.
    answers: Vec<Value>,
}

fn library() -> Library {
    daotao_content::course::load_library(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../courses"))
}

/// What a learner of ability `ability` answers to `question` of an attempt: right with a probability that
/// grows with the ability, else a wrong pick (or nothing).
fn answer(question: &Question, ability: f64, rng: &mut StdRng) -> Option<Answer> {
    let right = rng.random::<f64>() < 0.1 + 0.8 * ability;
    let ids = |ids: Vec<&String>| Answer::Options(ids.into_iter().cloned().collect());
    match &question.kind {
        Kind::Single { options } | Kind::Multiple { options, .. } => {
            let (good, bad): (Vec<_>, Vec<_>) = options.iter().partition(|o| o.weight > 0.0);
            if right {
                Some(ids(good.iter().map(|o| &o.id).collect()))
            } else if bad.is_empty() || rng.random::<f64>() < 0.1 {
                None
            } else {
                Some(ids(vec![&bad[rng.random_range(0..bad.len())].id]))
            }
        }
        Kind::TrueFalse { answer, .. } => {
            Some(Answer::Options(vec![if *answer == right { "true" } else { "false" }.to_string()]))
        }
        Kind::Short { answers } => {
            Some(Answer::Text(if right { answers[0].text.clone() } else { "?".into() }))
        }
        Kind::Numerical { answers } => {
            Some(Answer::Number(if right { (answers[0].min + answers[0].max) / 2.0 } else { -1e9 }))
        }
        Kind::Matching { pairs, .. } => Some(Answer::Matching(
            pairs
                .iter()
                .map(|p| (p.id.clone(), if right { p.right.clone() } else { String::new() }))
                .collect(),
        )),
    }
}

/// What the test knows of one question asked: its bank id and options from the draw, its mark.
fn known_answer(question: &Question, mark: f64, given: Option<&Answer>) -> Value {
    let origin = question.origin.as_ref().unwrap();
    let picked: Vec<String> = match given {
        Some(Answer::Options(ids)) => ids.clone(),
        _ => Vec::new(),
    };
    match &question.kind {
        Kind::Single { options } | Kind::Multiple { options, .. } => {
            let single = matches!(question.kind, Kind::Single { .. });
            let bank = |id: &String| origin.parts[options.iter().position(|o| &o.id == id).unwrap()].clone();
            let right: Vec<String> = options
                .iter()
                .filter(|o| if single { o.weight >= 1.0 } else { o.weight > 0.0 })
                .map(|o| bank(&o.id))
                .collect();
            json!({ "question": origin.id, "mark": mark, "picked": picked.iter().map(bank).collect::<Vec<_>>(),
                    "offered": origin.parts, "right": right })
        }
        Kind::TrueFalse { answer, .. } => json!({ "question": origin.id, "mark": mark, "picked": picked,
            "offered": ["true", "false"], "right": [if *answer { "true" } else { "false" }] }),
        _ => json!({ "question": origin.id, "mark": mark }),
    }
}

/// Seeds units, people and their attempts; returns what the test knows of every submitted attempt.
async fn seed(db: &DatabaseConnection, library: &Library) -> Vec<Known> {
    catalog::sync_library(db, library).await.unwrap();
    let new_units: Vec<NewUnit> = UNITS
        .iter()
        .map(|(code, parent)| NewUnit {
            code: code.to_string(),
            name: format!("Đơn vị {code}"),
            parent_code: parent.map(str::to_string),
        })
        .collect();
    units::insert_units(db, &new_units).await.unwrap();
    let quiz_row = quiz::Entity::find()
        .filter(quiz::Column::CourseId.eq(COURSE))
        .filter(quiz::Column::Slug.eq(QUIZ))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let quiz = quiz_of(library);
    let in_file_order = QuizSettings { draw: 0, shuffle: false, ..quiz.settings.clone() };
    let mut rng = StdRng::seed_from_u64(19);
    let mut known = Vec::new();
    let mut rows = Vec::new();
    let mut records = Vec::new();
    let first_day = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    for person in 0..90 {
        let unit = UNITS[person % UNITS.len()].0;
        let username = format!("hoc.vien{person}");
        let new = NewUser {
            username: username.clone(),
            full_name: format!("Học Viên {person}"),
            email: None,
            unit_code: Some(unit.into()),
            position: "Chuyên viên".into(),
            role: Role::Learner,
            password: None,
        };
        let (user, _) = accounts::add_user(db, new).await.unwrap();
        let ability: f64 = rng.random();
        let tries = 1 + person % 3;
        for number in 1..=tries as i32 {
            let settings = if person % 4 == 0 { &in_file_order } else { &quiz.settings };
            let questions = draw::questions_for_attempt(&quiz.questions, settings, &mut rng);
            let mut answers = Answers::new();
            for q in &questions {
                if let Some(a) = answer(q, (ability + 0.1 * f64::from(number - 1)).min(1.0), &mut rng) {
                    answers.insert(q.id.clone(), a);
                }
            }
            let (marks, score) = grade_all(&questions, &answers);
            // Hours from 00:00 to 23:59 UTC: some land on the next day in Viet Nam.
            let submitted: DateTime<Utc> = first_day
                + Duration::days(rng.random_range(0..30))
                + Duration::minutes(rng.random_range(0..24 * 60));
            let open = person == 7 && number == tries as i32;
            if !open {
                known.push(Known {
                    unit,
                    number,
                    day: local_time::date_of(submitted),
                    answers: questions
                        .iter()
                        .zip(&marks)
                        .map(|(q, m)| known_answer(q, *m, answers.get(&q.id)))
                        .collect(),
                });
            }
            // Every fifth learner's first attempt is from before the bank ids were kept.
            let stored: Vec<Question> = questions
                .into_iter()
                .map(|mut q| {
                    if person % 5 == 4 && number == 1 {
                        q.origin = None;
                    }
                    q
                })
                .collect();
            // Every other learner's attempts were graded with their item record, which the read takes alone.
            let answers_json = serde_json::to_string(&answers).unwrap();
            let (stored_json, marks_json) =
                (serde_json::to_string(&stored).unwrap(), serde_json::to_string(&marks).unwrap());
            let items = (person % 2 == 0 && !open)
                .then(|| read::items_record(&stored_json, &answers_json, &marks_json))
                .flatten();
            if let Some(items) = items {
                records.push((user.id, number, submitted, items));
            }
            rows.push(quiz_attempt::ActiveModel {
                id: NotSet,
                user_id: Set(user.id),
                quiz_id: Set(quiz_row.id),
                course_id: Set(COURSE.into()),
                number: Set(number),
                questions: Set(stored_json),
                answers: Set(answers_json),
                pass_percent: Set(80),
                started_at: Set(submitted - Duration::minutes(15)),
                deadline: Set(None),
                submitted_at: Set((!open).then_some(submitted)),
                closed_by_server: Set(person % 11 == 3),
                marks: Set((!open).then_some(marks_json)),
                score: Set((!open).then_some(score.score)),
                max_score: Set(score.max_score),
                percent: Set((!open).then_some(score.percent)),
                passed: Set((!open).then_some(score.percent >= 80.0)),
            });
        }
    }
    let recorded = records.len();
    assert!(recorded > 50 && recorded < rows.len() - 50, "both ways of reading are exercised: {recorded}");
    quiz_attempt::Entity::insert_many(rows).exec(db).await.unwrap();
    insert_item_records(db, quiz_row.id, records).await;
    known
}

/// Writes the item records (learner, attempt number, submitted, items) as grading would have.
async fn insert_item_records(
    db: &DatabaseConnection,
    quiz_id: i64,
    records: Vec<(i64, i32, DateTime<Utc>, String)>,
) {
    let ids: HashMap<(i64, i32), i64> = quiz_attempt::Entity::find()
        .select_only()
        .column(quiz_attempt::Column::UserId)
        .column(quiz_attempt::Column::Number)
        .column(quiz_attempt::Column::Id)
        .into_tuple::<(i64, i32, i64)>()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|(user, number, id)| ((user, number), id))
        .collect();
    let records =
        records.into_iter().map(|(user, number, submitted, items)| quiz_attempt_item::ActiveModel {
            attempt_id: Set(ids[&(user, number)]),
            quiz_id: Set(quiz_id),
            user_id: Set(user),
            number: Set(number),
            submitted_at: Set(submitted),
            items: Set(items),
        });
    quiz_attempt_item::Entity::insert_many(records).exec(db).await.unwrap();
}

fn quiz_of(library: &Library) -> &Quiz {
    library.courses[COURSE].quizzes.iter().find(|q| q.id == QUIZ).unwrap()
}

/// Python's figures for `attempts`.
fn python(attempts: &[&Known]) -> Value {
    let input =
        json!({ "attempts": attempts.iter().map(|a| json!({ "answers": a.answers })).collect::<Vec<_>>() });
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/python/item_analysis.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs (it is on every machine CI uses)");
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "item_analysis.py failed");
    serde_json::from_slice(&output.stdout).unwrap()
}

#[track_caller]
fn same(what: &str, actual: Option<f64>, expected: &Value) {
    match (actual, expected.as_f64()) {
        (None, None) => {}
        (Some(a), Some(e)) => {
            assert!((a - e).abs() <= 1e-9 * e.abs().max(1.0), "{what}: {a} here, {e} in Python")
        }
        _ => panic!("{what}: {actual:?} here, {expected} in Python"),
    }
}

fn flag_names(flags: &[Flag]) -> Vec<String> {
    flags
        .iter()
        .map(|flag| match flag {
            Flag::TooEasy => "too_easy".to_string(),
            Flag::TooHard => "too_hard".to_string(),
            Flag::LowDiscrimination => "low_discrimination".to_string(),
            Flag::LikelyWrongKey { option } => format!("likely_wrong_key:{option}"),
        })
        .collect()
}

/// Every figure of `analysis` equals Python's on `expected`; returns how many questions were compared.
fn compare(name: &str, analysis: &Analysis, expected: &[&Known]) -> usize {
    let python = python(expected);
    let (quiz, p) = (&analysis.quiz, &python["quiz"]);
    assert_eq!(quiz.attempts as u64, p["attempts"].as_u64().unwrap(), "{name}: attempts");
    same(&format!("{name}: mean"), quiz.mean, &p["mean"]);
    same(&format!("{name}: median"), quiz.median, &p["median"]);
    same(&format!("{name}: sd"), quiz.sd, &p["sd"]);
    same(&format!("{name}: alpha"), quiz.cronbach_alpha, &p["cronbach_alpha"]);
    same(&format!("{name}: error ratio"), quiz.error_ratio, &p["error_ratio"]);
    same(&format!("{name}: standard error"), quiz.standard_error, &p["standard_error"]);
    let expected_questions = python["questions"].as_object().unwrap();
    assert_eq!(analysis.questions.len(), expected_questions.len(), "{name}: questions");
    for q in &analysis.questions {
        let e = &expected_questions[&q.id];
        let what = |figure: &str| format!("{name}: question {} {figure}", q.id);
        assert_eq!(q.asked as u64, e["asked"].as_u64().unwrap(), "{}", what("asked"));
        same(&what("facility"), q.facility, &e["facility"]);
        same(&what("sd"), q.sd, &e["sd"]);
        same(&what("discrimination index"), q.discrimination_index, &e["discrimination_index"]);
        same(
            &what("discriminative efficiency"),
            q.discriminative_efficiency,
            &e["discriminative_efficiency"],
        );
        let options: BTreeMap<String, (u64, bool)> =
            q.options.iter().map(|o| (o.id.clone(), (o.picked as u64, o.right))).collect();
        let expected_options: BTreeMap<String, (u64, bool)> = e["options"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(id, o)| (id.clone(), (o["picked"].as_u64().unwrap(), o["right"].as_bool().unwrap())))
            .collect();
        assert_eq!(options, expected_options, "{}", what("options"));
        let expected_flags: Vec<String> =
            e["flags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()).collect();
        assert_eq!(flag_names(&q.flags), expected_flags, "{}", what("flags"));
    }
    analysis.questions.len()
}

async fn story(db: DatabaseConnection) {
    let library = library();
    let known = seed(&db, &library).await;
    let quiz = quiz_of(&library);
    let unit_ids = units::ids_by_code(&db).await.unwrap();
    let analyse = |filter: Filter| {
        let db = db.clone();
        async move { statistics::analyse(&read::attempts(&db, COURSE, quiz, &filter).await.unwrap()) }
    };

    let first: Vec<&Known> = known.iter().filter(|k| k.number == 1).collect();
    let by_default = analyse(Filter::default()).await;
    assert_eq!(
        compare("first attempts", &by_default, &first),
        quiz.questions.len(),
        "every question was asked"
    );
    assert!(by_default.quiz.attempts < known.len(), "later attempts are left out by default");

    let all: Vec<&Known> = known.iter().collect();
    compare("all attempts", &analyse(Filter { all_attempts: true, ..Filter::default() }).await, &all);

    // SO-A with its office PHONG-A1, not the province nor SO-B.
    let so_a: Vec<&Known> =
        known.iter().filter(|k| k.number == 1 && matches!(k.unit, "SO-A" | "PHONG-A1")).collect();
    let unit = Some(unit_ids["SO-A"]);
    compare("unit SO-A", &analyse(Filter { unit, ..Filter::default() }).await, &so_a);

    let (from, to) =
        (NaiveDate::from_ymd_opt(2026, 3, 8).unwrap(), NaiveDate::from_ymd_opt(2026, 3, 20).unwrap());
    let period: Vec<&Known> = known.iter().filter(|k| (from..=to).contains(&k.day)).collect();
    let filter = Filter { all_attempts: true, from: Some(from), to: Some(to), ..Filter::default() };
    compare("period, all attempts", &analyse(filter).await, &period);

    // Attempts whose questions were found by their text count with the others, under the bank's ids.
    let counts: HashMap<&str, usize> =
        by_default.questions.iter().map(|q| (q.id.as_str(), q.asked)).collect();
    assert!(counts.keys().all(|id| quiz.questions.iter().any(|q| q.id == *id)), "{counts:?}");
}

/// A learner's attempt graded by `assessment::attempts` (submitted, and closed at its deadline) keeps the
/// item record that reads as the questions as asked do.
async fn grading_keeps_the_item_record(db: DatabaseConnection) {
    let library = library();
    catalog::sync_library(&db, &library).await.unwrap();
    let course = library.courses[COURSE].clone();
    let quiz = quiz_of(&library).clone();
    let new = NewUser {
        username: "lan".into(),
        full_name: "Nguyễn Thị Lan".into(),
        email: None,
        unit_code: None,
        position: "Chuyên viên".into(),
        role: Role::Learner,
        password: None,
    };
    let learner = accounts::add_user(&db, new).await.unwrap().0;
    let user = learner.id;
    enrollment::enroll_users(&db, COURSE, &[user], None, None).await.unwrap();
    let start = Utc.with_ymd_and_hms(2026, 12, 4, 2, 0, 0).unwrap();
    let mut rng = StdRng::seed_from_u64(19);
    for (n, by_server) in [(0, false), (1, true)] {
        let now = start + Duration::hours(n);
        let (attempt, _) = attempts::start(&db, &library, &learner, &course, &quiz, now).await.unwrap();
        let mut answers = Answers::new();
        for q in &attempt.questions {
            if let Some(a) = answer(q, 0.6, &mut rng) {
                answers.insert(q.id.clone(), a);
            }
        }
        if by_server {
            attempts::save_answers(&db, &library, user, attempt.row.id, answers, now).await.unwrap();
            attempts::close_expired(&db, &library, now + Duration::hours(1)).await.unwrap();
        } else {
            attempts::submit(&db, &library, user, attempt.row.id, Some(answers), now).await.unwrap();
        }
        let row = quiz_attempt::Entity::find_by_id(attempt.row.id).one(&db).await.unwrap().unwrap();
        assert_eq!(row.closed_by_server, by_server);
        let record = quiz_attempt_item::Entity::find_by_id(row.id).one(&db).await.unwrap();
        let record = record.expect("grading writes the item record");
        assert_eq!(
            (record.quiz_id, record.user_id, record.number, Some(record.submitted_at)),
            (row.quiz_id, row.user_id, row.number, row.submitted_at)
        );
        let items = record.items.as_str();
        let bank = read::Bank::new(&quiz.questions);
        let from_questions = read::decode(&bank, &row.questions, &row.answers, row.marks.as_deref().unwrap());
        assert_eq!(read::decode_items(items).unwrap(), from_questions.unwrap());
        assert!(items.len() * 4 < row.questions.len(), "{} bytes for {}", items.len(), row.questions.len());
    }
}

#[tokio::test]
async fn grading_keeps_the_item_record_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display())).await.unwrap();
    grading_keeps_the_item_record(db).await;
}

#[tokio::test]
async fn grading_keeps_the_item_record_on_postgres() {
    let Some(db) = support::fresh_postgres_database().await else { return };
    grading_keeps_the_item_record(db).await;
}

#[tokio::test]
async fn statistics_equal_pythons_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display())).await.unwrap();
    story(db).await;
}

#[tokio::test]
async fn statistics_equal_pythons_on_postgres() {
    let Some(db) = support::fresh_postgres_database().await else { return };
    story(db).await;
}
