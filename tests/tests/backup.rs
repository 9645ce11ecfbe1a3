//! End-to-end, issue #21: `daotao-admin backup` and `restore` with the real binaries, on SQLite and (with
//! `DAOTAO_TEST_BACKEND=postgres`) on PostgreSQL with the real `pg_dump` and `pg_restore`.
//!
//! The drill: learners submit quiz attempts over HTTP without pause while the backup is taken; the backup is
//! restored into a new database and a server started on it answers every submission acknowledged before the
//! backup began, with the learners' sessions of before. Then the live database is refused as a target (it
//! is not empty) and `--force` replaces its contents with the backup's. Other tests: the refusals (a file
//! that exists, a damaged or foreign file, a backup of the other kind) and no password ever printed.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use daotao_core::entities::user;
use daotao_tests::admin_cli::Admin;
use daotao_tests::outside::{self, PG_DUMP};
use daotao_tests::{PATIENCE, Server};
use sea_orm::{EntityTrait, TransactionTrait};
use serde_json::{Value, json};

const COURSE: &str = "sao-luu";
const QUIZ: &str = "kiem-tra";
const LESSON: &str = "bai-mot";
const PASSWORD: &str = "mat-khau-sao-luu-2026";
const LEARNERS: usize = 12;
const THREADS: usize = 6;
/// Submissions acknowledged before the backup starts, and again after it ended, before the burst stops.
const ACKS_BEFORE: usize = 24;
const ACKS_AFTER: usize = 12;
/// How many backups may be taken before one overlaps an acknowledgement (the first one nearly always does).
const BACKUP_TRIES: usize = 10;

fn write(path: &Path, contents: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

/// One course: a lesson and a quiz of two single-choice questions, any number of attempts, no time limit.
fn write_fixture(courses: &Path) {
    let c = courses.join(COURSE);
    write(&c.join("course.toml"), "title = \"Sao lưu\"\n[completion]\nlessons = \"all\"\n");
    write(&c.join(format!("01-{LESSON}.md")), "# Bài một\n\nNội dung.\n");
    write(
        &c.join(format!("quiz/{QUIZ}.md")),
        "+++\ntitle = \"Kiểm tra\"\npass_percent = 50\nattempts = 0\ntime_limit_minutes = 0\n+++\n\n\
         ## Câu một\n\n- [ ] Sai một\n- [x] Đúng một\n\n## Câu hai\n\n- [x] Đúng hai\n- [ ] Sai hai\n",
    );
}

fn username(i: usize) -> String {
    format!("hocvien.{i:02}")
}

/// The catalog and `LEARNERS` enrolled accounts with one known password, straight through core.
fn seed(url: &str, courses: &Path) {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = daotao_core::platform::db::connect(url).await.unwrap();
        let library = daotao_content::course::load_library(courses);
        assert!(library.problems.is_empty(), "{:?}", library.problems);
        daotao_core::learning::catalog::sync_library(&db, &library).await.unwrap();
        let hash = daotao_core::people::auth::password::hash(PASSWORD);
        let now = Utc::now();
        let txn = db.begin().await.unwrap();
        let rows = (0..LEARNERS).map(|i| {
            daotao_core::people::accounts::AccountRow {
                username: username(i),
                full_name: format!("Học viên {i}"),
                email: None,
                unit_id: None,
                position: "Chuyên viên".into(),
                role: user::Role::Learner,
                must_change_password: false,
            }
            .into_active_model(hash.clone(), now)
        });
        user::Entity::insert_many(rows).exec_without_returning(&txn).await.unwrap();
        txn.commit().await.unwrap();
        let ids: Vec<i64> = user::Entity::find().all(&db).await.unwrap().iter().map(|u| u.id).collect();
        daotao_core::learning::enrollment::enroll_users(&db, COURSE, &ids, None, None).await.unwrap();
        db.close().await.unwrap();
    });
}

/// A scratch folder with the course, and the database for this run's backend (`None`: skipped).
fn scratch_with_database() -> Option<(tempfile::TempDir, String)> {
    let dir = tempfile::tempdir().unwrap();
    write_fixture(&dir.path().join("courses"));
    let url = tokio::runtime::Runtime::new().unwrap().block_on(daotao_tests::test_database_url(dir.path()));
    if url.starts_with("postgres") && !pg_tools_ready(&url) {
        return None;
    }
    Some((dir, url))
}

