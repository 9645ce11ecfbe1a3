//! The Báo cáo screen against a real database: keys pressed on the screen
//! make the requests, the worker's handler runs them on a SQLite file seeded
//! with the demo province, and the files written are read back (CSV with the
//! csv crate, XLSX with calamine) and compared with the preview.

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use chrono::{NaiveDate, TimeZone, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::App;
use super::worker::{self, Progress, Reply, ReportKind, Response};
use crate::report::Settings;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

pub(super) fn courses_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../courses")
}

fn press(app: &mut App, codes: &[KeyCode]) {
    for &code in codes {
        app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    }
}

/// Replaces the text of the form's field with `text`.
fn retype(app: &mut App, text: &str) {
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    for c in text.chars() {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

/// Runs every request the app has queued, as the worker would, and applies the replies (stages included).
pub(super) async fn run(
    app: &mut App,
    db: &daotao_core::platform::db::Db,
    settings: &Settings,
) -> Vec<Response> {
    let mut replies = Vec::new();
    for request in app.take_requests() {
        let (send, stages) = mpsc::channel();
        let progress = Progress { job: request.describe(), send };
        let response = worker::handle(db, request.clone(), today(), settings, &progress).await.unwrap();
        replies.extend(stages.try_iter());
        replies.push(Reply::to(&request, response));
    }
    for reply in &replies {
        app.receive(reply.clone());
    }
    replies.into_iter().map(|r| r.response).collect()
}

/// Reads a CSV written for Excel: a byte-order mark, then a header row.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(path).unwrap();
    let text = std::str::from_utf8(&bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark for Excel");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    (header, rows)
}

#[tokio::test]
async fn exports_from_the_screen_write_files_that_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = daotao_core::platform::db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display()))
        .await
        .unwrap();
    let library = daotao_content::course::load_library(&courses_dir());
    let seeded = daotao_core::demo::seed(&db, &library, today()).await.unwrap();
    let settings = Settings { courses_dir: courses_dir(), targets: Vec::new() };
    let mut app = App::new(today(), "sqlite://t.sqlite".into());
    app.now = Some(Utc.with_ymd_and_hms(2026, 11, 26, 9, 30, 0).unwrap());

    // The screen lists the demo units; choose Sở Nội vụ and the progress report, and preview it.
    press(&mut app, &[KeyCode::Char('6')]);
    run(&mut app, &db, &settings).await;
    let so_nv = app.reports.units.iter().position(|u| u.code == "SO-NV").expect("SO-NV listed") + 1;
    for _ in 0..so_nv {
        press(&mut app, &[KeyCode::Down]);
    }
    press(&mut app, &[KeyCode::Char('r'), KeyCode::Char('r'), KeyCode::Enter]);
    assert_eq!(app.reports.kind, ReportKind::Progress);
    let replies = run(&mut app, &db, &settings).await;
    assert!(
        replies
            .iter()
            .any(|r| matches!(r, Response::Progress { stage, .. } if stage == "tải dữ liệu và tính")),
        "the stage is reported: {replies:?}"
    );
    let preview = app.reports.preview.clone().expect("a preview");
    assert_eq!(preview.unit.as_deref(), Some("SO-NV"));
    assert!(!preview.table.rows.is_empty(), "the demo enrols Sở Nội vụ's people");

    // `c`: a CSV of the table shown, at the path typed.
    let csv_path = dir.path().join("tien-do.csv");
    press(&mut app, &[KeyCode::Char('c')]);
    retype(&mut app, csv_path.to_str().unwrap());
    press(&mut app, &[KeyCode::Enter]);
    let replies = run(&mut app, &db, &settings).await;
    assert!(matches!(replies.last(), Some(Response::Exported { result: Ok(_), .. })), "{replies:?}");
    assert_eq!(
        app.status,
        format!("Đã ghi {} ({} dòng)", csv_path.display(), preview.table.rows.len()),
        "the status line says where"
    );
    assert!(app.work.is_empty() && app.reports.exporting.is_empty());
    let (header, rows) = read_csv(&csv_path);
    assert_eq!(header, preview.table.columns);
    let shown: Vec<Vec<String>> =
        preview.table.rows.iter().map(|r| r.iter().map(|c| c.to_text()).collect()).collect();
    assert_eq!(rows, shown, "the file holds what the screen previewed");
    let username = header.iter().position(|c| c == "Tài khoản").unwrap();
    assert!(rows.iter().any(|r| r[username] == "lan.nguyen"), "{rows:?}");
    assert!(rows.iter().all(|r| r[0].starts_with("SO-NV")), "only Sở Nội vụ and its sub-units");

    // `x` on every unit's competency summary: a workbook with both sheets.
    let xlsx_path = dir.path().join("nang-luc.xlsx");
    press(&mut app, &[KeyCode::Esc]);
    for _ in 0..so_nv {
        press(&mut app, &[KeyCode::Up]);
    }
    press(&mut app, &[KeyCode::Char('r'), KeyCode::Char('x')]);
    assert_eq!(app.reports.kind, ReportKind::CompetencyByUnit);
    retype(&mut app, xlsx_path.to_str().unwrap());
    press(&mut app, &[KeyCode::Enter]);
    // r recomputes the preview shown (now for every unit); x exports every unit.
    let replies = run(&mut app, &db, &settings).await;
    assert!(
        replies.iter().any(|r| matches!(
            r,
            Response::ReportPreview { unit: None, kind: ReportKind::CompetencyByUnit, table: Ok(_) }
        )),
        "{replies:?}"
    );
    assert!(matches!(replies.last(), Some(Response::Exported { path, result: Ok(_) }) if *path == xlsx_path));
    assert!(app.work.is_empty() && app.reports.exporting.is_empty());
    assert!(app.status.starts_with(&format!("Đã ghi {}", xlsx_path.display())), "{}", app.status);
    use calamine::{Data, Reader, open_workbook_auto};
    let mut book = open_workbook_auto(&xlsx_path).unwrap();
    assert_eq!(book.sheet_names(), ["Tổng hợp theo đơn vị", "Chi tiết theo người"]);
    let summary = book.worksheet_range("Tổng hợp theo đơn vị").unwrap();
    assert_eq!(summary.get((0, 0)), Some(&Data::String("Mã đơn vị".into())));
    assert_eq!(summary.get((1, 0)), Some(&Data::String("TINH".into())), "every unit, from the root");
    let people = seeded.accounts.len();
    assert_eq!(summary.get((1, 3)), Some(&Data::Float(people as f64)), "the province's headcount");
    let detail = book.worksheet_range("Chi tiết theo người").unwrap();
    assert_eq!(detail.height(), people + 1);

    // A folder that does not exist: the precise error, nothing written.
    let bad = dir.path().join("khong-co").join("bc.csv");
    press(&mut app, &[KeyCode::Char('c')]);
    retype(&mut app, bad.to_str().unwrap());
    press(&mut app, &[KeyCode::Enter]);
    let queued = app.take_requests();
    let (send, _stages) = mpsc::channel();
    let progress = Progress { job: queued[0].describe(), send };
    let response = worker::handle(&db, queued[0].clone(), today(), &settings, &progress).await.unwrap();
    app.receive(Reply::to(&queued[0], response));
    assert!(app.status.starts_with(&format!("Lỗi: Không ghi được {}: ", bad.display())), "{}", app.status);
    assert!(!bad.exists());
}

