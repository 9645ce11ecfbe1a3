//! Course feedback (#19) on a SQLite file and on PostgreSQL: who may answer and only once, the pool that
//! publishes answers five or more at a time, the results and their five-answer rule, and anonymity as an
//! attacker with SQL would test it: no column links an answer to a person, and neither ids, row order nor
//! PostgreSQL's `xmin` follow the order answers came in.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeZone, Utc};
use daotao_content::course::Questionnaire;
use daotao_core::entities::user::Role;
use daotao_core::entities::{course, enrollment, unit};
use daotao_core::learning::feedback::results::{self, Filter, Results};
use daotao_core::learning::feedback::{self, Answer, FeedbackError};
use daotao_core::people::accounts::{NewUser, add_user};
use daotao_core::platform::db;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait,
    QueryFilter, Set, Statement,
};

const QUESTIONNAIRE: &str = "comment = \"Góp ý?\"\n[[item]]\nid = \"phu-hop\"\ntext = \"Phù hợp.\"\n[[item]]\nid = \"ro-rang\"\ntext = \"Rõ ràng.\"\n";

fn questionnaire() -> Questionnaire {
    daotao_content::course::feedback::parse(std::path::Path::new("feedback.toml"), QUESTIONNAIRE).unwrap()
}

/// Learner `i`'s answer: `phu-hop` = i % 5 + 1, `ro-rang` = 4, the comment names the answer.
fn answer(i: usize) -> Answer {
    Answer {
        scores: BTreeMap::from([("phu-hop".to_string(), (i % 5 + 1) as u8), ("ro-rang".to_string(), 4)]),
        comment: format!("  góp ý số {i:02}  "),
    }
}

fn november() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 3, 0, 0).unwrap()
}

fn december() -> DateTime<Utc> {
    // 30 November 18:00 UTC is 1 December in Viet Nam.
    Utc.with_ymd_and_hms(2026, 11, 30, 18, 0, 0).unwrap()
}

async fn unit(db: &DatabaseConnection, code: &str, parent: Option<i64>) -> i64 {
    unit::ActiveModel {
        id: Default::default(),
        code: Set(code.into()),
        name: Set(code.into()),
        parent_id: Set(parent),
    }
    .insert(db)
    .await
    .unwrap()
    .id
}

async fn person(db: &DatabaseConnection, username: &str, unit: &str) -> i64 {
    let new = NewUser {
        username: username.into(),
        full_name: format!("Nguyễn {username}"),
        email: None,
        unit_code: Some(unit.into()),
        position: "Chuyên viên".into(),
        role: Role::Learner,
        password: Some("mat-khau-du-dai-2026".into()),
    };
    add_user(db, new).await.unwrap().0.id
}

struct Fixture {
    /// Completed `khoa`: 0..4 in SO-A, 4..7 in P1 (under SO-A), the rest in SO-B.
    learners: Vec<i64>,
    enrolled_only: i64,
    stranger: i64,
    so_a: i64,
    p1: i64,
}

async fn fixture(db: &DatabaseConnection) -> Fixture {
    let tinh = unit(db, "TINH", None).await;
    let so_a = unit(db, "SO-A", Some(tinh)).await;
    let p1 = unit(db, "P1", Some(so_a)).await;
    unit(db, "SO-B", Some(tinh)).await;
    course::ActiveModel {
        id: Set("khoa".into()),
        title: Set("Khoá học".into()),
        summary: Set(String::new()),
        hours: Set(1),
        self_enrol: Set(false),
        content_hash: Set(String::new()),
        active: Set(true),
        synced_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .unwrap();
    let mut learners = Vec::new();
    for i in 0..21 {
        let unit = match i {
            0..4 => "SO-A",
            4..7 => "P1",
            _ => "SO-B",
        };
        learners.push(person(db, &format!("hv{i:02}"), unit).await);
    }
    let enrolled_only = person(db, "chua.xong", "SO-B").await;
    let stranger = person(db, "nguoi.ngoai", "SO-B").await;
    let mut enrolled = learners.clone();
    enrolled.push(enrolled_only);
    daotao_core::learning::enrollment::enroll_users(db, "khoa", &enrolled, None, None).await.unwrap();
    enrollment::Entity::update_many()
        .col_expr(enrollment::Column::CompletedAt, sea_orm::sea_query::Expr::value(november()))
        .filter(enrollment::Column::UserId.is_in(learners.clone()))
        .exec(db)
        .await
        .unwrap();
    Fixture { learners, enrolled_only, stranger, so_a, p1 }
}

async fn texts(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).unwrap())
        .collect()
}

