//! Seeds a province: 500 units in three levels, 100,000 active learners (plus some deactivated accounts the
//! reports must leave out), enrolled in the bundled courses with a realistic mix of completed, in progress,
//! not started and overdue, with lessons read, quiz attempts and the competency awards of each completion.
//!
//! The catalog and the units go through the same `daotao-core` functions as the server and the admin tool
//! (`catalog::sync_library`, `units::insert_units`); the bulk rows are written as multi-row `INSERT`s of
//! literals, 1,000 rows a statement, inside one transaction per phase: seeding is not what is measured, and
//! row-by-row inserts of 1.5 million rows would take longer than everything measured.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, ensure};
use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use daotao_bench_support::seeding::{Batch, Rng, q, ts};
use daotao_core::entities::{lesson, quiz};
use daotao_core::people::units::NewUnit;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
    "Dương", "Lý",
];
const MIDDLE: &[&str] = &["Văn", "Thị", "Hữu", "Đức", "Thu", "Minh", "Quang", "Ngọc", "Thanh", "Hoài"];
const GIVEN: &[&str] = &[
    "An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Hương", "Khánh", "Lan",
    "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang",
    "Tuấn", "Vân", "Việt", "Yến",
];
/// Positions and their weights (out of 100). The IT and one-stop-shop staff are the populations of the
/// benchmark's targets and get their own courses.
pub const IT_POSITION: &str = "Chuyên viên CNTT";
const ONE_STOP_POSITION: &str = "Công chức Bộ phận một cửa";
const POSITIONS: &[(&str, usize)] = &[
    ("Chuyên viên", 50),
    (IT_POSITION, 5),
    (ONE_STOP_POSITION, 10),
    ("Văn thư", 10),
    ("Kế toán", 10),
    ("Trưởng phòng", 10),
    ("Phó Giám đốc", 5),
];

/// Every course of the bundled library and the share of staff it is assigned to (in percent); the
/// IT and one-stop-shop courses go to those positions only.
fn assigned(course: &str, position: &str, roll: usize) -> bool {
    match course {
        "an-toan-thong-tin-co-ban" => true,
        "chinh-quyen-so" => roll < 70,
        "ky-nang-so-van-phong" => roll < 50,
        "bao-ve-du-lieu-ca-nhan" => roll < 40,
        "dich-vu-cong-truc-tuyen" => position == ONE_STOP_POSITION,
        "an-toan-thong-tin-cntt" => position == IT_POSITION,
        // A course added to the library later: a tenth of the staff.
        _ => roll < 10,
    }
}

/// What to seed.
#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    /// Active learners.
    #[arg(long, default_value_t = 100_000)]
    pub learners: usize,
    /// Deactivated accounts on top (the reports leave them out).
    #[arg(long, default_value_t = 1_000)]
    pub inactive: usize,
    /// Units, the province included.
    #[arg(long, default_value_t = 500)]
    pub units: usize,
    /// Departments and communes directly under the province.
    #[arg(long, default_value_t = 40)]
    pub top_units: usize,
}

/// The username of the `i`th account seeded (the active learners first).
pub fn username(i: usize) -> String {
    format!("cb{i:06}")
}

fn date(d: NaiveDate) -> String {
    q(&d.format("%Y-%m-%d").to_string())
}

fn opt(v: Option<String>) -> String {
    v.unwrap_or_else(|| "NULL".into())
}

/// How much was seeded.
#[derive(Debug, Default)]
pub struct Seeded {
    pub units: usize,
    pub users: u64,
    pub enrollments: u64,
    pub lessons_read: u64,
    pub attempts: u64,
    pub awards: u64,
}

struct CourseInfo {
    id: String,
    lessons: Vec<i64>,
    quiz: Option<i64>,
    awards: Vec<(String, u32)>,
}

