//! The programmes-scale benchmark tool (see README.md beside this crate): seeds a province of 100,000
//! people in 500 units, then times each step as its own process under `/usr/bin/time -v` (the daily
//! programme assignment pass on day 0 and day 1, the compliance report as CSV and XLSX) and checks the
//! report against the database.
//!
//! ```text
//! programmes-scale create-postgres --admin-url postgres://postgres@127.0.0.1:5432/test --name daotao_programmes_scale
//! programmes-scale seed --database-url URL --courses courses
//! programmes-scale run --database-url URL --courses courses --work DIR
//! programmes-scale step assign-first --database-url URL --courses courses --work DIR --day0 2026-12-04
//! programmes-scale drop-postgres --admin-url ... --name daotao_programmes_scale
//! ```
//! The steps are `steps::Step` (one variant each): a new measured step, such as the reminder queue (#18),
//! is one more variant there, and `run` times it with the others.
//!
//! Exit status: 0 when every step meets the aim, 1 when one does not, 2 on an error or a wrong report.

mod programmes;
mod seed;
mod steps;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use daotao_bench_support::{create_postgres, drop_postgres};

#[derive(Parser)]
#[command(about = "Programmes-scale benchmark of the assignment pass and the compliance report")]
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
    /// Seeds an empty database with the catalog, the units and the people.
    Seed {
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value = "courses")]
        courses: PathBuf,
        #[command(flatten)]
        settings: seed::Settings,
    },
    /// Times every step, each as its own process, and checks the reports.
    Run(steps::RunArgs),
    /// Does one step (what `run` times).
    Step {
        #[arg(value_enum)]
        step: steps::Step,
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value = "courses")]
        courses: PathBuf,
        #[arg(long)]
        work: PathBuf,
        #[arg(long)]
        day0: NaiveDate,
    },
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
            Command::Seed { database_url, courses, settings } => {
                let started = Instant::now();
                let seeded = seed::seed(&database_url, &courses, &settings).await?;
                println!(
                    "seeded {} units, {} accounts ({} active), {} earlier course completions in {:.1} s",
                    seeded.units,
                    seeded.accounts,
                    settings.people,
                    seeded.completions,
                    started.elapsed().as_secs_f64()
                );
                Ok(true)
            }
            Command::Run(args) => steps::run(&args).await,
            Command::Step { step, database_url, courses, work, day0 } => {
                step.perform(&database_url, &courses, day0, &work).await.map(|()| true)
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
