//! `units import` and `users import`: CSV files, all or nothing.

use crate::output::{errln, outln};
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use daotao_core::import::{self, ImportError};
use daotao_core::platform::config::Config;

fn read(file: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(file).with_context(|| format!("không đọc được tệp / cannot read {}", file.display()))
}

/// Prints every problem of a refused file, then fails with the summary.
pub(crate) fn refused(file: &Path, e: ImportError) -> anyhow::Error {
    match e {
        ImportError::Invalid(problems) => {
            for problem in &problems {
                if let Err(gone) = errln!("{}: {problem}", file.display()) {
                    return gone;
                }
            }
            anyhow::anyhow!(
                "{} lỗi trong {}, không thay đổi gì / {} problems in {}, nothing was changed",
                problems.len(),
                file.display(),
                problems.len(),
                file.display()
            )
        }
        ImportError::Db(e) => anyhow::Error::new(e).context("cơ sở dữ liệu / database"),
    }
}

pub async fn units(config: &Config, file: &Path, dry_run: bool) -> anyhow::Result<()> {
    let source = read(file)?;
    let db = crate::connect(config).await?;
    let done = import::import_units(&db, &source, dry_run).await.map_err(|e| refused(file, e))?;
    for u in &done.units {
        outln!("{}\t{}\t{}", u.code, u.name, u.parent_code.as_deref().unwrap_or(""))?;
    }
    let n = done.units.len();
    if dry_run {
        errln!(
            "Tệp hợp lệ, chưa thay đổi gì (--dry-run): sẽ tạo {n} đơn vị / the file is valid, nothing changed (--dry-run): would create {n} units"
        )?;
    } else {
        crate::audit(&db, "units.import", &file.display().to_string(), &format!("{n} units")).await?;
        errln!("Đã tạo {n} đơn vị / created {n} units")?;
    }
    Ok(())
}

pub async fn users(config: &Config, file: &Path, dry_run: bool) -> anyhow::Result<()> {
    let source = read(file)?;
    let db = crate::connect(config).await?;
    let started = Instant::now();
    let done = import::import_users(&db, &source, dry_run).await.map_err(|e| refused(file, e))?;
    let n = done.users.len();
    if dry_run {
        for u in &done.users {
            outln!("{}\t{}\t{}\t{}\t{}", u.username, u.full_name, u.unit_code, u.role.as_str(), u.position)?;
        }
        errln!(
            "Tệp hợp lệ, chưa thay đổi gì (--dry-run): sẽ tạo {n} tài khoản / the file is valid, nothing changed (--dry-run): would create {n} accounts"
        )?;
        return Ok(());
    }
    for u in &done.users {
        outln!("{}\t{}", u.username, u.one_time_password.as_deref().unwrap_or_default())?;
    }
    crate::audit(&db, "users.import", &file.display().to_string(), &format!("{n} accounts")).await?;
    errln!(
        "Đã tạo {n} tài khoản trong {:.1} giây; mật khẩu dùng một lần ở trên, phải đổi khi đăng nhập lần đầu / created {n} accounts in {:.1} s; the one-time passwords above must be changed at first login",
        started.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64()
    )?;
    Ok(())
}
