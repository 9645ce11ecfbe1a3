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

/// (Re)creates the empty database `name` on the server of `admin_url`; returns its URL, with the admin URL's
/// parameters kept (`?sslmode=disable` for a server on the same machine, say).
pub async fn create_postgres(admin_url: &str, name: &str) -> anyhow::Result<String> {
    drop_postgres(admin_url, name).await?;
    let admin =
        sea_orm::Database::connect(admin_url).await.with_context(|| format!("connect to {admin_url}"))?;
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
    database_url(admin_url, name)
}

/// The URL of database `name` on the server of `admin_url`: its path replaced, its query kept.
fn database_url(admin_url: &str, name: &str) -> anyhow::Result<String> {
    let (base, query) = admin_url.split_once('?').map_or((admin_url, None), |(b, q)| (b, Some(q)));
    let (server, _) = base.rsplit_once('/').context("a database URL ends with /database")?;
    Ok(match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    })
}

/// Drops the database `name` (if it exists) on the server of `admin_url`, closing its connections.
pub async fn drop_postgres(admin_url: &str, name: &str) -> anyhow::Result<()> {
    check_name(name)?;
    let admin =
        sea_orm::Database::connect(admin_url).await.with_context(|| format!("connect to {admin_url}"))?;
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::database_url;

    #[test]
    fn the_database_is_replaced_and_the_parameters_kept() {
        let plain = database_url("postgres://postgres@127.0.0.1:5432/test", "rush").unwrap();
        assert_eq!(plain, "postgres://postgres@127.0.0.1:5432/rush");
        let with_query =
            database_url("postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "rush").unwrap();
        assert_eq!(with_query, "postgres://postgres@127.0.0.1:5432/rush?sslmode=disable");
    }
}
