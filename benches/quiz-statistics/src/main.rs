//! The quiz-statistics benchmark (see README.md beside this crate): seeds 100,000 submitted attempts of the
//! bundled 10-question quiz (drawn and shuffled as the server does, answered by learners of varied ability,
//! graded), then times the item analysis alone and the whole read model (the database read, the decoding of
//! every attempt's questions, answers and marks, the analysis and the join with the bank), the path of the
//! trainers' page, the API and the export. Each is run several times; the best and the median are printed.
//!
//! ```text
//! quiz-statistics create-postgres --admin-url postgres://postgres@127.0.0.1:5432/test --name daotao_quiz_statistics
//! quiz-statistics seed --database-url URL --courses courses --attempts 100000
//! quiz-statistics run --database-url URL --courses courses --aim-seconds 2
//! quiz-statistics drop-postgres --admin-url ... --name daotao_quiz_statistics
//! ```
//! Exit status: 0 when read and analysis meet the aim, 1 when not, 2 on an error.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use clap::{Parser, Subcommand};
use daotao_bench_support::seeding::{Batch, q, ts};
use daotao_bench_support::{create_postgres, drop_postgres};
use daotao_content::course::{Library, Quiz};
use daotao_content::quiz::grade::{Answer, Answers, grade_all};
use daotao_content::quiz::{Kind, draw};
use daotao_core::admin_views::quiz_statistics;
use daotao_core::assessment::statistics::{self, read};
use daotao_core::platform::db;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, TransactionTrait};

const COURSE: &str = "an-toan-thong-tin-co-ban";
const QUIZ: &str = "cuoi-khoa";

#[derive(Parser)]
#[command(about = "Quiz statistics benchmark: 100,000 attempts of a 10-question quiz")]
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
    /// Seeds an empty database: the catalog, one learner per attempt, the attempts.
    Seed {
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value = "courses")]
        courses: PathBuf,
        #[arg(long, default_value_t = 100_000)]
        attempts: usize,
    },
    /// Times the analysis alone and read + analysis.
    Run {
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value = "courses")]
        courses: PathBuf,
        #[arg(long, default_value_t = 5)]
        repeat: usize,
        #[arg(long, default_value_t = 2.0)]
        aim_seconds: f64,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<bool> {
    match cli.command {
        Command::CreatePostgres { admin_url, name } => {
            println!("{}", create_postgres(&admin_url, &name).await?);
            Ok(true)
        }
        Command::DropPostgres { admin_url, name } => {
            drop_postgres(&admin_url, &name).await?;
            Ok(true)
        }
        Command::Seed { database_url, courses, attempts } => {
            seed(&database_url, &load(&courses)?, attempts).await?;
            Ok(true)
        }
        Command::Run { database_url, courses, repeat, aim_seconds } => {
            measure(&database_url, &load(&courses)?, repeat, aim_seconds).await
        }
    }
}

fn load(courses: &std::path::Path) -> anyhow::Result<Library> {
    let library = daotao_content::course::load_library(courses);
    anyhow::ensure!(library.courses.contains_key(COURSE), "no course {COURSE} in {}", courses.display());
    Ok(library)
}

fn quiz(library: &Library) -> &Quiz {
    library.courses[COURSE].quizzes.iter().find(|q| q.id == QUIZ).expect("the bundled quiz")
}

/// A learner of `ability` answers right with a probability that grows with it, else a wrong option.
fn answer(kind: &Kind, ability: f64, rng: &mut StdRng) -> Option<Answer> {
    let right = rng.random::<f64>() < 0.15 + 0.8 * ability;
    match kind {
        Kind::Single { options } | Kind::Multiple { options, .. } => {
            let (good, bad): (Vec<_>, Vec<_>) = options.iter().partition(|o| o.weight > 0.0);
            let picked: Vec<String> = if right || bad.is_empty() {
                good.iter().map(|o| o.id.clone()).collect()
            } else {
                vec![bad[rng.random_range(0..bad.len())].id.clone()]
            };
            Some(Answer::Options(picked))
        }
        Kind::TrueFalse { answer, .. } => Some(Answer::Options(vec![(*answer == right).to_string()])),
        Kind::Short { answers } => {
            Some(Answer::Text(if right { answers[0].text.clone() } else { "?".into() }))
        }
        _ => None,
    }
}

