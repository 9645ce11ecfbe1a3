//! The queries behind the admin tool's screens, on the demo province, on a
//! SQLite file and on PostgreSQL (`DAOTAO_TEST_POSTGRES_URL`): the same story
//! on both, since the overview uses hand-written SQL.

use chrono::{NaiveDate, TimeZone, Utc};
use daotao_core::admin_views::{course_enrollments, course_stats, overview, unit_tree, user_search};
use daotao_core::demo;
use daotao_core::entities::user::{self, Role};
use daotao_core::learning::{enrollment, progress};
use daotao_core::people::accounts::{self, AccountDetails};
use daotao_core::people::search_key;
use daotao_core::people::units::{self, UnitError};
use daotao_core::platform::{audit, db};
use sea_orm::sea_query::Expr;
use sea_orm::{DatabaseConnection, EntityTrait};

mod support;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

async fn usernames(db: &DatabaseConnection, filter: &str) -> Vec<String> {
    let page = user_search::page(db, filter, 0, 100).await.unwrap();
    assert_eq!(page.total as usize, page.lines.len());
    page.lines.into_iter().map(|l| l.username).collect()
}

/// The catalog's figures: every bundled course, and the basic course's lessons, quiz and learners.
async fn catalog_figures(db: &DatabaseConnection, library: &daotao_content::course::Library) {
    let catalog = course_stats::catalog(db).await.unwrap();
    assert_eq!(catalog.len(), library.courses.len());
    let basic = catalog.iter().find(|c| c.id == "an-toan-thong-tin-co-ban").unwrap();
    assert_eq!((basic.lessons.len(), basic.quizzes.len(), basic.enrolled), (6, 1, 10));
}

