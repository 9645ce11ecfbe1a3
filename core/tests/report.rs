//! The competency and progress reports against a hand-computed fixture (a three-level unit tree, four people),
//! on SQLite and on PostgreSQL, and the CSV and XLSX files read back.

mod support;

use chrono::{Duration, NaiveDate, Utc};
use daotao_content::course::Competency;
use daotao_core::entities::user::Role;
use daotao_core::entities::{competency_award, course, enrollment, unit};
use daotao_core::people::accounts::{NewUser, add_user};
use daotao_core::platform::config::Target;
use daotao_core::platform::db;
use daotao_core::report::{self, Cell, Report};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use support::fresh_postgres_database;

const TODAY: &str = "2026-11-26";

fn framework() -> Vec<Competency> {
    ["ATTT.1", "CQS.1"]
        .iter()
        .map(|code| Competency {
            code: code.to_string(),
            name: format!("Năng lực {code}"),
            area: "Khu vực".into(),
            levels: vec!["Cơ bản".into(), "Thành thạo".into()],
            maps_to: Vec::new(),
        })
        .collect()
}

fn targets() -> Vec<Target> {
    vec![
        Target::competency("ATTT.1", 1, 100, Some("cntt")),
        Target::competency("ATTT.1", 2, 100, Some("CNTT")),
    ]
}

async fn unit(db: &DatabaseConnection, code: &str, parent: Option<i64>) -> i64 {
    unit::ActiveModel {
        id: Default::default(),
        code: Set(code.into()),
        name: Set(format!("Đơn vị {code}")),
        parent_id: Set(parent),
    }
    .insert(db)
    .await
    .unwrap()
    .id
}

async fn person(db: &DatabaseConnection, username: &str, unit: &str, position: &str) -> i64 {
    let new = NewUser {
        username: username.into(),
        full_name: format!("Nguyễn {username}"),
        email: None,
        unit_code: Some(unit.into()),
        position: position.into(),
        role: Role::Learner,
        password: Some("mat-khau-du-dai-2026".into()),
    };
    add_user(db, new).await.unwrap().0.id
}

/// TINH > SO-A > P1, TINH > SO-B. a1 (SO-A, IT) holds ATTT.1 level 1 and completed; a2 (P1) holds CQS.1 and is
/// overdue; b1 (SO-B, IT) holds ATTT.1 level 2 and completed; b2 (SO-B) is enrolled, due later.
async fn fixture(db: &DatabaseConnection) {
    let tinh = unit(db, "TINH", None).await;
    let so_a = unit(db, "SO-A", Some(tinh)).await;
    unit(db, "P1", Some(so_a)).await;
    unit(db, "SO-B", Some(tinh)).await;
    let a1 = person(db, "nv.a1", "SO-A", "Chuyên viên CNTT").await;
    let a2 = person(db, "nv.a2", "P1", "Chuyên viên").await;
    let b1 = person(db, "nv.b1", "SO-B", "Kỹ sư Công nghệ thông tin – CNTT").await;
    let b2 = person(db, "nv.b2", "SO-B", "Văn thư").await;
    for id in ["khoa", "nang-cao"] {
        course::ActiveModel {
            id: Set(id.into()),
            title: Set(format!("Khoá học {id}")),
            summary: Set(String::new()),
            hours: Set(1),
            self_enrol: Set(false),
            content_hash: Set(String::new()),
            active: Set(true),
            synced_at: Set(Utc::now()),
        }
        .insert(db)
        .await
        .unwrap();
    }
    daotao_core::learning::enrollment::enroll_users(db, "khoa", &[a1, a2, b1, b2], None, None).await.unwrap();
    let today = NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
    for (user, due, completed) in [
        (a1, None, true),
        (a2, Some(today - Duration::days(1)), false),
        (b1, Some(today - Duration::days(10)), true),
        (b2, Some(today + Duration::days(5)), false),
    ] {
        let row = enrollment::Entity::find()
            .filter(enrollment::Column::UserId.eq(user))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        let mut row: enrollment::ActiveModel = row.into();
        row.due_date = Set(due);
        row.completed_at = Set(completed.then(Utc::now));
        row.update(db).await.unwrap();
    }
    let awards = [
        (a1, "ATTT.1", 1, "khoa"),
        (b1, "ATTT.1", 1, "khoa"),
        (b1, "ATTT.1", 2, "nang-cao"),
        (a2, "CQS.1", 1, "khoa"),
    ];
    for (user, code, level, course_id) in awards {
        competency_award::ActiveModel {
            id: Default::default(),
            user_id: Set(user),
            code: Set(code.into()),
            level: Set(level),
            course_id: Set(course_id.into()),
            attempt_id: Set(None),
            score_percent: Set(None),
            awarded_at: Set(Utc::now()),
        }
        .insert(db)
        .await
        .unwrap_or_else(|_| panic!("award {user} {code} {level}"));
    }
}

fn row<'a>(report: &'a Report, code: &str) -> &'a [Cell] {
    report
        .summary
        .rows
        .iter()
        .find(|r| r[0] == Cell::Text(code.into()))
        .unwrap_or_else(|| panic!("no row {code}"))
}