/// Whether `pg_dump` and `pg_restore` are here and not older than the server at `url` (else reported).
fn pg_tools_ready(url: &str) -> bool {
    for program in ["pg_dump", "pg_restore"] {
        if !outside::runs(program, "--version") {
            PG_DUMP.missing(&format!("`{program} --version` does not run"));
            return false;
        }
    }
    let out = std::process::Command::new("pg_dump").arg("--version").output().unwrap();
    let client =
        String::from_utf8_lossy(&out.stdout).split_whitespace().nth(2).unwrap_or_default().to_string();
    let server = admin_on(url).scalar("SELECT current_setting('server_version_num')::bigint");
    let (client, server) =
        (daotao_core::platform::backup::major_version(&client).unwrap_or(0), server / 10000);
    if i64::from(client) < server {
        PG_DUMP.missing(&format!("pg_dump {client} is older than the PostgreSQL {server} server"));
        return false;
    }
    true
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().timeout(PATIENCE).build().unwrap()
}

/// Sends a JSON request; (status, body as JSON).
fn call(
    http: &reqwest::blocking::Client,
    method: reqwest::Method,
    url: &str,
    token: &str,
    body: &Value,
) -> (u16, Value) {
    let bearer = (!token.is_empty()).then_some(token);
    daotao_tests::api::send(http, method, url, bearer, Some(body)).unwrap_or_else(|e| panic!("{url}: {e}"))
}

fn log_in(http: &reqwest::blocking::Client, base: &str, i: usize) -> String {
    let body = json!({"username": username(i), "password": PASSWORD});
    let (status, body) = call(http, reqwest::Method::POST, &format!("{base}/api/v1/session"), "", &body);
    assert_eq!(status, 201, "login of {}: {body}", username(i));
    body["token"].as_str().unwrap().to_string()
}

/// A submission the server acknowledged with its result.
#[derive(Debug, Clone)]
struct Ack {
    learner: usize,
    attempt: i64,
    submitted_at: DateTime<Utc>,
    percent: f64,
}

/// Starts an attempt for learner `i`, answers `(i + round) % 3` of its two questions right and submits it.
fn one_attempt(http: &reqwest::blocking::Client, base: &str, token: &str, i: usize, round: usize) -> Ack {
    let start = format!("{base}/api/v1/courses/{COURSE}/quizzes/{QUIZ}/attempts");
    let (status, body) = call(http, reqwest::Method::POST, &start, token, &json!({}));
    assert_eq!(status, 201, "start for {}: {body}", username(i));
    let attempt = body["id"].as_i64().unwrap();
    let right = (i + round) % 3;
    let mut answers = serde_json::Map::new();
    for (n, q) in body["questions"].as_array().unwrap().iter().enumerate() {
        let want = if n < right { "Đúng" } else { "Sai" };
        let option =
            q["options"].as_array().unwrap().iter().find(|o| o["html"].as_str().unwrap().contains(want));
        answers.insert(q["id"].as_str().unwrap().to_string(), json!([option.unwrap()["id"]]));
    }
    let save = format!("{base}/api/v1/attempts/{attempt}/answers");
    let (status, body) = call(http, reqwest::Method::PUT, &save, token, &Value::Object(answers));
    assert_eq!(status, 200, "saving answers of {}: {body}", username(i));
    let submit = format!("{base}/api/v1/attempts/{attempt}/submit");
    let (status, body) = call(http, reqwest::Method::POST, &submit, token, &json!({}));
    assert_eq!(status, 200, "submit of attempt {attempt}: {body}");
    let at =
        DateTime::parse_from_rfc3339(body["submitted_at"].as_str().unwrap()).unwrap().with_timezone(&Utc);
    let percent = body["percent"].as_f64().unwrap();
    assert_eq!(percent, right as f64 * 50.0, "graded on the answers saved: {body}");
    Ack { learner: i, attempt, submitted_at: at, percent }
}

