//! `enroll --course ID (--user USERNAME | --unit CODE | --file FILE.csv) [--due YYYY-MM-DD]`,
//! and with `--set-due` or `--withdraw` the changes to existing enrollments.
//! Enrolling someone already enrolled changes nothing (their due date included).

use crate::output::{errln, outln};
use anyhow::{Context, bail};
use daotao_core::import::enrollments::{EnrollFileError, import_enrollments};
use daotao_core::learning::enrollment::{self, EnrollError};
use daotao_core::people::{accounts, units};
use daotao_core::platform::config::Config;

use crate::EnrollArgs;

/// One enrollment error as one bilingual line.
pub fn explain(e: EnrollError) -> anyhow::Error {
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
    if args.dry_run && args.file.is_none() {
        bail!("--dry-run chỉ dùng với --file / --dry-run goes with --file");
    }
    let db = crate::connect(config).await?;
    let course = args.course.trim();
    let due = match args.due {
        Some(d) => format!(", hạn / due {d}"),
        None => String::new(),
    };
    if let Some(file) = &args.file {
        let source = std::fs::read(file)
            .with_context(|| format!("không đọc được tệp / cannot read {}", file.display()))?;
        let done = import_enrollments(&db, &source, course, args.due, None, args.dry_run).await.map_err(
            |e| match e {
                EnrollFileError::File(e) => crate::import::refused(file, e),
                EnrollFileError::Enroll(e) => explain(e),
            },
        )?;
        let (listed, added) = (done.listed, done.added);
        if args.dry_run {
            errln!(
                "Tệp hợp lệ, chưa thay đổi gì (--dry-run): sẽ ghi danh mới {added} trong {listed} người vào {course} / the file is valid, nothing changed (--dry-run): would newly enrol {added} of {listed} people in {course}"
            )?;
        } else {
            crate::audit(&db, "enroll", &format!("{course} {}", file.display()), &format!("{added} new"))
                .await?;
            outln!(
                "Ghi danh mới / newly enrolled: {added} trong số {listed} người của danh sách / of {listed} people listed → {course}{due}"
            )?;
        }
        return Ok(());
    }
    let (user_ids, target, described) = match (&args.user, &args.unit) {
        (Some(username), _) => {
            let Some(user) = accounts::find_user(&db, username).await? else {
                bail!("không có tài khoản `{username}` / no account `{username}`");
            };
            (vec![user.id], user.username.clone(), user.username.clone())
        }
        (None, Some(code)) => {
            let code = code.trim();
            let Some(unit) = units::find_by_code(&db, code).await? else {
                bail!("không có đơn vị mã `{code}` / no unit with code `{code}`");
            };
            let ids = enrollment::unit_members(&db, code).await.map_err(explain)?;
            let n = ids.len();
            (
                ids,
                code.to_string(),
                format!(
                    "trong số {n} người của {code} ({}) và các đơn vị trực thuộc / of {n} people in {code} and its sub-units",
                    unit.name
                ),
            )
        }
        (None, None) => bail!("cần --user, --unit hoặc --file / --user, --unit or --file is needed"),
    };
    enrollment::active_course(&db, course).await.map_err(explain)?;
    if args.withdraw {
        let removed = enrollment::withdraw(&db, course, &user_ids).await?;
        crate::audit(&db, "enroll.withdraw", &format!("{course} {target}"), &format!("{removed} withdrawn"))
            .await?;
        outln!("Đã rút khỏi khoá học / withdrawn: {removed} {described} ← {course}")?;
        return Ok(());
    }
    if let Some(crate::NewDue(new_due)) = args.set_due {
        let changed = enrollment::set_due_date(&db, course, &user_ids, new_due).await?;
        let shown = new_due.map_or("không hạn / none".to_string(), |d| d.to_string());
        crate::audit(&db, "enroll.due", &format!("{course} {target}"), &format!("{changed} set to {shown}"))
            .await?;
        outln!("Đã đổi hạn / due date changed: {changed} {described}, {course} → {shown}")?;
        return Ok(());
    }
    let added = enrollment::enroll_users(&db, course, &user_ids, args.due, None).await.map_err(explain)?;
    let note = if args.user.is_some() && added == 0 {
        " (đã ghi danh từ trước, không thay đổi gì / already enrolled, nothing changed)"
    } else {
        ""
    };
    crate::audit(&db, "enroll", &format!("{course} {target}"), &format!("{added} new")).await?;
    outln!("Ghi danh mới / newly enrolled: {added} {described} → {course}{due}{note}")?;
    Ok(())
}
