//! Checks the exported files against figures computed here with plain SQL, independently of the report
//! code: row counts (units, learners, enrollments, unit-and-course pairs) and, for a few units and learners,
//! headcounts, shares, overdue counts, levels, lessons read and best scores. A wrong export fails the
//! benchmark (exit status 2), so a fast but wrong report never passes.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, bail, ensure};
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::seed::IT_POSITION;

/// The units whose figures are read back, besides the last unit seeded (a sub-unit).
const SAMPLE_UNITS: &[&str] = &["TINH", "SO-00", "XA-01"];
/// The course whose per-learner progress is read back (every learner is enrolled in it).
pub const SAMPLE_COURSE: &str = "an-toan-thong-tin-co-ban";

/// The figures expected in the exports, from the database.
#[derive(Debug)]
pub struct Expected {
    pub units: usize,
    pub learners: usize,
    pub enrollments: usize,
    /// (unit, course) pairs with at least one enrollment in the unit's subtree: the progress summary rows.
    pub unit_course_pairs: usize,
    pub by_unit: HashMap<String, UnitFigures>,
    pub by_learner: HashMap<String, LearnerFigures>,
    /// Per course, for the whole province: (enrolled, completed, overdue).
    pub province_courses: HashMap<String, (i64, i64, i64)>,
}

#[derive(Debug)]
pub struct UnitFigures {
    pub headcount: i64,
    pub holding_attt1: i64,
    pub overdue: i64,
    pub it_staff: i64,
    pub it_holding_attt2: i64,
}

#[derive(Debug)]
pub struct LearnerFigures {
    pub attt1_level: Option<i64>,
    pub completed: i64,
    pub overdue: i64,
    pub in_progress: i64,
    pub course_lessons_read: i64,
    pub course_best: Option<f64>,
}

async fn int(db: &DatabaseConnection, sql: &str) -> anyhow::Result<i64> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .with_context(|| format!("no row: {sql}"))?;
    Ok(row.try_get_by_index::<Option<i64>>(0)?.unwrap_or(0))
}

async fn float(db: &DatabaseConnection, sql: &str) -> anyhow::Result<Option<f64>> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .with_context(|| format!("no row: {sql}"))?;
    Ok(row.try_get_by_index::<Option<f64>>(0)?)
}

fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Computes the expected figures; `today` decides what is overdue, as in the report.
pub async fn expected(db: &DatabaseConnection, today: NaiveDate) -> anyhow::Result<Expected> {
    let today = q(&today.format("%Y-%m-%d").to_string());
    let overdue = format!("e.completed_at IS NULL AND e.due_date IS NOT NULL AND e.due_date < {today}");
    let units = int(db, "SELECT CAST(COUNT(*) AS BIGINT) FROM units").await? as usize;
    let learners = int(db, "SELECT CAST(COUNT(*) AS BIGINT) FROM users WHERE active").await? as usize;
    let enrollments = int(
        db,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM enrollments e JOIN users u ON u.id = e.user_id WHERE u.active",
    )
    .await? as usize;
    // Every unit with each of its ancestors (itself included).
    let ancestors = "WITH RECURSIVE anc(unit_id, ancestor) AS (SELECT id, id FROM units UNION ALL \
                     SELECT a.unit_id, p.parent_id FROM anc a JOIN units p ON p.id = a.ancestor \
                     WHERE p.parent_id IS NOT NULL)";
    let unit_course_pairs = int(
        db,
        &format!(
            "{ancestors} SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT DISTINCT a.ancestor, e.course_id \
             FROM enrollments e JOIN users u ON u.id = e.user_id JOIN anc a ON a.unit_id = u.unit_id \
             WHERE u.active) t"
        ),
    )
    .await? as usize;

    let by_unit = unit_figures(db, &overdue).await?;
    let by_learner = learner_figures(db, learners, &overdue).await?;
    let province_courses = province_courses(db, &overdue).await?;
    Ok(Expected { units, learners, enrollments, unit_course_pairs, by_unit, by_learner, province_courses })
}

