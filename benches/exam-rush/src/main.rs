//! The exam-rush load tool (see README.md beside this crate): seeds one unit of learners with a known
//! password straight through `daotao-core`, then plays the rush against a running server through its JSON
//! API: every learner logs in, then starts the quiz, saves answers and submits, with bounded concurrency.
//! Every response is checked; the figures are printed as a Markdown table.
//!
//! ```text
//! exam-rush create-postgres --admin-url postgres://postgres@127.0.0.1:5432/test --name daotao_exam_rush
//! exam-rush seed --database-url URL --courses courses --learners 5000
//! exam-rush run --base-url http://127.0.0.1:8080 --learners 5000
//! exam-rush drop-postgres --admin-url ... --name daotao_exam_rush
//! ```

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use clap::{Parser, Subcommand};
use daotao_bench_support::seeding::unit_of_learners;
use daotao_bench_support::{create_postgres, drop_postgres};
use daotao_content::quiz::{Kind, Question};
use daotao_core::entities::user;
use sea_orm::{EntityTrait, TransactionTrait};
use serde_json::{Map, Value, json};
use tokio::sync::Semaphore;

#[derive(Parser)]
#[command(about = "Exam-rush benchmark of daotao-server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// (Re)creates an empty PostgreSQL database NAME on the server of ADMIN_URL; prints its URL.
    CreatePostgres {
        #[arg(long)]
        admin_url: String,
        #[arg(long)]
        name: String,
    },
    /// Drops the PostgreSQL database NAME.
    DropPostgres {
        #[arg(long)]
        admin_url: String,
        #[arg(long)]
        name: String,
    },
    /// Seeds an empty database: the catalog, one unit of LEARNERS learners (`hv00001`, ...) with PASSWORD,
    /// all enrolled in COURSE with every lesson read.
    Seed {
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value = "courses")]
        courses: PathBuf,
        #[command(flatten)]
        who: Who,
    },
    /// Plays the rush against a running server.
    Run {
        #[arg(long)]
        base_url: String,
        #[command(flatten)]
        who: Who,
        #[arg(long, default_value = "cuoi-khoa")]
        quiz: String,
        /// The course library the server runs, read for the quiz's answer key.
        #[arg(long, default_value = "courses")]
        courses: PathBuf,
        /// Share of the learners who answer every question right (the others pick the first option
        /// everywhere): a pass completes the course, which writes more (completion, awards, certificate).
        #[arg(long, default_value_t = 0.8)]
        right_share: f64,
        /// Logins in flight at once.
        #[arg(long, default_value_t = 64)]
        login_concurrency: usize,
        /// Learners between start and submit at once.
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// Aim: every learner started and submitted within this many seconds.
        #[arg(long, default_value_t = 10.0)]
        aim_seconds: f64,
        /// Aim: p99 latency of start and of submit under this many milliseconds.
        #[arg(long, default_value_t = 300.0)]
        aim_p99_ms: f64,
    },
}

#[derive(clap::Args, Clone)]
struct Who {
    /// Learners in the unit: 5,000 is issue #21's exam.
    #[arg(long, default_value_t = 5000)]
    learners: usize,
    #[arg(long, default_value = "mat-khau-thi-2026")]
    password: String,
    #[arg(long, default_value = "an-toan-thong-tin-co-ban")]
    course: String,
    #[arg(long, default_value = "THI-NHANH")]
    unit: String,
}

