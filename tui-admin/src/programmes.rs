//! `programmes assign [--dry-run] [--as-of YYYY-MM-DD]`: applies `<courses>/programmes.toml` on a day and
//! prints one tab-separated line per change, then a summary.

use anyhow::Context;
use chrono::NaiveDate;
use daotao_content::course::{Library, load_library};
use daotao_content::programme::PROGRAMMES_FILE;
use daotao_core::learning::programmes::{self, Change, Rule};
use daotao_core::platform::config::Config;
use daotao_core::platform::local_time;

use crate::output::{errln, outln};

/// The rules of the library's `programmes.toml`. Any problem in that file, or a programme left out for a
/// missing or broken course, stops the command with every problem printed: applying the others alone
/// would withdraw everyone's assignment of the one left out.
pub(crate) fn rules(library: &Library) -> anyhow::Result<Vec<Rule>> {
    let path = library.root.join(PROGRAMMES_FILE);
    if !path.is_file() {
        anyhow::bail!("không đọc được tệp / cannot read {}: it does not exist", path.display());
    }
    let problems: Vec<String> =
        library.problems.iter().filter(|p| p.file == path).map(ToString::to_string).collect();
    if !problems.is_empty() {
        for problem in &problems {
            errln!("{problem}")?;
        }
        anyhow::bail!(
            "tệp chương trình không hợp lệ, chưa thay đổi gì / the programmes file is not valid, nothing changed ({} problems)",
            problems.len()
        );
    }
    Ok(library.programmes.iter().map(Rule::from).collect())
}

fn line(kind: &str, change: &Change, date: String) -> anyhow::Result<()> {
    outln!("{kind}\t{}\t{}\t{date}", change.username, change.programme_id)
}

pub async fn assign(config: &Config, dry_run: bool, as_of: Option<NaiveDate>) -> anyhow::Result<()> {
    let library = load_library(&config.courses_dir);
    let path = library.root.join(PROGRAMMES_FILE);
    let rules = rules(&library)?;
    let as_of = as_of.unwrap_or_else(local_time::today);
    // Which quiz completes each course is in the course files, not the catalog: a renewal needs it passed again.
    let quizzes = programmes::completion_quizzes(&library);
    let db = crate::connect(config).await?;
    let changes = programmes::assign(&db, &rules, &quizzes, as_of, &crate::actor(), dry_run)
        .await
        .context("cơ sở dữ liệu / database")?;
    for (programme, course) in &changes.missing_courses {
        errln!(
            "Cảnh báo / warning: chương trình `{programme}` có khoá học `{course}` không có trong danh mục / programme `{programme}` names `{course}`, not an active course"
        )?;
    }
    for c in &changes.assigned {
        line("assigned", c, format!("due {}", c.on))?;
    }
    for c in &changes.renewed {
        line("renewed", c, format!("due {}", c.on))?;
    }
    for c in &changes.withdrawn {
        line("withdrawn", c, format!("on {}", c.on))?;
    }
    for c in &changes.completed {
        let until = c.valid_until.map_or(String::new(), |d| format!("\tvalid until {d}"));
        line("completed", c, format!("on {}{until}", c.on))?;
    }
    let counts = format!(
        "{} assigned, {} withdrawn, {} completed, {} renewed",
        changes.assigned.len(),
        changes.withdrawn.len(),
        changes.completed.len(),
        changes.renewed.len()
    );
    if dry_run {
        outln!("Chạy thử, chưa thay đổi gì (--dry-run) / dry run, nothing changed: {counts} on {as_of}")?;
        return Ok(());
    }
    crate::audit(&db, "programmes.assign", &path.display().to_string(), &format!("{counts} on {as_of}"))
        .await?;
    outln!(
        "Đã áp dụng {} chương trình / {} programmes applied: {counts} on {as_of}",
        rules.len(),
        rules.len()
    )?;
    Ok(())
}
