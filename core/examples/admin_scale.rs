//! The admin-scale benchmark (see `benches/admin-scale/README.md`): seeds a
//! province of 100,000 accounts in 500 units with enrollments, lessons read,
//! quiz attempts, completions and competencies, then times the queries behind
//! each admin screen, the reports of the Báo cáo screen and their export.
//!
//! ```sh
//! cargo run --release -p daotao-core --example admin_scale -- [--users N] [--units N] [--database-url URL]
//! ```
//! Without `--database-url` it uses a fresh SQLite file in a temporary folder; a database that
//! already holds accounts is timed as it is (to time it again after a change).
//! Not run by `cargo test`: it takes minutes and its figures are machine-dependent.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, Days, NaiveDate, Utc};
use daotao_content::course::Competency;
use daotao_core::admin_views::{
    course_enrollments, course_stats, overview, unit_tree, user_detail, user_search,
};
use daotao_core::entities::user::{self, Role};
use daotao_core::entities::{lesson, lesson_progress, quiz, quiz_attempt};
use daotao_core::learning::{catalog, enrollment};
use daotao_core::people::accounts::AccountRow;
use daotao_core::people::units;
use daotao_core::people::units::NewUnit;
use daotao_core::platform::db;
use daotao_core::report;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};

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
const COURSE: &str = "an-toan-thong-tin-co-ban";
const SECOND_COURSE: &str = "chinh-quyen-so";

/// A small deterministic generator, so every run seeds the same province.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main]
async fn main() {
    let users: usize = arg("--users").map_or(100_000, |n| n.parse().expect("--users N"));
    let unit_count: usize = arg("--units").map_or(500, |n| n.parse().expect("--units N"));
    let scratch = tempfile::tempdir().unwrap();
    let url = arg("--database-url")
        .unwrap_or_else(|| format!("sqlite://{}/admin-scale.sqlite", scratch.path().display()));
    let db = db::connect(&url).await.expect("connect");
    println!("database: {}", url.split('@').next_back().unwrap_or(&url));
    let started = Instant::now();
    use sea_orm::PaginatorTrait;
    if user::Entity::find().count(&db).await.unwrap() == 0 {
        seed(&db, users, unit_count).await;
        println!(
            "seeded {users} accounts in {unit_count} units in {:.1} s\n",
            started.elapsed().as_secs_f64()
        );
    } else {
        println!("the database holds accounts already: timing it as it is\n");
    }

    let today = Utc::now().date_naive();
    println!("| query (screen) | median | min | max |\n|---|---:|---:|---:|");
    time_screens(&db, today).await;
    let courses_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../courses");
    let framework = daotao_content::course::loader::load_competencies(&courses_dir).unwrap();
    time_user_detail(&db, &framework).await;
    time_reports(&db, &framework, today, scratch.path()).await;
    time_enrol_province(&db).await;
}

/// The queries behind the admin screens' lists: overview, users, units, courses and enrollments.
async fn time_screens(db: &DatabaseConnection, today: NaiveDate) {
    println!("| query (screen) | median | min | max |\n|---|---:|---:|---:|");
    time("overview: totals, overdue, activity (Tổng quan)", || async {
        overview::overview(db, today, Utc::now()).await.unwrap();
    })
    .await;
    time("overview: completion by unit (bars, after)", || async {
        overview::progress_by_unit(db).await.unwrap();
    })
    .await;
    time("users, page 1 (Người dùng)", || async {
        user_search::page(db, "", 0, 100).await.unwrap();
    })
    .await;
    time("users, page 500", || async {
        user_search::page(db, "", 499, 100).await.unwrap();
    })
    .await;
    time("users filtered `nguyen thi lan`", || async {
        user_search::page(db, "nguyen thi lan", 0, 100).await.unwrap();
    })
    .await;
    time("users filtered `Nguyễn Thị Lan` (diacritics)", || async {
        user_search::page(db, "Nguyễn Thị Lan", 0, 100).await.unwrap();
    })
    .await;
    time("users filtered by unit `phuong 07`", || async {
        user_search::page(db, "phuong 07", 0, 100).await.unwrap();
    })
    .await;
    time("users filtered, no match `zzz`", || async {
        user_search::page(db, "zzz", 0, 100).await.unwrap();
    })
    .await;
    time("unit tree with member counts (Đơn vị)", || async {
        unit_tree::tree(db).await.unwrap();
    })
    .await;
    time("course catalog with completions and average best score (Khoá học)", || async {
        course_stats::catalog(db).await.unwrap();
    })
    .await;
    time("a course's enrollments, page 1 (Ghi danh)", || async {
        course_enrollments::page(db, COURSE, "", 0, 100).await.unwrap();
    })
    .await;
    time("a course's enrollments filtered `tran van`", || async {
        course_enrollments::page(db, COURSE, "tran van", 0, 100).await.unwrap();
    })
    .await;
    time("people of the whole province (unit-tree enrol)", || async {
        enrollment::unit_members(db, "TINH").await.unwrap();
    })
    .await;
}