#[tokio::test]
async fn an_import_reports_its_stages_then_what_it_did() {
    let dir = tempfile::tempdir().unwrap();
    let db = daotao_core::platform::db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display()))
        .await
        .unwrap();
    let settings = Settings { courses_dir: courses_dir(), targets: Vec::new() };
    let file = dir.path().join("don-vi.csv");
    std::fs::write(&file, "code,name,parent_code\nTINH,Tỉnh Mẫu,\nSO-NV,Sở Nội vụ,TINH\n").unwrap();
    let mut app = App::new(today(), "sqlite://t.sqlite".into());
    press(&mut app, &[KeyCode::Char('2')]);
    run(&mut app, &db, &settings).await;
    press(&mut app, &[KeyCode::Char('i')]);
    retype(&mut app, file.to_str().unwrap());
    press(&mut app, &[KeyCode::Enter]);
    let replies = run(&mut app, &db, &settings).await;
    let stages: Vec<&str> = replies
        .iter()
        .filter_map(|r| match r {
            Response::Progress { stage, .. } => Some(stage.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(stages, ["đọc tệp", "kiểm tra và ghi 2 dòng"]);
    assert_eq!(app.status, format!("Đã nhập 2 đơn vị từ {}", file.display()));
    assert!(app.work.is_empty());
}
