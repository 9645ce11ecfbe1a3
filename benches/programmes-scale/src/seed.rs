//! Seeds a province for the programmes: 500 units in three levels, 100,000 active people (plus some
//! deactivated accounts the pass must leave out) with positions, and earlier course completions of the
//! programmes' courses spread over the last fifteen months, so the first pass completes some cycles at once,
//! leaves others open and the report finds every status.
//!
//! The catalog and the units go through `daotao-core` (`catalog::sync_library`, `units::insert_units`);
//! the bulk rows are multi-row `INSERT`s of 1,000 literal rows, one transaction per phase, as in
//! `benches/report-scale`: seeding is not what is measured.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, ensure};
use chrono::{Duration, Utc};
use daotao_bench_support::seeding::{Batch, Rng, q, ts};
use daotao_core::people::units::NewUnit;
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};

use crate::programmes::rules;

const FAMILY: &[&str] =
    &["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"];
const MIDDLE: &[&str] = &["Văn", "Thị", "Hữu", "Đức", "Thu", "Minh", "Quang", "Ngọc", "Thanh", "Hoài"];
const GIVEN: &[&str] =
    &["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Linh", "Nam"];
/// Positions and their weights (out of 100): the programmes match on their words.
const POSITIONS: &[(&str, usize)] = &[
    ("Chuyên viên", 45),
    ("Chuyên viên CNTT", 5),
    ("Công chức Bộ phận một cửa", 10),
    ("Văn thư", 10),
    ("Kế toán", 10),
    ("Trưởng phòng", 12),
    ("Phó Giám đốc", 8),
];

/// What to seed.
#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    /// Active people.
    #[arg(long, default_value_t = 100_000)]
    pub people: usize,
    /// Deactivated accounts on top (no programme applies to them).
    #[arg(long, default_value_t = 1_000)]
    pub inactive: usize,
    /// Units, the province included.
    #[arg(long, default_value_t = 500)]
    pub units: usize,
    /// Departments and communes directly under the province.
    #[arg(long, default_value_t = 40)]
    pub top_units: usize,
    /// Percent of people who completed each course of their programmes before (at some day of the last
    /// fifteen months).
    #[arg(long, default_value_t = 40)]
    pub completed_percent: usize,
}

/// How much was seeded.
pub struct Seeded {
    pub units: usize,
    pub accounts: u64,
    pub completions: u64,
}

/// Seeds an empty database at `url` with the course library in `courses`.
pub async fn seed(url: &str, courses: &Path, s: &Settings) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    let db = daotao_core::platform::db::connect(url).await?;
    daotao_core::demo::ensure_empty(&db).await.context("seeding needs an empty database")?;
    let library = daotao_content::course::load_library(courses);
    ensure!(library.problems.is_empty(), "the course library has problems: {:?}", library.problems);
    daotao_core::learning::catalog::sync_library(&db, &library).await?;
    for rule in rules() {
        for course in &rule.courses {
            ensure!(library.courses.contains_key(course), "programme {}: no course {course}", rule.id);
        }
    }
    let unit_ids = seed_units(&db, s).await?;
    eprintln!("  {} units ({:.1} s)", unit_ids.len(), started.elapsed().as_secs_f64());
    let mut rng = Rng(2026);
    let now = Utc::now();
    let hash = daotao_core::people::auth::password::hash("mật khẩu của bài đo chương trình");
    let txn = db.begin().await?;
    let mut users = Batch::new(
        "users",
        "id, username, full_name, email, unit_id, position, role, password_hash, must_change_password, \
         active, failed_logins, locked_until, created_at, search_key",
    );
    let mut done =
        Batch::new("enrollments", "user_id, course_id, due_date, enrolled_by, enrolled_at, completed_at");
    let mut courses: Vec<&str> = library.courses.keys().map(String::as_str).collect();
    courses.sort_unstable();
    for i in 0..s.people + s.inactive {
        let id = i as i64 + 1;
        let username = format!("cb{i:06}");
        let full_name = format!("{} {} {}", rng.pick(FAMILY), rng.pick(MIDDLE), rng.pick(GIVEN));
        let unit_id = unit_ids[rng.below(unit_ids.len())];
        let position = pick_position(&mut rng);
        let key = daotao_core::people::search_key::search_key(&full_name, &username);
        let values = format!(
            "{id}, {}, {}, {}, {unit_id}, {}, 'learner', {}, FALSE, {}, 0, NULL, {}, {}",
            q(&username),
            q(&full_name),
            q(&format!("{username}@tinhmau.example")),
            q(position),
            q(&hash),
            if i < s.people { "TRUE" } else { "FALSE" },
            ts(now - Duration::days(600)),
            q(&key)
        );
        users.add(&txn, values).await?;
    }
    // Completions after every account is written (their foreign key).
    users.flush(&txn).await?;
    for id in 1..=(s.people + s.inactive) as i64 {
        for course in &courses {
            if rng.below(100) < s.completed_percent {
                let at = now
                    - Duration::days(1 + rng.below(450) as i64)
                    - Duration::minutes(rng.below(600) as i64);
                let enrolled = ts(at - Duration::days(20));
                done.add(&txn, format!("{id}, {}, NULL, NULL, {enrolled}, {}", q(course), ts(at))).await?;
            }
        }
    }
    done.flush(&txn).await?;
    txn.commit().await?;
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        db.execute_unprepared(
            "SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT MAX(id) FROM users))",
        )
        .await?;
        db.execute_unprepared("ANALYZE").await?;
    }
    Ok(Seeded { units: unit_ids.len(), accounts: users.total, completions: done.total })
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

/// The province (`TINH`), `top_units` departments (`SO-xx`) and communes (`XA-xx`) under it, and offices
/// under those, round robin, up to `units` in all (the tree of `benches/report-scale`). Returns the unit ids.
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
        let name = format!("Phòng, bộ phận {next:03}");
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
