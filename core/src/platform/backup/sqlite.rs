//! SQLite: a backup is `VACUUM INTO` a new file (a read transaction, so the server's writers never wait); a
//! restore checks the backup file (integrity, our schema, migrations known), then copies it into place
//! beside the database and renames it over it, the old database's WAL and shared-memory files removed first
//! (an old WAL replayed onto the restored file would corrupt it).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sea_orm::{ConnectionTrait, DatabaseConnection, SqlxSqliteConnector, Statement};

use super::schema::{self, sql_error};
use super::{BackupError, Summary, file_error, partial_path, put_in_place};

/// The database file an `sqlite:` URL names, as sqlx reads the URL.
fn database_file(url: &str) -> Result<PathBuf, BackupError> {
    let options = SqliteConnectOptions::from_str(url).map_err(sql_error)?;
    let path = options.get_filename().to_path_buf();
    if url.contains(":memory:") || url.contains("mode=memory") {
        return Err(BackupError::InMemory);
    }
    Ok(path)
}

/// One connection to `options`, as sea-orm's.
async fn open(options: SqliteConnectOptions) -> Result<DatabaseConnection, BackupError> {
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.map_err(sql_error)?;
    Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
}

/// A backup file opened to be read and never changed.
async fn open_backup(path: &Path) -> Result<DatabaseConnection, BackupError> {
    open(SqliteConnectOptions::new().filename(path).read_only(true).immutable(true)).await
}

/// Writes the database at `url` to `partial` with `VACUUM INTO` and summarises the copy.
pub async fn backup(url: &str, partial: &Path) -> Result<Summary, BackupError> {
    let path = database_file(url)?;
    if !path.is_file() {
        return Err(BackupError::NoDatabaseFile(path));
    }
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(10));
    let db = open(options).await?;
    let target = partial.to_string_lossy().replace('\'', "''");
    db.execute_unprepared(&format!("VACUUM INTO '{target}'")).await.map_err(sql_error)?;
    db.close().await.map_err(sql_error)?;
    let copy = open_backup(partial).await?;
    let summary = schema::summary_of(&copy).await;
    copy.close().await.map_err(sql_error)?;
    summary
}

/// Checks the backup `file`, refuses a database at `url` that is not empty unless `force`, and puts the
/// backup in its place. Returns whether something was replaced and the migrations the backup has.
pub async fn restore(url: &str, file: &Path, force: bool) -> Result<(bool, Vec<String>), BackupError> {
    let target = database_file(url)?;
    if same_file(file, &target) {
        return Err(BackupError::SameFile(file.to_path_buf()));
    }
    let in_backup = check_backup(file).await?;
    let occupied = contents_of(&target).await?;
    if let Some(what) = &occupied
        && !force
    {
        return Err(BackupError::NotEmpty { what: what.clone() });
    }
    if occupied.is_some() {
        ensure_unused(&target).await?;
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(file_error(dir))?;
    }
    let partial = partial_path(&target);
    if let Err(e) = std::fs::copy(file, &partial) {
        let _ = std::fs::remove_file(&partial);
        return Err(BackupError::File { path: partial, source: e });
    }
    // The old database's journal files belong to the old file: gone before the new one takes its name.
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = target.clone().into_os_string();
        name.push(suffix);
        match std::fs::remove_file(&name) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(BackupError::File { path: name.into(), source: e });
            }
            _ => {}
        }
    }
    put_in_place(&partial, &target)?;
    Ok((occupied.is_some(), in_backup))
}

/// Refuses a database file that another connection has open: a server still running on it would go on
/// writing to the replaced file, and every write would be lost. A WAL database cannot leave WAL mode while
/// another connection has it open, so switching it out of WAL (its contents are about to be replaced
/// anyway) tells; a file SQLite cannot open is nobody's database.
async fn ensure_unused(path: &Path) -> Result<(), BackupError> {
    let options = SqliteConnectOptions::new().filename(path).busy_timeout(Duration::from_secs(5));
    let Ok(db) = open(options).await else { return Ok(()) };
    let answer = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), "PRAGMA journal_mode = DELETE"))
        .await;
    let _ = db.close().await;
    let mode = match answer {
        Ok(row) => row.and_then(|r| r.try_get_by_index::<String>(0).ok()).unwrap_or_default(),
        Err(e) if e.to_string().contains("locked") || e.to_string().contains("busy") => String::new(),
        Err(_) => return Ok(()),
    };
    if mode.eq_ignore_ascii_case("delete") { Ok(()) } else { Err(BackupError::InUse(path.to_path_buf())) }
}

/// Whether `a` and `b` are the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Checks that `file` is a whole SQLite database of ours whose migrations this build knows; returns them.
async fn check_backup(file: &Path) -> Result<Vec<String>, BackupError> {
    let db = open_backup(file).await.map_err(|e| BackupError::NotOurs {
        file: file.to_path_buf(),
        why: format!("SQLite cannot open it: {e}"),
    })?;
    let checked = check_open_backup(&db, file).await;
    db.close().await.map_err(sql_error)?;
    checked
}

async fn check_open_backup(db: &DatabaseConnection, file: &Path) -> Result<Vec<String>, BackupError> {
    let damaged = |report: String| BackupError::Damaged { file: file.to_path_buf(), report };
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), "PRAGMA integrity_check"))
        .await
        .map_err(|e| damaged(e.to_string()))?;
    let report: Vec<String> = rows.iter().filter_map(|r| r.try_get_by_index::<String>(0).ok()).collect();
    if report != ["ok"] {
        return Err(damaged(report.join("; ")));
    }
    let tables = schema::tables(db).await?;
    for needed in [schema::MIGRATIONS_TABLE, schema::ACCOUNTS_TABLE] {
        if !tables.iter().any(|t| t == needed) {
            return Err(BackupError::NotOurs {
                file: file.to_path_buf(),
                why: format!("it has no table `{needed}`"),
            });
        }
    }
    let applied = schema::applied_migrations(db, &tables).await?;
    if let Some(unknown) = schema::unknown_migrations(&applied) {
        return Err(BackupError::NewerSchema { file: file.to_path_buf(), unknown });
    }
    Ok(applied)
}

/// What the database file at `path` holds, or `None` when there is none or it has no table.
async fn contents_of(path: &Path) -> Result<Option<String>, BackupError> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(BackupError::File { path: path.to_path_buf(), source: e }),
        Ok(meta) if meta.len() == 0 => return Ok(None),
        Ok(_) => {}
    }
    let options =
        SqliteConnectOptions::new().filename(path).read_only(true).busy_timeout(Duration::from_secs(10));
    let described = match open(options).await {
        Ok(db) => {
            let described = schema::describe_contents(&db).await;
            db.close().await.map_err(sql_error)?;
            described
        }
        Err(e) => Err(e),
    };
    // A file SQLite cannot read is something, not nothing: replaced only with --force.
    Ok(described.unwrap_or_else(|e| Some(format!("a file SQLite cannot read: {e}"))))
}
