//! What a database holds, as a backup or a restore needs to know it: its tables, whether it is ours (the
//! migrator's table and the accounts), which migrations it has, and the few figures an operator recognises.
//! Plain SQL on either engine, without migrating anything.

use daotao_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::{BackupError, Summary};

/// The table the migrator records applied migrations in.
pub const MIGRATIONS_TABLE: &str = "seaql_migrations";
/// A table every database of ours has from its first migration on.
pub const ACCOUNTS_TABLE: &str = "users";
/// The tables whose rows a summary counts: what an operator checks after a restore.
const COUNTED: [&str; 3] = ["users", "enrollments", "quiz_attempts"];

/// Every migration this build knows, in order.
pub fn known_migrations() -> Vec<String> {
    Migrator::migrations().iter().map(|m| m.name().to_string()).collect()
}

/// The migrations of `applied` this build does not know, joined for a message; `None` when it knows them all.
pub fn unknown_migrations(applied: &[String]) -> Option<String> {
    let known = known_migrations();
    let unknown: Vec<&str> = applied.iter().filter(|m| !known.contains(m)).map(String::as_str).collect();
    (!unknown.is_empty()).then(|| unknown.join(", "))
}

/// The tables of the database, without the engine's own (`sqlite_*`, PostgreSQL's catalogs); those of
/// another schema than the connection's are named `schema.table`.
pub async fn tables(db: &impl ConnectionTrait) -> Result<Vec<String>, BackupError> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT CASE WHEN schemaname = current_schema() THEN tablename \
             ELSE schemaname || '.' || tablename END FROM pg_tables \
             WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
        }
        _ => {
            "SELECT name FROM sqlite_master \
             WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY 1"
        }
    };
    strings(db, sql).await
}

/// The migrations applied to a database of ours (empty when it has no migrator table).
pub async fn applied_migrations(
    db: &impl ConnectionTrait,
    tables: &[String],
) -> Result<Vec<String>, BackupError> {
    if !tables.iter().any(|t| t == MIGRATIONS_TABLE) {
        return Ok(Vec::new());
    }
    strings(db, &format!("SELECT version FROM {MIGRATIONS_TABLE} ORDER BY version")).await
}

/// The summary of the database `db` sees (inside a transaction: of its snapshot).
pub async fn summary_of(db: &impl ConnectionTrait) -> Result<Summary, BackupError> {
    let tables = tables(db).await?;
    let mut rows = Vec::new();
    for table in COUNTED.iter().filter(|t| tables.iter().any(|name| name == *t)) {
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT count(*) FROM {table}"),
            ))
            .await
            .map_err(sql_error)?;
        let count = row.map(|r| r.try_get_by_index::<i64>(0)).transpose().map_err(sql_error)?.unwrap_or(0);
        rows.push((table.to_string(), count));
    }
    let schema = applied_migrations(db, &tables).await?.pop();
    Ok(Summary { tables: tables.len(), rows, schema })
}

/// What a database that is not empty holds, for the refusal: its tables and, when ours, its figures.
pub async fn describe_contents(db: &impl ConnectionTrait) -> Result<Option<String>, BackupError> {
    let summary = summary_of(db).await?;
    if summary.tables == 0 {
        return Ok(None);
    }
    let mut what = format!("{} tables", summary.tables);
    if let Some(schema) = &summary.schema {
        what.push_str(&format!(" of Đào tạo số at {schema}"));
    }
    for (table, count) in &summary.rows {
        what.push_str(&format!(", {count} rows in {table}"));
    }
    Ok(Some(what))
}

async fn strings(db: &impl ConnectionTrait, sql: &str) -> Result<Vec<String>, BackupError> {
    let rows =
        db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.map_err(sql_error)?;
    rows.iter().map(|r| r.try_get_by_index::<String>(0).map_err(sql_error)).collect()
}

/// A sea-orm error as a backup error (the database's own message, which never holds the URL).
pub fn sql_error(e: impl std::fmt::Display) -> BackupError {
    BackupError::Database(e.to_string())
}
