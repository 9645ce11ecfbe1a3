//! Runs each export as an admin would (`daotao-admin report ...`, a fresh process each time, so the time
//! includes connecting, loading, computing and writing) under `/usr/bin/time -v`, which gives the wall time
//! and the peak resident memory of the process; then reads the file back ([`crate::check`]).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use daotao_bench_support::usage::{Usage, load_average, parse_time};

use crate::check::{self, Export};

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[arg(long)]
    database_url: String,
    /// The `daotao-admin` binary to time (the release build).
    #[arg(long)]
    admin: PathBuf,
    #[arg(long, default_value = "courses")]
    courses: PathBuf,
    /// Where the exports and the configuration are written.
    #[arg(long)]
    work: PathBuf,
    /// GNU time.
    #[arg(long, default_value = "/usr/bin/time")]
    time: PathBuf,
    /// Aim: each export within this many seconds...
    #[arg(long, default_value_t = 10.0)]
    aim_seconds: f64,
    /// ...and this many MiB of peak resident memory.
    #[arg(long, default_value_t = 1024.0)]
    aim_mib: f64,
    /// A label for the table (the backend).
    #[arg(long, default_value = "")]
    label: String,
}

/// The targets the benchmark's configuration sets, so the report computes target columns too.
fn config_text() -> String {
    format!(
        "[[targets]]\ncompetency = \"ATTT.1\"\nlevel = 1\npercent = 100\n\n\
         [[targets]]\ncompetency = \"ATTT.2\"\nlevel = 1\npercent = 100\nposition = \"{}\"\n\n\
         [[targets]]\ncompetency = \"DVC.1\"\nlevel = 1\npercent = 90\nposition = \"một cửa\"\n",
        crate::IT_TARGET_POSITION
    )
}

/// Every export timed: a label, the `report` arguments, the file name and how to check it.
fn cases() -> Vec<(&'static str, Vec<&'static str>, &'static str, Export)> {
    vec![
        (
            "competency by unit, CSV",
            vec!["competency", "--format", "csv", "--by", "unit"],
            "competency-unit.csv",
            Export::CompetencyUnitCsv,
        ),
        (
            "competency by learner, CSV",
            vec!["competency", "--format", "csv", "--by", "learner"],
            "competency-learner.csv",
            Export::CompetencyLearnerCsv,
        ),
        (
            "competency, XLSX (by unit + by learner sheets)",
            vec!["competency", "--format", "xlsx"],
            "competency.xlsx",
            Export::CompetencyXlsx,
        ),
        (
            "progress by unit, CSV",
            vec!["progress", "--format", "csv", "--by", "unit"],
            "progress-unit.csv",
            Export::ProgressUnitCsv,
        ),
        (
            "progress by learner, CSV",
            vec!["progress", "--format", "csv", "--by", "learner"],
            "progress-learner.csv",
            Export::ProgressLearnerCsv,
        ),
        (
            "progress, XLSX (by unit + by learner sheets)",
            vec!["progress", "--format", "xlsx"],
            "progress.xlsx",
            Export::ProgressXlsx,
        ),
    ]
}

/// Times and checks every export; `Ok(true)` when each met the aim.
pub async fn run(args: &RunArgs) -> anyhow::Result<bool> {
    std::fs::create_dir_all(&args.work)?;
    let config = args.work.join("daotao.toml");
    std::fs::write(&config, config_text())?;
    let db = daotao_core::platform::db::connect(&args.database_url).await?;
    let today = chrono::Utc::now().date_naive();
    let expected = check::expected(&db, today).await.context("computing the expected figures")?;
    db.close().await?;
    println!(
        "{}: {} units, {} active learners, {} enrollments of active learners; aim: each export under {} s and \
         {} MiB",
        args.label, expected.units, expected.learners, expected.enrollments, args.aim_seconds, args.aim_mib
    );
    println!();
    println!("| export | rows checked | wall s | CPU s | peak RSS MiB | load avg before | aim |");
    println!("| --- | ---: | ---: | ---: | ---: | --- | --- |");
    let mut all_met = true;
    for (label, report_args, file, export) in cases() {
        let output = args.work.join(file);
        let _ = std::fs::remove_file(&output);
        let load = load_average();
        let usage = time_one(args, &config, &report_args, &output).with_context(|| label.to_string())?;
        let rows = check::check(export, &output, &expected)
            .with_context(|| format!("{label}: {} is wrong", output.display()))?;
        let met = usage.wall < args.aim_seconds && usage.rss_mib < args.aim_mib;
        all_met &= met;
        println!(
            "| {label} | {rows} | {:.2} | {:.2} | {:.0} | {load} | {} |",
            usage.wall,
            usage.cpu,
            usage.rss_mib,
            if met { "met" } else { "**missed**" }
        );
    }
    println!();
    println!("aim {}", if all_met { "met by every export" } else { "NOT met by every export" });
    Ok(all_met)
}

fn time_one(args: &RunArgs, config: &Path, report_args: &[&str], output: &Path) -> anyhow::Result<Usage> {
    let usage_file = output.with_extension("time");
    let result = Command::new(&args.time)
        .arg("-v")
        .arg("-o")
        .arg(&usage_file)
        .arg(&args.admin)
        .arg("report")
        .args(report_args)
        .arg("--output")
        .arg(output)
        .env("DAOTAO_DATABASE_URL", &args.database_url)
        .env("DAOTAO_COURSES_DIR", &args.courses)
        .env("DAOTAO_CONFIG", config)
        .output()
        .with_context(|| format!("running {} -v {}", args.time.display(), args.admin.display()))?;
    if !result.status.success() {
        bail!(
            "daotao-admin report {} failed ({}): {}",
            report_args.join(" "),
            result.status,
            String::from_utf8_lossy(&result.stderr)
        );
    }
    parse_time(&std::fs::read_to_string(&usage_file)?)
}
