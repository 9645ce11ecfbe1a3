//! The compliance report (#18) against a hand-worked story: a three-level unit tree, six people, two
//! programmes, the daily pass played forward by date (assign with `as_of`) and the report taken on later
//! days: each status, the roll-up up the tree, the unit and programme filters, a withdrawn cycle left out;
//! and the admin screen's numbers and the people behind them (`admin_views::programmes`).
//! On a SQLite file and on PostgreSQL.

use std::collections::HashMap;

use chrono::{NaiveDate, TimeZone, Utc};
use daotao_core::admin_views::programmes::{self as admin, Column};
use daotao_core::entities::enrollment;
use daotao_core::entities::user::Role;
use daotao_core::learning::programmes::{self, Compliance, Rule, assign};
use daotao_core::learning::{catalog, enrollment as enrol};
use daotao_core::people::accounts::{self, AccountDetails, NewUser};
use daotao_core::people::units::{self, NewUnit};
use daotao_core::platform::db;
use daotao_core::report::compliance::build;
use daotao_core::report::{Cell, Report, ReportError};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

mod support;

const BASIC: &str = "an-toan-thong-tin-co-ban";
const ONLINE: &str = "dich-vu-cong-truc-tuyen";

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// attt: everyone, 60 days, valid 12 months, renewed 30 days before; mot-cua: one-stop-shop staff, 30
/// days, valid for good.
fn rules() -> Vec<Rule> {
    let rule = |id: &str, title: &str, course: &str, positions: &[&str], due, valid| Rule {
        id: id.into(),
        title: title.into(),
        courses: vec![course.into()],
        positions: positions.iter().map(|s| s.to_string()).collect(),
        units: Vec::new(),
        roles: vec![Role::Learner],
        due_days: due,
        valid_months: valid,
        renew_days: 30,
    };
    vec![
        rule("mot-cua", "Dịch vụ công một cửa", ONLINE, &["Một cửa"], 30, 0),
        rule("attt", "An toàn thông tin hằng năm", BASIC, &[], 60, 12),
    ]
}

/// TINH > SO-A > P1, TINH > XA-B; a.cur (P1), b.exp (SO-A), c.due, d.late and e.gone (XA-B), g.free (no
/// unit). d.late and e.gone work at the one-stop shop.
async fn seed(db: &DatabaseConnection) -> HashMap<String, String> {
    let library = daotao_content::course::load_library(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../courses"),
    );
    catalog::sync_library(db, &library).await.unwrap();
    let unit = |code: &str, parent: Option<&str>| NewUnit {
        code: code.into(),
        name: format!("Đơn vị {code}"),
        parent_code: parent.map(str::to_string),
    };
    let tree = [
        unit("TINH", None),
        unit("SO-A", Some("TINH")),
        unit("P1", Some("SO-A")),
        unit("XA-B", Some("TINH")),
    ];
    units::insert_units(db, &tree).await.unwrap();
    for (username, unit, position) in [
        ("a.cur", Some("P1"), "Chuyên viên"),
        ("b.exp", Some("SO-A"), "Chuyên viên"),
        ("c.due", Some("XA-B"), "Văn thư"),
        ("d.late", Some("XA-B"), "Công chức Một cửa"),
        ("e.gone", Some("XA-B"), "Công chức một cửa"),
        ("g.free", None, "Chuyên viên"),
    ] {
        let new = NewUser {
            username: username.into(),
            full_name: format!("Nguyễn {username}"),
            email: None,
            unit_code: unit.map(str::to_string),
            position: position.into(),
            role: Role::Learner,
            password: Some("Mat-khau-thu-2026!".into()),
        };
        accounts::add_user(db, new).await.unwrap();
    }
    programmes::completion_quizzes(&library)
}

/// Marks `username`'s enrolment in `course` completed at 10:00 in Viet Nam on `on`.
async fn complete(db: &DatabaseConnection, username: &str, course: &str, on: &str) {
    let user_id = accounts::find_user(db, username).await.unwrap().unwrap().id;
    enrol::enroll_users(db, course, &[user_id], None, None).await.unwrap();
    let at = Utc.from_utc_datetime(&day(on).and_hms_opt(3, 0, 0).unwrap());
    enrollment::Entity::update_many()
        .col_expr(enrollment::Column::CompletedAt, Expr::value(at))
        .filter(enrollment::Column::UserId.eq(user_id))
        .filter(enrollment::Column::CourseId.eq(course))
        .exec(db)
        .await
        .unwrap();
}

async fn report(db: &DatabaseConnection, unit: Option<&str>, programme: Option<&str>, on: &str) -> Report {
    build(db, &rules(), unit, programme, day(on)).await.unwrap()
}

fn text(cell: &Cell) -> String {
    cell.to_text()
}

/// `username programme status cycle due completed valid_until` per person row.
fn people(report: &Report) -> Vec<String> {
    report
        .detail
        .rows
        .iter()
        .map(|r| [2, 5, 7, 8, 9, 10, 11].map(|i| text(&r[i])).join(" ").trim().to_string())
        .collect()
}