/// A person's detail pages, for the person with the most attempts.
async fn time_user_detail(db: &DatabaseConnection, framework: &[Competency]) {
    // The person with the most attempts (the detail's worst case among the seeded).
    let busiest: i64 = {
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT user_id FROM quiz_attempts GROUP BY user_id ORDER BY COUNT(*) DESC, user_id LIMIT 1",
            ))
            .await
            .unwrap()
            .expect("attempts were seeded");
        row.try_get_by_index(0).unwrap()
    };
    time("a person's quiz attempts, page 1 (user detail)", || async {
        user_detail::attempts(db, busiest, 0, 50).await.unwrap();
    })
    .await;
    time("a person's competencies, page 1 (user detail)", || async {
        user_detail::competencies(db, busiest, framework, 0, 50).await.unwrap();
    })
    .await;
}

/// The Báo cáo screen: what Enter computes (load + build), then the exports of the whole province.
async fn time_reports(db: &DatabaseConnection, framework: &[Competency], today: NaiveDate, scratch: &Path) {
    time_runs("report preview: competency, one department and its offices (SO-00)", 3, || async {
        let data = report::data::load(db, Some("SO-00")).await.unwrap();
        report::competency::build(&data, framework, &[], today);
    })
    .await;
    time_runs("report preview: competency, whole province", 3, || async {
        let data = report::data::load(db, None).await.unwrap();
        report::competency::build(&data, framework, &[], today);
    })
    .await;
    time_runs("report preview: progress, whole province", 3, || async {
        let data = report::data::load(db, None).await.unwrap();
        report::progress::build(&data, None, today);
    })
    .await;
    let out = scratch.join("export");
    std::fs::create_dir_all(&out).unwrap();
    let once = Instant::now();
    let data = report::data::load(db, None).await.unwrap();
    let built = report::competency::build(&data, framework, &[], today);
    let file = std::fs::File::create(out.join("nang-luc.csv")).unwrap();
    report::csv::write(&built.detail, std::io::BufWriter::new(file)).unwrap();
    println!(
        "| export: competency by learner, whole province, CSV ({} rows), once | {} | | |",
        built.detail.rows.len(),
        ms(once.elapsed())
    );
    let once = Instant::now();
    let data = report::data::load(db, None).await.unwrap();
    let built = report::competency::build(&data, framework, &[], today);
    report::xlsx::write(&built, &out.join("nang-luc.xlsx")).unwrap();
    println!(
        "| export: competency report, whole province, XLSX ({} + {} rows), once | {} | | |",
        built.summary.rows.len(),
        built.detail.rows.len(),
        ms(once.elapsed())
    );
}

