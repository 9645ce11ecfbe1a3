//! The measured steps. Each runs as its own process (`programmes-scale step NAME`), as cron or an admin runs
//! the real commands, under `/usr/bin/time -v` for its wall time and peak resident memory; `run` times them
//! in order and checks the report's files against the database.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail, ensure};
use chrono::{Days, NaiveDate};
use daotao_core::learning::programmes::{self, Compliance, reminders};
use daotao_core::report::{self, compliance};
use sea_orm::ConnectionTrait;

use daotao_bench_support::usage::{Usage, load_average, parse_time};

use crate::programmes::rules;

/// One measured step. A new one (the reminder queue, #18) is a variant here, its label and its arm in
/// [`Step::perform`]; `run` times it in the order of [`Step::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Step {
    /// `programmes::assign` on day 0: everyone the programmes match is assigned and enrolled.
    AssignFirst,
    /// `programmes::assign` on day 1: the daily pass when little changed.
    AssignNextDay,
    /// The reminders due on day 1 queued in the mail outbox (the day-0 "assigned" letters, built and inserted).
    ReminderQueue,
    /// The compliance report on day 1, per person, as CSV.
    ComplianceCsvPerson,
    /// The compliance report on day 1, per unit, as CSV.
    ComplianceCsvUnit,
    /// The compliance report on day 1, both sheets, as XLSX.
    ComplianceXlsx,
}

impl Step {
    /// Every step, in the order `run` times them (the passes before the report they feed).
    pub const ALL: [Step; 6] = [
        Step::AssignFirst,
        Step::AssignNextDay,
        Step::ReminderQueue,
        Step::ComplianceCsvPerson,
        Step::ComplianceCsvUnit,
        Step::ComplianceXlsx,
    ];

    fn label(self) -> &'static str {
        match self {
            Step::AssignFirst => "assignment pass, day 0 (everyone assigned)",
            Step::AssignNextDay => "assignment pass, day 1",
            Step::ReminderQueue => "reminder queue, day 1 (every letter built and queued)",
            Step::ComplianceCsvPerson => "compliance report per person, CSV",
            Step::ComplianceCsvUnit => "compliance report per unit, CSV",
            Step::ComplianceXlsx => "compliance report, XLSX (both sheets)",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Step::AssignFirst => "assign-first",
            Step::AssignNextDay => "assign-next-day",
            Step::ReminderQueue => "reminder-queue",
            Step::ComplianceCsvPerson => "compliance-csv-person",
            Step::ComplianceCsvUnit => "compliance-csv-unit",
            Step::ComplianceXlsx => "compliance-xlsx",
        }
    }

    /// The file a step writes, if any.
    fn output(self, work: &Path) -> Option<PathBuf> {
        match self {
            Step::AssignFirst | Step::AssignNextDay | Step::ReminderQueue => None,
            Step::ComplianceCsvPerson | Step::ComplianceCsvUnit => {
                Some(work.join(format!("{}.csv", self.name())))
            }
            Step::ComplianceXlsx => Some(work.join("compliance.xlsx")),
        }
    }

    /// Does the step (in the process being timed); prints one line of what it did.
    pub async fn perform(
        self,
        url: &str,
        courses: &Path,
        day0: NaiveDate,
        work: &Path,
    ) -> anyhow::Result<()> {
        let db = daotao_core::platform::db::connect(url).await?;
        let day1 = day0 + Days::new(1);
        match self {
            Step::AssignFirst | Step::AssignNextDay => {
                let library = daotao_content::course::load_library(courses);
                let quizzes = programmes::completion_quizzes(&library);
                let on = if self == Step::AssignFirst { day0 } else { day1 };
                let c = programmes::assign(&db, &rules(), &quizzes, on, "programmes-scale", false).await?;
                println!(
                    "{} assigned, {} withdrawn, {} completed, {} renewed on {on}",
                    c.assigned.len(),
                    c.withdrawn.len(),
                    c.completed.len(),
                    c.renewed.len()
                );
            }
            Step::ReminderQueue => {
                let library = daotao_content::course::load_library(courses);
                let rules = rules();
                let context = reminders::Context::new(&rules, &library, "https://daotao.tinhmau.example");
                let queued = reminders::queue(&db, &context, day1, chrono::Utc::now()).await?;
                println!(
                    "{} messages queued, {} people without an address",
                    queued.total(),
                    queued.without_address
                );
            }
            Step::ComplianceCsvPerson | Step::ComplianceCsvUnit | Step::ComplianceXlsx => {
                let built = compliance::build(&db, &rules(), None, None, day1).await?;
                let output = self.output(work).context("a report step writes a file")?;
                match self {
                    Step::ComplianceXlsx => report::xlsx::write(&built, &output)?,
                    _ => {
                        let table =
                            if self == Step::ComplianceCsvUnit { &built.summary } else { &built.detail };
                        report::csv::write(table, std::io::BufWriter::new(std::fs::File::create(&output)?))?;
                    }
                }
                println!(
                    "{} person rows, {} unit rows on {day1}",
                    built.detail.rows.len(),
                    built.summary.rows.len()
                );
            }
        }
        Ok(())
    }
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value = "courses")]
    courses: PathBuf,
    /// Where the reports are written.
    #[arg(long)]
    work: PathBuf,
    /// GNU time.
    #[arg(long, default_value = "/usr/bin/time")]
    time: PathBuf,
    /// Day 0 of the passes (default: today in Viet Nam).
    #[arg(long)]
    day0: Option<NaiveDate>,
    /// Aim of the assignment pass: seconds and MiB.
    #[arg(long, default_value_t = 30.0)]
    aim_assign_seconds: f64,
    /// Aim of the compliance report: seconds.
    #[arg(long, default_value_t = 10.0)]
    aim_report_seconds: f64,
    #[arg(long, default_value_t = 1024.0)]
    aim_mib: f64,
    /// A label for the table (the backend).
    #[arg(long, default_value = "")]
    label: String,
}

