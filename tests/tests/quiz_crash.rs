//! End-to-end, issue #4: the real `daotao-server` on an SQLite file is killed with SIGKILL in the middle of
//! a burst of quiz submissions, then started again on the same file.
//!
//! What must hold (DESIGN.md: "every write that a learner was told succeeded is committed before the response
//! is sent"): every submission that got a 200 with a result is stored with that `submitted_at`, `percent` and
//! `passed`, and its course completion too; every other attempt is either graded (the response was lost) or
//! still open with the answers saved before the burst, never half-written; the file passes
//! `PRAGMA integrity_check`; the restarted server accepts the old sessions, grades each attempt once (a
//! repeated submit returns the stored result) and lets people log in.
//!
//! The kill is made to land mid-burst: `THREADS` clients submit the `LEARNERS` attempts one after another and
//! the server is killed as soon as `KILL_AFTER` results have come back, so some submissions have succeeded,
//! some are in flight and the rest are refused. The test checks that both kinds exist, so it proves something.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex, mpsc};

use chrono::{DateTime, Utc};
use daotao_core::entities::{enrollment, quiz_attempt, user};
use daotao_tests::{PATIENCE, Server};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement};
use serde_json::{Value, json};

const COURSE: &str = "thi-nhanh";
const QUIZ: &str = "cuoi-khoa";
const LESSON: &str = "doc-truoc";
const PASSWORD: &str = "mat-khau-thi-2026";
const LEARNERS: usize = 40;
const THREADS: usize = 8;
/// Kill the server once this many submissions have answered 200.
const KILL_AFTER: usize = 10;
const PASS_PERCENT: f64 = 50.0;

fn write(path: &Path, contents: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

/// One course: one lesson and a completion quiz of two single-choice questions, no time limit, no attempt
/// limit, no shuffle; each right option says "Đúng", each wrong one "Sai".
fn write_fixture(courses: &Path) {
    let c = courses.join(COURSE);
    write(
        &c.join("course.toml"),
        &format!("title = \"Thi nhanh\"\n[completion]\nlessons = \"all\"\nquiz = \"{QUIZ}\"\n"),
    );
    write(&c.join(format!("01-{LESSON}.md")), "# Đọc trước\n\nNội dung.\n");
    write(
        &c.join(format!("quiz/{QUIZ}.md")),
        &format!(
            "+++\ntitle = \"Cuối khoá\"\npass_percent = {PASS_PERCENT}\nattempts = 0\ntime_limit_minutes = 0\n+++\n\n\
             ## Câu một\n\n- [ ] Sai một\n- [x] Đúng một\n- [ ] Sai ba\n\n\
             ## Câu hai\n\n- [x] Đúng hai\n- [ ] Sai hai\n"
        ),
    );
}

fn username(i: usize) -> String {
    format!("thisinh.{i:03}")
}

/// Learner `i` answers right: both questions, one, or none (100, 50 or 0 percent).
fn right_answers(i: usize) -> usize {
    2 - i % 3
}

fn expected_percent(i: usize) -> f64 {
    right_answers(i) as f64 * 50.0
}

/// Before the server starts, on the same file: the catalog, `LEARNERS` accounts with a known password (one
/// argon2 hash shared by all, to keep the set-up short), enrolled, the lesson read.
fn seed(url: &str, courses: &Path) {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = daotao_core::platform::db::connect(url).await.unwrap();
        let library = daotao_content::course::load_library(courses);
        assert!(library.problems.is_empty(), "{:?}", library.problems);
        daotao_core::learning::catalog::sync_library(&db, &library).await.unwrap();
        let hash = daotao_core::people::auth::password::hash(PASSWORD);
        let now = Utc::now();
        let rows = (0..LEARNERS).map(|i| {
            daotao_core::people::accounts::AccountRow {
                username: username(i),
                full_name: format!("Thí sinh {i}"),
                email: None,
                unit_id: None,
                position: "Chuyên viên".into(),
                role: user::Role::Learner,
                must_change_password: false,
            }
            .into_active_model(hash.clone(), now)
        });
        user::Entity::insert_many(rows).exec_without_returning(&db).await.unwrap();
        let ids: Vec<i64> = user::Entity::find().all(&db).await.unwrap().iter().map(|u| u.id).collect();
        assert_eq!(ids.len(), LEARNERS);
        daotao_core::learning::enrollment::enroll_users(&db, COURSE, &ids, None, None).await.unwrap();
        for id in ids {
            daotao_core::learning::progress::mark_read(&db, id, COURSE, LESSON).await.unwrap();
        }
    });
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        // Dropping a blocking client with idle pooled connections waits for them to close; and every
        // request on a fresh connection means none is pinned to the killed process.
        .pool_max_idle_per_host(0)
        .timeout(PATIENCE)
        .build()
        .unwrap()
}

