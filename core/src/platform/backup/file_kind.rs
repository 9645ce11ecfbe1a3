//! What kind of backup a file is, told by its first bytes (never by its name: cron jobs name files freely).

use std::io::Read;
use std::path::Path;

use super::{BackupError, file_error};
use crate::platform::db::Backend;

/// The header of every SQLite database file.
const SQLITE_HEADER: &[u8] = b"SQLite format 3\0";
/// The start of every pg_dump archive in the custom format (`--format=custom`).
const PG_DUMP_HEADER: &[u8] = b"PGDMP";

/// A backup file's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An SQLite database file (what `VACUUM INTO` writes).
    Sqlite,
    /// A pg_dump archive in the custom format.
    PgDump,
}

impl Kind {
    /// Reads the first bytes of `path`.
    pub fn of_file(path: &Path) -> Result<Kind, BackupError> {
        let mut head = Vec::with_capacity(SQLITE_HEADER.len());
        std::fs::File::open(path)
            .and_then(|f| f.take(SQLITE_HEADER.len() as u64).read_to_end(&mut head))
            .map_err(file_error(path))?;
        Self::of_header(&head).ok_or_else(|| BackupError::UnknownKind(path.to_path_buf()))
    }

    fn of_header(head: &[u8]) -> Option<Kind> {
        if head.starts_with(SQLITE_HEADER) {
            Some(Kind::Sqlite)
        } else if head.starts_with(PG_DUMP_HEADER) {
            Some(Kind::PgDump)
        } else {
            None
        }
    }

    /// The database engine this kind of file restores into.
    pub fn backend(self) -> Backend {
        match self {
            Kind::Sqlite => Backend::Sqlite,
            Kind::PgDump => Backend::Postgres,
        }
    }

    /// How messages name it.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Sqlite => "an SQLite database",
            Kind::PgDump => "a PostgreSQL backup (pg_dump custom format)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_by_their_first_bytes() {
        assert_eq!(Kind::of_header(b"SQLite format 3\0\x10\x00\x02\x02"), Some(Kind::Sqlite));
        assert_eq!(Kind::of_header(b"PGDMP\x01\x0e\x00\x04\x08\x01"), Some(Kind::PgDump));
        // Not the whole SQLite header, a plain SQL dump, an empty file.
        assert_eq!(Kind::of_header(b"SQLite format 3"), None);
        assert_eq!(Kind::of_header(b"--\n-- PostgreSQL database dump\n"), None);
        assert_eq!(Kind::of_header(b""), None);
    }
}
