//! `daotao-admin report competency|progress`: the reports admins send up, as CSV (UTF-8 with BOM, for Excel)
//! or XLSX (a summary sheet per unit and a detail sheet per learner).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use daotao_core::config::Config;
use daotao_core::report::{self, Report};

/// What to export.
pub struct ReportRequest {
    pub competency: bool,
    pub course: Option<String>,
    pub unit: Option<String>,
    pub format: String,
    /// CSV only: `learner` (the detail, default) or `unit` (the summary).
    pub by: String,
    pub output: PathBuf,
}

pub async fn run(config: &Config, req: ReportRequest) -> anyhow::Result<()> {
    let db = crate::connect(config).await?;
    let kind = if req.competency {
        report::Kind::Competency
    } else {
        report::Kind::Progress { course: req.course.clone() }
    };
    // Only what this report needs: a province's data is hundreds of thousands of rows.
    let data = report::data::load_for(&db, req.unit.as_deref(), &kind).await?;
    let today = chrono::Utc::now().date_naive();
    let built: Report = if req.competency {
        let framework =
            daotao_core::course::loader::load_competencies(&config.courses_dir).map_err(|problems| {
                anyhow::anyhow!(
                    "khung năng lực / competency framework: {}",
                    problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; ")
                )
            })?;
        report::competency::build(&data, &framework, &config.targets, today)
    } else {
        if let Some(course) = &req.course
            && !data.courses.contains_key(course)
        {
            bail!("không có khoá học `{course}` / no course `{course}`");
        }
        report::progress::build(&data, req.course.as_deref(), today)
    };
    write(&built, &req).with_context(|| format!("ghi tệp / writing {}", req.output.display()))?;
    eprintln!(
        "Đã ghi / written: {} ({} người / learners rows, {} đơn vị / unit rows)",
        req.output.display(),
        built.detail.rows.len(),
        built.summary.rows.len()
    );
    Ok(())
}

fn write(built: &Report, req: &ReportRequest) -> anyhow::Result<()> {
    match req.format.as_str() {
        "csv" => {
            let table = match req.by.as_str() {
                "learner" => &built.detail,
                "unit" => &built.summary,
                other => bail!("--by `{other}`: dùng / use learner hoặc / or unit"),
            };
            let file = std::fs::File::create(&req.output)?;
            report::csv::write(table, std::io::BufWriter::new(file))?;
        }
        "xlsx" => report::xlsx::write(built, Path::new(&req.output))?,
        other => bail!("--format `{other}`: dùng / use csv hoặc / or xlsx"),
    }
    Ok(())
}