/// Sends a JSON request; (status, body as JSON or as a string).
fn call(
    http: &reqwest::blocking::Client,
    method: reqwest::Method,
    url: &str,
    token: Option<&str>,
    body: &Value,
) -> reqwest::Result<(u16, Value)> {
    daotao_tests::api::send(http, method, url, token, Some(body))
}

/// A learner ready to submit: logged in, attempt started, answers saved.
#[derive(Debug, Clone)]
struct Ready {
    token: String,
    attempt: i64,
    answers: Value,
}

/// Logs learner `i` in, starts an attempt and saves answers through the API.
fn prepare(base: &str, i: usize) -> Ready {
    let http = client();
    let (status, body) = call(
        &http,
        reqwest::Method::POST,
        &format!("{base}/api/v1/session"),
        None,
        &json!({"username": username(i), "password": PASSWORD}),
    )
    .unwrap();
    assert_eq!(status, 201, "login of {}: {body}", username(i));
    let token = body["token"].as_str().unwrap().to_string();
    let (status, body) = call(
        &http,
        reqwest::Method::POST,
        &format!("{base}/api/v1/courses/{COURSE}/quizzes/{QUIZ}/attempts"),
        Some(&token),
        &json!({}),
    )
    .unwrap();
    assert_eq!(status, 201, "start for {}: {body}", username(i));
    let attempt = body["id"].as_i64().unwrap();
    let questions = body["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 2, "{body}");
    let mut answers = serde_json::Map::new();
    for (n, q) in questions.iter().enumerate() {
        let want = if n < right_answers(i) { "Đúng" } else { "Sai" };
        let option = q["options"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["html"].as_str().unwrap().contains(want))
            .unwrap_or_else(|| panic!("no `{want}` option in {q}"));
        answers.insert(q["id"].as_str().unwrap().to_string(), json!([option["id"]]));
    }
    let answers = Value::Object(answers);
    let (status, body) = call(
        &http,
        reqwest::Method::PUT,
        &format!("{base}/api/v1/attempts/{attempt}/answers"),
        Some(&token),
        &answers,
    )
    .unwrap();
    assert_eq!(status, 200, "saving answers of {}: {body}", username(i));
    Ready { token, attempt, answers }
}

/// What one submission of the burst got.
#[derive(Debug)]
enum Outcome {
    /// 200 with a result: (submitted_at, percent, passed).
    Graded(DateTime<Utc>, f64, bool),
    /// No answer; `sent_before_kill` tells whether the request left before the kill was ordered.
    Failed { sent_before_kill: bool, error: String },
}

/// The result of a submission's JSON: (submitted_at, percent, passed).
fn result_of(body: &Value) -> (DateTime<Utc>, f64, bool) {
    let at = body["submitted_at"].as_str().unwrap_or_else(|| panic!("no submitted_at in {body}"));
    (
        DateTime::parse_from_rfc3339(at).unwrap().with_timezone(&Utc),
        body["percent"].as_f64().unwrap_or_else(|| panic!("no percent in {body}")),
        body["passed"].as_bool().unwrap_or_else(|| panic!("no passed in {body}")),
    )
}

/// Everything about the attempts and completions, read straight from the file.
struct Stored {
    attempts: HashMap<i64, quiz_attempt::Model>,
    /// user id -> completed.
    completed: HashMap<i64, bool>,
    /// username -> user id.
    users: HashMap<String, i64>,
    integrity: String,
}

fn read_database(url: &str) -> Stored {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        // A plain connection (no migration): what an admin's `sqlite3` would see after the crash.
        let db = sea_orm::Database::connect(url).await.unwrap();
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), "PRAGMA integrity_check"))
            .await
            .unwrap()
            .unwrap();
        let integrity: String = row.try_get_by_index(0).unwrap();
        let attempts = quiz_attempt::Entity::find()
            .filter(quiz_attempt::Column::CourseId.eq(COURSE))
            .all(&db)
            .await
            .unwrap();
        let completed = enrollment::Entity::find()
            .filter(enrollment::Column::CourseId.eq(COURSE))
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.user_id, e.completed_at.is_some()))
            .collect();
        let users =
            user::Entity::find().all(&db).await.unwrap().into_iter().map(|u| (u.username, u.id)).collect();
        db.close().await.unwrap();
        let count = attempts.len();
        let attempts: HashMap<i64, quiz_attempt::Model> = attempts.into_iter().map(|a| (a.id, a)).collect();
        assert_eq!(attempts.len(), count);
        Stored { attempts, completed, users, integrity }
    })
}

