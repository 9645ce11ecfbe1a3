//! Shared by core's integration tests: a fresh PostgreSQL database per test.

use daotao_core::platform::db;
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// A new, empty, migrated database on the test server (`DAOTAO_TEST_POSTGRES_URL`,
/// default postgres://postgres@127.0.0.1:5432/test), its name, and a connection
/// to the server's `test` database to drop it with.
pub async fn fresh_postgres_database() -> (DatabaseConnection, String, DatabaseConnection) {
    let base = std::env::var("DAOTAO_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string());
    let admin = sea_orm::Database::connect(&base).await.unwrap_or_else(|e| {
        panic!("PostgreSQL is needed for this test ({base}): {e}. Start it or set DAOTAO_TEST_POSTGRES_URL.")
    });
    let name = format!(
        "daotao_test_{}_{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos()
    );
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
    let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
    (db::connect(&url).await.unwrap(), name, admin)
}