/// The figures of the sample units and of the last unit seeded (a sub-unit), by code.
async fn unit_figures(
    db: &DatabaseConnection,
    overdue: &str,
) -> anyhow::Result<HashMap<String, UnitFigures>> {
    let last_unit = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT code FROM units ORDER BY id DESC LIMIT 1",
        ))
        .await?
        .context("no units")?
        .try_get_by_index::<String>(0)?;
    let mut by_unit = HashMap::new();
    for code in SAMPLE_UNITS.iter().copied().chain([last_unit.as_str()]) {
        by_unit.insert(code.to_string(), one_unit(db, code, overdue).await?);
    }
    Ok(by_unit)
}

/// The figures of the unit `code` and its subtree; `overdue` is the condition on an enrollment `e`.
async fn one_unit(db: &DatabaseConnection, code: &str, overdue: &str) -> anyhow::Result<UnitFigures> {
    let members = format!(
        "(WITH RECURSIVE sub(id) AS (SELECT id FROM units WHERE code = {} UNION ALL \
         SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id) \
         SELECT us.id FROM users us WHERE us.active AND us.unit_id IN (SELECT id FROM sub))",
        q(code)
    );
    let count = |filter: String| {
        format!("SELECT CAST(COUNT(*) AS BIGINT) FROM users x WHERE x.id IN {members} AND {filter}")
    };
    let holds = |code: &str| {
        format!("EXISTS (SELECT 1 FROM competency_awards c WHERE c.user_id = x.id AND c.code = {})", q(code))
    };
    let figures = UnitFigures {
        headcount: int(db, &count("1 = 1".into())).await?,
        holding_attt1: int(db, &count(holds("ATTT.1"))).await?,
        overdue: int(
            db,
            &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM enrollments e WHERE e.user_id IN {members} AND {overdue}"),
        )
        .await?,
        it_staff: int(db, &count(format!("x.position = {}", q(IT_POSITION)))).await?,
        it_holding_attt2: int(db, &count(format!("x.position = {} AND {}", q(IT_POSITION), holds("ATTT.2"))))
            .await?,
    };
    ensure!(figures.headcount > 0, "sample unit {code} has nobody: the seed is not what the check expects");
    Ok(figures)
}

/// The figures of a few sample learners, by username: the first, second, a middle and the last active
/// learner the seed made (of `learners`).
async fn learner_figures(
    db: &DatabaseConnection,
    learners: usize,
    overdue: &str,
) -> anyhow::Result<HashMap<String, LearnerFigures>> {
    let mut by_learner = HashMap::new();
    let sample_learners = [0, 1, learners / 2 + 1, learners.saturating_sub(1)].map(crate::seed::username);
    for username in &sample_learners {
        by_learner.insert(username.to_string(), one_learner(db, username, overdue).await?);
    }
    Ok(by_learner)
}

/// The figures of the learner `username`; `overdue` is the condition on an enrollment `e`.
async fn one_learner(
    db: &DatabaseConnection,
    username: &str,
    overdue: &str,
) -> anyhow::Result<LearnerFigures> {
    let user = format!("(SELECT id FROM users WHERE username = {})", q(username));
    let completed = int(
        db,
        &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM enrollments e WHERE e.user_id = {user} AND e.completed_at IS NOT NULL"),
    )
    .await?;
    let late = int(
        db,
        &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM enrollments e WHERE e.user_id = {user} AND {overdue}"),
    )
    .await?;
    let all =
        int(db, &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM enrollments e WHERE e.user_id = {user}"))
            .await?;
    let level = int(
        db,
        &format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM competency_awards WHERE user_id = {user} AND code = 'ATTT.1'"
        ),
    )
    .await?;
    let attt1_level = if level > 0 {
        Some(
            int(
                db,
                &format!(
                    "SELECT CAST(MAX(level) AS BIGINT) FROM competency_awards WHERE user_id = {user} AND code = 'ATTT.1'"
                ),
            )
            .await?,
        )
    } else {
        None
    };
    let course_lessons_read = int(
        db,
        &format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM lesson_progress p JOIN lessons l ON l.id = p.lesson_id \
             WHERE p.user_id = {user} AND l.course_id = {} AND l.active",
            q(SAMPLE_COURSE)
        ),
    )
    .await?;
    let course_best = float(
        db,
        &format!(
            "SELECT MAX(percent) FROM quiz_attempts WHERE user_id = {user} AND course_id = {}",
            q(SAMPLE_COURSE)
        ),
    )
    .await?;
    Ok(LearnerFigures {
        attt1_level,
        completed,
        overdue: late,
        in_progress: all - completed - late,
        course_lessons_read,
        course_best,
    })
}

