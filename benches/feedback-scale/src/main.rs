//! Feedback at scale (#19, #21): how long one learner's course-feedback answer takes when many learners of the
//! same course have answered before. On PostgreSQL every answer rewrites, in random order, the course's whole
//! list of who answered (`core::learning::feedback`: so that no row's `xmin` or `ctid` tells the newest
//! respondent), so its cost grows with the respondents; on SQLite it does not. See README.md.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use clap::Parser;
use daotao_bench_support::seeding::unit_of_learners;
use daotao_bench_support::{create_postgres, drop_postgres};
use daotao_core::entities::user;
use daotao_core::entities::{enrollment, feedback_answered};
use daotao_core::learning::feedback::{self, Answer};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};

#[derive(Parser)]
#[command(about = "Times course-feedback answers against a course many learners have answered already")]
struct Args {
    /// An empty database: sqlite://FILE or postgres://USER@HOST/DB (migrated here).
    #[arg(long, required_unless_present = "postgres_admin_url")]
    database_url: Option<String>,
    /// Instead: a PostgreSQL server where a throw-away database `daotao_feedback_scale` is made, then dropped.
    #[arg(long)]
    postgres_admin_url: Option<String>,
    /// The course library (the bundled one).
    #[arg(long, default_value = "courses")]
    courses: PathBuf,
    /// The course answered.
    #[arg(long, default_value = "an-toan-thong-tin-co-ban")]
    course: String,
    /// Learners who answered before the timed answers.
    #[arg(long, default_value_t = 20_000)]
    respondents: usize,
    /// Answers timed, one after another, each by a learner who completed the course and had not answered.
    #[arg(long, default_value_t = 50)]
    answers: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    match (&args.database_url, &args.postgres_admin_url) {
        (Some(url), _) => run(&args, url).await,
        (None, Some(admin)) => {
            let url = create_postgres(admin, THROW_AWAY).await?;
            let result = run(&args, &url).await;
            drop_postgres(admin, THROW_AWAY).await?;
            result
        }
        (None, None) => unreachable!("clap requires one of them"),
    }
}

/// The database `--postgres-admin-url` makes and drops.
const THROW_AWAY: &str = "daotao_feedback_scale";

async fn run(args: &Args, url: &str) -> anyhow::Result<()> {
    let db = daotao_core::platform::db::connect(url).await?;
    let library = daotao_content::course::load_library(&args.courses);
    let course = library.courses.get(&args.course).with_context(|| format!("no course `{}`", args.course))?;
    let questionnaire = library
        .questionnaire(course)
        .with_context(|| format!("course `{}` asks no feedback", args.course))?;
    let started = Instant::now();
    let timed = seed(&db, &library, args).await?;
    eprintln!(
        "seeded {} learners who completed {}, {} of them answered, in {:.1} s",
        args.respondents + args.answers,
        args.course,
        args.respondents,
        started.elapsed().as_secs_f64()
    );
    let answer = Answer {
        scores: questionnaire.items.iter().map(|item| (item.id.clone(), 4)).collect(),
        comment: "Bài học rõ ràng, ví dụ sát với công việc ở xã.".into(),
    };
    let mut took = Vec::with_capacity(timed.len());
    for user_id in timed {
        let begun = Instant::now();
        feedback::submit(&db, user_id, &args.course, questionnaire, &answer, chrono::Utc::now()).await?;
        took.push(begun.elapsed());
    }
    let answered = feedback_answered::Entity::find()
        .filter(feedback_answered::Column::CourseId.eq(&args.course))
        .all(&db)
        .await?
        .len();
    ensure!(answered == args.respondents + args.answers, "{answered} answered, expected more");
    took.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: f64| took[((took.len() as f64 * q).ceil() as usize).clamp(1, took.len()) - 1];
    println!(
        "{} answers after {} respondents: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, total {:.2} s",
        took.len(),
        args.respondents,
        ms(at(0.5)),
        ms(at(0.99)),
        ms(*took.last().context("no answers timed")?),
        took.iter().sum::<Duration>().as_secs_f64()
    );
    Ok(())
}

/// One unit of learners who completed the course; the first `respondents` recorded as having answered (as
/// earlier answers leave them: the answers themselves are published in groups and do not weigh on the next).
/// Returns the ids of the learners whose answers are timed.
async fn seed(
    db: &DatabaseConnection,
    library: &daotao_content::course::Library,
    args: &Args,
) -> anyhow::Result<Vec<i64>> {
    daotao_core::demo::ensure_empty(db).await.context("seeding needs an empty database")?;
    daotao_core::learning::catalog::sync_library(db, library).await?;
    let txn = db.begin().await?;
    let now = chrono::Utc::now();
    let learners = args.respondents + args.answers;
    // These accounts never log in: a placeholder where the password hash goes, not a hash.
    unit_of_learners(&txn, "GOP-Y", "Phòng góp ý", learners, |i| format!("gy{i:06}"), "!").await?;
    daotao_core::learning::enrollment::enroll_unit(&txn, &args.course, "GOP-Y", None, None).await?;
    enrollment::Entity::update_many()
        .col_expr(enrollment::Column::CompletedAt, Expr::value(now))
        .filter(enrollment::Column::CourseId.eq(&args.course))
        .exec(&txn)
        .await?;
    let ids: Vec<i64> = user::Entity::find()
        .order_by_asc(user::Column::Id)
        .all(&txn)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    ensure!(ids.len() == learners, "{} learners seeded, expected {learners}", ids.len());
    for part in ids[..args.respondents].chunks(500) {
        let answered = part.iter().map(|&user_id| feedback_answered::ActiveModel {
            course_id: sea_orm::Set(args.course.clone()),
            user_id: sea_orm::Set(user_id),
        });
        feedback_answered::Entity::insert_many(answered).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    Ok(ids[args.respondents..].to_vec())
}