/// Learners submitting attempts one after another on `THREADS` clients until stopped; every
/// acknowledgement recorded in the order it came back.
struct Burst {
    acks: Arc<Mutex<Vec<Ack>>>,
    stop: Arc<AtomicBool>,
    workers: Vec<std::thread::JoinHandle<()>>,
}

impl Burst {
    fn start(base: &str, tokens: &[String]) -> Burst {
        let acks: Arc<Mutex<Vec<Ack>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let workers = (0..THREADS)
            .map(|t| {
                let (acks, stop, base, tokens) =
                    (acks.clone(), stop.clone(), base.to_string(), tokens.to_vec());
                std::thread::spawn(move || {
                    let http = client();
                    let mine: Vec<usize> = (t..LEARNERS).step_by(THREADS).collect();
                    for round in 0.. {
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        let i = mine[round % mine.len()];
                        let ack = one_attempt(&http, &base, &tokens[i], i, round);
                        acks.lock().unwrap().push(ack);
                    }
                })
            })
            .collect();
        Burst { acks, stop, workers }
    }

    fn acknowledged(&self) -> Vec<Ack> {
        self.acks.lock().unwrap().clone()
    }

    /// Waits until `n` submissions in all have been acknowledged (a worker's failure ends the wait).
    fn wait_for(&self, n: usize) {
        let started = std::time::Instant::now();
        while self.acks.lock().unwrap().len() < n {
            assert!(self.workers.iter().all(|w| !w.is_finished()), "a submitting client failed");
            assert!(
                started.elapsed() < PATIENCE,
                "only {} submissions acknowledged",
                self.acknowledged().len()
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    fn stop(self) -> Vec<Ack> {
        self.stop.store(true, Ordering::SeqCst);
        for w in self.workers {
            w.join().expect("a submitting client failed");
        }
        Arc::try_unwrap(self.acks).unwrap().into_inner().unwrap()
    }
}

/// The submitted attempts of the course in the database `admin` works on.
fn submitted(admin: &Admin) -> i64 {
    admin.scalar(&format!(
        "SELECT count(*) FROM quiz_attempts WHERE course_id = '{COURSE}' AND submitted_at IS NOT NULL"
    ))
}

#[test]
fn a_backup_taken_during_a_burst_of_submissions_restores_every_one_acknowledged_before_it() {
    let Some((live_dir, live_url)) = scratch_with_database() else { return };
    seed(&live_url, &live_dir.path().join("courses"));
    let server = Server::start(live_dir.path(), &[("DAOTAO_DATABASE_URL", live_url.as_str())]);
    let http = client();
    let tokens: Vec<String> = (0..LEARNERS).map(|i| log_in(&http, &server.base_url, i)).collect();
    let live = admin_on(&live_url);
    let burst = Burst::start(&server.base_url, &tokens);
    burst.wait_for(ACKS_BEFORE);
    // A backup is quick: taken again (a new file each time) until a submission was acknowledged while
    // one ran.
    let mut taken = None;
    for n in 1..=BACKUP_TRIES {
        let file = live.dir.path().join(format!("backups/daotao-nightly-{n}.backup"));
        let before = burst.acknowledged();
        let backed_up = live.run(&["backup", "--output", file.to_str().unwrap()]).ok();
        let at_end = burst.acknowledged().len();
        println!(
            "backup {n}: {} submissions acknowledged before it began, {} while it ran\n{}",
            before.len(),
            at_end - before.len(),
            backed_up.stdout
        );
        assert!(backed_up.stdout.contains(file.to_str().unwrap()), "{backed_up:?}");
        assert!(backed_up.stdout.contains("quiz_attempts"), "{backed_up:?}");
        assert!(!file.with_extension("backup.partial").exists(), "the partial file is renamed, not left");
        if at_end > before.len() {
            taken = Some((file, before, at_end));
            break;
        }
    }
    let (file, before, at_end) = taken
        .unwrap_or_else(|| panic!("no submission was acknowledged while any of {BACKUP_TRIES} backups ran"));
    let file_arg = file.to_str().unwrap();
    burst.wait_for(at_end + ACKS_AFTER);
    let all = burst.stop();
    println!("burst: {} submissions acknowledged in all", all.len());

    // Restored into a new, empty database: a server on it knows every acknowledged submission and session.
    let (new_dir, new_url) = scratch_with_database().expect("the backend answered a moment ago");
    let restored_db = admin_on(&new_url);
    let restored = restored_db.run(&["restore", file_arg]).ok();
    println!("{}", restored.stdout);
    assert!(restored.stdout.contains("restored"), "{restored:?}");
    let in_backup = submitted(&restored_db);
    assert!(
        in_backup >= before.len() as i64,
        "{in_backup} submitted attempts restored, {} acknowledged before",
        before.len()
    );
    assert!(in_backup <= all.len() as i64, "{in_backup} restored, only {} ever submitted", all.len());
    let restored_server = Server::start(new_dir.path(), &[("DAOTAO_DATABASE_URL", new_url.as_str())]);
    for ack in &before {
        let url = restored_server.url(&format!("/api/v1/attempts/{}", ack.attempt));
        let (status, body) = call(&http, reqwest::Method::GET, &url, &tokens[ack.learner], &json!(null));
        assert_eq!(
            status,
            200,
            "attempt {} of {} after the restore: {body}",
            ack.attempt,
            username(ack.learner)
        );
        let at = DateTime::parse_from_rfc3339(body["submitted_at"].as_str().unwrap()).unwrap();
        assert_eq!(at.with_timezone(&Utc), ack.submitted_at, "{body}");
        assert_eq!(body["result"]["percent"].as_f64(), Some(ack.percent), "{body}");
    }
    drop(restored_server);

    // The live database is not empty: refused, untouched. With --force its contents become the backup's,
    // and what was submitted after the backup is gone with them.
    if live_url.starts_with("sqlite") {
        // With the server still running on the file, even --force is refused: it would write to the old one.
        let in_use = live.run(&["restore", "--force", file_arg]).failed();
        assert!(in_use.stderr.contains("is a server still running on it?"), "{in_use:?}");
        assert_eq!(submitted(&live), all.len() as i64, "a refused restore changes nothing");
    }
    assert_eq!(server.terminate().code(), Some(0));
    let live_count = submitted(&live);
    assert_eq!(live_count, all.len() as i64, "every acknowledged submission is in the live database");
    let refused = live.run(&["restore", file_arg]).failed();
    assert!(refused.stderr.contains("không trống") && refused.stderr.contains("--force"), "{refused:?}");
    assert!(refused.stderr.contains(&format!("{live_count} rows in quiz_attempts")), "{refused:?}");
    assert_eq!(submitted(&live), live_count, "a refused restore changes nothing");
    let forced = live.run(&["restore", "--force", file_arg]).ok();
    assert!(forced.stdout.contains("replaced"), "{forced:?}");
    assert_eq!(submitted(&live), in_backup, "the contents are the backup's");
    if live_url.starts_with("sqlite") {
        assert_eq!(integrity_check(&live_url), "ok");
    }
    assert_eq!(live.scalar("SELECT count(*) FROM audit_log WHERE action = 'database.restore'"), 1);
    let server = Server::start(live_dir.path(), &[("DAOTAO_DATABASE_URL", live_url.as_str())]);
    let last = before.last().unwrap();
    let url = server.url(&format!("/api/v1/attempts/{}", last.attempt));
    let (status, body) = call(&http, reqwest::Method::GET, &url, &tokens[last.learner], &json!(null));
    assert_eq!(status, 200, "{body}");
}

#[test]
fn backup_refuses_to_overwrite_and_restore_refuses_what_is_not_a_whole_backup() {
    let Some((dir, url)) = scratch_with_database() else { return };
    seed(&url, &dir.path().join("courses"));
    let admin = admin_on(&url);
    let file = admin.dir.path().join("daotao.backup");
    let file_arg = file.to_str().unwrap();
    admin.run(&["backup", "--output", file_arg]).ok();
    let first = std::fs::read(&file).unwrap();
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&file).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600, "a backup is readable by its owner only");

    let again = admin.run(&["backup", "--output", file_arg]).failed();
    assert!(again.stderr.contains("already exists") && again.stderr.contains("--overwrite"), "{again:?}");
    assert_eq!(std::fs::read(&file).unwrap(), first, "the existing file is left as it was");
    admin.run(&["backup", "--overwrite", "--output", file_arg]).ok();

    // Each refusal leaves the new database empty: on SQLite, not even created.
    let (_target_dir, target_url) = scratch_with_database().expect("the backend answered a moment ago");
    let target = admin_on(&target_url);
    let refuse = |file: &Path, why: &str| {
        let run = target.run(&["restore", file.to_str().unwrap()]).failed();
        assert!(run.stderr.contains(why), "expected `{why}`: {run:?}");
        assert_empty(&target_url);
        run
    };
    let text = admin.file("notes.sql", "-- PostgreSQL database dump\nCREATE TABLE t (x int);\n");
    refuse(&text, "neither an SQLite database nor a pg_dump archive");
    // Cut short (a copy that ran out of disk, say), and a database that is not ours.
    let cut = admin.dir.path().join("cut.backup");
    std::fs::write(&cut, &first[..first.len() / 2]).unwrap();
    if url.starts_with("sqlite") {
        refuse(&cut, "damaged");
    } else {
        refuse(&cut, "cannot read it");
    }
    let foreign = admin.dir.path().join("foreign.backup");
    backup_made_by(&foreign, Made::Foreign);
    refuse(&foreign, "not a backup of Đào tạo số");
    let newer = admin.dir.path().join("newer.backup");
    backup_made_by(&newer, Made::Newer);
    let run = refuse(&newer, "made by a newer version of Đào tạo số");
    assert!(run.stderr.contains(FUTURE), "{run:?}");
    // The database itself is not a backup of itself.
    if url.starts_with("sqlite") {
        let live_file = url.trim_start_matches("sqlite://");
        let run = admin.run(&["restore", "--force", live_file]).failed();
        assert!(run.stderr.contains("is the database itself"), "{run:?}");
    }
    // A backup made by the version before goes in, and is migrated to this version's schema.
    let older = admin.dir.path().join("older.backup");
    backup_made_by(&older, Made::Older);
    let last = target.run(&["restore", older.to_str().unwrap()]).ok();
    let migrations = daotao_core::platform::backup::known_migrations();
    let newest = migrations.last().unwrap();
    assert!(last.stdout.contains(&format!("migrated: 1 ({newest})")), "{last:?}");
    assert!(last.stdout.contains(&format!("schema: {newest}")), "{last:?}");
    assert_eq!(target.scalar("SELECT count(*) FROM seaql_migrations"), migrations.len() as i64);
}

/// A SQLite backup refused by a PostgreSQL database, a PostgreSQL one by an SQLite database; and the
/// password of a PostgreSQL URL is never printed, in what is written or in an error.
#[test]
fn a_backup_of_the_other_kind_is_refused_and_no_password_is_printed() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(pg_url) = rt.block_on(daotao_tests::fresh_postgres_database()) else { return };
    if !pg_tools_ready(&pg_url) {
        return;
    }
    let sqlite_dir = tempfile::tempdir().unwrap();
    let sqlite_url = format!("sqlite://{}/daotao.sqlite", sqlite_dir.path().display());
    for url in [&pg_url, &sqlite_url] {
        rt.block_on(daotao_core::platform::db::connect(url)).unwrap();
    }
    // Trust authentication takes any password: the URL carries one as an operator's would.
    let secret = "Mat-Khau-Bi-Mat-2026";
    let with_password = pg_url.replacen("postgres@", &format!("postgres:{secret}@"), 1);
    assert_ne!(with_password, pg_url, "the test URL names the user postgres");
    let admin = Admin::new();
    let pg_file = admin.dir.path().join("pg.backup");
    let sqlite_file = admin.dir.path().join("sqlite.backup");
    let dumped = admin_on(&with_password).run(&["backup", "--output", pg_file.to_str().unwrap()]).ok();
    assert!(!dumped.stdout.contains(secret) && !dumped.stderr.contains(secret), "{dumped:?}");
    assert!(dumped.stdout.contains("postgres:***@"), "{dumped:?}");
    admin_on(&sqlite_url).run(&["backup", "--output", sqlite_file.to_str().unwrap()]).ok();