fn username(i: usize) -> String {
    format!("hv{i:05}")
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let result = runtime.block_on(async {
        match cli.command {
            Command::CreatePostgres { admin_url, name } => {
                println!("{}", create_postgres(&admin_url, &name).await?);
                Ok(true)
            }
            Command::DropPostgres { admin_url, name } => {
                drop_postgres(&admin_url, &name).await.map(|()| true)
            }
            Command::Seed { database_url, courses, who } => seed(&database_url, &courses, &who).await,
            Command::Run {
                base_url,
                who,
                quiz,
                courses,
                right_share,
                login_concurrency,
                concurrency,
                aim_seconds,
                aim_p99_ms,
            } => {
                let key = answer_key(&courses, &who.course, &quiz)?;
                let settings = RunSettings {
                    quiz,
                    key,
                    right_share,
                    login_concurrency,
                    concurrency,
                    aim_seconds,
                    aim_p99_ms,
                };
                run(&base_url, &who, &settings).await
            }
        }
    });
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Seeds through the same core functions as the admin tool, except that every account gets the same
/// argon2 hash of PASSWORD, hashed once: each login still verifies a full argon2id hash (its cost does not
/// depend on the salt), but seeding 2,000 accounts takes seconds instead of a minute of hashing.
async fn seed(url: &str, courses: &std::path::Path, who: &Who) -> anyhow::Result<bool> {
    let started = Instant::now();
    let db = daotao_core::platform::db::connect(url).await?;
    daotao_core::demo::ensure_empty(&db).await.context("seeding needs an empty database")?;
    let library = daotao_content::course::load_library(courses);
    let course = library
        .courses
        .get(&who.course)
        .with_context(|| format!("no course `{}` in {}", who.course, courses.display()))?;
    let lessons: Vec<String> = course.lessons.iter().map(|l| l.id.clone()).collect();
    daotao_core::learning::catalog::sync_library(&db, &library).await?;
    let hash = tokio::task::spawn_blocking({
        let password = who.password.clone();
        move || daotao_core::people::auth::password::hash(&password)
    })
    .await?;

    let txn = db.begin().await?;
    let name = format!("Phòng thi {}", who.unit);
    unit_of_learners(&txn, &who.unit, &name, who.learners, username, &hash).await?;
    let enrolled =
        daotao_core::learning::enrollment::enroll_unit(&txn, &who.course, &who.unit, None, None).await?;
    ensure!(enrolled == who.learners as u64, "enrolled {enrolled} learners, expected {}", who.learners);
    let ids: Vec<i64> = user::Entity::find().all(&txn).await?.into_iter().map(|u| u.id).collect();
    for id in ids {
        for lesson in &lessons {
            daotao_core::learning::progress::mark_read(&txn, id, &who.course, lesson).await?;
        }
    }
    txn.commit().await?;
    eprintln!(
        "seeded {} learners of unit {} enrolled in {} with its {} lessons read, in {:.1} s",
        who.learners,
        who.unit,
        who.course,
        lessons.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(true)
}

struct RunSettings {
    quiz: String,
    key: Arc<Key>,
    right_share: f64,
    login_concurrency: usize,
    concurrency: usize,
    aim_seconds: f64,
    aim_p99_ms: f64,
}

/// What one kind of request saw.
#[derive(Default)]
struct Stats {
    latencies: Vec<Duration>,
    errors: Vec<String>,
}

impl Stats {
    fn percentile(sorted: &[Duration], p: f64) -> f64 {
        if sorted.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
        sorted[rank.min(sorted.len()) - 1].as_secs_f64() * 1000.0
    }

    /// (p50, p99, max) in ms.
    fn summary(&self) -> (f64, f64, f64) {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        (
            Self::percentile(&sorted, 50.0),
            Self::percentile(&sorted, 99.0),
            sorted.last().map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0),
        )
    }
}

/// Sends one request and checks its status; returns the JSON body.
async fn call(req: reqwest::RequestBuilder, want: &[u16], what: &str) -> (Duration, Result<Value, String>) {
    let started = Instant::now();
    let result = async {
        let resp = req.send().await.map_err(|e| format!("{what}: {e}"))?;
        let status = resp.status().as_u16();
        let text = resp.text().await.map_err(|e| format!("{what}: reading the body: {e}"))?;
        if !want.contains(&status) {
            return Err(format!("{what}: status {status}: {}", text.chars().take(200).collect::<String>()));
        }
        serde_json::from_str::<Value>(&text).map_err(|e| format!("{what}: not JSON ({e})"))
    }
    .await;
    (started.elapsed(), result)
}

/// The quiz's questions with their keys, by stem (the stem as asked is the stem in the bank).
type Key = HashMap<String, Question>;

fn answer_key(courses: &std::path::Path, course: &str, quiz: &str) -> anyhow::Result<Arc<Key>> {
    let library = daotao_content::course::load_library(courses);
    let found = library
        .courses
        .get(course)
        .with_context(|| format!("no course `{course}` in {}", courses.display()))?;
    let quiz = found
        .quizzes
        .iter()
        .find(|q| q.id == quiz)
        .with_context(|| format!("no quiz `{quiz}` in `{course}`"))?;
    Ok(Arc::new(quiz.questions.iter().map(|q| (q.stem_html.clone(), q.clone())).collect()))
}

/// The right answer to an asked question, from the key.
fn right_answer(asked: &Value, key: &Key) -> Result<Value, String> {
    let stem = asked["stem_html"].as_str().unwrap_or_default();
    let q = key.get(stem).ok_or_else(|| format!("question not in the quiz file: {stem}"))?;
    let options: Vec<(&str, &str)> = asked["options"]
        .as_array()
        .map(|o| {
            o.iter()
                .map(|o| (o["id"].as_str().unwrap_or_default(), o["html"].as_str().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    let ids_of = |right: Vec<&str>| -> Value {
        json!(options.iter().filter(|(_, html)| right.contains(html)).map(|(id, _)| *id).collect::<Vec<_>>())
    };
    Ok(match &q.kind {
        Kind::Single { options: bank } => {
            let best = bank.iter().max_by(|a, b| a.weight.total_cmp(&b.weight)).ok_or("no options")?;
            ids_of(vec![best.html.as_str()])
        }
        Kind::Multiple { options: bank, .. } => {
            ids_of(bank.iter().filter(|o| o.weight > 0.0).map(|o| o.html.as_str()).collect())
        }
        Kind::TrueFalse { answer, .. } => json!([answer.to_string()]),
        Kind::Short { answers } => {
            json!(answers.iter().max_by(|a, b| a.weight.total_cmp(&b.weight)).ok_or("no answers")?.text)
        }
        Kind::Numerical { answers } => {
            let a = answers.iter().max_by(|a, b| a.weight.total_cmp(&b.weight)).ok_or("no answers")?;
            json!((a.min + a.max) / 2.0)
        }
        Kind::Matching { pairs, .. } => {
            let picks: Map<String, Value> = options
                .iter()
                .filter_map(|(id, html)| {
                    pairs.iter().find(|p| p.left_html == *html).map(|p| (id.to_string(), json!(p.right)))
                })
                .collect();
            Value::Object(picks)
        }
    })
}

/// A guess without the key: the first option, a word, a number, the first choice for every matching item.
fn guess(q: &Value) -> Result<Value, String> {
    let options = q["options"].as_array().cloned().unwrap_or_default();
    Ok(match q["kind"].as_str().unwrap_or_default() {
        "single" | "multiple" | "true_false" => {
            let first = options.first().and_then(|o| o["id"].as_str()).ok_or("a choice without options")?;
            json!([first])
        }
        "short" => json!("không biết"),
        "numerical" => json!(1),
        "matching" => {
            let choice = q["choices"][0].as_str().unwrap_or_default();
            let picks: Map<String, Value> = options
                .iter()
                .filter_map(|o| o["id"].as_str())
                .map(|left| (left.to_string(), json!(choice)))
                .collect();
            Value::Object(picks)
        }
        other => return Err(format!("unknown question kind `{other}`")),
    })
}

/// Answers to every question asked: right ones from the key, or guesses.
fn answers_for(questions: &[Value], key: Option<&Key>) -> Result<Value, String> {
    let mut answers = Map::new();
    for q in questions {
        let id = q["id"].as_str().ok_or("a question without id")?;
        let answer = match key {
            Some(key) => right_answer(q, key)?,
            None => guess(q)?,
        };
        answers.insert(id.to_string(), answer);
    }
    Ok(Value::Object(answers))
}

fn table_row(name: &str, stats: &Stats, wall: Duration) -> String {
    let (p50, p99, max) = stats.summary();
    let ok = stats.latencies.len() - stats.errors.len().min(stats.latencies.len());
    format!(
        "| {name} | {} | {} | {:.2} | {:.0} | {p50:.1} | {p99:.1} | {max:.1} |",
        stats.latencies.len(),
        stats.errors.len(),
        wall.as_secs_f64(),
        ok as f64 / wall.as_secs_f64(),
    )
}

async fn run(base: &str, who: &Who, s: &RunSettings) -> anyhow::Result<bool> {
    let base = base.trim_end_matches('/').to_string();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .pool_max_idle_per_host(s.concurrency.max(s.login_concurrency))
        .build()?;
    let health = http.get(format!("{base}/healthz")).send().await.context("the server does not answer")?;
    ensure!(health.status().is_success(), "/healthz answered {}", health.status());
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let logins = log_in_everybody(&http, &base, who, s).await?;
    let exam = sit_the_exam(&http, &base, who, s, logins.tokens).await?;
    let load_after = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    print_figures(who, s, &logins.stats, logins.wall, &exam, [&load_before, &load_after]);
    judge(who, s, &logins.stats, &exam)
}

/// Phase 1 as it went: everybody's login, and the token of each one who got in.
struct Logins {
    stats: Stats,
    tokens: Vec<Option<String>>,
    wall: Duration,
}

/// Phase 1: everybody logs in.
async fn log_in_everybody(
    http: &reqwest::Client,
    base: &str,
    who: &Who,
    s: &RunSettings,
) -> anyhow::Result<Logins> {
    let n = who.learners;
    let gate = Arc::new(Semaphore::new(s.login_concurrency));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let (http, gate, base, password) =
            (http.clone(), gate.clone(), base.to_string(), who.password.clone());
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await.expect("semaphore");
            let req = http
                .post(format!("{base}/api/v1/session"))
                .json(&json!({"username": username(i), "password": password}));
            let (took, result) = call(req, &[201], "login").await;
            let token = result.and_then(|body| {
                body["token"].as_str().map(str::to_string).ok_or_else(|| format!("login: no token in {body}"))
            });
            (i, took, token)
        });
    }
    let mut stats = Stats::default();
    let mut tokens = vec![None; n];
    while let Some(joined) = tasks.join_next().await {
        let (i, took, token) = joined?;
        stats.latencies.push(took);
        match token {
            Ok(t) => tokens[i] = Some(t),
            Err(e) => stats.errors.push(e),
        }
    }
    Ok(Logins { stats, tokens, wall: started.elapsed() })
}

/// Phase 2 as it went: start, save answers and submit (in that order in `phases`).
struct Exam {
    phases: [Stats; 3],
    wall: Duration,
    /// How many learners answered from the key.
    rights: usize,
    passes: usize,
}

/// What one learner's requests saw: (phase, latency, error).
type Seen = Vec<(usize, Duration, Option<String>)>;

/// Phase 2: every logged-in learner starts, answers (one save) and submits.
async fn sit_the_exam(
    http: &reqwest::Client,
    base: &str,
    who: &Who,
    s: &RunSettings,
    tokens: Vec<Option<String>>,
) -> anyhow::Result<Exam> {
    let n = who.learners;
    let gate = Arc::new(Semaphore::new(s.concurrency));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let rights = (n as f64 * s.right_share).round() as usize;
    let passes = Arc::new(AtomicUsize::new(0));
    for (i, token) in tokens.into_iter().enumerate() {
        let Some(token) = token else { continue };
        // Spread the learners who know the answers evenly over the run.
        let knows = (i * rights / n.max(1)) != ((i + 1) * rights / n.max(1));
        let key = knows.then(|| s.key.clone());
        let (http, gate, base, passes) = (http.clone(), gate.clone(), base.to_string(), passes.clone());
        let path = format!("{base}/api/v1/courses/{}/quizzes/{}/attempts", who.course, s.quiz);
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await.expect("semaphore");
            sit_one_exam(&http, &base, &path, &token, key.as_deref(), &passes).await
        });
    }
    let mut phases: [Stats; 3] = Default::default();
    while let Some(joined) = tasks.join_next().await {
        for (phase, took, error) in joined? {
            phases[phase].latencies.push(took);
            if let Some(e) = error {
                phases[phase].errors.push(e);
            }
        }
    }
    let wall = started.elapsed();
    Ok(Exam { phases, wall, rights, passes: passes.load(Ordering::Relaxed) })
}

