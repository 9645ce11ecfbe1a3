//! Backups of the database while the server runs, and restoring one into an empty database (#21).
//!
//! SQLite is copied with `VACUUM INTO` (one read transaction: a consistent snapshot that never blocks the
//! server's writers); PostgreSQL is dumped by `pg_dump --format=custom`, the tool an operator already knows
//! and can read back without us. A backup is written beside its final name and renamed into place once
//! complete and synced, so a cron job that fails half-way never leaves a file that looks like a backup.
//!
//! A restore goes only into an empty database unless forced (an operator who restores over the live one by
//! mistake loses everything since the backup), checks the file first (its kind against the database's, that
//! it holds our schema and no migration this build does not know, SQLite's integrity check), then migrates
//! the result with the same migrator the server runs at start.

mod file_kind;
mod pg_tools;
mod postgres;
mod schema;
mod sqlite;

use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

pub use file_kind::Kind;
pub use pg_tools::major_version;
pub use schema::known_migrations;

use super::db::{Backend, DbError};

/// What a backup holds, read from the same snapshot the backup copied (cheap figures only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Tables in the database (ours and anything else in it).
    pub tables: usize,
    /// Rows of the tables an operator recognises (accounts, enrolments, attempts), those that exist.
    pub rows: Vec<(String, i64)>,
    /// The last migration applied (the schema's version), if it is a database of ours.
    pub schema: Option<String>,
}

/// What `backup` wrote.
#[derive(Debug, Clone)]
pub struct Written {
    pub kind: Kind,
    pub path: PathBuf,
    pub bytes: u64,
    pub summary: Summary,
}

/// What `restore` did.
#[derive(Debug, Clone)]
pub struct Restored {
    pub kind: Kind,
    /// Whether the database held something that `--force` replaced.
    pub replaced: bool,
    /// Migrations applied after restoring (the backup was made by an older version).
    pub migrated: Vec<String>,
    /// The restored database, after its migrations.
    pub summary: Summary,
}

/// Why a backup or a restore did not happen. Never holds the database URL (it may hold a password).
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists: choose another name, or add --overwrite to replace it")]
    OutputExists(PathBuf),
    #[error("there is no SQLite database at {0}")]
    NoDatabaseFile(PathBuf),
    #[error("an in-memory SQLite database has nothing to back up or restore")]
    InMemory,
    #[error(
        "{0} is neither an SQLite database nor a pg_dump archive in the custom format \
         (a plain SQL dump is restored with psql, not with this command)"
    )]
    UnknownKind(PathBuf),
    #[error(
        "{file} is {kind}, but the database is {target}: restore it into a database of its kind \
         (DAOTAO_DATABASE_URL or --database-url)",
        kind = kind.describe(),
        target = backend_name(*target)
    )]
    WrongKind { file: PathBuf, kind: Kind, target: Backend },
    #[error("{file} is not a backup of Đào tạo số: {why}")]
    NotOurs { file: PathBuf, why: String },
    #[error("{file} is damaged: SQLite's integrity check says: {report}")]
    Damaged { file: PathBuf, report: String },
    #[error(
        "{file} was made by a newer version of Đào tạo số: it has migrations this version does not know \
         ({unknown}); restore it with that version or a newer one"
    )]
    NewerSchema { file: PathBuf, unknown: String },
    #[error(
        "the database is not empty ({what}): restore into a new, empty database, \
         or add --force to replace its contents with the backup"
    )]
    NotEmpty { what: String },
    #[error(
        "{0} is open in another program (is a server still running on it?): stop the servers, then restore"
    )]
    InUse(PathBuf),
    #[error("{0} is the database itself: restore from a backup file, not from the live database")]
    SameFile(PathBuf),
    #[error("{program} is not installed or not on PATH ({error}): install Debian's postgresql-client")]
    ToolMissing { program: &'static str, error: String },
    #[error(
        "{program} {client} is older than the PostgreSQL {server} server: it must be of the server's major \
         version or newer. Install postgresql-client-{server_major} (Debian) and put \
         /usr/lib/postgresql/{server_major}/bin first in PATH",
        server_major = major_version(server).unwrap_or_default()
    )]
    ToolTooOld { program: &'static str, client: String, server: String },
    #[error("{program} failed ({status}): {stderr}")]
    ToolFailed { program: &'static str, status: String, stderr: String },
    #[error("{path}: {source}")]
    File { path: PathBuf, source: std::io::Error },
    #[error("database: {0}")]
    Database(String),
    #[error(transparent)]
    Migrate(#[from] DbError),
}

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    }
}

