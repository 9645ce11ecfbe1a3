//! `daotao-admin report competency|progress|compliance|items`: the reports admins send up, as CSV (UTF-8 with BOM,
//! for Excel) or XLSX (a summary sheet per unit and a detail sheet per learner).

use crate::output::errln;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use daotao_core::platform::config::Config;
use daotao_core::report::{self, Report};

/// What to export.
pub struct ReportRequest {
    pub competency: bool,
    pub course: Option<String>,
    pub unit: Option<String>,
    pub format: ExportFormat,
    /// CSV only: which of the report's tables.
    pub by: By,
    pub output: PathBuf,
}

/// The file format of an export (`--format`, and the Báo cáo screen's `c` and `x`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// One table of the report as CSV (UTF-8 with BOM, for Excel).
    Csv,
    /// A workbook with both tables of the report (summary per unit, detail per person).
    Xlsx,
}

impl ExportFormat {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }
}

/// Which table a CSV export holds (`--by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    /// One row per person (the detail).
    Learner,
    /// One row per unit (the summary).
    Unit,
}

/// What the reports need besides the database: where the competency framework is and the configured targets.
/// The terminal UI's worker holds one, so its reports are the same as the subcommand's.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub courses_dir: PathBuf,
    pub targets: Vec<daotao_core::platform::config::Target>,
}

impl Settings {
    /// The parts of the configuration that reports use.
    pub fn from_config(config: &Config) -> Self {
        Self { courses_dir: config.courses_dir.clone(), targets: config.targets.clone() }
    }

    /// The competency framework (codes, names, levels) from the course library.
    pub fn framework(&self) -> anyhow::Result<Vec<daotao_content::course::Competency>> {
        daotao_content::course::loader::load_competencies(&self.courses_dir).map_err(|problems| {
            anyhow::anyhow!(
                "khung năng lực / competency framework: {}",
                problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; ")
            )
        })
    }
}

/// Loads the data under `unit` and builds the competency report (`course` ignored) or the progress report
/// (narrowed to `course`): the one path both `daotao-admin report` and the terminal UI's Báo cáo screen take.
pub async fn build(
    db: &daotao_core::platform::db::Db,
    settings: &Settings,
    competency: bool,
    course: Option<&str>,
    unit: Option<&str>,
    today: chrono::NaiveDate,
) -> anyhow::Result<Report> {
    let kind = if competency {
        report::Kind::Competency
    } else {
        report::Kind::Progress { course: course.map(str::to_string) }
    };
    // The framework and the targets are checked before any data is read.
    let framework = if competency { settings.framework()? } else { Vec::new() };
    if competency {
        let problems = report::competency::target_problems(&framework, &settings.targets);
        if !problems.is_empty() {
            bail!("mục tiêu trong cấu hình / targets in the configuration: {}", problems.join("; "));
        }
    }
    // Only what this report needs: a province's data is hundreds of thousands of rows.
    let data = report::data::load_for(db, unit, &kind).await?;
    Ok(if competency {
        report::competency::build(&data, &framework, &settings.targets, today)
    } else {
        if let Some(course) = course
            && !data.courses.contains_key(course)
        {
            bail!("không có khoá học `{course}` / no course `{course}`");
        }
        report::progress::build(&data, course, today)
    })
}

pub async fn run(config: &Config, req: ReportRequest) -> anyhow::Result<()> {
    let db = crate::connect(config).await?;
    let today = daotao_core::platform::local_time::today();
    let settings = Settings::from_config(config);
    let built =
        build(&db, &settings, req.competency, req.course.as_deref(), req.unit.as_deref(), today).await?;
    write(&built, &req).with_context(|| format!("ghi tệp / writing {}", req.output.display()))?;
    errln!(
        "Đã ghi / written: {} ({} người / learners rows, {} đơn vị / unit rows)",
        req.output.display(),
        built.detail.rows.len(),
        built.summary.rows.len()
    )?;
    Ok(())
}

fn write(built: &Report, req: &ReportRequest) -> anyhow::Result<()> {
    write_file(built, req.format, req.by, &req.output)
}