/// One learner starts the quiz at `path`, saves answers (right ones with the key, guesses without) and
/// submits; counts a pass in `passes`.
async fn sit_one_exam(
    http: &reqwest::Client,
    base: &str,
    path: &str,
    token: &str,
    key: Option<&Key>,
    passes: &AtomicUsize,
) -> Seen {
    let mut seen: Seen = Vec::new();
    let req = http.post(path).bearer_auth(token).json(&json!({}));
    let (took, result) = call(req, &[201], "start").await;
    let attempt = result.and_then(|body| {
        let id = body["id"].as_i64().ok_or_else(|| format!("start: no id in {body}"))?;
        let questions = body["questions"].as_array().cloned().unwrap_or_default();
        if questions.is_empty() {
            return Err(format!("start: no questions in {body}"));
        }
        Ok((id, answers_for(&questions, key).map_err(|e| format!("start: {e}"))?))
    });
    seen.push((0, took, attempt.as_ref().err().cloned()));
    let Ok((id, answers)) = attempt else { return seen };
    let req = http.put(format!("{base}/api/v1/attempts/{id}/answers")).bearer_auth(token).json(&answers);
    let (took, result) = call(req, &[200], "save answers").await;
    seen.push((1, took, result.err()));
    let req = http.post(format!("{base}/api/v1/attempts/{id}/submit")).bearer_auth(token).json(&json!({}));
    let (took, result) = call(req, &[200], "submit").await;
    let checked = result.and_then(|body| check_result(&body, key.is_some(), passes));
    seen.push((2, took, checked.err()));
    seen
}