    let empty_pg = rt.block_on(daotao_tests::fresh_postgres_database()).unwrap();
    let run = admin_on(&empty_pg).run(&["restore", sqlite_file.to_str().unwrap()]).failed();
    assert!(run.stderr.contains("is an SQLite database, but the database is PostgreSQL"), "{run:?}");
    assert_empty(&empty_pg);
    let empty_sqlite = format!("sqlite://{}/new/daotao.sqlite", sqlite_dir.path().display());
    let run = admin_on(&empty_sqlite).run(&["restore", pg_file.to_str().unwrap()]).failed();
    assert!(
        run.stderr.contains("is a PostgreSQL backup (pg_dump custom format), but the database is SQLite"),
        "{run:?}"
    );
    assert_empty(&empty_sqlite);

    // An error that comes from pg_dump itself: a database that does not exist.
    let missing = format!("{}_missing", with_password);
    let run =
        admin_on(&missing).run(&["backup", "--output", pg_file.to_str().unwrap(), "--overwrite"]).failed();
    assert!(!run.stderr.contains(secret) && !run.stdout.contains(secret), "{run:?}");
    assert!(run.stderr.contains("does not exist"), "{run:?}");
    // The right kind goes in, with the password given the same way.
    let restore_into = rt.block_on(daotao_tests::fresh_postgres_database()).unwrap();
    let restore_into = restore_into.replacen("postgres@", &format!("postgres:{secret}@"), 1);
    let run = admin_on(&restore_into).run(&["restore", pg_file.to_str().unwrap()]).ok();
    assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret), "{run:?}");
}

