//! The report-scale benchmark tool (see README.md beside this crate): seeds a province of 100,000 learners
//! in 500 units, then runs the release `daotao-admin report ...` once per export under `/usr/bin/time -v`,
//! records wall time and peak memory, and reads every file back against figures computed with plain SQL.
//!
//! ```text
//! report-scale create-postgres --admin-url postgres://postgres@127.0.0.1:5432/test --name daotao_report_scale
//! report-scale seed --database-url URL --courses courses
//! report-scale run --database-url URL --admin target/release/daotao-admin --courses courses --work DIR
//! report-scale drop-postgres --admin-url ... --name daotao_report_scale
//! ```
//! Exit status: 0 when every export meets the aim, 1 when one does not, 2 on an error or a wrong result.

mod check;
mod measure;
mod seed;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use daotao_bench_support::{create_postgres, drop_postgres};

/// The position word of the benchmark's IT-staff target (compared without diacritics or case).
pub const IT_TARGET_POSITION: &str = "CNTT";

#[derive(Parser)]
#[command(about = "Report-scale benchmark of daotao-admin's competency and progress reports")]
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
    /// Seeds an empty database with the catalog and a province of learners.
    Seed {
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value = "courses")]
        courses: PathBuf,
        #[command(flatten)]
        settings: seed::Settings,
    },
    /// Times every export with the admin binary and checks the files.
    Run(measure::RunArgs),
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
            Command::DropPostgres { admin_url, name } => drop_postgres(&admin_url, &name).await.map(|()| true),
            Command::Seed { database_url, courses, settings } => {
                let started = Instant::now();
                let seeded = seed::seed(&database_url, &courses, &settings).await?;
                println!(
                    "seeded {} units, {} accounts ({} active), {} enrollments, {} lessons read, {} quiz attempts, \
                     {} competency awards in {:.1} s",
                    seeded.units,
                    seeded.users,
                    settings.learners,
                    seeded.enrollments,
                    seeded.lessons_read,
                    seeded.attempts,
                    seeded.awards,
                    started.elapsed().as_secs_f64()
                );
                Ok(true)
            }
            Command::Run(args) => measure::run(&args).await,
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