/// Seeds an empty database at `url` with the course library in `courses`.
pub async fn seed(url: &str, courses: &Path, s: &Settings) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    let db = daotao_core::platform::db::connect(url).await?;
    daotao_core::demo::ensure_empty(&db).await.context("seeding needs an empty database")?;
    let library = daotao_content::course::load_library(courses);
    ensure!(library.problems.is_empty(), "the course library has problems: {:?}", library.problems);
    daotao_core::learning::catalog::sync_library(&db, &library).await?;
    let course_infos = course_infos(&db, &library).await?;
    ensure!(!course_infos.is_empty(), "no courses in {}", courses.display());

    let unit_ids = seed_units(&db, s).await?;
    eprintln!("  {} units ({:.1} s)", unit_ids.len(), started.elapsed().as_secs_f64());
    let mut seeded = Seeded { units: unit_ids.len(), ..Seeded::default() };

    let now = Utc::now();
    let mut rng = Rng(2026);
    let password_hash = daotao_core::people::auth::password::hash("mật khẩu của bài đo báo cáo");

    let (people, users) = seed_accounts(&db, s, &unit_ids, &mut rng, now, &password_hash).await?;
    seeded.users = users;
    eprintln!("  {} accounts ({:.1} s)", users, started.elapsed().as_secs_f64());

    let records = seed_records(&db, &people, &course_infos, &mut rng, now).await?;
    seeded.enrollments = records.enrollments.total;
    seeded.lessons_read = records.progress.total;
    seeded.attempts = records.attempts.total;
    seeded.awards = records.awards.total;
    eprintln!(
        "  {} enrollments, {} lessons read, {} attempts, {} awards ({:.1} s)",
        seeded.enrollments,
        seeded.lessons_read,
        seeded.attempts,
        seeded.awards,
        started.elapsed().as_secs_f64()
    );
    finish(&db).await?;
    Ok(seeded)
}

/// Accounts with explicit ids, so the rows below can name them without reading them back: the active
/// learners, then the deactivated accounts, each with a random name, unit and position. Returns each
/// account's (id, position) and how many were written.
async fn seed_accounts(
    db: &DatabaseConnection,
    s: &Settings,
    unit_ids: &[i64],
    rng: &mut Rng,
    now: DateTime<Utc>,
    password_hash: &str,
) -> anyhow::Result<(Vec<(i64, &'static str)>, u64)> {
    let txn = db.begin().await?;
    let mut users = Batch::new(
        "users",
        "id, username, full_name, email, unit_id, position, role, password_hash, must_change_password, \
         active, failed_logins, locked_until, created_at, search_key",
    );
    let mut people = Vec::with_capacity(s.learners + s.inactive);
    for i in 0..s.learners + s.inactive {
        let id = i as i64 + 1;
        let username = username(i);
        let full_name = format!("{} {} {}", rng.pick(FAMILY), rng.pick(MIDDLE), rng.pick(GIVEN));
        let unit_id = unit_ids[rng.below(unit_ids.len())];
        let position = pick_position(rng);
        let active = i < s.learners;
        let key = daotao_core::people::search_key::search_key(&full_name, &username);
        users.push(format!(
            "{id}, {}, {}, NULL, {unit_id}, {}, 'learner', {}, FALSE, {}, 0, NULL, {}, {}",
            q(&username),
            q(&full_name),
            q(position),
            q(password_hash),
            if active { "TRUE" } else { "FALSE" },
            ts(now - Duration::days(400)),
            q(&key)
        ));
        people.push((id, position));
        if users.full() {
            users.flush(&txn).await?;
        }
    }
    users.flush(&txn).await?;
    txn.commit().await?;
    Ok((people, users.total))
}

/// A position drawn by the weights of [`POSITIONS`].
fn pick_position(rng: &mut Rng) -> &'static str {
    let mut roll = rng.below(100);
    POSITIONS
        .iter()
        .find(|(_, weight)| {
            let hit = roll < *weight;
            roll = roll.saturating_sub(*weight);
            hit
        })
        .map_or("Chuyên viên", |(p, _)| p)
}

/// Enrollments with what goes with them, per person and course:
/// 45% completed (every lesson read, the final quiz passed at the first or second attempt, the course's
/// competencies awarded), 35% in progress (some lessons read, a third of them with a failed attempt),
/// 20% not started. Due dates: none, long past, just past, soon, or later.
async fn seed_records(
    db: &DatabaseConnection,
    people: &[(i64, &str)],
    course_infos: &[CourseInfo],
    rng: &mut Rng,
    now: DateTime<Utc>,
) -> anyhow::Result<Records> {
    let today = now.date_naive();
    let txn = db.begin().await?;
    let mut records = Records::new();
    let dues: [Option<NaiveDate>; 5] = [
        None,
        today.checked_sub_days(Days::new(45)),
        today.checked_sub_days(Days::new(7)),
        today.checked_add_days(Days::new(20)),
        today.checked_add_days(Days::new(90)),
    ];
    for &(user_id, position) in people {
        let roll = rng.below(100);
        for course in course_infos {
            if !assigned(&course.id, position, roll) {
                continue;
            }
            records.enrol(rng, user_id, course, now, &dues);
        }
        records.flush_full(&txn).await?;
    }
    records.flush_all(&txn).await?;
    txn.commit().await?;
    Ok(records)
}

/// The learning records being written, one batch per table.
struct Records {
    enrollments: Batch,
    progress: Batch,
    attempts: Batch,
    awards: Batch,
    /// The id of the last attempt pushed (attempts get explicit ids, which awards name).
    attempt_id: i64,
}