/// A migration no version knows yet.
const FUTURE: &str = "m20991231_000099_from_the_future";

/// What [`backup_made_by`] puts in its database.
enum Made {
    /// A table of someone else's.
    Foreign,
    /// Our schema and a migration this version does not know.
    Newer,
    /// Our schema without its last migration (a backup made by the version before).
    Older,
}

/// A backup file at `out` of the run's kind, of a new database as `made`: an SQLite file written and
/// closed, or a database of its own dumped by `pg_dump`.
fn backup_made_by(out: &Path, made: Made) {
    use daotao_migrations::MigratorTrait;
    use sea_orm::ConnectionTrait;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let url = if daotao_tests::on_postgres() {
        rt.block_on(daotao_tests::test_database_url(scratch.path()))
    } else {
        format!("sqlite://{}?mode=rwc", out.display())
    };
    rt.block_on(async {
        let db = match made {
            Made::Foreign => sea_orm::Database::connect(&url).await.unwrap(),
            Made::Newer | Made::Older => daotao_core::platform::db::connect(&url).await.unwrap(),
        };
        match made {
            Made::Foreign => db.execute_unprepared("CREATE TABLE notes (x INTEGER)").await.map(drop),
            Made::Newer => db
                .execute_unprepared(&format!(
                    "INSERT INTO seaql_migrations (version, applied_at) VALUES ('{FUTURE}', 0)"
                ))
                .await
                .map(drop),
            Made::Older => daotao_migrations::Migrator::down(&db, Some(1)).await,
        }
        .unwrap();
        db.close().await.unwrap();
    });
    if daotao_tests::on_postgres() {
        let dumped = std::process::Command::new("pg_dump")
            .args(["--format=custom", "--file", out.to_str().unwrap(), "--dbname", &url])
            .output()
            .unwrap();
        assert!(dumped.status.success(), "{dumped:?}");
    }
}

/// The database at `url` holds no table (on SQLite: its file does not exist).
fn assert_empty(url: &str) {
    if let Some(path) = url.strip_prefix("sqlite://") {
        assert!(!Path::new(path.split('?').next().unwrap()).exists(), "{path} was created");
    } else {
        let tables = admin_on(url).scalar(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
        );
        assert_eq!(tables, 0, "{url} is not empty");
    }
}

/// `daotao-admin` on a scratch folder of its own, on the database at `url`.
fn admin_on(url: &str) -> Admin {
    let mut admin = Admin::new();
    admin.use_database(url);
    admin
}

/// What `PRAGMA integrity_check` says of the SQLite database at `url`.
fn integrity_check(url: &str) -> String {
    use sea_orm::ConnectionTrait;
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = sea_orm::Database::connect(url).await.unwrap();
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "PRAGMA integrity_check",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<String>(0).unwrap()
    })
}