async fn seed(url: &str, library: &Library, attempts: usize) -> anyhow::Result<()> {
    let started = Instant::now();
    let db = db::connect(url).await?;
    daotao_core::learning::catalog::sync_library(&db, library).await?;
    let quiz_id: i64 = {
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!("SELECT id FROM quizzes WHERE course_id = {} AND slug = {}", q(COURSE), q(QUIZ)),
            ))
            .await?
            .context("the quiz in the catalog")?;
        row.try_get_by_index(0)?
    };
    let bank = quiz(library);
    let now = Utc::now();
    let mut rng = StdRng::seed_from_u64(19);
    let txn = db.begin().await?;
    let mut users = Batch::new(
        "users",
        "id, username, full_name, email, unit_id, position, role, password_hash, must_change_password, \
         active, failed_logins, locked_until, created_at, search_key",
    );
    for id in 1..=attempts as i64 {
        let values = format!(
            "{id}, {}, 'Học viên', NULL, NULL, 'Chuyên viên', 'learner', '-', FALSE, TRUE, 0, NULL, {}, {}",
            q(&format!("hv{id:06}")),
            ts(now),
            q(&format!("hoc vien hv{id:06}"))
        );
        users.add(&txn, values).await?;
    }
    users.flush(&txn).await?;
    let mut rows = Batch::new(
        "quiz_attempts",
        "id, user_id, quiz_id, course_id, number, questions, answers, pass_percent, started_at, deadline, \
         submitted_at, closed_by_server, marks, score, max_score, percent, passed",
    );
    let mut records =
        Batch::new("quiz_attempt_items", "attempt_id, quiz_id, user_id, number, submitted_at, items");
    for id in 1..=attempts as i64 {
        let ability: f64 = rng.random();
        let questions = draw::questions_for_attempt(&bank.questions, &bank.settings, &mut rng);
        let answers: Answers = questions
            .iter()
            .filter_map(|question| {
                answer(&question.kind, ability, &mut rng).map(|a| (question.id.clone(), a))
            })
            .collect();
        let (marks, score) = grade_all(&questions, &answers);
        let answers = serde_json::to_string(&answers)?;
        let (questions, marks) = (serde_json::to_string(&questions)?, serde_json::to_string(&marks)?);
        // What grading stores beside the marks (`assessment::attempts`), which the statistics read.
        let items =
            read::items_record(&questions, &answers, &marks).context("questions name their bank ids")?;
        let values = format!(
            "{id}, {id}, {quiz_id}, {}, 1, {}, {}, 80, {}, NULL, {}, FALSE, {}, {}, {}, {}, {}",
            q(COURSE),
            q(&questions),
            q(&answers),
            ts(now),
            ts(now),
            q(&marks),
            score.score,
            score.max_score,
            score.percent,
            if score.percent >= 80.0 { "TRUE" } else { "FALSE" },
        );
        rows.add(&txn, values).await?;
        records.add(&txn, format!("{id}, {quiz_id}, {id}, 1, {}, {}", ts(now), q(&items))).await?;
    }
    rows.flush(&txn).await?;
    records.flush(&txn).await?;
    txn.commit().await?;
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        db.execute_unprepared(
            "SELECT setval('users_id_seq', (SELECT MAX(id) FROM users)); \
             SELECT setval('quiz_attempts_id_seq', (SELECT MAX(id) FROM quiz_attempts)); ANALYZE",
        )
        .await?;
    }
    eprintln!(
        "seeded {attempts} attempts of {} questions in {:.1} s",
        bank.settings.draw,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn seconds(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// The best and the median of `times`, in seconds.
fn best_and_median(times: &mut [Duration]) -> (f64, f64) {
    times.sort();
    (seconds(times[0]), seconds(times[times.len() / 2]))
}

async fn measure(url: &str, library: &Library, repeat: usize, aim: f64) -> anyhow::Result<bool> {
    let db = db::connect(url).await?;
    let course = &library.courses[COURSE];
    let bank = quiz(library);
    let filter = read::Filter::default();
    let mut read_times = Vec::new();
    let mut decode_times = Vec::new();
    let mut analyse_times = Vec::new();
    let mut whole_times = Vec::new();
    let mut attempts = Vec::new();
    for _ in 0..repeat.max(1) {
        let started = Instant::now();
        let view = quiz_statistics::load(&db, course, bank, &filter).await?;
        whole_times.push(started.elapsed());
        anyhow::ensure!(view.questions.len() == bank.questions.len(), "every question of the bank was asked");

        let started = Instant::now();
        attempts = read::attempts(&db, COURSE, bank, &filter).await?;
        read_times.push(started.elapsed());

        let started = Instant::now();
        let analysis = statistics::analyse(&attempts);
        analyse_times.push(started.elapsed());
        anyhow::ensure!(analysis.quiz.attempts == attempts.len());
    }
    // The decoding alone, on rows already in memory: what the read costs beyond the database.
    let rows: Vec<String> = {
        use daotao_core::entities::quiz_attempt_item;
        use sea_orm::{EntityTrait, QuerySelect};
        quiz_attempt_item::Entity::find()
            .select_only()
            .column(quiz_attempt_item::Column::Items)
            .into_tuple()
            .all(&db)
            .await?
    };
    for _ in 0..repeat.max(1) {
        let started = Instant::now();
        let decoded: Result<Vec<_>, _> = rows.iter().map(|items| read::decode_items(items)).collect();
        decode_times.push(started.elapsed());
        anyhow::ensure!(decoded?.len() == rows.len());
    }
    let (whole_best, whole_median) = best_and_median(&mut whole_times);
    let (read_best, read_median) = best_and_median(&mut read_times);
    let (decode_best, decode_median) = best_and_median(&mut decode_times);
    let (analyse_best, analyse_median) = best_and_median(&mut analyse_times);
    println!(
        "attempts analysed: {} (first attempts, {} answers)",
        attempts.len(),
        attempts.iter().map(|a| a.answers.len()).sum::<usize>()
    );
    println!("| step | best (s) | median (s) |");
    println!("| --- | --- | --- |");
    println!("| analysis alone (`statistics::analyse`) | {analyse_best:.3} | {analyse_median:.3} |");
    println!(
        "| decoding alone (`read::decode_items`, rows in memory) | {decode_best:.3} | {decode_median:.3} |"
    );
    println!("| read (`read::attempts`: query + decoding) | {read_best:.3} | {read_median:.3} |");
    println!(
        "| read + analysis + join (`admin_views::quiz_statistics::load`) | {whole_best:.3} | {whole_median:.3} |"
    );
    println!("load average: {}", daotao_bench_support::usage::load_average());
    let met = whole_median <= aim;
    println!("aim: read + analysis under {aim} s: {}", if met { "met" } else { "NOT MET" });
    Ok(met)
}