impl Records {
    fn new() -> Self {
        Self {
            enrollments: Batch::new(
                "enrollments",
                "user_id, course_id, due_date, enrolled_by, enrolled_at, completed_at",
            ),
            progress: Batch::new("lesson_progress", "user_id, lesson_id, read_at"),
            attempts: Batch::new(
                "quiz_attempts",
                "id, user_id, quiz_id, course_id, number, questions, answers, pass_percent, started_at, deadline, \
                 submitted_at, closed_by_server, marks, score, max_score, percent, passed",
            ),
            awards: Batch::new(
                "competency_awards",
                "user_id, code, level, course_id, attempt_id, score_percent, awarded_at",
            ),
            attempt_id: 0,
        }
    }

    /// One person's enrollment in one course, drawn at random: its due date (one of `dues`), the lessons
    /// read, the quiz attempts and, when completed, the awards.
    fn enrol(
        &mut self,
        rng: &mut Rng,
        user_id: i64,
        course: &CourseInfo,
        now: DateTime<Utc>,
        dues: &[Option<NaiveDate>],
    ) {
        let enrolled_at =
            now - Duration::days(60 + rng.below(120) as i64) - Duration::minutes(rng.below(600) as i64);
        let due = dues[rng.below(dues.len())];
        let state = rng.below(100);
        let n = course.lessons.len();
        let (read, completed) = if state < 45 {
            (n, true)
        } else if state < 80 {
            (1 + rng.below(n.max(1)), false)
        } else {
            (0, false)
        };
        let read = read.min(n);
        let mut at = enrolled_at + Duration::days(1 + rng.below(20) as i64);
        for lesson_id in &course.lessons[..read] {
            self.progress.push(format!("{user_id}, {lesson_id}, {}", ts(at)));
            at += Duration::minutes(20 + rng.below(600) as i64);
        }
        let mut completed_at = self.attempt_quiz(rng, user_id, course, read, completed, &mut at);
        if completed && completed_at.is_none() {
            // A course without a completion quiz completes with its last lesson.
            completed_at = Some((at, 0, f64::NAN));
        }
        if let Some((when, attempt, percent)) = completed_at {
            self.award(user_id, course, when, attempt, percent);
        }
        self.enrollments.push(format!(
            "{user_id}, {}, {}, NULL, {}, {}",
            q(&course.id),
            opt(due.map(date)),
            ts(enrolled_at),
            opt(completed_at.map(|(when, _, _)| ts(when)))
        ));
    }

    /// The attempts at the course's final quiz, if it has one, from `at` on (which moves past them): a
    /// completed course's passing attempt, after a failed one three times in ten; a third of those who
    /// began reading failed once. Returns the passing attempt's (submission time, id, percent).
    fn attempt_quiz(
        &mut self,
        rng: &mut Rng,
        user_id: i64,
        course: &CourseInfo,
        read: usize,
        completed: bool,
        at: &mut DateTime<Utc>,
    ) -> Option<(DateTime<Utc>, i64, f64)> {
        let quiz_id = course.quiz?;
        let tries = if completed {
            if rng.below(10) < 7 { 1 } else { 2 }
        } else if read > 0 && rng.below(3) == 0 {
            1
        } else {
            0
        };
        let mut completed_at = None;
        for number in 1..=tries {
            let pass = completed && number == tries;
            let percent =
                if pass { [80.0, 90.0, 100.0][rng.below(3)] } else { (3 + rng.below(5)) as f64 * 10.0 };
            self.attempt_id += 1;
            let attempt_id = self.attempt_id;
            let started_at = *at;
            let submitted = *at + Duration::minutes(5 + rng.below(14) as i64);
            self.attempts.push(format!(
                "{attempt_id}, {user_id}, {quiz_id}, {}, {number}, '[]', '{{}}', 80, {}, {}, {}, FALSE, \
                 '[]', {}, 10, {percent}, {}",
                q(&course.id),
                ts(started_at),
                ts(started_at + Duration::minutes(20)),
                ts(submitted),
                percent / 10.0,
                if pass { "TRUE" } else { "FALSE" }
            ));
            *at = submitted + Duration::hours(1 + rng.below(48) as i64);
            if pass {
                completed_at = Some((submitted, attempt_id, percent));
            }
        }
        completed_at
    }

    /// The course's competency awards for a completion at `when`, by `attempt` (0: none) with `percent`
    /// (NaN: none).
    fn award(&mut self, user_id: i64, course: &CourseInfo, when: DateTime<Utc>, attempt: i64, percent: f64) {
        for (code, level) in &course.awards {
            self.awards.push(format!(
                "{user_id}, {}, {level}, {}, {}, {}, {}",
                q(code),
                q(&course.id),
                if attempt > 0 { attempt.to_string() } else { "NULL".into() },
                if percent.is_nan() { "NULL".into() } else { percent.to_string() },
                ts(when)
            ));
        }
    }