async fn story(db: &DatabaseConnection) {
    let library = daotao_content::course::load_library(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../courses"),
    );
    demo::seed(db, &library, today()).await.unwrap();

    // Users: pages in name order, filters without diacritics, by unit too.
    let first = user_search::page(db, "", 0, 5).await.unwrap();
    assert_eq!((first.total, first.pages(), first.lines.len()), (12, 3, 5));
    assert_eq!(first.lines[0].username, "mai.bui", "Bùi Thị Mai sorts first");
    let last = user_search::page(db, "", 99, 5).await.unwrap();
    assert_eq!((last.page, last.lines.len()), (2, 2), "a page past the end is the last one");
    assert_eq!(usernames(db, "NGUYỄN").await, ["lan.nguyen"]);
    assert_eq!(usernames(db, "nguyen").await, ["lan.nguyen"]);
    assert_eq!(usernames(db, "thị").await, ["mai.bui", "lan.nguyen", "hoa.vu"]);
    assert_eq!(usernames(db, "tân lập").await, ["son.do", "yen.ngo"], "by unit name");
    assert_eq!(usernames(db, "x-tanlap").await, ["son.do", "yen.ngo"], "by unit code");
    assert_eq!(usernames(db, "thi tan lap").await, Vec::<String>::new(), "every word must match");
    assert_eq!(usernames(db, "hung.tran").await, ["hung.tran"]);
    assert!(
        usernames(db, "%").await.is_empty() && usernames(db, "_").await.is_empty(),
        "LIKE wildcards are literal"
    );

    // Editing a name refreshes its key; keys left empty are filled on connect.
    let details = AccountDetails {
        full_name: "Trần Thị Lan".into(),
        email: None,
        unit_code: "SO-NV".into(),
        position: "Chuyên viên chính".into(),
        role: Role::Learner,
    };
    accounts::update_user(db, "lan.nguyen", details).await.unwrap();
    assert_eq!(usernames(db, "tran thi").await, ["lan.nguyen"]);
    user::Entity::update_many().col_expr(user::Column::SearchKey, Expr::value("")).exec(db).await.unwrap();
    assert_eq!(search_key::fill_missing_keys(db).await.unwrap(), 12);
    let key = accounts::find_user(db, "lan.nguyen").await.unwrap().unwrap().search_key;
    assert_eq!(key, "tran thi lan lan.nguyen");

    // The unit tree, moves (never under oneself) and renames.
    let tree = unit_tree::tree(db).await.unwrap();
    assert_eq!((tree[0].code.as_str(), tree[0].depth, tree[0].members_below), ("TINH", 0, 12));
    assert!(matches!(units::move_to(db, "SO-KHCN", Some("SO-KHCN.CDS")).await, Err(UnitError::Cycle { .. })));
    assert!(matches!(units::move_to(db, "SO-KHCN", Some("SO-KHCN")).await, Err(UnitError::Cycle { .. })));
    units::move_to(db, "SO-KHCN.CDS", Some("SO-NV")).await.unwrap();
    units::rename(db, "SO-NV", "Sở Nội vụ tỉnh").await.unwrap();
    assert!(matches!(units::rename(db, "SO-NV", "  ").await, Err(UnitError::BadName)));
    let tree = unit_tree::tree(db).await.unwrap();
    let so_nv = tree.iter().find(|u| u.code == "SO-NV").unwrap();
    assert_eq!((so_nv.name.as_str(), so_nv.members_below, so_nv.children), ("Sở Nội vụ tỉnh", 4, 1));

    catalog_figures(db, &library).await;

    // Who is enrolled, with lessons read, filtered.
    let lan = accounts::find_user(db, "lan.nguyen").await.unwrap().unwrap();
    progress::mark_read(db, lan.id, "an-toan-thong-tin-co-ban", "mat-khau-va-xac-thuc").await.unwrap();
    let page = course_enrollments::page(db, "an-toan-thong-tin-co-ban", "", 0, 4).await.unwrap();
    assert_eq!((page.total, page.pages(), page.lines.len()), (10, 3, 4));
    let page = course_enrollments::page(db, "an-toan-thong-tin-co-ban", "lan", 0, 4).await.unwrap();
    assert_eq!(page.lines.len(), 1);
    assert_eq!((page.lines[0].lessons_read, page.lines[0].lessons_total), (1, 6));

    // The overview: one overdue enrollment from the demo, one lesson read, the latest audit line.
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap();
    audit::record(
        db,
        audit::Event {
            actor: "test",
            action: "enroll",
            target: "x",
            result: "success",
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let o = overview::overview(db, today(), now).await.unwrap();
    let courses = library.courses.len() as u64;
    assert_eq!(
        (o.totals.units, o.totals.active_users, o.totals.courses, o.totals.overdue),
        (8, 12, courses, 1)
    );
    assert_eq!(o.overdue[0].username, demo::OVERDUE_LEARNER);
    assert_eq!(o.activity[0].action, "enroll");
    let by_unit = overview::progress_by_unit(db).await.unwrap();
    let so_nv = by_unit.iter().find(|u| u.code == "SO-NV").unwrap();
    assert!(so_nv.enrolled >= 4 && so_nv.completed == 0, "{so_nv:?}");
    let so_nv_enrolled = so_nv.enrolled;
    assert!(by_unit.iter().all(|u| u.code != "SO-KHCN.CDS"), "sub-units count under their top unit");
    // Reading every lesson ends the overdue state.
    let hung = accounts::find_user(db, demo::OVERDUE_LEARNER).await.unwrap().unwrap();
    let overdue_course = o.overdue[0].course_id.clone();
    for lesson in library.courses[&overdue_course].lessons.iter() {
        progress::mark_read(db, hung.id, &overdue_course, &lesson.id).await.unwrap();
    }
    assert_eq!(overview::overview(db, today(), now).await.unwrap().totals.overdue, 0);

    // Due dates and withdrawals, by the ids of a unit subtree.
    let so_nv_people = enrollment::unit_members(db, "SO-NV").await.unwrap();
    assert_eq!(so_nv_people.len(), 4);
    let due = NaiveDate::from_ymd_opt(2027, 3, 31);
    assert_eq!(
        enrollment::set_due_date(db, "an-toan-thong-tin-co-ban", &so_nv_people, due).await.unwrap(),
        3
    );
    assert_eq!(enrollment::withdraw(db, "an-toan-thong-tin-co-ban", &[lan.id]).await.unwrap(), 1);
    assert_eq!(enrollment::withdraw(db, "an-toan-thong-tin-co-ban", &[lan.id]).await.unwrap(), 0);
    enrollment::enroll_users(db, "an-toan-thong-tin-co-ban", &[lan.id], None, None).await.unwrap();
    let back = course_enrollments::page(db, "an-toan-thong-tin-co-ban", "lan", 0, 4).await.unwrap();
    assert_eq!(back.lines[0].lessons_read, 1, "lessons read survive a withdrawal");
    // A completed course stays on the record.
    {
        use daotao_core::entities::enrollment as row;
        use sea_orm::{ColumnTrait, QueryFilter};
        row::Entity::update_many()
            .col_expr(row::Column::CompletedAt, Expr::value(now))
            .filter(row::Column::UserId.eq(lan.id))
            .filter(row::Column::CourseId.eq("an-toan-thong-tin-co-ban"))
            .exec(db)
            .await
            .unwrap();
    }
    let so_nv =
        overview::progress_by_unit(db).await.unwrap().into_iter().find(|u| u.code == "SO-NV").unwrap();
    assert_eq!((so_nv.enrolled, so_nv.completed, so_nv.percent()), (so_nv_enrolled, 1, 100 / so_nv_enrolled));
    assert_eq!(enrollment::withdraw(db, "an-toan-thong-tin-co-ban", &[lan.id]).await.unwrap(), 0);
    let kept = course_enrollments::page(db, "an-toan-thong-tin-co-ban", "lan", 0, 4).await.unwrap();
    assert_eq!(kept.lines.len(), 1, "a completed enrollment is not withdrawn");

    // Deactivation and unlock.
    let (gone, _) = accounts::set_active(db, "lan.nguyen", false).await.unwrap();
    assert!(!gone.active);
    assert_eq!(unit_tree::tree(db).await.unwrap()[0].members_below, 11, "only active accounts are counted");
    let (_, was_locked) = accounts::unlock(db, "lan.nguyen").await.unwrap();
    assert!(!was_locked);
}

#[tokio::test]
async fn admin_queries_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display())).await.unwrap();
    story(&db).await;
}

#[tokio::test]
async fn admin_queries_on_postgres() {
    let Some(db) = support::fresh_postgres_database().await else { return };
    story(&db).await;
}