async fn columns(db: &DatabaseConnection, table: &str) -> BTreeSet<String> {
    let sql = match db.get_database_backend() {
        DatabaseBackend::Postgres => format!(
            "SELECT column_name::text FROM information_schema.columns WHERE table_name = '{table}' AND table_schema = current_schema()"
        ),
        _ => format!("SELECT name FROM pragma_table_info('{table}')"),
    };
    texts(db, &sql).await.into_iter().collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

async fn schema_has_no_link(db: &DatabaseConnection) {
    let postgres = db.get_database_backend() == DatabaseBackend::Postgres;
    // No column links an answer to a person: the "answered" record has no time and no answer; the answers
    // (pending or published) have no person and no time finer than the month.
    assert_eq!(columns(db, "feedback_answered").await, set(&["course_id", "user_id"]));
    let answer_columns = set(&["id", "course_id", "month", "unit_id", "scores", "comment"]);
    assert_eq!(columns(db, "feedback_pending").await, answer_columns);
    assert_eq!(columns(db, "feedback_responses").await, answer_columns);
    if !postgres {
        for table in ["feedback_answered", "feedback_pending", "feedback_responses"] {
            let sql = format!("SELECT rowid FROM {table}");
            let hidden = db.query_all_raw(Statement::from_string(DatabaseBackend::Sqlite, sql)).await;
            assert!(hidden.is_err(), "{table} has no rowid to keep the order of insertion");
        }
    }
}

async fn check_results(db: &DatabaseConnection, f: &Fixture, q: &Questionnaire) {
    // The results: hand-computed. phu-hop = i % 5 + 1 (four of each), ro-rang = 4; satisfied when i % 5 >= 3.
    let Results::Shown(all) = results::results(db, "khoa", Some(q), &Filter::default()).await.unwrap() else {
        panic!("twenty answers are shown")
    };
    assert_eq!((all.respondents, all.satisfied), (20, 8));
    assert!((all.satisfaction_percent() - 40.0).abs() < 1e-9);
    assert_eq!(all.items[0].counts, [4, 4, 4, 4, 4]);
    assert!((all.items[0].mean() - 3.0).abs() < 1e-9);
    assert_eq!(all.items[1].counts, [0, 0, 0, 20, 0]);
    assert_eq!(all.comments.len(), 20);

    // By period: December has 10 answers (10..20); by unit: SO-A with P1 has 7, P1 alone 3 (hidden).
    let december_only = Filter { from: Some("2026-12".into()), ..Filter::default() };
    let Results::Shown(dec) = results::results(db, "khoa", Some(q), &december_only).await.unwrap() else {
        panic!("ten answers are shown")
    };
    assert_eq!((dec.respondents, dec.satisfied), (10, 4));
    let so_a = daotao_core::learning::enrollment::subtree(db, f.so_a).await.unwrap();
    let Results::Shown(unit_a) =
        results::results(db, "khoa", Some(q), &Filter { units: Some(so_a), ..Filter::default() })
            .await
            .unwrap()
    else {
        panic!("seven answers are shown")
    };
    assert_eq!((unit_a.respondents, unit_a.satisfied), (7, 2), "learners 3 and 4 are satisfied");
    let p1 = Filter { units: Some(vec![f.p1]), ..Filter::default() };
    assert_eq!(results::results(db, "khoa", Some(q), &p1).await.unwrap(), Results::TooFew);
    let november_p1 = Filter { to: Some("2026-11".into()), units: Some(vec![f.p1]), ..Filter::default() };
    assert_eq!(results::results(db, "khoa", Some(q), &november_p1).await.unwrap(), Results::TooFew);
}

async fn story(db: DatabaseConnection) {
    let postgres = db.get_database_backend() == DatabaseBackend::Postgres;
    let f = fixture(&db).await;
    let q = questionnaire();

    schema_has_no_link(&db).await;

    // Who may answer: a learner who completed the course, once.
    let refused = feedback::submit(&db, f.enrolled_only, "khoa", &q, &answer(0), november()).await;
    assert!(matches!(refused, Err(FeedbackError::NotCompleted)), "{refused:?}");
    let refused = feedback::submit(&db, f.stranger, "khoa", &q, &answer(0), november()).await;
    assert!(matches!(refused, Err(FeedbackError::NotCompleted)), "{refused:?}");
    let mut partial = answer(0);
    partial.scores.remove("ro-rang");
    let refused = feedback::submit(&db, f.learners[0], "khoa", &q, &partial, november()).await;
    assert!(matches!(refused, Err(FeedbackError::Unanswered(ref ids)) if ids == &["ro-rang"]), "{refused:?}");
    let mut long = answer(0);
    long.comment = "a".repeat(feedback::MAX_COMMENT_CHARS + 1);
    let refused = feedback::submit(&db, f.learners[0], "khoa", &q, &long, november()).await;
    assert!(matches!(refused, Err(FeedbackError::CommentTooLong(2001))), "{refused:?}");
    assert!(texts(&db, "SELECT course_id FROM feedback_answered").await.is_empty(), "refusals write nothing");

    // Four answers wait in the pool: nothing is published, the results are hidden.
    for i in 0..4 {
        feedback::submit(&db, f.learners[i], "khoa", &q, &answer(i), november()).await.unwrap();
    }
    let again = feedback::submit(&db, f.learners[0], "khoa", &q, &answer(0), november()).await;
    assert!(matches!(again, Err(FeedbackError::AlreadyAnswered)), "{again:?}");
    assert_eq!(feedback::pending_count(&db, "khoa").await.unwrap(), 4);
    assert_eq!(feedback::published_count(&db, "khoa").await.unwrap(), 0);
    assert_eq!(results::results(&db, "khoa", Some(&q), &Filter::default()).await.unwrap(), Results::TooFew);
    if postgres {
        // The pool and the answered list were rewritten by the last answer: one xmin each, the same one.
        let pool = texts(&db, "SELECT DISTINCT xmin::text FROM feedback_pending").await;
        let answered = texts(&db, "SELECT DISTINCT xmin::text FROM feedback_answered").await;
        assert_eq!((pool.len(), answered.len()), (1, 1), "{pool:?} {answered:?}");
    }

    // The fifth publishes all five at once; then batches of five, the last eleven in December, four at once.
    feedback::submit(&db, f.learners[4], "khoa", &q, &answer(4), november()).await.unwrap();
    assert_eq!(feedback::pending_count(&db, "khoa").await.unwrap(), 0);
    assert_eq!(feedback::published_count(&db, "khoa").await.unwrap(), 5);
    if postgres {
        let xmin = texts(&db, "SELECT DISTINCT xmin::text FROM feedback_responses").await;
        assert_eq!(xmin.len(), 1, "one batch, one transaction: {xmin:?}");
    }
    for i in 5..10 {
        feedback::submit(&db, f.learners[i], "khoa", &q, &answer(i), november()).await.unwrap();
    }
    for i in 10..16 {
        feedback::submit(&db, f.learners[i], "khoa", &q, &answer(i), december()).await.unwrap();
    }
    // Four at once: each is taken, none lost, the pool published once.
    let answers: Vec<Answer> = (0..20).map(answer).collect();
    let submit = |i: usize| feedback::submit(&db, f.learners[i], "khoa", &q, &answers[i], december());
    let (a, b, c, d) = tokio::join!(submit(16), submit(17), submit(18), submit(19));
    for outcome in [a, b, c, d] {
        outcome.unwrap();
    }
    assert_eq!(feedback::published_count(&db, "khoa").await.unwrap(), 20);
    assert_eq!(feedback::pending_count(&db, "khoa").await.unwrap(), 0);
    // Answered once each: twenty records, no more.
    assert_eq!(texts(&db, "SELECT course_id FROM feedback_answered").await.len(), 20);
    assert_eq!(feedback::awaiting(&db, f.learners[20]).await.unwrap(), ["khoa"]);
    assert!(feedback::awaiting(&db, f.learners[3]).await.unwrap().is_empty());
    assert!(feedback::has_answered(&db, f.learners[3], "khoa").await.unwrap());
    assert!(!feedback::has_answered(&db, f.learners[20], "khoa").await.unwrap());

    // Neither the ids nor the physical order follow the order answers came in.
    let answer_order: Vec<String> = (0..20).map(|i| format!("góp ý số {i:02}")).collect();
    let by_id = texts(&db, "SELECT comment FROM feedback_responses ORDER BY id").await;
    assert_eq!(
        by_id.iter().collect::<BTreeSet<_>>(),
        answer_order.iter().collect(),
        "comments kept, in NFC, trimmed"
    );
    assert_ne!(by_id, answer_order, "ids are random");
    let physical = if postgres {
        "SELECT comment FROM feedback_responses ORDER BY ctid"
    } else {
        "SELECT comment FROM feedback_responses"
    };
    assert_ne!(texts(&db, physical).await, answer_order, "rows are written in random order");
    if postgres {
        // Every batch shares one xmin: four transactions for twenty rows, five rows each.
        let batches = texts(&db, "SELECT count(*)::text FROM feedback_responses GROUP BY xmin").await;
        assert_eq!(batches, ["5", "5", "5", "5"]);
        let answered = texts(&db, "SELECT DISTINCT xmin::text FROM feedback_answered").await;
        assert_eq!(answered.len(), 1, "the answered list carries only the last answer's transaction");
        let by_ctid = texts(&db, "SELECT user_id::text FROM feedback_answered ORDER BY ctid").await;
        let in_order: Vec<String> = f.learners[..20].iter().map(|id| id.to_string()).collect();
        assert_ne!(by_ctid, in_order, "the answered list is rewritten in random order");
    }
    let months = texts(&db, "SELECT DISTINCT month FROM feedback_responses ORDER BY month").await;
    assert_eq!(months, ["2026-11", "2026-12"], "the month in Viet Nam's time, nothing finer");

    check_results(&db, &f, &q).await;

    // The reports' figure: the same rule.
    let by_course = results::satisfaction_by_course(&db).await.unwrap();
    assert_eq!(by_course["khoa"].percent(), Some(40.0));
    check_reports(&db).await;
}

/// The competency and progress reports: the satisfaction rate per unit (rolled up) and course, blank under
/// five answers, and the satisfaction target against it. By hand: SO-A with P1 has learners 0..7 (3 and 4
/// satisfied), P1 4..7 (4 satisfied, three answers: blank), SO-B 7..20 (8, 9, 13, 14, 18, 19 satisfied).
async fn check_reports(db: &DatabaseConnection) {
    use daotao_core::platform::config::Target;
    use daotao_core::report::{self, Cell};
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    let data = report::data::load(db, None).await.unwrap();
    let targets = [Target::satisfaction(90), Target::competency("ATTT.1", 1, 80, None)];
    let framework = [daotao_content::course::Competency {
        code: "ATTT.1".into(),
        name: "An toàn".into(),
        area: "An toàn".into(),
        levels: vec!["Cơ bản".into()],
        maps_to: Vec::new(),
    }];
    assert!(report::competency::target_problems(&framework, &targets).is_empty());
    let r = report::competency::build(&data, &framework, &targets, today);
    let col = |name: &str| r.summary.columns.iter().position(|c| c == name).unwrap();
    let (rate, goal, below) =
        (col("Tỉ lệ hài lòng khoa"), col("Mục tiêu tỉ lệ hài lòng"), col("Khoá chưa đạt mục tiêu hài lòng"));
    let row =
        |code: &str| r.summary.rows.iter().find(|row| row[0] == Cell::Text(code.into())).unwrap().clone();
    let percent = |cell: &Cell| match cell {
        Cell::Percent(p) => (p * 10_000.0).round() / 100.0,
        other => panic!("{other:?}"),
    };
    assert_eq!(percent(&row("TINH")[rate]), 40.0);
    assert_eq!(percent(&row("SO-A")[rate]), 28.57, "2 of 7");
    assert_eq!(row("P1")[rate], Cell::Empty, "three answers: blank");
    assert_eq!(percent(&row("SO-B")[rate]), 46.15, "6 of 13");
    assert_eq!(row("TINH")[goal], Cell::Percent(0.9));
    assert_eq!(row("TINH")[below], Cell::Text("khoa".into()));
    assert_eq!(row("P1")[below], Cell::Text(String::new()), "nothing shown, nothing below");
    assert!(r.summary.columns.iter().any(|c| c == "Mục tiêu ATTT.1 mức 1"), "competency targets still there");

    let p = report::progress::build(&data, Some("khoa"), today);
    let rate = p.summary.columns.iter().position(|c| c == "Tỉ lệ hài lòng").unwrap();
    let tinh = p.summary.rows.iter().find(|row| row[0] == Cell::Text("TINH".into())).unwrap();
    assert_eq!(percent(&tinh[rate]), 40.0);
    let p1 = p.summary.rows.iter().find(|row| row[0] == Cell::Text("P1".into())).unwrap();
    assert_eq!(p1[rate], Cell::Empty);

    // A satisfaction target is written alone, at most 100, once.
    let bad = [Target { competency: "ATTT.1".into(), ..Target::satisfaction(90) }, Target::satisfaction(101)];
    let problems = report::competency::target_problems(&framework, &bad);
    assert_eq!(problems.len(), 3, "{problems:?}");
}

#[tokio::test]
async fn feedback_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display())).await.unwrap();
    story(db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_on_postgres() {
    let Some(db) = support::fresh_postgres_database().await else { return };
    story(db).await;
}