    /// Sends the batches that are full.
    async fn flush_full(&mut self, txn: &impl ConnectionTrait) -> anyhow::Result<()> {
        // Attempts before awards: an award names its attempt, and foreign keys are checked per statement.
        if self.attempts.full() || self.awards.full() {
            self.attempts.flush(txn).await?;
            self.awards.flush(txn).await?;
        }
        if self.enrollments.full() {
            self.enrollments.flush(txn).await?;
        }
        if self.progress.full() {
            self.progress.flush(txn).await?;
        }
        Ok(())
    }

    /// Sends what is left of every batch.
    async fn flush_all(&mut self, txn: &impl ConnectionTrait) -> anyhow::Result<()> {
        // Attempts before awards (awards name their attempt), enrollments any time.
        self.enrollments.flush(txn).await?;
        self.progress.flush(txn).await?;
        self.attempts.flush(txn).await?;
        self.awards.flush(txn).await?;
        Ok(())
    }
}

/// The active courses with their lesson ids (in order), final quiz id and awards.
async fn course_infos(
    db: &DatabaseConnection,
    library: &daotao_content::course::Library,
) -> anyhow::Result<Vec<CourseInfo>> {
    let mut lessons: HashMap<String, Vec<(i32, i64)>> = HashMap::new();
    for l in lesson::Entity::find().filter(lesson::Column::Active.eq(true)).all(db).await? {
        lessons.entry(l.course_id).or_default().push((l.position, l.id));
    }
    let quizzes: HashMap<(String, String), i64> = quiz::Entity::find()
        .filter(quiz::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|q| ((q.course_id, q.slug), q.id))
        .collect();
    let mut out = Vec::new();
    for (id, course) in &library.courses {
        let mut ids = lessons.remove(id).unwrap_or_default();
        ids.sort();
        let quiz = match &course.meta.completion.quiz {
            Some(slug) => Some(
                *quizzes
                    .get(&(id.clone(), slug.get_ref().clone()))
                    .with_context(|| format!("quiz {id}/{} not in the catalog", slug.get_ref()))?,
            ),
            None => None,
        };
        let awards =
            course.meta.competencies.iter().map(|c| (c.get_ref().code.clone(), c.get_ref().level)).collect();
        out.push(CourseInfo {
            id: id.clone(),
            lessons: ids.into_iter().map(|(_, id)| id).collect(),
            quiz,
            awards,
        });
    }
    Ok(out)
}

/// The province (`TINH`), `top_units` departments (`SO-xx`) and communes or wards (`XA-xx`) under it, and
/// offices and sub-units under those, round robin, up to `units` in all. Returns the unit ids.
async fn seed_units(db: &DatabaseConnection, s: &Settings) -> anyhow::Result<Vec<i64>> {
    ensure!(s.units >= 2 && s.top_units >= 1 && s.top_units < s.units, "--units and --top-units");
    let mut units = vec![NewUnit { code: "TINH".into(), name: "Tỉnh Mẫu".into(), parent_code: None }];
    for i in 0..s.top_units {
        let (code, name) = if i % 2 == 0 {
            (format!("SO-{i:02}"), format!("Sở số {i:02}"))
        } else {
            (format!("XA-{i:02}"), format!("UBND xã, phường số {i:02}"))
        };
        units.push(NewUnit { code, name, parent_code: Some("TINH".into()) });
    }
    let mut next = 0;
    while units.len() < s.units {
        let parent = units[1 + next % s.top_units].code.clone();
        let name = if parent.starts_with("SO") {
            format!("Phòng chuyên môn {next:03}")
        } else {
            format!("Bộ phận {next:03}")
        };
        units.push(NewUnit { code: format!("{parent}.{next:03}"), name, parent_code: Some(parent) });
        next += 1;
    }
    let txn = db.begin().await?;
    daotao_core::people::units::insert_units(&txn, &units).await?;
    txn.commit().await?;
    let mut ids: Vec<i64> = daotao_core::people::units::ids_by_code(db).await?.into_values().collect();
    ids.sort();
    Ok(ids)
}

/// On PostgreSQL: moves the id sequences past the explicit ids and refreshes the planner's statistics, as
/// autovacuum would soon after a bulk load. SQLite is left as the application leaves it (it never runs
/// `ANALYZE`).
async fn finish(db: &DatabaseConnection) -> anyhow::Result<()> {
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        for table in ["users", "quiz_attempts"] {
            db.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .await?;
        }
        db.execute_unprepared("ANALYZE").await?;
    }
    Ok(())
}
