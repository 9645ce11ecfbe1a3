//! `daotao-admin backup --output FILE [--overwrite]` and `daotao-admin restore FILE [--force]` (#21): the
//! command-line side of core's `platform::backup` (what it writes, what it refuses, in both languages).
//! The operator's guide, with the cron line and the restore drill, is `docs/operations.md`.

use std::path::Path;

use daotao_core::platform::backup::{self, BackupError, Kind, Summary};
use daotao_core::platform::config::Config;

use crate::database_url;
use crate::output::outln;

/// Backs up the configured database to `output` and says what was written.
pub async fn backup(config: &Config, output: &Path, overwrite: bool) -> anyhow::Result<()> {
    let url = &config.database_url;
    let written = backup::backup(url, output, overwrite).await.map_err(|e| explain(e, url))?;
    outln!(
        "Đã sao lưu / backed up {} -> {} ({}, {})",
        database_url::redacted(url),
        written.path.display(),
        kind_name(written.kind),
        size(written.bytes)
    )?;
    outln!("  {}", summary_line(&written.summary))?;
    Ok(())
}

/// Restores `file` into the configured database, migrates it, records it in the audit log and says so.
pub async fn restore(config: &Config, file: &Path, force: bool) -> anyhow::Result<()> {
    let url = &config.database_url;
    let restored = backup::restore(url, file, force).await.map_err(|e| explain(e, url))?;
    let replaced =
        if restored.replaced { " (nội dung cũ đã bị thay / its old contents replaced)" } else { "" };
    outln!("Đã khôi phục / restored {} -> {}{replaced}", file.display(), database_url::redacted(url))?;
    if restored.migrated.is_empty() {
        outln!("  Lược đồ đã là mới nhất / the schema was already current")?;
    } else {
        outln!(
            "  Đã nâng cấp lược đồ / migrated: {} ({})",
            restored.migrated.len(),
            restored.migrated.join(", ")
        )?;
    }
    outln!("  {}", summary_line(&restored.summary))?;
    let db = crate::connect(config).await?;
    crate::audit(&db, "database.restore", &file.display().to_string(), &summary_line(&restored.summary)).await
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Sqlite => "SQLite",
        Kind::PgDump => "pg_dump custom format",
    }
}

/// `12 tables; rows: users 40, enrollments 40, quiz_attempts 132; schema m20261204_000012_attempt_items`.
fn summary_line(summary: &Summary) -> String {
    let rows: Vec<String> = summary.rows.iter().map(|(table, n)| format!("{table} {n}")).collect();
    let schema = summary.schema.as_deref().unwrap_or("không phải của Đào tạo số / not ours");
    format!(
        "{} bảng / tables; số dòng / rows: {}; lược đồ / schema: {schema}",
        summary.tables,
        if rows.is_empty() { "-".to_string() } else { rows.join(", ") }
    )
}

/// A size for people: bytes, KiB, MiB or GiB with one decimal.
fn size(bytes: u64) -> String {
    const UNITS: [&str; 3] = ["KiB", "MiB", "GiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// One backup error as one bilingual line, never with the database's password.
fn explain(e: BackupError, url: &str) -> anyhow::Error {
    let vi = match &e {
        BackupError::OutputExists(_) => "tệp sao lưu đã có",
        BackupError::NoDatabaseFile(_) => "không có cơ sở dữ liệu",
        BackupError::InMemory => "cơ sở dữ liệu trong bộ nhớ",
        BackupError::UnknownKind(_) => "không nhận ra loại tệp sao lưu",
        BackupError::WrongKind { .. } => "tệp sao lưu không cùng loại với cơ sở dữ liệu",
        BackupError::NotOurs { .. } => "tệp không phải bản sao lưu của Đào tạo số",
        BackupError::Damaged { .. } => "tệp sao lưu bị hỏng",
        BackupError::NewerSchema { .. } => "bản sao lưu của phiên bản mới hơn",
        BackupError::NotEmpty { .. } => {
            "cơ sở dữ liệu không trống: hãy khôi phục vào cơ sở dữ liệu mới, hoặc thêm --force để thay nội dung"
        }
        BackupError::InUse(_) => "cơ sở dữ liệu đang được dùng: hãy dừng máy chủ trước",
        BackupError::SameFile(_) => "tệp sao lưu chính là cơ sở dữ liệu",
        BackupError::ToolMissing { .. } => "chưa cài công cụ của PostgreSQL",
        BackupError::ToolTooOld { .. } => "công cụ của PostgreSQL cũ hơn máy chủ",
        BackupError::ToolFailed { .. } => "công cụ của PostgreSQL báo lỗi",
        BackupError::File { .. } => "lỗi tệp",
        BackupError::Database(_) | BackupError::Migrate(_) => "cơ sở dữ liệu",
    };
    anyhow::anyhow!("{vi} / {}", database_url::redact_in(&e.to_string(), url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size(512), "512 B");
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(5 * 1024 * 1024 + 1), "5.0 MiB");
        assert_eq!(size(3 * 1024 * 1024 * 1024), "3.0 GiB");
    }
}
