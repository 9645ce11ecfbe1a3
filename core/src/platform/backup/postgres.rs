//! PostgreSQL: a backup is `pg_dump --format=custom` of a snapshot this module exports and holds open, so the
//! figures it prints are those of the very data dumped; a restore reads the archive's table of contents and
//! its migrations first (with `pg_restore` itself), then `pg_restore` runs in one transaction: a restore that
//! fails leaves the database as it was.

use std::path::Path;

use sea_orm::{
    AccessMode, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, IsolationLevel, Statement,
    TransactionTrait,
};
use tokio::process::Command;

use super::pg_tools::{self, PgTarget};
use super::schema::{self, sql_error};
use super::{BackupError, Summary};

/// The table a TOC line of `pg_restore --list` creates: `217; 1259 16386 TABLE public users postgres`.
fn toc_table(line: &str) -> Option<(&str, &str)> {
    let (_, entry) = line.split_once("; ")?;
    let words: Vec<&str> = entry.split_whitespace().collect();
    match words.as_slice() {
        [_, _, "TABLE", schema, name, ..] if *schema != "DATA" => Some((schema, name)),
        _ => None,
    }
}

/// The first column of the rows a `COPY <table> ... FROM stdin;` block of a data-only restore script holds.
fn copied_first_column(script: &str, table: &str) -> Vec<String> {
    let mut lines = script.lines().skip_while(|l| !(l.starts_with("COPY ") && l.contains(table))).skip(1);
    let mut values = Vec::new();
    for line in lines.by_ref() {
        if line == "\\." {
            break;
        }
        values.push(line.split('\t').next().unwrap_or_default().to_string());
    }
    values
}

/// A plain connection (no migration: a backup never changes the database, a restore migrates after).
async fn connect(url: &str) -> Result<DatabaseConnection, BackupError> {
    let mut options = ConnectOptions::new(url);
    options.sqlx_logging(false).max_connections(1);
    Database::connect(options).await.map_err(sql_error)
}

async fn one_string(db: &impl ConnectionTrait, sql: &str) -> Result<String, BackupError> {
    let row =
        db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.map_err(sql_error)?;
    row.ok_or_else(|| BackupError::Database(format!("`{sql}` returned nothing")))?
        .try_get_by_index::<String>(0)
        .map_err(sql_error)
}

/// Dumps the database at `url` into `partial` from a snapshot held open meanwhile; summarises that snapshot.
pub async fn backup(url: &str, partial: &Path) -> Result<Summary, BackupError> {
    let client = pg_tools::client_version("pg_dump").await?;
    let db = connect(url).await?;
    let server = one_string(&db, "SHOW server_version").await?;
    pg_tools::check_not_older("pg_dump", &client, &server)?;
    let snapshot = db
        .begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly))
        .await
        .map_err(sql_error)?;
    let id = one_string(&snapshot, "SELECT pg_export_snapshot()").await?;
    let summary = schema::summary_of(&snapshot).await?;
    let mut command = PgTarget::of(url).command("pg_dump");
    command.arg("--format=custom").arg(format!("--snapshot={id}")).arg("--file").arg(partial);
    pg_tools::run("pg_dump", command).await?;
    snapshot.commit().await.map_err(sql_error)?;
    db.close().await.map_err(sql_error)?;
    Ok(summary)
}

/// Checks the archive `file`, refuses a database at `url` that is not empty unless `force`, and restores the
/// archive into it. Returns whether something was replaced and the migrations the backup has.
pub async fn restore(url: &str, file: &Path, force: bool) -> Result<(bool, Vec<String>), BackupError> {
    let client = pg_tools::client_version("pg_restore").await?;
    let unreadable = |e: BackupError| BackupError::NotOurs {
        file: file.to_path_buf(),
        why: format!("pg_restore {client} cannot read it: {e}"),
    };
    let mut list = Command::new("pg_restore");
    list.arg("--list").arg(file);
    let toc =
        String::from_utf8_lossy(&pg_tools::run("pg_restore", list).await.map_err(unreadable)?).into_owned();
    let dumped: Vec<(&str, &str)> = toc.lines().filter_map(toc_table).collect();
    for needed in [schema::MIGRATIONS_TABLE, schema::ACCOUNTS_TABLE] {
        if !dumped.iter().any(|(_, name)| *name == needed) {
            return Err(BackupError::NotOurs {
                file: file.to_path_buf(),
                why: format!("it has no table `{needed}`"),
            });
        }
    }
    let mut migrations = Command::new("pg_restore");
    migrations.args(["--data-only", "--table", schema::MIGRATIONS_TABLE, "--file", "-"]).arg(file);
    let script = pg_tools::run("pg_restore", migrations).await.map_err(unreadable)?;
    let in_backup = copied_first_column(&String::from_utf8_lossy(&script), schema::MIGRATIONS_TABLE);
    if let Some(unknown) = schema::unknown_migrations(&in_backup) {
        return Err(BackupError::NewerSchema { file: file.to_path_buf(), unknown });
    }

    let db = connect(url).await?;
    let occupied = schema::describe_contents(&db).await?;
    if let Some(what) = &occupied
        && !force
    {
        return Err(BackupError::NotEmpty { what: what.clone() });
    }
    if occupied.is_some() {
        drop_tables_not_in(&db, &dumped).await?;
    }
    db.close().await.map_err(sql_error)?;

    let mut command = PgTarget::of(url).command("pg_restore");
    // Roles and grants belong to the server the backup came from, not to this one.
    command.args(["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]);
    if force {
        command.args(["--clean", "--if-exists"]);
    }
    command.arg(file);
    pg_tools::run("pg_restore", command).await?;
    Ok((occupied.is_some(), in_backup))
}

/// Drops the tables of the connection's schema that the archive does not have (a newer version's, say),
/// so that what `--force` leaves is the backup alone and the migrations that follow find their tables absent.
async fn drop_tables_not_in(db: &DatabaseConnection, dumped: &[(&str, &str)]) -> Result<(), BackupError> {
    for table in schema::tables(db).await? {
        // Tables of other schemas are named `schema.table` and left alone.
        if table.contains('.') || dumped.iter().any(|(_, name)| *name == table) {
            continue;
        }
        let quoted = table.replace('"', "\"\"");
        db.execute_unprepared(&format!("DROP TABLE IF EXISTS \"{quoted}\" CASCADE"))
            .await
            .map_err(sql_error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_read_from_the_table_of_contents() {
        let toc = ";\n; Archive created at 2026-12-04 05:40:01 UTC\n;\n\
                   215; 1259 16390 TABLE public users postgres\n\
                   216; 1259 16389 SEQUENCE public users_id_seq postgres\n\
                   3380; 0 16390 TABLE DATA public users postgres\n\
                   214; 1259 16385 TABLE public seaql_migrations postgres\n";
        let tables: Vec<_> = toc.lines().filter_map(toc_table).collect();
        assert_eq!(tables, [("public", "users"), ("public", "seaql_migrations")]);
    }

    #[test]
    fn migrations_are_read_from_the_copy_block() {
        let script = "--\n-- PostgreSQL database dump\n--\n\
                      COPY public.seaql_migrations (version, applied_at) FROM stdin;\n\
                      m20261126_000001_catalog\t1764800000\n\
                      m20261126_000002_accounts\t1764800001\n\\.\n\n";
        assert_eq!(
            copied_first_column(script, "seaql_migrations"),
            ["m20261126_000001_catalog", "m20261126_000002_accounts"]
        );
        assert!(copied_first_column("", "seaql_migrations").is_empty());
    }
}