/// Per course, for the whole province: (enrolled, completed, overdue); `overdue` is the condition on an
/// enrollment `e`.
async fn province_courses(
    db: &DatabaseConnection,
    overdue: &str,
) -> anyhow::Result<HashMap<String, (i64, i64, i64)>> {
    let mut province_courses = HashMap::new();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT e.course_id, CAST(COUNT(*) AS BIGINT), \
                 CAST(SUM(CASE WHEN e.completed_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT), \
                 CAST(SUM(CASE WHEN {overdue} THEN 1 ELSE 0 END) AS BIGINT) \
                 FROM enrollments e JOIN users u ON u.id = e.user_id WHERE u.active GROUP BY e.course_id"
            ),
        ))
        .await?;
    for row in rows {
        province_courses.insert(
            row.try_get_by_index::<String>(0)?,
            (
                row.try_get_by_index::<i64>(1)?,
                row.try_get_by_index::<i64>(2)?,
                row.try_get_by_index::<i64>(3)?,
            ),
        );
    }
    Ok(province_courses)
}

/// A table read back from a file: the header and the rows as text (numbers as the spreadsheet holds them).
struct Sheet {
    header: Vec<String>,
    rows: Vec<Vec<Value>>,
}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Text(String),
    Number(f64),
    Empty,
}

impl Value {
    fn text(&self) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Empty => String::new(),
        }
    }

    /// A number: a spreadsheet number, or CSV text (`87.5%` is 0.875).
    fn number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            Value::Text(s) => match s.strip_suffix('%') {
                Some(p) => p.parse::<f64>().ok().map(|p| p / 100.0),
                None => s.parse().ok(),
            },
            Value::Empty => None,
        }
    }
}

impl Sheet {
    fn col(&self, name: &str) -> anyhow::Result<usize> {
        self.header
            .iter()
            .position(|c| c == name)
            .with_context(|| format!("no column `{name}` in {:?}", self.header))
    }

    fn row(&self, col: usize, key: &str) -> anyhow::Result<&[Value]> {
        let mut found = self.rows.iter().filter(|r| r.get(col).is_some_and(|v| v.text().trim() == key));
        let row = found.next().with_context(|| format!("no row `{key}`"))?;
        Ok(row)
    }
}

fn read_csv(path: &Path) -> anyhow::Result<Sheet> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).context("no UTF-8 byte-order mark")?;
    let mut reader = csv::Reader::from_reader(body);
    let header = reader.headers()?.iter().map(String::from).collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record?;
        rows.push(
            record
                .iter()
                .map(|s| if s.is_empty() { Value::Empty } else { Value::Text(s.to_string()) })
                .collect(),
        );
    }
    Ok(Sheet { header, rows })
}

fn read_xlsx(path: &Path) -> anyhow::Result<(Sheet, Sheet)> {
    use calamine::{Data, Reader, open_workbook_auto};
    let mut book = open_workbook_auto(path).with_context(|| format!("opening {}", path.display()))?;
    let names = book.sheet_names();
    ensure!(names.len() == 2, "expected a summary and a detail sheet, found {names:?}");
    let mut sheets = Vec::new();
    for name in names {
        let range = book.worksheet_range(&name)?;
        let mut rows = range.rows().map(|r| {
            r.iter()
                .map(|cell| match cell {
                    Data::Empty => Value::Empty,
                    Data::String(s) => Value::Text(s.clone()),
                    Data::Float(f) => Value::Number(*f),
                    Data::Int(i) => Value::Number(*i as f64),
                    Data::DateTime(d) => Value::Number(d.as_f64()),
                    other => Value::Text(other.to_string()),
                })
                .collect::<Vec<_>>()
        });
        let header = rows.next().context("an empty sheet")?.iter().map(Value::text).collect();
        sheets.push(Sheet { header, rows: rows.collect() });
    }
    let detail = sheets.pop().expect("two sheets");
    let summary = sheets.pop().expect("two sheets");
    Ok((summary, detail))
}

