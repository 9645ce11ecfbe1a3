//! CSV imports of units and users (see DESIGN.md, "Interfaces").
//!
//! All or nothing: the whole file is checked first and every bad row is
//! reported as `line N, column NAME: reason` (the header is line 1); if there
//! is any, nothing changes. Otherwise everything is written in one transaction.
//!
//! The file: UTF-8 with or without a byte-order mark, a header row naming
//! exactly the expected columns in any order, comma-separated (a header with
//! semicolons and no comma, as some spreadsheets save, switches to semicolons).
//! Every value is trimmed and NFC-normalised; rows whose values are all empty
//! are skipped.

pub mod csv_file;
pub mod enrollments;
pub mod units;
pub mod users;

use std::fmt;

use sea_orm::DbErr;
pub use units::{UnitsImport, import_units};
pub use users::{NewAccount, UsersImport, import_users};

/// One problem in the file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RowError {
    /// The file's line number (the header is line 1).
    pub line: u64,
    /// The column, when the problem is in one value.
    pub column: Option<String>,
    pub message: String,
}

impl RowError {
    pub fn new(line: u64, column: Option<&str>, message: impl Into<String>) -> Self {
        Self { line, column: column.map(str::to_string), message: message.into() }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(f, "line {}, column {}: {}", self.line, column, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// Why an import changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Every problem found, in line order.
    #[error("{} lỗi, không thay đổi gì / {} problems, nothing was changed", .0.len(), .0.len())]
    Invalid(Vec<RowError>),
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl ImportError {
    /// The problems, if the file was refused.
    pub fn problems(&self) -> &[RowError] {
        match self {
            ImportError::Invalid(problems) => problems,
            ImportError::Db(_) => &[],
        }
    }
}

/// Collects problems; `finish` sorts them by line.
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<RowError>);

impl Problems {
    pub(crate) fn add(&mut self, line: u64, column: Option<&str>, message: impl Into<String>) {
        self.0.push(RowError::new(line, column, message));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn finish(mut self) -> Result<(), ImportError> {
        if self.0.is_empty() {
            return Ok(());
        }
        self.0.sort();
        self.0.dedup();
        Err(ImportError::Invalid(self.0))
    }
}

/// The import's transaction takes SQLite's write lock at once, so what was checked inside it cannot change
/// before the writes.
pub(crate) use crate::platform::db::begin_write;

/// How a Vietnamese reader and an English one are both told: "vi / en".
pub(crate) fn both(vi: &str, en: &str) -> String {
    format!("{vi} / {en}")
}
