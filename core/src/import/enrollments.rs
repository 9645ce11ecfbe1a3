//! `enroll --file`: a CSV list of people to enrol in one course, one
//! `username` per row (the header is `username`). Checked whole first: an
//! unknown, deactivated or repeated username is named by its line and
//! nobody is enrolled. People already enrolled are left as they are.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};

use super::csv_file;
use super::{ImportError, Problems, begin_write, both};
use crate::entities::{enrollment as enrollment_row, user};
use crate::learning::enrollment::{self, EnrollError};
use crate::people::auth::login::normalize_username;

/// The header of an enrollment list.
pub const COLUMNS: [&str; 1] = ["username"];

/// Why a list enrolled nobody.
#[derive(Debug, thiserror::Error)]
pub enum EnrollFileError {
    #[error(transparent)]
    File(#[from] ImportError),
    #[error(transparent)]
    Enroll(#[from] EnrollError),
}

impl From<sea_orm::DbErr> for EnrollFileError {
    fn from(e: sea_orm::DbErr) -> Self {
        EnrollFileError::File(ImportError::Db(e))
    }
}

/// What a list did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentsImport {
    /// People on the list.
    pub listed: u64,
    /// Newly enrolled (would be, in a dry run).
    pub added: u64,
    pub dry_run: bool,
}

/// Checks the whole list and, unless `dry_run`, enrols everyone on it in `course_id` in one transaction.
pub async fn import_enrollments(
    db: &DatabaseConnection,
    source: &[u8],
    course_id: &str,
    due_date: Option<NaiveDate>,
    enrolled_by: Option<i64>,
    dry_run: bool,
) -> Result<EnrollmentsImport, EnrollFileError> {
    enrollment::active_course(db, course_id).await?;
    let table = csv_file::read(source, &COLUMNS).map_err(ImportError::Invalid)?;
    let mut problems = Problems(table.problems);
    let usernames: Vec<String> = table.rows.iter().map(|r| normalize_username(r.get(0))).collect();
    let mut accounts: HashMap<String, (i64, bool)> = HashMap::new();
    for chunk in usernames.chunks(500) {
        let found: Vec<(String, i64, bool)> = user::Entity::find()
            .select_only()
            .column(user::Column::Username)
            .column(user::Column::Id)
            .column(user::Column::Active)
            .filter(user::Column::Username.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        accounts.extend(found.into_iter().map(|(name, id, active)| (name, (id, active))));
    }
    let mut first_line: HashMap<&str, u64> = HashMap::new();
    let mut ids = Vec::with_capacity(usernames.len());
    for (row, username) in table.rows.iter().zip(&usernames) {
        let line = row.line;
        if username.is_empty() {
            problems.add(line, Some("username"), both("bắt buộc", "required"));
        } else if let Some(first) = first_line.get(username.as_str()) {
            problems.add(
                line,
                Some("username"),
                both(
                    &format!("`{username}` đã có ở dòng {first}"),
                    &format!("`{username}` is already on line {first}"),
                ),
            );
        } else {
            first_line.insert(username, line);
            match accounts.get(username) {
                None => problems.add(
                    line,
                    Some("username"),
                    both(&format!("không có tài khoản `{username}`"), &format!("no account `{username}`")),
                ),
                Some((_, false)) => problems.add(
                    line,
                    Some("username"),
                    both(
                        &format!("tài khoản `{username}` đã ngừng hoạt động"),
                        &format!("account `{username}` is deactivated"),
                    ),
                ),
                Some((id, true)) => ids.push(*id),
            }
        }
    }
    problems.finish()?;
    let listed = ids.len() as u64;
    if dry_run {
        let mut already = 0;
        for chunk in ids.chunks(500) {
            already += enrollment_row::Entity::find()
                .filter(enrollment_row::Column::CourseId.eq(course_id))
                .filter(enrollment_row::Column::UserId.is_in(chunk.iter().copied()))
                .count(db)
                .await?;
        }
        return Ok(EnrollmentsImport { listed, added: listed - already, dry_run });
    }
    let txn = begin_write(db).await?;
    let added = enrollment::enroll_users(&txn, course_id, &ids, due_date, enrolled_by).await?;
    txn.commit().await?;
    Ok(EnrollmentsImport { listed, added, dry_run })
}