fn same_int(what: &str, got: &Value, want: i64) -> anyhow::Result<()> {
    match got.number() {
        Some(n) if n == want as f64 => Ok(()),
        _ => bail!("{what}: the report says {got:?}, the database {want}"),
    }
}

/// A share written to 0.1% (CSV) or in full (XLSX).
fn same_share(what: &str, got: &Value, part: i64, whole: i64) -> anyhow::Result<()> {
    if whole == 0 {
        ensure!(*got == Value::Empty, "{what}: the report says {got:?}, expected nothing (no population)");
        return Ok(());
    }
    let want = part as f64 / whole as f64;
    match got.number() {
        Some(n) if (n - want).abs() < 0.0006 => Ok(()),
        _ => bail!("{what}: the report says {got:?}, the database {part}/{whole} = {want:.4}"),
    }
}

/// The competency summary: one row per unit; headcount, share holding ATTT.1, overdue enrollments and the
/// IT staff's ATTT.2 target, for the sample units.
fn competency_summary(sheet: &Sheet, e: &Expected) -> anyhow::Result<()> {
    ensure!(sheet.rows.len() == e.units, "{} unit rows, {} units", sheet.rows.len(), e.units);
    let (head, attt1, late) =
        (sheet.col("Số người")?, sheet.col("Tỉ lệ có ATTT.1")?, sheet.col("Ghi danh quá hạn")?);
    let it = sheet.col(&format!("Đạt ATTT.2 mức 1 ({})", crate::IT_TARGET_POSITION))?;
    for (code, f) in &e.by_unit {
        let row = sheet.row(0, code)?;
        same_int(&format!("{code} headcount"), &row[head], f.headcount)?;
        same_share(&format!("{code} share holding ATTT.1"), &row[attt1], f.holding_attt1, f.headcount)?;
        same_int(&format!("{code} overdue"), &row[late], f.overdue)?;
        same_share(&format!("{code} IT staff holding ATTT.2"), &row[it], f.it_holding_attt2, f.it_staff)?;
    }
    Ok(())
}

/// The competency detail: one row per active learner, each once; the sample learners' ATTT.1 level and
/// their courses completed, in progress and overdue.
fn competency_detail(sheet: &Sheet, e: &Expected) -> anyhow::Result<()> {
    ensure!(
        sheet.rows.len() == e.learners,
        "{} learner rows, {} active learners",
        sheet.rows.len(),
        e.learners
    );
    let user = sheet.col("Tài khoản")?;
    let mut names: Vec<String> = sheet.rows.iter().map(|r| r[user].text()).collect();
    names.sort_unstable();
    names.dedup();
    ensure!(
        names.len() == e.learners,
        "learners repeated: {} distinct of {} rows",
        names.len(),
        sheet.rows.len()
    );
    let (level, done, doing, late) = (
        sheet.col("ATTT.1 mức")?,
        sheet.col("Khoá đã hoàn thành")?,
        sheet.col("Khoá đang học")?,
        sheet.col("Khoá quá hạn")?,
    );
    for (username, f) in &e.by_learner {
        let row = sheet.row(user, username)?;
        match f.attt1_level {
            Some(l) => same_int(&format!("{username} ATTT.1 level"), &row[level], l)?,
            None => ensure!(
                row[level] == Value::Empty,
                "{username} holds no ATTT.1, the report says {:?}",
                row[level]
            ),
        }
        same_int(&format!("{username} completed"), &row[done], f.completed)?;
        same_int(&format!("{username} in progress"), &row[doing], f.in_progress)?;
        same_int(&format!("{username} overdue"), &row[late], f.overdue)?;
    }
    Ok(())
}