fn col(report: &Report, name: &str) -> usize {
    report
        .summary
        .columns
        .iter()
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("no column {name}: {:?}", report.summary.columns))
}

async fn story(db: DatabaseConnection) {
    fixture(&db).await;
    let today = NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
    let data = report::data::load(&db, None).await.unwrap();
    let r = report::competency::build(&data, &framework(), &targets(), today);
    assert_eq!(
        r.summary.rows.iter().map(|r| r[0].to_text()).collect::<Vec<_>>(),
        ["TINH", "SO-A", "P1", "SO-B"],
        "parents before children"
    );
    // The header, written out by hand: a change of columns or of their order must be a decision.
    assert_eq!(
        r.summary.columns,
        [
            "Mã đơn vị",
            "Đơn vị",
            "Đơn vị cấp trên",
            "Số người",
            "Tỉ lệ có ATTT.1",
            "Tỉ lệ có CQS.1",
            "Tỉ lệ hoàn thành khoa",
            "Tỉ lệ hoàn thành nang-cao",
            "Tỉ lệ hài lòng khoa",
            "Tỉ lệ hài lòng nang-cao",
            "Ghi danh quá hạn",
            "Mục tiêu ATTT.1 mức 1 (cntt)",
            "Đạt ATTT.1 mức 1 (cntt)",
            "Còn thiếu ATTT.1 mức 1 (cntt)",
            "Mục tiêu ATTT.1 mức 2 (CNTT)",
            "Đạt ATTT.1 mức 2 (CNTT)",
            "Còn thiếu ATTT.1 mức 2 (CNTT)",
        ],
        "every course of the catalog has its column, enrolled in or not"
    );
    let (head, attt, cqs, done, late) = (
        col(&r, "Số người"),
        col(&r, "Tỉ lệ có ATTT.1"),
        col(&r, "Tỉ lệ có CQS.1"),
        col(&r, "Tỉ lệ hoàn thành khoa"),
        col(&r, "Ghi danh quá hạn"),
    );
    let t1 = col(&r, "Đạt ATTT.1 mức 1 (cntt)");
    let t2 = col(&r, "Đạt ATTT.1 mức 2 (CNTT)");
    let gap2 = col(&r, "Còn thiếu ATTT.1 mức 2 (CNTT)");
    let tinh = row(&r, "TINH");
    assert_eq!(tinh[head], Cell::Int(4));
    assert_eq!(tinh[attt], Cell::Percent(0.5));
    assert_eq!(tinh[cqs], Cell::Percent(0.25));
    assert_eq!(tinh[done], Cell::Percent(0.5));
    assert_eq!(tinh[late], Cell::Int(1));
    assert_eq!(tinh[t1], Cell::Percent(1.0), "both IT staff hold level 1 or more");
    assert_eq!(tinh[t2], Cell::Percent(0.5));
    assert_eq!(tinh[gap2], Cell::Percent(0.5));
    assert_eq!(tinh[t2 - 1], Cell::Percent(1.0), "the target");
    let so_a = row(&r, "SO-A");
    assert_eq!(
        (so_a[head].clone(), so_a[attt].clone(), so_a[late].clone()),
        (Cell::Int(2), Cell::Percent(0.5), Cell::Int(1))
    );
    let p1 = row(&r, "P1");
    assert_eq!(
        (p1[head].clone(), p1[attt].clone(), p1[cqs].clone()),
        (Cell::Int(1), Cell::Percent(0.0), Cell::Percent(1.0))
    );
    assert_eq!(p1[t1], Cell::Empty, "no IT staff in P1: no share to show");
    let so_b = row(&r, "SO-B");
    assert_eq!(
        (so_b[head].clone(), so_b[done].clone(), so_b[late].clone()),
        (Cell::Int(2), Cell::Percent(0.5), Cell::Int(0))
    );
    assert_eq!(so_b[t2], Cell::Percent(1.0));

    // Detail: one row per person, levels and dates per competency, completed/in progress/overdue.
    assert_eq!(r.detail.rows.len(), 4);
    let b1 = r.detail.rows.iter().find(|row| row[2] == Cell::Text("nv.b1".into())).unwrap();
    let level = r.detail.columns.iter().position(|c| c == "ATTT.1 mức").unwrap();
    assert_eq!(b1[level], Cell::Int(2), "the higher level supersedes");
    assert!(matches!(b1[level + 1], Cell::Date(_)));
    let n = r.detail.columns.len();
    assert_eq!(&b1[n - 3..], [Cell::Int(1), Cell::Int(0), Cell::Int(0)]);
    let a2 = r.detail.rows.iter().find(|row| row[2] == Cell::Text("nv.a2".into())).unwrap();
    assert_eq!(&a2[n - 3..], [Cell::Int(0), Cell::Int(0), Cell::Int(1)]);

    // One unit only: its subtree.
    let data = report::data::load(&db, Some("SO-A")).await.unwrap();
    let r2 = report::competency::build(&data, &framework(), &targets(), today);
    assert_eq!(r2.summary.rows.len(), 2);
    assert_eq!(r2.summary.columns, r.summary.columns, "one unit's report has the province's columns");
    assert_eq!(r2.detail.columns, r.detail.columns);
    assert_eq!(r2.detail.rows.len(), 2);
    assert!(matches!(report::data::load(&db, Some("KHONG")).await, Err(report::ReportError::UnknownUnit(_))));

    // Progress: one row per enrollment.
    let data = report::data::load(&db, None).await.unwrap();
    let p = report::progress::build(&data, Some("khoa"), today);
    assert_eq!(p.detail.rows.len(), 4);
    let overdue = p.detail.rows.iter().filter(|row| row[12] == Cell::Text("có".into())).count();
    assert_eq!(overdue, 1);
    let tinh = p.summary.rows.iter().find(|row| row[0] == Cell::Text("TINH".into())).unwrap();
    assert_eq!(&tinh[3..], [Cell::Int(4), Cell::Int(2), Cell::Percent(0.5), Cell::Int(1), Cell::Empty]);

    files_read_back(&r);
}

