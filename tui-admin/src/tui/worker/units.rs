//! The Đơn vị screen's jobs: the tree, and the changes to it, each audited.

use std::path::Path;

use daotao_core::admin_views::unit_tree;
use daotao_core::import;
use daotao_core::people::units::{self, NewUnit};
use daotao_core::platform::db::Db;

use super::{Progress, Response, count_lines, read_file, refused};

pub(super) async fn tree(db: &Db) -> anyhow::Result<Response> {
    Ok(Response::Units(unit_tree::tree(db).await?))
}

pub(super) async fn add(db: &Db, new: NewUnit) -> anyhow::Result<Response> {
    units::insert_units(db, std::slice::from_ref(&new)).await?;
    crate::audit(db, "unit.create", &new.code, &new.name).await?;
    Ok(Response::Done(format!("Đã thêm đơn vị {} ({})", new.code, new.name)))
}

pub(super) async fn rename(db: &Db, code: &str, name: &str) -> anyhow::Result<Response> {
    let unit = units::rename(db, code, name).await?;
    crate::audit(db, "unit.rename", &unit.code, &unit.name).await?;
    Ok(Response::Done(format!("Đã đổi tên {} thành “{}”", unit.code, unit.name)))
}

/// Moves a unit under `parent`, or to the top level for `None`.
pub(super) async fn move_to(db: &Db, code: &str, parent: Option<String>) -> anyhow::Result<Response> {
    let unit = units::move_to(db, code, parent.as_deref()).await?;
    let to = parent.unwrap_or_else(|| "cấp cao nhất".to_string());
    crate::audit(db, "unit.move", &unit.code, &to).await?;
    Ok(Response::Done(format!("Đã chuyển {} vào {to}", unit.code)))
}

/// Imports a CSV file of units: all of it, or nothing and every problem listed.
pub(super) async fn import(db: &Db, path: &Path, progress: &Progress) -> anyhow::Result<Response> {
    let source = read_file(path, progress)?;
    progress.stage(format!("kiểm tra và ghi {} dòng", count_lines(&source)));
    match import::import_units(db, &source, false).await {
        Ok(done) => {
            let n = done.units.len();
            crate::audit(db, "units.import", &path.display().to_string(), &format!("{n} units")).await?;
            Ok(Response::Done(format!("Đã nhập {n} đơn vị từ {}", path.display())))
        }
        Err(e) => refused(path, e),
    }
}
