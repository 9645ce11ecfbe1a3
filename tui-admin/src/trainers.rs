//! `trainers add|remove --course ID --user USERNAME` and `trainers list [--course ID]`: which trainers
//! see a course's learners, progress and scores in the browser.

use crate::output::{errln, outln};
use anyhow::Context;
use daotao_core::people::auth::login::normalize_username;
use daotao_core::people::trainers::{self, TrainerError};
use daotao_core::platform::config::Config;

/// One trainer error as one bilingual line.
fn explain(e: TrainerError) -> anyhow::Error {
    match e {
        TrainerError::UnknownCourse(c) => anyhow::anyhow!(
            "không có khoá học `{c}` đang phục vụ / no active course `{c}` (`daotao-admin status` lists the catalog)"
        ),
        TrainerError::UnknownUser(u) => anyhow::anyhow!("không có tài khoản `{u}` / no account `{u}`"),
        TrainerError::NotTrainer(u, role) => anyhow::anyhow!(
            "`{u}` không phải giảng viên / `{u}` is a {role}, not a trainer (create trainers with `users add --role trainer`)"
        ),
        TrainerError::Db(e) => anyhow::Error::new(e).context("cơ sở dữ liệu / database"),
    }
}

/// Assigns (or, with `assign` false, unassigns) a trainer; says what changed on stderr.
pub async fn set(config: &Config, course: &str, username: &str, assign: bool) -> anyhow::Result<()> {
    let db = crate::connect(config).await?;
    let (course, username) = (course.trim(), normalize_username(username));
    let username = username.as_str();
    let changed = if assign {
        trainers::assign(&db, course, username).await
    } else {
        trainers::unassign(&db, course, username).await
    }
    .map_err(explain)?;
    let (action, vi, en) = match (assign, changed) {
        (true, true) => ("trainer.assign", "đã phân công", "assigned"),
        (true, false) => (
            "trainer.assign",
            "đã được phân công từ trước, không đổi gì",
            "already assigned, nothing changed",
        ),
        (false, true) => ("trainer.unassign", "đã thôi phân công", "unassigned"),
        (false, false) => {
            ("trainer.unassign", "không được phân công, không đổi gì", "was not assigned, nothing changed")
        }
    };
    if changed {
        crate::audit(&db, action, &format!("{course} {username}"), "").await?;
    }
    errln!("Giảng viên {username}, khoá học {course}: {vi} / trainer {username}, course {course}: {en}")?;
    Ok(())
}

/// Prints `course<TAB>username<TAB>full name` for each assignment.
pub async fn list(config: &Config, course: Option<&str>) -> anyhow::Result<()> {
    let db = crate::connect(config).await?;
    let assignments = trainers::list(&db, course.map(str::trim)).await.context("cơ sở dữ liệu / database")?;
    for a in &assignments {
        outln!("{}\t{}\t{}", a.course_id, a.username, a.full_name)?;
    }
    if assignments.is_empty() {
        errln!("Chưa có phân công nào / no trainer is assigned")?;
    }
    Ok(())
}