/// A graded row has every result column, an open row none: never half of them.
fn assert_whole(row: &quiz_attempt::Model) {
    let parts = [
        row.submitted_at.is_some(),
        row.marks.is_some(),
        row.score.is_some(),
        row.percent.is_some(),
        row.passed.is_some(),
    ];
    assert!(parts.iter().all(|p| *p == parts[0]), "attempt {} is half-written: {row:?}", row.id);
}

#[test]
fn submissions_survive_a_kill_mid_burst_and_the_server_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    write_fixture(&dir.path().join("courses"));
    let url = format!("sqlite://{}/db/crash.sqlite", dir.path().display());
    seed(&url, &dir.path().join("courses"));
    let env = [("DAOTAO_DATABASE_URL", url.as_str())];
    let mut server = Server::start(dir.path(), &env);
    let base = server.base_url.clone();

    let ready = prepare_everybody(&base);
    let outcomes = submit_in_a_burst_and_kill_the_server(&mut server, &base, &ready);
    let graded_before_kill = assert_the_kill_landed_mid_burst(&outcomes);
    let stored = check_the_file_as_the_crash_left_it(&url, &ready, &outcomes, graded_before_kill);

    // The server comes back on the same file; the sessions survived; submitting again grades each attempt
    // once: a result already stored comes back unchanged, an open attempt is graded on its saved answers.
    let server = Server::start(dir.path(), &env);
    let http = client();
    submit_again_after_the_restart(&server, &http, &ready, &stored);
    check_every_attempt_graded_once(&url, &ready);
    // New logins work too.
    let (status, body) = call(
        &http,
        reqwest::Method::POST,
        &server.url("/api/v1/session"),
        None,
        &json!({"username": username(0), "password": PASSWORD}),
    )
    .unwrap();
    assert_eq!(status, 201, "{body}");
    let (status, health) = server.get("/healthz");
    assert_eq!(status, 200, "{health}");
}

/// Logs in, starts and saves answers for every learner: four clients at a time. In learner order.
fn prepare_everybody(base: &str) -> Vec<Ready> {
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                s.spawn(move || (t..LEARNERS).step_by(4).map(|i| (i, prepare(base, i))).collect::<Vec<_>>())
            })
            .collect();
        let mut all: Vec<(usize, Ready)> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
        all.sort_by_key(|(i, _)| *i);
        all.into_iter().map(|(_, r)| r).collect()
    })
}