/// Times every step in order, then checks the reports; `Ok(true)` when each met its aim.
pub async fn run(args: &RunArgs) -> anyhow::Result<bool> {
    std::fs::create_dir_all(&args.work)?;
    let day0 = args.day0.unwrap_or_else(daotao_core::platform::local_time::today);
    println!("{}: day 0 is {day0}", args.label);
    println!();
    println!("| step | what it did | wall s | CPU s | peak RSS MiB | load avg before | aim |");
    println!("| --- | --- | ---: | ---: | ---: | --- | --- |");
    let mut all_met = true;
    for step in Step::ALL {
        let load = load_average();
        let (usage, said) = time_one(args, step, day0).with_context(|| step.label())?;
        let aim_seconds = match step {
            Step::AssignFirst | Step::AssignNextDay | Step::ReminderQueue => args.aim_assign_seconds,
            _ => args.aim_report_seconds,
        };
        let met = usage.wall < aim_seconds && usage.rss_mib < args.aim_mib;
        all_met &= met;
        println!(
            "| {} | {said} | {:.2} | {:.2} | {:.0} | {load} | {} |",
            step.label(),
            usage.wall,
            usage.cpu,
            usage.rss_mib,
            if met { "met" } else { "**missed**" }
        );
    }
    println!();
    check(args, day0 + Days::new(1)).await.context("the reports do not match the database")?;
    println!("aim {}", if all_met { "met by every step" } else { "NOT met by every step" });
    Ok(all_met)
}

fn time_one(args: &RunArgs, step: Step, day0: NaiveDate) -> anyhow::Result<(Usage, String)> {
    let usage_file = args.work.join(format!("{}.time", step.name()));
    let result = Command::new(&args.time)
        .arg("-v")
        .arg("-o")
        .arg(&usage_file)
        .arg(std::env::current_exe()?)
        .args(["step", step.name(), "--database-url", &args.database_url, "--day0", &day0.to_string()])
        .arg("--courses")
        .arg(&args.courses)
        .arg("--work")
        .arg(&args.work)
        .output()
        .with_context(|| format!("running {} -v", args.time.display()))?;
    if !result.status.success() {
        bail!("step {} failed ({}): {}", step.name(), result.status, String::from_utf8_lossy(&result.stderr));
    }
    let said = String::from_utf8_lossy(&result.stdout).trim().to_string();
    Ok((parse_time(&std::fs::read_to_string(&usage_file)?)?, said))
}

/// The CSV files against plain SQL: one person row per active person and programme with a cycle not
/// withdrawn, and the province's row of each programme counting all of them, each status once.
async fn check(args: &RunArgs, day1: NaiveDate) -> anyhow::Result<()> {
    let db = daotao_core::platform::db::connect(&args.database_url).await?;
    let sql = "SELECT p.programme_id, COUNT(DISTINCT p.user_id) FROM programme_assignments p \
               JOIN users u ON u.id = p.user_id WHERE u.active AND p.withdrawn_on IS NULL GROUP BY p.programme_id";
    let mut expected = std::collections::BTreeMap::new();
    for row in db.query_all_raw(sea_orm::Statement::from_string(db.get_database_backend(), sql)).await? {
        expected.insert(row.try_get_by_index::<String>(0)?, row.try_get_by_index::<i64>(1)?);
    }
    let total: i64 = expected.values().sum();
    let person = read_csv(&Step::ComplianceCsvPerson.output(&args.work).context("file")?)?;
    ensure!(person.len() as i64 - 1 == total, "{} person rows, the database has {total}", person.len() - 1);
    let statuses: Vec<&str> = Compliance::ALL.iter().map(|s| compliance::label(*s)).collect();
    let mut seen = std::collections::BTreeMap::<&str, i64>::new();
    for row in &person[1..] {
        ensure!(statuses.contains(&row[7].as_str()), "status `{}`", row[7]);
        *seen.entry(row[7].as_str()).or_default() += 1;
    }
    let unit = read_csv(&Step::ComplianceCsvUnit.output(&args.work).context("file")?)?;
    for (programme, n) in &expected {
        let row = unit
            .iter()
            .find(|r| r[0] == "TINH" && &r[2] == programme)
            .with_context(|| format!("no province row for {programme}"))?;
        let counts: Vec<i64> = row[4..10].iter().map(|c| c.parse()).collect::<Result<_, _>>()?;
        ensure!(
            counts[0] == *n,
            "{programme}: the province row counts {} people, the database {n}",
            counts[0]
        );
        ensure!(counts[1..].iter().sum::<i64>() == *n, "{programme}: the statuses do not add up");
    }
    println!(
        "checked on {day1}: {total} person rows ({seen:?}), the province's row of each programme {expected:?}"
    );
    Ok(())
}

fn read_csv(path: &Path) -> anyhow::Result<Vec<Vec<String>>> {
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    let text = text.strip_prefix('\u{feff}').context("no byte-order mark")?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    let rows: Result<Vec<_>, _> =
        reader.records().map(|r| r.map(|r| r.iter().map(str::to_string).collect())).collect();
    Ok(rows?)
}