/// `unit programme people current expiring expired overdue not-yet-due share` per unit row.
fn units(report: &Report) -> Vec<String> {
    report.summary.rows.iter().map(|r| [0, 2, 4, 5, 6, 7, 8, 9, 10].map(|i| text(&r[i])).join(" ")).collect()
}

async fn story(db: DatabaseConnection) {
    let db = &db;
    let q = &seed(db).await;
    complete(db, "a.cur", BASIC, "2026-06-01").await;
    complete(db, "b.exp", BASIC, "2026-02-01").await;
    assign(db, &rules(), q, day("2027-01-05"), "test", false).await.unwrap();

    let first = report(db, None, None, "2027-01-05").await;
    assert_eq!(
        people(&first),
        [
            "a.cur attt Còn hiệu lực 1 2027-03-06 2026-06-01 2027-06-01",
            "b.exp attt Sắp hết hạn 1 2027-03-06 2026-02-01 2027-02-01",
            "c.due attt Chưa đến hạn 1 2027-03-06",
            "d.late attt Chưa đến hạn 1 2027-03-06",
            "d.late mot-cua Chưa đến hạn 1 2027-02-04",
            "e.gone attt Chưa đến hạn 1 2027-03-06",
            "e.gone mot-cua Chưa đến hạn 1 2027-02-04",
            "g.free attt Chưa đến hạn 1 2027-03-06",
        ]
    );
    let row = &first.detail.rows[0];
    assert_eq!(
        row[..7].iter().map(text).collect::<Vec<_>>(),
        ["P1", "Đơn vị P1", "a.cur", "Nguyễn a.cur", "Chuyên viên", "attt", "An toàn thông tin hằng năm"]
    );
    assert_eq!(first.detail.columns[7], "Tình trạng");
    assert_eq!(
        first.summary.columns[4..],
        [
            "Số người",
            "Còn hiệu lực",
            "Sắp hết hạn",
            "Đã hết hạn",
            "Quá hạn",
            "Chưa đến hạn",
            "Tỉ lệ còn hiệu lực"
        ]
    );

    // Played forward: e.gone leaves the one-stop shop (withdrawn: out of that programme's report), d.late
    // completes it (valid for good), b.exp's renewal opens 30 days before expiry and the earlier completion
    // still holds: expiring; c.due completes the basic course.
    let account = accounts::find_user(db, "e.gone").await.unwrap().unwrap();
    let details = AccountDetails {
        full_name: account.full_name,
        email: None,
        unit_code: "XA-B".into(),
        position: "Chuyên viên".into(),
        role: Role::Learner,
    };
    accounts::update_user(db, "e.gone", details).await.unwrap();
    complete(db, "d.late", ONLINE, "2027-01-20").await;
    let changes = assign(db, &rules(), q, day("2027-01-21"), "test", false).await.unwrap();
    assert_eq!(changes.renewed.len(), 1);
    let renewing = report(db, None, None, "2027-01-21").await;
    assert_eq!(people(&renewing)[1], "b.exp attt Sắp hết hạn 2 2027-02-01  2027-02-01");
    assert_eq!(people(&renewing)[4], "d.late mot-cua Còn hiệu lực 1 2027-02-04 2027-01-20");
    assert!(
        !people(&renewing).iter().any(|l| l.starts_with("e.gone mot-cua")),
        "withdrawn: not in the report"
    );
    complete(db, "c.due", BASIC, "2027-02-10").await;
    assign(db, &rules(), q, day("2027-02-11"), "test", false).await.unwrap();

    // After the due date: the open cycles are overdue, the renewal too.
    let late = report(db, None, None, "2027-03-07").await;
    assert_eq!(
        people(&late),
        [
            "a.cur attt Còn hiệu lực 1 2027-03-06 2026-06-01 2027-06-01",
            "b.exp attt Quá hạn 2 2027-02-01  2027-02-01",
            "c.due attt Còn hiệu lực 1 2027-03-06 2027-02-10 2028-02-10",
            "d.late attt Quá hạn 1 2027-03-06",
            "d.late mot-cua Còn hiệu lực 1 2027-02-04 2027-01-20",
            "e.gone attt Quá hạn 1 2027-03-06",
            "g.free attt Quá hạn 1 2027-03-06",
        ]
    );
    // Rolled up the tree, parents before children; g.free has no unit and counts in none.
    assert_eq!(
        units(&late),
        [
            "TINH attt 5 2 0 0 3 0 40%",
            "TINH mot-cua 1 1 0 0 0 0 100%",
            "SO-A attt 2 1 0 0 1 0 50%",
            "P1 attt 1 1 0 0 0 0 100%",
            "XA-B attt 3 1 0 0 2 0 33.3%",
            "XA-B mot-cua 1 1 0 0 0 0 100%",
        ]
    );
    assert_eq!(text(&late.summary.rows[2][1]), "  Đơn vị SO-A", "indented by depth");
    admin_screen(db, "2027-03-07").await;

    // Within 30 days of the end of a completion, then past it with no pass since.
    let soon = report(db, None, Some("attt"), "2027-05-10").await;
    assert_eq!(people(&soon)[0], "a.cur attt Sắp hết hạn 1 2027-03-06 2026-06-01 2027-06-01");
    let over = report(db, None, Some("attt"), "2027-06-02").await;
    assert_eq!(people(&over)[0], "a.cur attt Đã hết hạn 1 2027-03-06 2026-06-01 2027-06-01");
    assert_eq!(units(&over)[0], "TINH attt 5 1 0 1 3 0 20%");

    // Filters: a unit with its sub-units (people without a unit left out), one programme.
    let so_a = report(db, Some("SO-A"), None, "2027-03-07").await;
    assert_eq!(people(&so_a).iter().map(|l| &l[..5]).collect::<Vec<_>>(), ["a.cur", "b.exp"]);
    assert_eq!(units(&so_a), ["SO-A attt 2 1 0 0 1 0 50%", "P1 attt 1 1 0 0 0 0 100%"]);
    let one = report(db, None, Some("mot-cua"), "2027-03-07").await;
    assert_eq!(people(&one), ["d.late mot-cua Còn hiệu lực 1 2027-02-04 2027-01-20"]);
    assert_eq!(units(&one), ["TINH mot-cua 1 1 0 0 0 0 100%", "XA-B mot-cua 1 1 0 0 0 0 100%"]);

    let unknown = build(db, &rules(), Some("KHONG-CO"), None, day("2027-03-07")).await;
    assert!(matches!(unknown, Err(ReportError::UnknownUnit(code)) if code == "KHONG-CO"));
    let unknown = build(db, &rules(), None, Some("khong-co"), day("2027-03-07")).await;
    assert!(matches!(unknown, Err(ReportError::UnknownProgramme(id)) if id == "khong-co"));
}

