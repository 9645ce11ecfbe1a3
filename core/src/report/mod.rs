//! The reports admins send up: competency (per learner, and per unit rolled up the unit tree against the
//! configured targets), progress (per learner and course) and compliance with the training programmes (per
//! person and programme, and per unit rolled up). Each is computed from a handful of set-based queries
//! (never one per learner) into [`Table`]s, which `csv` and `xlsx` write out.

pub mod competency;
pub mod compliance;
pub mod csv;
pub mod data;
pub mod items;
pub mod progress;
pub mod xlsx;

use chrono::NaiveDate;

/// A report: a per-unit summary and a per-learner detail.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub summary: Table,
    pub detail: Table,
}

/// Rows under one header row, with typed cells so a spreadsheet gets numbers, percentages and dates.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The sheet name in a workbook.
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// A share, 0..=1 (written as a percentage).
    Percent(f64),
    /// A score in percent, 0..=100.
    Score(f64),
    Date(NaiveDate),
    Empty,
}

impl Cell {
    /// The cell as CSV text: percentages as `87.5%`, dates as `YYYY-MM-DD`.
    pub fn to_text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Percent(p) => format!("{}%", (p * 1000.0).round() / 10.0),
            Cell::Score(s) => format!("{}", (s * 100.0).round() / 100.0),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// Which report, with its filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Competency,
    Progress { course: Option<String> },
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("không có đơn vị mã `{0}` / no unit with code `{0}`")]
    UnknownUnit(String),
    #[error("không có khoá học `{0}` / no course `{0}`")]
    UnknownCourse(String),
    #[error("không có chương trình `{0}` / no programme `{0}`")]
    UnknownProgramme(String),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    #[error("cannot write {0}: {1}")]
    Write(std::path::PathBuf, String),
}