/// The burst: THREADS clients submit one attempt after another until every attempt was tried; once
/// KILL_AFTER submissions have answered 200, the server is killed with SIGKILL. Returns what each
/// learner's submission got.
fn submit_in_a_burst_and_kill_the_server(
    server: &mut Server,
    base: &str,
    ready: &[Ready],
) -> HashMap<usize, Outcome> {
    let next = Arc::new(AtomicUsize::new(0));
    let killed = Arc::new(AtomicBool::new(false));
    let outcomes: Arc<Mutex<HashMap<usize, Outcome>>> = Arc::default();
    let (graded_tx, graded_rx) = mpsc::channel::<()>();
    let go = Arc::new(Barrier::new(THREADS + 1));
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let (next, killed, outcomes, graded_tx, go) =
                (next.clone(), killed.clone(), outcomes.clone(), graded_tx.clone(), go.clone());
            let (base, ready) = (base.to_string(), ready.to_vec());
            std::thread::spawn(move || {
                let http = client();
                go.wait();
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(r) = ready.get(i) else { break };
                    let sent_before_kill = !killed.load(Ordering::SeqCst);
                    let outcome = submit(&http, &base, r, sent_before_kill);
                    let graded = matches!(outcome, Outcome::Graded(..));
                    outcomes.lock().unwrap().insert(i, outcome);
                    if graded {
                        let _ = graded_tx.send(());
                    }
                }
            })
        })
        .collect();
    drop(graded_tx);
    go.wait();
    for n in 0..KILL_AFTER {
        graded_rx.recv_timeout(PATIENCE).unwrap_or_else(|e| panic!("only {n} submissions answered: {e}"));
    }
    killed.store(true, Ordering::SeqCst);
    let signal = server.kill_hard();
    assert_eq!(signal, Some(9), "the server was ended by SIGKILL");
    for w in workers {
        w.join().unwrap();
    }
    let outcomes = Arc::try_unwrap(outcomes).unwrap().into_inner().unwrap();
    assert_eq!(outcomes.len(), LEARNERS);
    outcomes
}

/// One submission of the burst; `sent_before_kill` tells whether it leaves before the kill was ordered.
fn submit(http: &reqwest::blocking::Client, base: &str, r: &Ready, sent_before_kill: bool) -> Outcome {
    let url = format!("{base}/api/v1/attempts/{}/submit", r.attempt);
    match call(http, reqwest::Method::POST, &url, Some(&r.token), &json!({})) {
        Ok((200, body)) => {
            let (at, percent, passed) = result_of(&body);
            Outcome::Graded(at, percent, passed)
        }
        // A process killed with SIGKILL cannot answer anything else: any status but 200 is wrong.
        Ok((status, body)) => {
            panic!("submit of attempt {} answered {status}: {body}", r.attempt)
        }
        Err(e) => Outcome::Failed { sent_before_kill, error: e.to_string() },
    }
}

/// Prints what the burst got and asserts the kill landed mid-burst: some submissions were answered,
/// some never were. Returns how many were answered (200) before the kill.
fn assert_the_kill_landed_mid_burst(outcomes: &HashMap<usize, Outcome>) -> usize {
    let graded_before_kill = outcomes.values().filter(|o| matches!(o, Outcome::Graded(..))).count();
    let in_flight =
        outcomes.values().filter(|o| matches!(o, Outcome::Failed { sent_before_kill: true, .. })).count();
    let refused = LEARNERS - graded_before_kill - in_flight;
    println!(
        "burst of {LEARNERS} submissions by {THREADS} clients, SIGKILL after {KILL_AFTER} results: \
         {graded_before_kill} answered 200, {in_flight} in flight got no answer, {refused} sent after the kill"
    );
    for (i, o) in outcomes {
        if let Outcome::Failed { sent_before_kill: true, error } = o {
            println!("  in flight: {} ({error})", username(*i));
        }
    }
    assert!(graded_before_kill >= KILL_AFTER, "{graded_before_kill} answered before the kill");
    assert!(
        graded_before_kill < LEARNERS,
        "every submission was answered before the kill landed: the test proved nothing"
    );
    graded_before_kill
}