/// Checks a submitted attempt's result: who answered from the key (`knows`) must get full marks and pass.
fn check_result(body: &Value, knows: bool, passes: &AtomicUsize) -> Result<(), String> {
    match (body["percent"].as_f64(), body["passed"].as_bool(), body["submitted_at"].as_str()) {
        (Some(p), Some(passed), Some(_)) if knows && (p < 100.0 - 1e-9 || !passed) => {
            Err(format!("submit: every answer right, yet {p}% and passed = {passed}"))
        }
        (Some(p), Some(passed), Some(_)) if (0.0..=100.0).contains(&p) => {
            if passed {
                passes.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        }
        _ => Err(format!("submit: no result with percent, passed and submitted_at in {body}")),
    }
}

/// Prints the run's settings, the load averages (before and after) and the figures as a Markdown table.
fn print_figures(
    who: &Who,
    s: &RunSettings,
    login: &Stats,
    login_wall: Duration,
    exam: &Exam,
    load: [&str; 2],
) {
    let n = who.learners;
    let exam_wall = exam.wall;
    let [start, save, submit] = &exam.phases;
    let [load_before, load_after] = load;
    println!();
    println!(
        "exam rush: {n} learners of unit {} in course {}, quiz {}; login concurrency {}, exam concurrency {}",
        who.unit, who.course, s.quiz, s.login_concurrency, s.concurrency
    );
    println!(
        "load average before: {}; after: {}",
        load_before.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
        load_after.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    println!();
    println!("| phase | requests | errors | phase wall s | ok/s | p50 ms | p99 ms | max ms |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    println!("{}", table_row("login (POST /session)", login, login_wall));
    println!("{}", table_row("start (POST .../attempts)", start, exam_wall));
    println!("{}", table_row("save answers (PUT .../answers)", save, exam_wall));
    println!("{}", table_row("submit (POST .../submit)", submit, exam_wall));
    println!();
    let submitted = submit.latencies.len() - submit.errors.len();
    println!(
        "{submitted} of {n} learners started, answered and submitted in {:.2} s ({:.0} learners/s); \
         {} requests in that phase ({:.0} requests/s)",
        exam_wall.as_secs_f64(),
        submitted as f64 / exam_wall.as_secs_f64(),
        start.latencies.len() + save.latencies.len() + submit.latencies.len(),
        (start.latencies.len() + save.latencies.len() + submit.latencies.len()) as f64
            / exam_wall.as_secs_f64(),
    );
    println!("{} passed ({} answered from the key, the others guessed)", exam.passes, exam.rights);
}

/// Lists the errors, if any (then the run failed), and says whether the aim was met.
fn judge(who: &Who, s: &RunSettings, login: &Stats, exam: &Exam) -> anyhow::Result<bool> {
    let n = who.learners;
    let exam_wall = exam.wall;
    let [start, save, submit] = &exam.phases;
    let submitted = submit.latencies.len() - submit.errors.len();
    let mut errors: Vec<&String> = login
        .errors
        .iter()
        .chain(start.errors.iter())
        .chain(save.errors.iter())
        .chain(submit.errors.iter())
        .collect();
    if !errors.is_empty() {
        errors.sort();
        println!("{} errors; the first ones:", errors.len());
        for e in errors.iter().take(10) {
            println!("  {e}");
        }
        eprintln!("FAIL: there were errors");
        return Ok(false);
    }
    if submitted != n {
        bail!("{submitted} submitted of {n}, without errors: a bug in this tool");
    }
    let (_, start_p99, _) = start.summary();
    let (_, submit_p99, _) = submit.summary();
    let met =
        exam_wall.as_secs_f64() <= s.aim_seconds && start_p99 < s.aim_p99_ms && submit_p99 < s.aim_p99_ms;
    if met {
        eprintln!(
            "OK: aim met ({n} started and submitted within {} s, p99 of start and submit under {} ms, no errors)",
            s.aim_seconds, s.aim_p99_ms
        );
    } else {
        eprintln!(
            "NOT MET: aim is {n} started and submitted within {} s with p99 of start and submit under {} ms \
             (took {:.2} s; p99 start {start_p99:.1} ms, submit {submit_p99:.1} ms)",
            s.aim_seconds,
            s.aim_p99_ms,
            exam_wall.as_secs_f64()
        );
    }
    Ok(met)
}
