//! `programmes assign [--dry-run] [--as-of YYYY-MM-DD]`: applies `<courses>/programmes.toml` on a day and
//! prints one tab-separated line per change, then a summary.
//!
//! The file is read here by [`read_rules`], a minimal stand-in for the content crate's parser: replace it
//! with `daotao_content::programme` when that lands (#18), keeping this module's output.

use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;
use daotao_core::entities::user::Role;
use daotao_core::learning::programmes::{self, Change, Rule};
use daotao_core::platform::config::Config;
use daotao_core::platform::local_time;
use serde::Deserialize;

use crate::output::{errln, outln};

/// `programmes.toml`: a list of `[[programme]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    programme: Vec<Entry>,
}

/// One `[[programme]]`, with the defaults of DESIGN.md.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    title: String,
    courses: Vec<String>,
    #[serde(default)]
    positions: Vec<String>,
    #[serde(default)]
    units: Vec<String>,
    #[serde(default = "learners")]
    roles: Vec<Role>,
    due_days: u32,
    valid_months: u32,
    #[serde(default)]
    renew_days: u32,
}

fn learners() -> Vec<Role> {
    vec![Role::Learner]
}

/// The rules of `path`, or what is wrong with the file (TOML errors name the line and column).
fn read_rules(path: &Path) -> anyhow::Result<Vec<Rule>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("không đọc được tệp / cannot read {}", path.display()))?;
    let file: File = toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
        .context("tệp chương trình không hợp lệ / the programmes file is not valid")?;
    let mut rules: Vec<Rule> = Vec::with_capacity(file.programme.len());
    for entry in file.programme {
        let id = entry.id.trim().to_string();
        if id.is_empty() || entry.courses.is_empty() {
            anyhow::bail!(
                "{}: chương trình `{id}` cần mã và ít nhất một khoá học / programme `{id}` needs an id and at least one course",
                path.display()
            );
        }
        if rules.iter().any(|r| r.id == id) {
            anyhow::bail!(
                "{}: mã chương trình `{id}` bị trùng / programme id `{id}` is used twice",
                path.display()
            );
        }
        rules.push(Rule {
            id,
            title: entry.title,
            courses: entry.courses,
            positions: entry.positions,
            units: entry.units,
            roles: entry.roles,
            due_days: entry.due_days,
            valid_months: entry.valid_months,
            renew_days: entry.renew_days,
        });
    }
    Ok(rules)
}

fn line(kind: &str, change: &Change, date: String) -> anyhow::Result<()> {
    outln!("{kind}\t{}\t{}\t{date}", change.username, change.programme_id)
}

pub async fn assign(config: &Config, dry_run: bool, as_of: Option<NaiveDate>) -> anyhow::Result<()> {
    let path = config.courses_dir.join("programmes.toml");
    let rules = read_rules(&path)?;
    let as_of = as_of.unwrap_or_else(local_time::today);
    // Which quiz completes each course is in the course files, not the catalog: a renewal needs it passed again.
    let quizzes = programmes::completion_quizzes(&daotao_content::course::load_library(&config.courses_dir));
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
