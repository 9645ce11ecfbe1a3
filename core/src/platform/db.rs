//! The database connection: SQLite (the default, nothing to install) or
//! PostgreSQL (to run several servers against one database), chosen by the
//! URL scheme, and migrated to the current schema on connect.

use std::path::{Path, PathBuf};
use std::time::Duration;

use daotao_migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, SqliteTransactionMode,
    Statement, TransactionOptions, TransactionTrait,
};

pub use sea_orm::DatabaseConnection as Db;

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// Names the scheme only: the rest of the URL may hold a password, and this message goes to logs.
    #[error(
        "unsupported database URL scheme `{0}:`: use sqlite://path/to/file.sqlite or postgres://user@host/db"
    )]
    UnsupportedScheme(String),
    #[error("cannot create the folder {0} for the SQLite database: {1}")]
    CreateDir(PathBuf, std::io::Error),
    #[error("cannot connect to the database: {0}")]
    Connect(DbErr),
    #[error("cannot migrate the database: {0}")]
    Migrate(DbErr),
}

/// Which engine a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Picks the engine from the URL scheme.
    pub fn of(url: &str) -> Result<Self, DbError> {
        let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Self::Sqlite),
            "postgres" | "postgresql" => Ok(Self::Postgres),
            _ => Err(DbError::UnsupportedScheme(scheme.chars().take(20).collect())),
        }
    }
}

/// Opens the database named by `url` and applies pending migrations.
///
/// SQLite files (and their folder) are created if missing and run in WAL mode
/// with `synchronous = FULL` (a learner's saved answer survives a power cut),
/// a busy timeout instead of instant "database is locked" errors, and foreign keys on.
///
/// Why not `synchronous = NORMAL`, which would spare the `fsync` of every commit: in WAL mode it
/// loses nothing when the *process* dies (SIGKILL, a panic, the OOM killer: committed pages are in the
/// WAL file, in the kernel's cache, and the next open replays them), but after a *power cut or a kernel
/// crash* the transactions committed since the last checkpoint may be rolled back, and a learner would
/// have been told "submitted" for a submission that is gone. The cost of `FULL` under load is paid
/// down instead by committing the hot writes in groups ([`crate::platform::group_commit`]): one `fsync` for every
/// write queued meanwhile, each answered only after that `fsync`.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbError> {
    let mut options = ConnectOptions::new(url);
    options.sqlx_logging(false);
    match Backend::of(url)? {
        Backend::Sqlite => {
            if let Some(dir) = sqlite_parent_dir(url) {
                std::fs::create_dir_all(&dir).map_err(|e| DbError::CreateDir(dir, e))?;
            }
            options.max_connections(8).map_sqlx_sqlite_opts(|o: SqliteConnectOptions| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
            });
        }
        Backend::Postgres => {
            options.max_connections(20);
        }
    }
    let db = Database::connect(options).await.map_err(DbError::Connect)?;
    Migrator::up(&db, None).await.map_err(DbError::Migrate)?;
    crate::people::search_key::fill_missing_keys(&db).await.map_err(DbError::Migrate)?;
    Ok(db)
}

/// Begins a transaction that will write after reading. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`), waiting for it under the busy timeout: a transaction begun as a reader (the default,
/// `DEFERRED`) that reads, then writes after another connection has committed, fails at its first write with
/// "database is locked" (`SQLITE_BUSY_SNAPSHOT`, 517), which no busy timeout can wait out, because its
/// snapshot is stale; and what it decided from its reads could no longer hold. PostgreSQL ignores the mode.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Work that one transaction at a time may do on a database, however many servers share it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exclusive {
    /// The programmes pass (`learning::programmes::assign`): every server runs it at start-up and daily, and an
    /// admin may run it too; two at once on PostgreSQL would both plan the same assignments from the same
    /// reads, and one would fail on the unique key.
    ProgrammesPass,
}

impl Exclusive {
    /// Its PostgreSQL advisory lock key: fixed, and distinct per kind of work ("daotao" in ASCII, then a number).
    fn key(self) -> i64 {
        match self {
            Self::ProgrammesPass => 0x6461_6f74_616f_0001,
        }
    }
}

/// Begins a transaction like [`begin_write`] that also waits until no other transaction doing `work` runs.
/// SQLite's write lock already makes it so; on PostgreSQL (read committed: two readers do not block each
/// other) a transaction-level advisory lock does, released by the commit or rollback.
pub async fn begin_exclusive<C: TransactionTrait>(db: &C, work: Exclusive) -> Result<C::Transaction, DbErr> {
    let txn = begin_write(db).await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        advisory_lock(&txn, work.key()).await?;
    }
    Ok(txn)
}

/// Waits for PostgreSQL's transaction-level advisory lock `key`, released by the commit or rollback: how
/// transactions of several servers on one database take turns at one piece of work. PostgreSQL only.
pub async fn advisory_lock(txn: &impl ConnectionTrait, key: i64) -> Result<(), DbErr> {
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock($1)",
        [key.into()],
    ))
    .await?;
    Ok(())
}

/// The folder of an SQLite file URL (`sqlite://data/x.sqlite` -> `data`), if it has one.
fn sqlite_parent_dir(url: &str) -> Option<PathBuf> {
    let path = url.trim_start_matches("sqlite:").trim_start_matches("//").split('?').next()?;
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()).map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_is_chosen_by_scheme() {
        assert_eq!(Backend::of("sqlite://data/x.sqlite").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::of("sqlite::memory:").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::of("postgres://u@h/d").unwrap(), Backend::Postgres);
        assert_eq!(Backend::of("postgresql://u@h/d").unwrap(), Backend::Postgres);
        let err = Backend::of("mysql://root:mat-khau@localhost/test").unwrap_err();
        assert!(err.to_string().starts_with("unsupported database URL scheme `mysql:`"), "{err}");
        assert!(!err.to_string().contains("mat-khau"), "never the password: {err}");
    }

    #[test]
    fn sqlite_folder_is_found() {
        assert_eq!(sqlite_parent_dir("sqlite://data/daotao.sqlite"), Some(PathBuf::from("data")));
        assert_eq!(sqlite_parent_dir("sqlite:///tmp/a/b.sqlite?mode=rwc"), Some(PathBuf::from("/tmp/a")));
        assert_eq!(sqlite_parent_dir("sqlite://x.sqlite"), None);
        assert_eq!(sqlite_parent_dir("sqlite::memory:"), None);
    }

    #[tokio::test]
    async fn creates_migrates_and_uses_wal() {
        use sea_orm::{ConnectionTrait, Statement};
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/sub/dir/t.sqlite", dir.path().display());
        let db = connect(&url).await.unwrap();
        assert!(dir.path().join("sub/dir/t.sqlite").is_file());
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), "PRAGMA journal_mode"))
            .await
            .unwrap()
            .unwrap();
        let mode: String = row.try_get_by_index(0).unwrap();
        assert_eq!(mode, "wal");
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), "PRAGMA foreign_keys"))
            .await
            .unwrap()
            .unwrap();
        let on: i32 = row.try_get_by_index(0).unwrap();
        assert_eq!(on, 1);
        // Connecting again (a restart) finds the schema already there.
        drop(db);
        connect(&url).await.unwrap();
    }
}