/// An I/O error on `path`, named.
fn file_error(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::File { path: path.to_path_buf(), source }
}

/// Writes a consistent copy of the database at `url` to `output` while the server keeps running. Refuses an
/// existing `output` unless `overwrite`; never migrates nor writes to the database.
pub async fn backup(url: &str, output: &Path, overwrite: bool) -> Result<Written, BackupError> {
    if !overwrite && output.exists() {
        return Err(BackupError::OutputExists(output.to_path_buf()));
    }
    if let Some(dir) = output.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(file_error(dir))?;
    }
    let backend = Backend::of(url)?;
    let partial = partial_path(output);
    let _ = std::fs::remove_file(&partial);
    // Created empty first, readable by its owner only: a backup holds password hashes and personal data.
    // `VACUUM INTO` accepts an empty file, and pg_dump writes into it keeping its mode.
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial)
        .map_err(file_error(&partial))?;
    let result = match backend {
        Backend::Sqlite => sqlite::backup(url, &partial).await,
        Backend::Postgres => postgres::backup(url, &partial).await,
    };
    let summary = match result {
        Ok(summary) => summary,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    put_in_place(&partial, output)?;
    let bytes = std::fs::metadata(output).map_err(file_error(output))?.len();
    let kind = match backend {
        Backend::Sqlite => Kind::Sqlite,
        Backend::Postgres => Kind::PgDump,
    };
    Ok(Written { kind, path: output.to_path_buf(), bytes, summary })
}

/// Restores the backup `file` into the database at `url`, which must be empty unless `force` (then its
/// contents are replaced), and migrates it. Every check on the file is made before the database is touched.
pub async fn restore(url: &str, file: &Path, force: bool) -> Result<Restored, BackupError> {
    let kind = Kind::of_file(file)?;
    let target = Backend::of(url)?;
    if kind.backend() != target {
        return Err(BackupError::WrongKind { file: file.to_path_buf(), kind, target });
    }
    let (replaced, in_backup) = match target {
        Backend::Sqlite => sqlite::restore(url, file, force).await?,
        Backend::Postgres => postgres::restore(url, file, force).await?,
    };
    let db = super::db::connect(url).await?;
    let migrated = schema::known_migrations().into_iter().filter(|m| !in_backup.contains(m)).collect();
    let summary = schema::summary_of(&db).await?;
    db.close().await.map_err(|e| BackupError::Migrate(DbError::Connect(e)))?;
    Ok(Restored { kind, replaced, migrated, summary })
}

/// Where a file is written before it is complete: beside it, so the final rename stays on one file system.
fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

/// Syncs `partial`, renames it to `path` (replacing what was there) and syncs the folder, so that after a
/// power cut `path` is either the old file or the whole new one.
fn put_in_place(partial: &Path, path: &Path) -> Result<(), BackupError> {
    std::fs::File::open(partial).and_then(|f| f.sync_all()).map_err(file_error(partial))?;
    std::fs::rename(partial, path).map_err(file_error(path))?;
    sync_folder_of(path)
}

/// Syncs the folder holding `path` (a rename is durable only once its folder is).
fn sync_folder_of(path: &Path) -> Result<(), BackupError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::File::open(dir).and_then(|f| f.sync_all()).map_err(file_error(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_file_sits_beside_the_backup() {
        assert_eq!(
            partial_path(Path::new("/b/daotao-2026-12-04.sqlite")),
            Path::new("/b/daotao-2026-12-04.sqlite.partial")
        );
        assert_eq!(partial_path(Path::new("x.dump")), Path::new("x.dump.partial"));
    }
}