/// A write shown as work under way: enrolling the whole province in a course.
async fn time_enrol_province(db: &DatabaseConnection) {
    let once = Instant::now();
    let ids = enrollment::unit_members(db, "TINH").await.unwrap();
    let txn = db.begin().await.unwrap();
    let added = enrollment::enroll_users(&txn, "dich-vu-cong-truc-tuyen", &ids, None, None).await.unwrap();
    txn.commit().await.unwrap();
    println!("| enrol the whole province ({added} people) in a course, once | {} | | |", ms(once.elapsed()));
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Runs `f` 7 times after one warm-up and prints median, min and max.
async fn time<F, Fut>(what: &str, f: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    time_runs(what, 7, f).await
}

/// Runs `f` `n` times after one warm-up and prints median, min and max (fewer runs for the slow reports).
async fn time_runs<F, Fut>(what: &str, n: usize, f: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    f().await;
    let mut runs = Vec::new();
    for _ in 0..n {
        let started = Instant::now();
        f().await;
        runs.push(started.elapsed());
    }
    runs.sort();
    println!("| {what} | {} | {} | {} |", ms(runs[n / 2]), ms(runs[0]), ms(runs[n - 1]));
}

async fn seed(db: &DatabaseConnection, users: usize, unit_count: usize) {
    let library = daotao_content::course::load_library(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../courses"),
    );
    catalog::sync_library(db, &library).await.unwrap();

    let unit_ids = seed_units(db, unit_count).await;
    let mut rng = Lcg(2026);
    let now = Utc::now();
    seed_accounts(db, users, &unit_ids, &mut rng, now).await;
    let ids: Vec<i64> = user::Entity::find()
        .order_by_asc(user::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.id)
        .collect();
    seed_enrollments(db, &ids, &mut rng, now).await;
    seed_attempts(db, &ids, &mut rng, now).await;
}

/// A province, 40 departments and communes, offices below them: `unit_count` units in all. Returns their ids.
async fn seed_units(db: &DatabaseConnection, unit_count: usize) -> Vec<i64> {
    let mut new_units = vec![NewUnit { code: "TINH".into(), name: "Tỉnh Mẫu".into(), parent_code: None }];
    let top = 40.min(unit_count.saturating_sub(1));
    for i in 0..top {
        let (code, name) = if i % 2 == 0 {
            (format!("SO-{i:02}"), format!("Sở số {i:02}"))
        } else {
            (format!("P-{i:02}"), format!("UBND phường {i:02}"))
        };
        new_units.push(NewUnit { code, name, parent_code: Some("TINH".into()) });
    }
    let mut next = 0;
    while new_units.len() < unit_count {
        let parent = new_units[1 + next % top].code.clone();
        new_units.push(NewUnit {
            code: format!("{parent}.{next:03}"),
            name: format!("Phòng chuyên môn {next:03}"),
            parent_code: Some(parent),
        });
        next += 1;
    }
    let txn = db.begin().await.unwrap();
    units::insert_units(&txn, &new_units).await.unwrap();
    txn.commit().await.unwrap();
    units::ids_by_code(db).await.unwrap().into_values().collect()
}

/// `users` learner accounts spread over the units, with one password hash for all (hashing 100,000 passwords
/// would take the time being measured).
async fn seed_accounts(
    db: &DatabaseConnection,
    users: usize,
    unit_ids: &[i64],
    rng: &mut Lcg,
    now: DateTime<Utc>,
) {
    let hash = daotao_core::people::auth::password::hash("mật khẩu của bài đo hiệu năng");
    let txn = db.begin().await.unwrap();
    let mut batch = Vec::with_capacity(500);
    for i in 0..users {
        let full_name = format!(
            "{} {} {}",
            FAMILY[rng.next(FAMILY.len())],
            MIDDLE[rng.next(MIDDLE.len())],
            GIVEN[rng.next(GIVEN.len())]
        );
        let row = AccountRow {
            username: format!("cb{i:06}"),
            full_name,
            email: None,
            unit_id: Some(unit_ids[rng.next(unit_ids.len())]),
            position: "Chuyên viên".into(),
            role: Role::Learner,
            must_change_password: false,
        };
        batch.push(row.into_active_model(hash.clone(), now));
        if batch.len() == 500 || i + 1 == users {
            user::Entity::insert_many(std::mem::take(&mut batch)).exec_without_returning(&txn).await.unwrap();
        }
    }
    txn.commit().await.unwrap();
}

/// Everyone in the basic course, a third in a second one; a tenth past due; lessons read at random.
async fn seed_enrollments(db: &DatabaseConnection, ids: &[i64], rng: &mut Lcg, now: DateTime<Utc>) {
    let txn = db.begin().await.unwrap();
    let today = Utc::now().date_naive();
    let past: NaiveDate = today - Days::new(10);
    let (late, on_time) = ids.split_at(ids.len() / 10);
    enrollment::enroll_users(&txn, COURSE, late, Some(past), None).await.unwrap();
    enrollment::enroll_users(&txn, COURSE, on_time, Some(today + Days::new(60)), None).await.unwrap();
    let third: Vec<i64> = ids.iter().copied().step_by(3).collect();
    enrollment::enroll_users(&txn, SECOND_COURSE, &third, None, None).await.unwrap();
    let lessons: Vec<i64> = lesson::Entity::find()
        .filter(lesson::Column::CourseId.eq(COURSE))
        .order_by_asc(lesson::Column::Position)
        .all(&txn)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.id)
        .collect();
    let mut rows = Vec::new();
    for &user_id in ids {
        for &lesson_id in lessons.iter().take(rng.next(lessons.len() + 1)) {
            rows.push(lesson_progress::ActiveModel {
                id: NotSet,
                user_id: Set(user_id),
                lesson_id: Set(lesson_id),
                read_at: Set(now),
            });
            if rows.len() == 1000 {
                lesson_progress::Entity::insert_many(std::mem::take(&mut rows))
                    .exec_without_returning(&txn)
                    .await
                    .unwrap();
            }
        }
    }
    if !rows.is_empty() {
        lesson_progress::Entity::insert_many(rows).exec_without_returning(&txn).await.unwrap();
    }
    txn.commit().await.unwrap();
}