/// The file as the crash left it: intact, one whole attempt per learner with the answers saved before the
/// burst; every 200 stored as answered; a pass never without its completion. Returns what it holds.
fn check_the_file_as_the_crash_left_it(
    url: &str,
    ready: &[Ready],
    outcomes: &HashMap<usize, Outcome>,
    graded_before_kill: usize,
) -> Stored {
    let stored = read_database(url);
    assert_eq!(stored.integrity, "ok", "PRAGMA integrity_check after the crash");
    assert_eq!(stored.attempts.len(), LEARNERS, "one attempt per learner, none lost, none added");
    let mut lost_responses = 0;
    let mut still_open = 0;
    let mut passed_without_completion = Vec::new();
    for (i, r) in ready.iter().enumerate() {
        let row = stored.attempts.get(&r.attempt).unwrap_or_else(|| panic!("attempt {} is gone", r.attempt));
        assert_eq!(row.user_id, stored.users[&username(i)]);
        assert_whole(row);
        let saved: Value = serde_json::from_str(&row.answers).unwrap();
        assert_eq!(saved, r.answers, "the answers saved before the burst are kept ({})", username(i));
        match (&outcomes[&i], row.submitted_at) {
            (Outcome::Graded(at, percent, passed), stored_at) => {
                assert_eq!(stored_at, Some(*at), "submitted_at of a 200 ({})", username(i));
                assert_eq!(row.percent, Some(*percent), "percent of a 200 ({})", username(i));
                assert_eq!(row.passed, Some(*passed), "passed of a 200 ({})", username(i));
                assert_eq!(*percent, expected_percent(i), "graded on the saved answers ({})", username(i));
                if *passed {
                    assert!(
                        stored.completed[&row.user_id],
                        "{} was told they passed, but the course completion is not stored",
                        username(i)
                    );
                }
            }
            (Outcome::Failed { .. }, Some(_)) => {
                lost_responses += 1;
                assert_eq!(row.percent, Some(expected_percent(i)), "graded on the saved answers");
                if row.passed == Some(true) && !stored.completed[&row.user_id] {
                    passed_without_completion.push(username(i));
                }
            }
            (Outcome::Failed { .. }, None) => still_open += 1,
        }
    }
    println!(
        "after the crash: {graded_before_kill} graded as answered, {lost_responses} graded whose answer was \
         lost, {still_open} still open"
    );
    assert!(
        passed_without_completion.is_empty(),
        "a pass and the completion it brings are committed together: {passed_without_completion:?}"
    );
    assert_eq!(graded_before_kill + lost_responses + still_open, LEARNERS);
    stored
}

/// On the restarted server, every learner submits again with the session from before the crash: each
/// is graded on the saved answers, and a result stored before the crash comes back unchanged.
fn submit_again_after_the_restart(
    server: &Server,
    http: &reqwest::blocking::Client,
    ready: &[Ready],
    stored: &Stored,
) {
    for (i, r) in ready.iter().enumerate() {
        let url = server.url(&format!("/api/v1/attempts/{}/submit", r.attempt));
        let (status, body) = call(http, reqwest::Method::POST, &url, Some(&r.token), &json!({})).unwrap();
        assert_eq!(status, 200, "submit after the restart ({}): {body}", username(i));
        let (at, percent, passed) = result_of(&body);
        assert_eq!(percent, expected_percent(i), "{}", username(i));
        assert_eq!(passed, percent >= PASS_PERCENT, "{}", username(i));
        let row = &stored.attempts[&r.attempt];
        if row.submitted_at.is_some() {
            assert_eq!((Some(at), Some(percent), Some(passed)), (row.submitted_at, row.percent, row.passed));
        }
    }
}

/// After submitting again: the file is intact, no attempt was added, every attempt is graded (whole),
/// and the course is completed exactly by those who passed.
fn check_every_attempt_graded_once(url: &str, ready: &[Ready]) {
    let after = read_database(url);
    assert_eq!(after.integrity, "ok");
    assert_eq!(after.attempts.len(), LEARNERS, "submitting again starts nothing new");
    for (i, r) in ready.iter().enumerate() {
        let row = &after.attempts[&r.attempt];
        assert_whole(row);
        assert!(row.submitted_at.is_some());
        assert_eq!(
            after.completed[&row.user_id],
            row.passed == Some(true),
            "course completion follows the pass ({})",
            username(i)
        );
    }
}