/// CSV with BOM and a stable header; XLSX with two sheets, percentages as numbers and dates as dates.
fn files_read_back(r: &Report) {
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("nang-luc.csv");
    report::csv::write(&r.summary, std::fs::File::create(&csv_path).unwrap()).unwrap();
    let bytes = std::fs::read(&csv_path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM for Excel");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, r.summary.columns);
    let first = reader.records().next().unwrap().unwrap();
    assert_eq!(&first[0], "TINH");
    assert_eq!(&first[3], "4");
    assert!(text.contains("50%"));
    assert!(text.contains("\r\n"));

    use calamine::{Data, Reader, open_workbook_auto};
    let xlsx_path = dir.path().join("nang-luc.xlsx");
    report::xlsx::write(r, &xlsx_path).unwrap();
    let mut book = open_workbook_auto(&xlsx_path).unwrap();
    assert_eq!(book.sheet_names(), ["Tổng hợp theo đơn vị", "Chi tiết theo người"]);
    let summary = book.worksheet_range("Tổng hợp theo đơn vị").unwrap();
    assert_eq!(summary.get((0, 0)), Some(&Data::String("Mã đơn vị".into())));
    assert_eq!(summary.get((1, 3)), Some(&Data::Float(4.0)));
    let attt = r.summary.columns.iter().position(|c| c == "Tỉ lệ có ATTT.1").unwrap();
    assert_eq!(summary.get((1, attt)), Some(&Data::Float(0.5)), "a share is a number");
    let detail = book.worksheet_range("Chi tiết theo người").unwrap();
    let date_col = r.detail.columns.iter().position(|c| c == "ATTT.1 ngày").unwrap();
    let b1_row = r.detail.rows.iter().position(|row| row[2] == Cell::Text("nv.b1".into())).unwrap() + 1;
    assert!(
        matches!(detail.get((b1_row, date_col)), Some(Data::DateTime(_))),
        "{:?}",
        detail.get((b1_row, date_col))
    );
    xlsx_formatting(&xlsx_path, r);
}

/// The formatting Excel shows, read from the workbook's XML: a frozen, styled header row, an autofilter over
/// the table, column widths, shares formatted as percentages and dates as dates.
fn xlsx_formatting(path: &std::path::Path, r: &Report) {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut part = |name: &str| {
        let mut text = String::new();
        archive.by_name(name).unwrap().read_to_string(&mut text).unwrap();
        text
    };
    let styles = part("xl/styles.xml");
    assert!(styles.contains(r#"formatCode="0.0%""#), "{styles}");
    assert!(styles.contains(r#"formatCode="dd/mm/yyyy""#), "{styles}");
    assert!(styles.contains(r#"<fgColor rgb="FF1E3A8A"/>"#), "the header's fill: {styles}");
    assert!(styles.contains("<b/>"), "a bold font for the header: {styles}");
    let last_column = |n: usize| {
        let mut name = String::new();
        let mut n = n;
        loop {
            name.insert(0, (b'A' + (n % 26) as u8) as char);
            if n < 26 {
                break name;
            }
            n = n / 26 - 1;
        }
    };
    for (i, table) in [&r.summary, &r.detail].into_iter().enumerate() {
        let sheet = part(&format!("xl/worksheets/sheet{}.xml", i + 1));
        assert!(
            sheet.contains(r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#),
            "{sheet}"
        );
        let range = format!("A1:{}{}", last_column(table.columns.len() - 1), table.rows.len() + 1);
        assert!(
            sheet.contains(&format!(r#"<autoFilter ref="{range}"/>"#)),
            "autofilter over {range}: {sheet}"
        );
        // Widths set up to the last column (neighbours of one width share a <col>).
        let n = table.columns.len();
        assert!(sheet.contains("<cols><col min=\"1\""), "{sheet}");
        assert!(
            sheet.contains(&format!(r#"max="{n}" width="#)) && sheet.contains(r#"customWidth="1""#),
            "{sheet}"
        );
    }
}

#[tokio::test]
async fn reports_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display())).await.unwrap();
    story(db).await;
}

#[tokio::test]
async fn reports_on_postgres() {
    let Some(db) = fresh_postgres_database().await else { return };
    story(db).await;
}