/// Quiz attempts at the basic course's quiz: 60% of the people try, some twice or three times, scores from 30%
/// to 100%; a passing attempt completes the course and awards its competency (as completion does).
async fn seed_attempts(db: &DatabaseConnection, ids: &[i64], rng: &mut Lcg, now: DateTime<Utc>) {
    let quiz = quiz::Entity::find()
        .filter(quiz::Column::CourseId.eq(COURSE))
        .order_by_asc(quiz::Column::Position)
        .one(db)
        .await
        .unwrap()
        .expect("the basic course has a quiz");
    let txn = db.begin().await.unwrap();
    let mut attempts = Vec::new();
    for &user_id in ids {
        if rng.next(10) >= 6 {
            continue;
        }
        for number in 1..=(1 + rng.next(3) as i32) {
            let percent = 30.0 + rng.next(71) as f64;
            attempts.push(quiz_attempt::ActiveModel {
                id: NotSet,
                user_id: Set(user_id),
                quiz_id: Set(quiz.id),
                course_id: Set(COURSE.into()),
                number: Set(number),
                questions: Set("[]".into()),
                answers: Set("{}".into()),
                pass_percent: Set(80),
                started_at: Set(now),
                deadline: Set(None),
                submitted_at: Set(Some(now)),
                closed_by_server: Set(false),
                marks: Set(None),
                score: Set(Some(percent / 10.0)),
                max_score: Set(10.0),
                percent: Set(Some(percent)),
                passed: Set(Some(percent >= 80.0)),
            });
            if attempts.len() == 1000 {
                quiz_attempt::Entity::insert_many(std::mem::take(&mut attempts))
                    .exec_without_returning(&txn)
                    .await
                    .unwrap();
            }
        }
    }
    if !attempts.is_empty() {
        quiz_attempt::Entity::insert_many(attempts).exec_without_returning(&txn).await.unwrap();
    }
    let backend = txn.get_database_backend();
    let run = |sql: String| sea_orm::Statement::from_string(backend, sql);
    txn.execute_raw(run(format!(
        "UPDATE enrollments SET completed_at = enrolled_at WHERE course_id = '{COURSE}' \
         AND user_id IN (SELECT user_id FROM quiz_attempts WHERE passed)"
    )))
    .await
    .unwrap();
    txn.execute_raw(run(format!(
        "INSERT INTO competency_awards (user_id, code, level, course_id, attempt_id, score_percent, awarded_at) \
         SELECT user_id, 'ATTT.1', 1, course_id, NULL, NULL, completed_at FROM enrollments \
         WHERE course_id = '{COURSE}' AND completed_at IS NOT NULL"
    )))
    .await
    .unwrap();
    txn.commit().await.unwrap();
}
