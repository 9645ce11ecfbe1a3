//! The Khoá học and Ghi danh screens' jobs: the catalog, a course's enrollments, and enrolling (one person, a
//! unit with its sub-units, a CSV list), due dates and withdrawals, each audited.

use std::path::Path;

use chrono::NaiveDate;
use daotao_core::admin_views::course_enrollments;
use daotao_core::admin_views::course_stats;
use daotao_core::import::enrollments::{EnrollFileError, import_enrollments};
use daotao_core::learning::enrollment;
use daotao_core::people::accounts;
use daotao_core::platform::db::Db;

use super::{PER_PAGE, Progress, Response, count_lines, read_file, refused};
use crate::enroll::explain;

pub(super) async fn catalog(db: &Db) -> anyhow::Result<Response> {
    Ok(Response::Courses(course_stats::catalog(db).await?))
}

pub(super) async fn page(db: &Db, course: &str, filter: String, page: u64) -> anyhow::Result<Response> {
    let page = course_enrollments::page(db, course, &filter, page, PER_PAGE).await?;
    Ok(Response::Enrolled { filter, page })
}

/// Enrols one person; someone already enrolled is left as they are.
pub(super) async fn enrol_user(
    db: &Db,
    course: &str,
    username: &str,
    due: Option<NaiveDate>,
) -> anyhow::Result<Response> {
    let Some(user) = accounts::find_user(db, username).await? else {
        anyhow::bail!("Không có tài khoản `{username}`");
    };
    let added = enrollment::enroll_users(db, course, &[user.id], due, None).await.map_err(explain)?;
    crate::audit(db, "enroll", &format!("{course} {}", user.username), &format!("{added} new")).await?;
    Ok(Response::Done(if added == 1 {
        format!("Đã ghi danh {} vào {course}{}", user.username, due_text(due))
    } else {
        format!("{} đã ghi danh vào {course} từ trước, không thay đổi gì", user.username)
    }))
}

/// Enrols every active account of a unit and its sub-units.
pub(super) async fn enrol_unit(
    db: &Db,
    course: &str,
    unit: &str,
    due: Option<NaiveDate>,
    progress: &Progress,
) -> anyhow::Result<Response> {
    progress.stage("tìm người của đơn vị");
    let ids = enrollment::unit_members(db, unit).await.map_err(explain)?;
    progress.stage(format!("ghi danh {} người", crate::tui::count(ids.len() as u64)));
    let added = enrollment::enroll_users(db, course, &ids, due, None).await.map_err(explain)?;
    crate::audit(db, "enroll", &format!("{course} {unit}"), &format!("{added} new")).await?;
    Ok(Response::Done(format!(
        "Đã ghi danh mới {added} trong số {} người của {unit} và đơn vị trực thuộc vào {course}{}",
        ids.len(),
        due_text(due)
    )))
}

/// Enrols the people of a CSV list: all of them, or nobody and every problem listed.
pub(super) async fn enrol_file(
    db: &Db,
    course: &str,
    path: &Path,
    due: Option<NaiveDate>,
    progress: &Progress,
) -> anyhow::Result<Response> {
    let source = read_file(path, progress)?;
    progress.stage(format!("kiểm tra và ghi danh {} dòng", count_lines(&source)));
    match import_enrollments(db, &source, course, due, None, false).await {
        Ok(done) => {
            let target = format!("{course} {}", path.display());
            crate::audit(db, "enroll", &target, &format!("{} new", done.added)).await?;
            Ok(Response::Done(format!(
                "Đã ghi danh mới {} trong số {} người của danh sách vào {course}{}",
                done.added,
                done.listed,
                due_text(due)
            )))
        }
        Err(EnrollFileError::File(e)) => refused(path, e),
        Err(EnrollFileError::Enroll(e)) => Err(explain(e)),
    }
}

pub(super) async fn set_due(
    db: &Db,
    course: &str,
    user_id: i64,
    username: &str,
    due: Option<NaiveDate>,
) -> anyhow::Result<Response> {
    enrollment::set_due_date(db, course, &[user_id], due).await?;
    let shown = due.map_or("không hạn".to_string(), |d| d.to_string());
    crate::audit(db, "enroll.due", &format!("{course} {username}"), &shown).await?;
    Ok(Response::Done(format!("Đã đổi hạn của {username} trong {course}: {shown}")))
}

/// Withdraws someone; what they read is kept should they be enrolled again.
pub(super) async fn withdraw(
    db: &Db,
    course: &str,
    user_id: i64,
    username: &str,
) -> anyhow::Result<Response> {
    let removed = enrollment::withdraw(db, course, &[user_id]).await?;
    let target = format!("{course} {username}");
    crate::audit(db, "enroll.withdraw", &target, &format!("{removed} withdrawn")).await?;
    Ok(Response::Done(format!("Đã rút {username} khỏi {course}")))
}

fn due_text(due: Option<NaiveDate>) -> String {
    due.map_or(String::new(), |d| format!(", hạn {d}"))
}