/// The progress summary: one row per unit and course with enrollments; the province's row per course.
fn progress_summary(sheet: &Sheet, e: &Expected) -> anyhow::Result<()> {
    ensure!(
        sheet.rows.len() == e.unit_course_pairs,
        "{} unit-and-course rows, {} expected",
        sheet.rows.len(),
        e.unit_course_pairs
    );
    let (course, enrolled, done, late) = (
        sheet.col("Mã khoá học")?,
        sheet.col("Đã ghi danh")?,
        sheet.col("Đã hoàn thành")?,
        sheet.col("Quá hạn")?,
    );
    for (id, (n, completed, overdue)) in &e.province_courses {
        let row = sheet
            .rows
            .iter()
            .find(|r| r[0].text() == "TINH" && r[course].text() == *id)
            .with_context(|| format!("no province row for {id}"))?;
        same_int(&format!("TINH {id} enrolled"), &row[enrolled], *n)?;
        same_int(&format!("TINH {id} completed"), &row[done], *completed)?;
        same_int(&format!("TINH {id} overdue"), &row[late], *overdue)?;
    }
    Ok(())
}

/// The progress detail: one row per enrollment of an active learner; the sample learners' lessons read and
/// best score in the sample course.
fn progress_detail(sheet: &Sheet, e: &Expected) -> anyhow::Result<()> {
    ensure!(sheet.rows.len() == e.enrollments, "{} rows, {} enrollments", sheet.rows.len(), e.enrollments);
    let (user, course, read, best) = (
        sheet.col("Tài khoản")?,
        sheet.col("Mã khoá học")?,
        sheet.col("Bài đã đọc")?,
        sheet.col("Điểm cao nhất")?,
    );
    for (username, f) in &e.by_learner {
        let row = sheet
            .rows
            .iter()
            .find(|r| r[user].text() == *username && r[course].text() == SAMPLE_COURSE)
            .with_context(|| format!("no row for {username} in {SAMPLE_COURSE}"))?;
        same_int(&format!("{username} lessons read"), &row[read], f.course_lessons_read)?;
        match f.course_best {
            Some(b) => match row[best].number() {
                Some(n) if (n - b).abs() < 0.01 => {}
                _ => bail!("{username} best score: the report says {:?}, the database {b}", row[best]),
            },
            None => ensure!(
                row[best] == Value::Empty,
                "{username} has no attempt, the report says {:?}",
                row[best]
            ),
        }
    }
    Ok(())
}

/// Which export a file is.
#[derive(Debug, Clone, Copy)]
pub enum Export {
    CompetencyUnitCsv,
    CompetencyLearnerCsv,
    CompetencyXlsx,
    ProgressUnitCsv,
    ProgressLearnerCsv,
    ProgressXlsx,
}

/// Reads `path` back and compares it with `e`; returns the number of data rows checked.
pub fn check(export: Export, path: &Path, e: &Expected) -> anyhow::Result<usize> {
    Ok(match export {
        Export::CompetencyUnitCsv => {
            let s = read_csv(path)?;
            competency_summary(&s, e)?;
            s.rows.len()
        }
        Export::CompetencyLearnerCsv => {
            let s = read_csv(path)?;
            competency_detail(&s, e)?;
            s.rows.len()
        }
        Export::ProgressUnitCsv => {
            let s = read_csv(path)?;
            progress_summary(&s, e)?;
            s.rows.len()
        }
        Export::ProgressLearnerCsv => {
            let s = read_csv(path)?;
            progress_detail(&s, e)?;
            s.rows.len()
        }
        Export::CompetencyXlsx => {
            let (summary, detail) = read_xlsx(path)?;
            competency_summary(&summary, e).context("summary sheet")?;
            competency_detail(&detail, e).context("detail sheet")?;
            summary.rows.len() + detail.rows.len()
        }
        Export::ProgressXlsx => {
            let (summary, detail) = read_xlsx(path)?;
            progress_summary(&summary, e).context("summary sheet")?;
            progress_detail(&detail, e).context("detail sheet")?;
            summary.rows.len() + detail.rows.len()
        }
    })
}
