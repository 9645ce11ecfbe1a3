//! The Báo cáo screen's jobs: a report computed for the screen, and exported to a file (audited). Both go
//! through `crate::report::build`, as the `report` subcommand does, so the screen and the files agree.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use daotao_core::report::Table;

use super::{ExportFormat, Job, Response, unit_text};

/// The reports of the Báo cáo screen: each is one table of `core::report`'s competency or progress report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReportKind {
    /// The competency report's summary: per unit, rolled up its sub-units, against the targets.
    #[default]
    CompetencyByUnit,
    /// The competency report's detail: one row per person.
    CompetencyByLearner,
    /// The progress report's detail: one row per person and course.
    Progress,
}

impl ReportKind {
    /// Every report, in the order `r` goes through them.
    pub const ALL: [ReportKind; 3] =
        [ReportKind::CompetencyByUnit, ReportKind::CompetencyByLearner, ReportKind::Progress];

    /// Its name on the screen.
    pub fn title(self) -> &'static str {
        match self {
            ReportKind::CompetencyByUnit => "Năng lực theo đơn vị",
            ReportKind::CompetencyByLearner => "Năng lực theo người",
            ReportKind::Progress => "Tiến độ học",
        }
    }

    /// Its name in a file name (ASCII, no spaces).
    pub fn slug(self) -> &'static str {
        match self {
            ReportKind::CompetencyByUnit => "nang-luc-theo-don-vi",
            ReportKind::CompetencyByLearner => "nang-luc-theo-nguoi",
            ReportKind::Progress => "tien-do",
        }
    }

    /// Whether it is a table of the competency report (else of the progress report).
    pub fn competency(self) -> bool {
        !matches!(self, ReportKind::Progress)
    }

    /// The table of `report` this kind shows and writes as CSV, borrowed.
    pub fn table_of(self, report: &daotao_core::report::Report) -> &Table {
        match self {
            ReportKind::CompetencyByUnit => &report.summary,
            ReportKind::CompetencyByLearner | ReportKind::Progress => &report.detail,
        }
    }

    /// The table of `report` this kind shows and writes as CSV.
    pub fn table(self, report: daotao_core::report::Report) -> Table {
        match self {
            ReportKind::CompetencyByUnit => report.summary,
            ReportKind::CompetencyByLearner | ReportKind::Progress => report.detail,
        }
    }
}

/// Computes the report `kind` for `unit` (with its sub-units) or every unit; a failure is shown on the screen.
pub(super) async fn preview(
    job: &Job<'_>,
    unit: Option<String>,
    kind: ReportKind,
) -> anyhow::Result<Response> {
    let table = table(job, kind, unit.as_deref()).await.map(Arc::new).map_err(|e| format!("{e:#}"));
    Ok(Response::ReportPreview { unit, kind, table })
}

/// Writes the report to `path`; the result (rows written, or the precise error) is shown on the screen.
pub(super) async fn export(
    job: &Job<'_>,
    unit: Option<String>,
    kind: ReportKind,
    format: ExportFormat,
    path: PathBuf,
) -> anyhow::Result<Response> {
    let result = write(job, kind, unit.as_deref(), format, &path).await.map_err(|e| format!("{e:#}"));
    if let Ok(rows) = &result {
        let details = format!("{} ({}), {rows} rows", kind.slug(), unit_text(unit.as_deref()));
        crate::audit(job.db, "report.export", &path.display().to_string(), &details).await?;
    }
    Ok(Response::Exported { path, result })
}

/// Loads and computes one report and keeps the table `kind` shows.
async fn table(job: &Job<'_>, kind: ReportKind, unit: Option<&str>) -> anyhow::Result<Table> {
    job.progress.stage("tải dữ liệu và tính");
    let report = crate::report::build(job.db, job.settings, kind.competency(), None, unit, job.today).await?;
    Ok(kind.table(report))
}

/// Computes a report and writes it to `path`; the rows written (of the table, or of both sheets for XLSX).
async fn write(
    job: &Job<'_>,
    kind: ReportKind,
    unit: Option<&str>,
    format: ExportFormat,
    path: &Path,
) -> anyhow::Result<usize> {
    job.progress.stage("tải dữ liệu và tính");
    let report = crate::report::build(job.db, job.settings, kind.competency(), None, unit, job.today).await?;
    let rows = match format {
        ExportFormat::Csv => kind.table_of(&report).rows.len(),
        ExportFormat::Xlsx => report.summary.rows.len() + report.detail.rows.len(),
    };
    job.progress.stage(format!("ghi {} dòng vào tệp", crate::tui::count(rows as u64)));
    let path = path.to_path_buf();
    // Writing 100,000 rows is blocking file work: off the async runtime's threads.
    tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
        let cannot = |e: &dyn std::fmt::Display| anyhow::anyhow!("Không ghi được {}: {e}", path.display());
        match format {
            ExportFormat::Csv => {
                let table = kind.table(report);
                let file = std::fs::File::create(&path).map_err(|e| cannot(&e))?;
                daotao_core::report::csv::write(&table, std::io::BufWriter::new(file))
                    .map_err(|e| cannot(&e))?;
            }
            ExportFormat::Xlsx => daotao_core::report::xlsx::write(&report, &path).map_err(|e| cannot(&e))?,
        }
        Ok(rows)
    })
    .await?
}
