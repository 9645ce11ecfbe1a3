//! `enroll --course ID (--user USERNAME | --unit CODE) [--due YYYY-MM-DD]`.
//! Enrolling someone already enrolled changes nothing (their due date included).

use anyhow::bail;
use daotao_core::config::Config;
use daotao_core::enrollment::{self, EnrollError};
use daotao_core::{accounts, units};

use crate::EnrollArgs;

fn explain(e: EnrollError) -> anyhow::Error {
    match e {
        EnrollError::UnknownCourse(c) => anyhow::anyhow!(
            "không có khoá học `{c}` đang phục vụ / no active course `{c}` (the catalog is synced when the server starts; `daotao-admin status` lists it)"
        ),
        EnrollError::UnknownUnit(c) => anyhow::anyhow!("không có đơn vị mã `{c}` / no unit with code `{c}`"),
        EnrollError::NotSelfEnrol(c) => anyhow::anyhow!(
            "khoá học `{c}` không cho tự ghi danh / course `{c}` does not allow self-enrolment"
        ),
        EnrollError::Db(e) => anyhow::Error::new(e).context("cơ sở dữ liệu / database"),
    }
}

pub async fn run(config: &Config, args: EnrollArgs) -> anyhow::Result<()> {
    let db = crate::connect(config).await?;
    let course = args.course.trim();
    let due = match args.due {
        Some(d) => format!(", hạn / due {d}"),
        None => String::new(),
    };
    let (added, target, message) = match (&args.user, &args.unit) {
        (Some(username), _) => {
            let Some(user) = accounts::find_user(&db, username).await? else {
                bail!("không có tài khoản `{username}` / no account `{username}`");
            };
            let added =
                enrollment::enroll_users(&db, course, &[user.id], args.due, None).await.map_err(explain)?;
            let note = if added == 0 {
                " (đã ghi danh từ trước, không thay đổi gì / already enrolled, nothing changed)"
            } else {
                ""
            };
            (added, user.username.clone(), format!("{} → {course}{due}{note}", user.username))
        }
        (None, Some(code)) => {
            let code = code.trim();
            let Some(unit) = units::find_by_code(&db, code).await? else {
                bail!("không có đơn vị mã `{code}` / no unit with code `{code}`");
            };
            let added = enrollment::enroll_unit(&db, course, code, args.due, None).await.map_err(explain)?;
            let members = units::active_members(&db, unit.id).await?;
            (
                added,
                code.to_string(),
                format!(
                    "trong số {members} người của {code} ({}) và các đơn vị trực thuộc / of {members} people in {code} and its sub-units → {course}{due}",
                    unit.name
                ),
            )
        }
        (None, None) => bail!("cần --user hoặc --unit / --user or --unit is needed"),
    };
    crate::audit(&db, "enroll", &format!("{course} {target}"), &format!("{added} new")).await?;
    println!("Ghi danh mới / newly enrolled: {added} {message}");
    Ok(())
}