/// The "Chương trình" screen's numbers and the people behind them, from the same standings as the report:
/// assigned, completed, overdue, expiring, expired; everyone (g.free too) and per unit, rolled up.
async fn admin_screen(db: &DatabaseConnection, on: &str) {
    let grid = admin::grid(db, &rules(), day(on)).await.unwrap();
    let units: Vec<_> = grid.units.iter().map(|u| (u.code.as_str(), u.depth)).collect();
    assert_eq!(units, [("TINH", 0), ("SO-A", 1), ("P1", 2), ("XA-B", 1)]);
    let ids: Vec<_> = grid.programmes.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["attt", "mot-cua"]);
    let attt = &grid.programmes[0];
    assert_eq!(attt.title, "An toàn thông tin hằng năm");
    assert_eq!(attt.total, [6, 2, 4, 0, 0], "g.free, with no unit, counts in the total");
    assert_eq!(attt.by_unit, [[5, 2, 3, 0, 0], [2, 1, 1, 0, 0], [1, 1, 0, 0, 0], [3, 1, 2, 0, 0]]);
    assert_eq!(grid.programmes[1].total, [1, 1, 0, 0, 0]);
    assert_eq!(grid.programmes[1].by_unit[2], [0, 0, 0, 0, 0], "P1 has nobody in mot-cua");

    let number = |unit: Option<&str>, column| admin::Number {
        programme: "attt".into(),
        unit: unit.map(str::to_string),
        column,
    };
    let names = |page: &daotao_core::platform::paging::Page<admin::PersonLine>| {
        page.lines.iter().map(|l| l.username.clone()).collect::<Vec<_>>()
    };
    let late = admin::people(db, &rules(), &number(Some("XA-B"), Column::Overdue), 0, 50, day(on)).await;
    let late = late.unwrap();
    assert_eq!(names(&late), ["d.late", "e.gone"]);
    assert_eq!(late.lines[0].unit_code.as_deref(), Some("XA-B"));
    assert_eq!(late.lines[0].due_on, day("2027-03-06"));
    assert_eq!(late.lines[0].status, Compliance::Overdue);
    // Everyone's overdue, two a page: the second page; a page past the end is the last.
    let everyone = number(None, Column::Overdue);
    let second = admin::people(db, &rules(), &everyone, 1, 2, day(on)).await.unwrap();
    assert_eq!((names(&second), second.total, second.page), (vec!["e.gone".into(), "g.free".into()], 4, 1));
    let past = admin::people(db, &rules(), &everyone, 9, 2, day(on)).await.unwrap();
    assert_eq!(past.page, 1);
    let done = admin::people(db, &rules(), &number(Some("SO-A"), Column::Completed), 0, 50, day(on)).await;
    assert_eq!(names(&done.unwrap()), ["a.cur"]);
    let unknown =
        admin::people(db, &rules(), &number(Some("KHONG-CO"), Column::Assigned), 0, 9, day(on)).await;
    assert!(matches!(unknown, Err(ReportError::UnknownUnit(_))));
}

#[tokio::test]
async fn compliance_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display())).await.unwrap();
    story(db).await;
}

#[tokio::test]
async fn compliance_on_postgres() {
    let Some(db) = support::fresh_postgres_database().await else { return };
    story(db).await;
}