fn write_file(built: &Report, format: ExportFormat, by: By, output: &Path) -> anyhow::Result<()> {
    match format {
        ExportFormat::Csv => {
            let table = match by {
                By::Learner => &built.detail,
                By::Unit => &built.summary,
            };
            let file = std::fs::File::create(output)?;
            report::csv::write(table, std::io::BufWriter::new(file))?;
        }
        ExportFormat::Xlsx => report::xlsx::write(built, output)?,
    }
    Ok(())
}

/// What `report compliance` exports (#18).
pub struct ComplianceRequest {
    pub unit: Option<String>,
    pub programme: Option<String>,
    /// The day the statuses are taken on (default: today in Viet Nam).
    pub as_of: Option<chrono::NaiveDate>,
    pub format: ExportFormat,
    /// CSV only: per person and programme, or per unit and programme.
    pub by: By,
    pub output: PathBuf,
}

/// `report compliance`: the programmes of `programmes.toml` (refused whole when that file has a problem,
/// as `programmes assign` does), then the report; an unknown unit or programme stops it before any file
/// is written.
pub async fn compliance(config: &Config, req: ComplianceRequest) -> anyhow::Result<()> {
    let library = daotao_content::course::load_library(&config.courses_dir);
    let rules = crate::programmes::rules(&library)?;
    let as_of = req.as_of.unwrap_or_else(daotao_core::platform::local_time::today);
    let db = crate::connect(config).await?;
    let built =
        report::compliance::build(&db, &rules, req.unit.as_deref(), req.programme.as_deref(), as_of).await?;
    write_file(&built, req.format, req.by, &req.output)
        .with_context(|| format!("ghi tệp / writing {}", req.output.display()))?;
    errln!(
        "Đã ghi / written: {} ({} dòng người / person rows, {} dòng đơn vị / unit rows, on {as_of})",
        req.output.display(),
        built.detail.rows.len(),
        built.summary.rows.len()
    )?;
    Ok(())
}

/// What `report items` exports (#19).
pub struct ItemsRequest {
    pub course: String,
    pub quiz: String,
    pub all_attempts: bool,
    pub unit: Option<String>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub format: ExportFormat,
    pub output: PathBuf,
}

/// `report items`: a quiz's statistics as the trainers' page shows them; an unknown course, quiz or unit
/// stops it before any file is written.
pub async fn items(config: &Config, req: ItemsRequest) -> anyhow::Result<()> {
    use daotao_core::admin_views::quiz_statistics;
    use daotao_core::assessment::statistics::read::Filter;

    let library = daotao_content::course::load_library(&config.courses_dir);
    let Some(course) = library.courses.get(&req.course) else {
        bail!("không có khoá học `{}` / no course `{}`", req.course, req.course);
    };
    let Some(quiz) = course.quizzes.iter().find(|q| q.id == req.quiz) else {
        bail!(
            "khoá học `{}` không có bài kiểm tra `{}` / no quiz `{}` in course `{}`",
            course.id,
            req.quiz,
            req.quiz,
            course.id
        );
    };
    let db = crate::connect(config).await?;
    let unit = match &req.unit {
        None => None,
        Some(code) => match daotao_core::people::units::find_by_code(&db, code).await? {
            Some(unit) => Some(unit.id),
            None => bail!("không có đơn vị mã `{code}` / no unit with code `{code}`"),
        },
    };
    let filter = Filter { all_attempts: req.all_attempts, unit, from: req.from, to: req.to };
    let view = quiz_statistics::load(&db, course, quiz, &filter).await?;
    let built = report::items::build(&quiz.title, &view);
    let written = match req.format {
        ExportFormat::Csv => std::fs::File::create(&req.output)
            .map_err(anyhow::Error::from)
            .and_then(|file| Ok(report::items::write_csv(&built, std::io::BufWriter::new(file))?)),
        ExportFormat::Xlsx => report::xlsx::write(&built, &req.output).map_err(anyhow::Error::from),
    };
    written.with_context(|| format!("ghi tệp / writing {}", req.output.display()))?;
    errln!(
        "Đã ghi / written: {} ({} lượt làm / attempts, {} câu hỏi / questions)",
        req.output.display(),
        view.quiz.attempts,
        view.questions.len()
    )?;
    Ok(())
}
