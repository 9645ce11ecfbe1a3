//! What the benchmark tools share: each seeds a scratch PostgreSQL database named on its command line and
//! drops it at the end (see the `run.sh` beside each tool), seeds it with [`seeding`], and reports what each
//! step cost with [`usage`].

pub mod seeding;
pub mod usage;

use anyhow::{Context, ensure};
use sea_orm::ConnectionTrait;

/// A name that is safe to put in `CREATE DATABASE` as it is: lowercase letters, digits and `_`.
fn check_name(name: &str) -> anyhow::Result<()> {
    ensure!(
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
        "database name `{name}`: use lowercase letters, digits and _"
    );
    Ok(())
}

/// (Re)creates the empty database `name` on the server of `admin_url`; returns its URL.
pub async fn create_postgres(admin_url: &str, name: &str) -> anyhow::Result<String> {
    drop_postgres(admin_url, name).await?;
    let admin =
        sea_orm::Database::connect(admin_url).await.with_context(|| format!("connect to {admin_url}"))?;
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
    let (server, _) = admin_url.rsplit_once('/').context("a database URL ends with /database")?;
    Ok(format!("{server}/{name}"))
}

/// Drops the database `name` (if it exists) on the server of `admin_url`, closing its connections.
pub async fn drop_postgres(admin_url: &str, name: &str) -> anyhow::Result<()> {
    check_name(name)?;
    let admin =
        sea_orm::Database::connect(admin_url).await.with_context(|| format!("connect to {admin_url}"))?;
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await?;
    Ok(())
}
