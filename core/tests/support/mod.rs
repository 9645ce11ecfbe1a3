//! Shared by core's integration tests: a fresh PostgreSQL database per test, from the one test harness
//! (`daotao-tests`), so a machine without the server skips these tests instead of failing them.

use daotao_core::platform::db;
use sea_orm::DatabaseConnection;

/// A new, empty, migrated database on the test server (`DAOTAO_TEST_POSTGRES_URL`, default
/// postgres://postgres@127.0.0.1:5432/test), or `None` when the test was reported as skipped.
pub async fn fresh_postgres_database() -> Option<DatabaseConnection> {
    let url = daotao_tests::fresh_postgres_database().await?;
    Some(db::connect(&url).await.unwrap())
}
