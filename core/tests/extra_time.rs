//! Extra time as an accommodation (#19, WCAG 2.2.1): an admin grants a person a percentage of extra time, the
//! audit log records every change, and the deadline of the person's next attempt is the start plus the quiz's
//! limit × (1 + p/100); an attempt already running keeps its deadline. On a SQLite file and on PostgreSQL.

use chrono::{Duration, TimeZone, Utc};
use daotao_core::assessment::attempts::{self, time_allowed};
use daotao_core::entities::audit_log;
use daotao_core::entities::user::Role;
use daotao_core::learning::{catalog, enrollment};
use daotao_core::people::accounts::{self, AccountError, MAX_EXTRA_TIME_PERCENT, NewUser};
use daotao_core::platform::db;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

mod support;

const COURSE: &str = "an-toan-thong-tin-co-ban";

async fn story(db: DatabaseConnection) {
    let library = daotao_content::course::load_library(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../courses"),
    );
    catalog::sync_library(&db, &library).await.unwrap();
    let course = library.courses[COURSE].clone();
    let quiz = course.quizzes.iter().find(|q| q.id == "cuoi-khoa").unwrap().clone();
    let limit = quiz.settings.time_limit_minutes;
    assert_eq!(limit, 20, "the bundled completion quiz has a 20-minute limit");
    let mut people = Vec::new();
    for username in ["lan", "binh"] {
        let new = NewUser {
            username: username.into(),
            full_name: format!("Nguyễn Văn {username}"),
            email: None,
            unit_code: None,
            position: "Chuyên viên".into(),
            role: Role::Learner,
            password: Some("Mat-khau-thu-2026!".into()),
        };
        people.push(accounts::add_user(&db, new).await.unwrap().0);
    }
    let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
    enrollment::enroll_users(&db, COURSE, &ids, None, None).await.unwrap();

    // Nobody has extra time at first.
    let start = Utc.with_ymd_and_hms(2026, 12, 4, 2, 0, 0).unwrap();
    let (plain, _) = attempts::start(&db, &library, &people[1], &course, &quiz, start).await.unwrap();
    assert_eq!(plain.row.deadline, Some(start + Duration::minutes(20)));

    // 50%: 30 minutes; the audit says who, what and from what to what.
    let (account, before) = accounts::set_extra_time(&db, "LAN", 50, "quan.tri", "cli").await.unwrap();
    assert_eq!((account.extra_time_percent, before), (50, 0));
    let (first, new) = attempts::start(&db, &library, &account, &course, &quiz, start).await.unwrap();
    assert!(new);
    assert_eq!(first.row.deadline, Some(start + Duration::minutes(30)), "20 × (1 + 50/100)");
    assert_eq!(first.seconds_left(start), Some(30 * 60));

    // Changed while the attempt runs: that attempt keeps its deadline, the next one gets the new time.
    let (account, _) = accounts::set_extra_time(&db, "lan", 25, "quan.tri", "cli").await.unwrap();
    let (same, new) = attempts::start(&db, &library, &account, &course, &quiz, start).await.unwrap();
    assert!(!new);
    assert_eq!(same.row.deadline, first.row.deadline);
    attempts::submit(&db, &library, ids[0], first.row.id, None, start + Duration::minutes(1)).await.unwrap();
    let later = start + Duration::hours(1);
    let (second, _) = attempts::start(&db, &library, &account, &course, &quiz, later).await.unwrap();
    assert_eq!(second.row.deadline, Some(later + Duration::minutes(25)), "20 × 1.25");
    assert_eq!(time_allowed(20, 25), Duration::minutes(25));
    assert_eq!(time_allowed(7, 33), Duration::seconds(7 * 60 * 133 / 100), "to the second");

    // Setting the same value again changes nothing and records nothing; 0 takes it away; too much is refused.
    accounts::set_extra_time(&db, "lan", 25, "quan.tri", "cli").await.unwrap();
    let (account, before) = accounts::set_extra_time(&db, "lan", 0, "quan.tri", "cli").await.unwrap();
    assert_eq!((account.extra_time_percent, before), (0, 25));
    let refused = accounts::set_extra_time(&db, "lan", MAX_EXTRA_TIME_PERCENT + 1, "quan.tri", "cli").await;
    assert!(matches!(refused, Err(AccountError::ExtraTimeTooLarge(201))), "{refused:?}");
    let unknown = accounts::set_extra_time(&db, "khong-co", 10, "quan.tri", "cli").await;
    assert!(matches!(unknown, Err(AccountError::UnknownUser(_))), "{unknown:?}");
    let rows = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("user.extra_time"))
        .order_by_asc(audit_log::Column::Id)
        .all(&db)
        .await
        .unwrap();
    let seen: Vec<(&str, &str, &str, Option<i64>)> =
        rows.iter().map(|r| (r.actor.as_str(), r.target.as_str(), r.detail.as_str(), r.user_id)).collect();
    assert_eq!(
        seen,
        [
            ("quan.tri", "lan", "0% -> 50%", Some(ids[0])),
            ("quan.tri", "lan", "50% -> 25%", Some(ids[0])),
            ("quan.tri", "lan", "25% -> 0%", Some(ids[0])),
        ]
    );
}

#[tokio::test]
async fn extra_time_lengthens_the_deadline_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display())).await.unwrap();
    story(db).await;
}

#[tokio::test]
async fn extra_time_lengthens_the_deadline_on_postgres() {
    let Some(db) = support::fresh_postgres_database().await else { return };
    story(db).await;
}
