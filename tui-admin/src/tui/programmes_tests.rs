//! The Chương trình screen at 80x24 with data built here: the numbers of a programme by unit, choosing
//! another number and programme, the people behind a number and their pages, the mail queue and its
//! failures, and the screen's words when there is no programmes file or it has problems.

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use daotao_core::admin_views::programmes::{Column, Grid, GridProgramme, GridUnit, Number, PersonLine};
use daotao_core::entities::mail_outbox;
use daotao_core::learning::programmes::Compliance;
use daotao_core::mail::outbox::QueueSummary;
use daotao_core::platform::paging::Page;
use ratatui::crossterm::event::KeyCode;

use super::app::{App, Popup};
use super::snapshot_tests::{app, press, render_at};
use super::worker::{MailQueue, Request, Response, Unavailable};

fn text(app: &mut App) -> String {
    render_at(app, 80, 24).backend().to_string()
}

pub(super) fn grid() -> Grid {
    let unit = |code: &str, name: &str, depth| GridUnit { code: code.into(), name: name.into(), depth };
    Grid {
        units: vec![
            unit("TINH", "Tỉnh Mẫu", 0),
            unit("SO-NV", "Sở Nội vụ", 1),
            unit("SO-NV.TCBM", "Phòng Tổ chức bộ máy", 2),
            unit("X-TANLAP", "UBND xã Tân Lập", 1),
        ],
        programmes: vec![
            GridProgramme {
                id: "attt".into(),
                title: "An toàn thông tin hằng năm".into(),
                total: [1250, 1000, 37, 12, 3],
                by_unit: vec![
                    [1240, 995, 35, 12, 3],
                    [800, 700, 20, 10, 1],
                    [120, 100, 0, 2, 0],
                    [440, 295, 15, 2, 2],
                ],
            },
            GridProgramme {
                id: "mot-cua".into(),
                title: "Dịch vụ công một cửa".into(),
                total: [42, 40, 2, 0, 0],
                by_unit: vec![[42, 40, 2, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [42, 40, 2, 0, 0]],
            },
        ],
    }
}

fn failure(id: i64, to: &str, error: &str, given_up: bool) -> mail_outbox::Model {
    let at = Utc.with_ymd_and_hms(2026, 11, 26, 2, 15, 0).unwrap();
    mail_outbox::Model {
        id,
        dedup_key: format!("k{id}"),
        kind: "programme.due_soon".into(),
        user_id: Some(id),
        to_address: to.into(),
        to_name: "Nguyễn Văn A".into(),
        subject: "Nhắc hạn: An toàn thông tin hằng năm".into(),
        body_text: String::new(),
        body_html: String::new(),
        queued_at: at,
        attempts: if given_up { 5 } else { 2 },
        next_attempt_at: at,
        claimed_until: None,
        claimed_by: None,
        sent_at: None,
        failed_at: given_up.then_some(at),
        last_error: Some(error.into()),
    }
}

pub(super) fn mail() -> MailQueue {
    MailQueue {
        summary: QueueSummary { queued: 14, retrying: 1, sent: 1203, failed: 1 },
        failures: vec![
            failure(9, "lan.nguyen@tinhmau.gov.vn", "550 5.1.1 mailbox unavailable", true),
            failure(7, "hung.tran@tinhmau.gov.vn", "connection refused (mail.tinhmau.gov.vn:25)", false),
        ],
    }
}

fn person(username: &str, name: &str, status: Compliance) -> PersonLine {
    PersonLine {
        username: username.into(),
        full_name: name.into(),
        unit_code: Some("SO-NV".into()),
        unit_name: Some("Sở Nội vụ".into()),
        due_on: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        completed_on: None,
        valid_until: None,
        status,
    }
}

fn overdue_in_so_nv() -> Number {
    Number { programme: "attt".into(), unit: Some("SO-NV".into()), column: Column::Overdue }
}

pub(super) fn people_page(page: u64) -> Page<PersonLine> {
    Page {
        lines: vec![
            person("hung.tran", "Trần Văn Hùng", Compliance::Overdue),
            person("lan.nguyen", "Nguyễn Thị Lan", Compliance::Overdue),
        ],
        total: 120,
        page,
        per_page: 100,
    }
}

/// The app on the programmes screen with the numbers and the mail queue loaded.
pub(super) fn on_programmes() -> App {
    let mut app = app();
    press(&mut app, &[KeyCode::Char('7')]);
    assert_eq!(app.take_requests(), [Request::ProgrammeGrid, Request::MailQueue]);
    app.apply(Response::ProgrammeGrid(Ok(Arc::new(grid()))));
    app.apply(Response::MailQueue(mail()));
    app
}

/// The app showing the first page of the people overdue in Sở Nội vụ.
pub(super) fn on_programme_people() -> App {
    let mut app = on_programmes();
    press(&mut app, &[KeyCode::Down, KeyCode::Down, KeyCode::Right, KeyCode::Right]);
    press(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.take_requests(), [Request::ProgrammePeople { number: overdue_in_so_nv(), page: 0 }]);
    app.apply(Response::ProgrammePeople { number: overdue_in_so_nv(), page: Ok(people_page(0)) });
    app
}

#[test]
fn programmes_screen_shows_each_programme_by_unit_and_the_mail_queue() {
    let mut app = app();
    press(&mut app, &[KeyCode::Char('7')]);
    assert!(text(&mut app).contains("Đang tính số liệu chương trình…"));
    let mut app = on_programmes();
    insta::assert_snapshot!("programmes", render_at(&mut app, 80, 24).backend());
    let screen = text(&mut app);
    assert!(screen.contains("1.250"), "everyone's assigned, grouped:\n{screen}");
    assert!(screen.contains("Thư: 14 chờ gửi (1 đang thử lại) · 1.203 đã gửi · 1 thất bại"));
    assert!(screen.contains("Lỗi mới nhất (m xem tất cả): lan.nguyen@tinhmau.gov.vn · 550 5.1.1 mailbox"));
    // Another programme; round the end; P back.
    press(&mut app, &[KeyCode::Char('p')]);
    let screen = text(&mut app);
    assert!(screen.contains("Chương trình 2/2: Dịch vụ công một cửa (mot-cua)"), "{screen}");
    press(&mut app, &[KeyCode::Char('p')]);
    assert_eq!(app.programmes.programme, 0);
    press(&mut app, &[KeyCode::Char('P')]);
    assert_eq!(app.programmes.programme, 1);
    // r reloads the numbers and the queue.
    press(&mut app, &[KeyCode::Char('r')]);
    assert_eq!(app.take_requests(), [Request::ProgrammeGrid, Request::MailQueue]);
}

#[test]
fn enter_lists_the_people_behind_a_number_a_page_at_a_time() {
    let mut app = on_programmes();
    press(&mut app, &[KeyCode::Down, KeyCode::Down, KeyCode::Right, KeyCode::Right]);
    assert!(text(&mut app).contains("Quá hạn · Sở Nội vụ: Enter xem danh sách"));
    press(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.take_requests(), [Request::ProgrammePeople { number: overdue_in_so_nv(), page: 0 }]);
    assert!(text(&mut app).contains("Đang tải…"));
    // An answer for another number is dropped.
    let other = Number { column: Column::Expired, ..overdue_in_so_nv() };
    app.apply(Response::ProgrammePeople { number: other, page: Ok(people_page(0)) });
    assert!(text(&mut app).contains("Đang tải…"));
    app.apply(Response::ProgrammePeople { number: overdue_in_so_nv(), page: Ok(people_page(0)) });
    insta::assert_snapshot!("programme_people", render_at(&mut app, 80, 24).backend());
    // PgDn asks for the next page; there is no third page; PgUp goes back.
    press(&mut app, &[KeyCode::PageDown]);
    assert_eq!(app.take_requests(), [Request::ProgrammePeople { number: overdue_in_so_nv(), page: 1 }]);
    app.apply(Response::ProgrammePeople { number: overdue_in_so_nv(), page: Ok(people_page(1)) });
    assert!(text(&mut app).contains("Trang 2/2 · 120 người"));
    press(&mut app, &[KeyCode::PageDown]);
    assert!(app.take_requests().is_empty());
    // r reloads the page on show too; Esc goes back to the numbers, Esc again is the app's.
    press(&mut app, &[KeyCode::Char('r')]);
    let page = Request::ProgrammePeople { number: overdue_in_so_nv(), page: 1 };
    assert_eq!(app.take_requests(), [Request::ProgrammeGrid, Request::MailQueue, page]);
    press(&mut app, &[KeyCode::Esc]);
    assert!(text(&mut app).contains("Chương trình 1/2"));
    // An error reading the list is shown in its place.
    press(&mut app, &[KeyCode::Enter]);
    app.take_requests();
    app.apply(Response::ProgrammePeople {
        number: overdue_in_so_nv(), page: Err("mất kết nối".into())
    });
    assert!(text(&mut app).contains("Không đọc được danh sách: mất kết nối"));
}

#[test]
fn the_mail_view_lists_recent_failures_with_their_error() {
    let mut app = on_programmes();
    press(&mut app, &[KeyCode::Char('m')]);
    insta::assert_snapshot!("programme_mail", render_at(&mut app, 80, 24).backend());
    press(&mut app, &[KeyCode::Down]);
    let screen = text(&mut app);
    assert!(screen.contains("connection refused (mail.tinhmau.gov.vn:25)"), "{screen}");
    assert!(screen.contains("thử lại 09:15 26/11"), "in Viet Nam's time:\n{screen}");
    press(&mut app, &[KeyCode::Char('m')]);
    assert!(text(&mut app).contains("Chương trình 1/2"));
    app.apply(Response::MailQueue(MailQueue::default()));
    let screen = text(&mut app);
    assert!(screen.contains("Không có thư nào gửi lỗi."), "{screen}");
}

#[test]
fn no_programmes_file_or_a_broken_one_is_said_on_the_screen() {
    let mut app = on_programmes();
    let path = std::path::PathBuf::from("courses/programmes.toml");
    app.apply(Response::ProgrammeGrid(Err(Unavailable::NoFile(path))));
    let screen = text(&mut app);
    assert!(screen.contains("Chưa có tệp chương trình."), "{screen}");
    assert!(screen.contains("Không có courses/programmes.toml."), "{screen}");
    assert!(screen.contains("Thư: 14 chờ gửi"), "the mail queue still shows:\n{screen}");
    press(&mut app, &[KeyCode::Enter]);
    assert!(app.take_requests().is_empty(), "no number to open");
    let problems = vec!["courses/programmes.toml:4:1: `due_days` phải là số ngày".to_string()];
    app.apply(Response::ProgrammeGrid(Err(Unavailable::Problems(problems))));
    insta::assert_snapshot!("programmes_broken_file", render_at(&mut app, 80, 24).backend());
    app.apply(Response::ProgrammeGrid(Ok(Arc::new(Grid { units: vec![], programmes: vec![] }))));
    assert!(text(&mut app).contains("Tệp chương trình chưa khai báo chương trình nào."));
    app.apply(Response::ProgrammeGrid(Err(Unavailable::Failed("database is locked".into()))));
    assert!(text(&mut app).contains("Không tính được số liệu chương trình: database is locked"));
}

#[test]
fn programmes_help_lists_every_key() {
    let mut app = on_programmes();
    press(&mut app, &[KeyCode::Char('?')]);
    assert!(matches!(app.popup, Popup::Help));
    insta::assert_snapshot!("programmes_help", render_at(&mut app, 80, 30).backend());
}

/// The screen against a real database: the demo province, the bundled programmes assigned, the requests the
/// keys make run by the worker's handler; then a library with no programmes file, and one with a broken one.
#[tokio::test]
async fn the_screen_reads_the_assigned_programmes_through_the_worker() {
    use super::export_tests::{courses_dir, run};
    use crate::report::Settings;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/t.sqlite", dir.path().display());
    let db = daotao_core::platform::db::connect(&url).await.unwrap();
    let library = daotao_content::course::load_library(&courses_dir());
    let today = super::snapshot_tests::today();
    daotao_core::demo::seed(&db, &library, today).await.unwrap();
    let rules = daotao_core::learning::programmes::rules_of(&library).unwrap();
    let quizzes = daotao_core::learning::programmes::completion_quizzes(&library);
    let changes =
        daotao_core::learning::programmes::assign(&db, &rules, &quizzes, today, "test", false).await.unwrap();
    let settings = Settings { courses_dir: courses_dir(), targets: Vec::new() };

    let mut app = app();
    press(&mut app, &[KeyCode::Char('7')]);
    run(&mut app, &db, &settings).await;
    let grid = app.programmes.loaded().cloned().expect("the numbers");
    assert_eq!(grid.programmes.len(), rules.len());
    let assigned: u64 = grid.programmes.iter().map(|p| p.total[0]).sum();
    assert_eq!(assigned, changes.assigned.len() as u64, "every cycle assigned is counted once");
    assert!(app.programmes.mail.is_some(), "the mail queue is read too");
    let first = grid.programmes[0].total[0];
    assert!(text(&mut app).contains(&grid.programmes[0].title));

    // Enter on everyone's "Giao": the people behind it.
    press(&mut app, &[KeyCode::Enter]);
    run(&mut app, &db, &settings).await;
    let page = app.programmes.people.as_ref().unwrap().page.clone().unwrap().unwrap();
    assert_eq!(page.total, first);
    assert!(text(&mut app).contains(&format!("Trang 1/1 · {first} người")));

    // No programmes file; then one with a problem.
    let empty = tempfile::tempdir().unwrap();
    let settings = Settings { courses_dir: empty.path().to_path_buf(), targets: Vec::new() };
    press(&mut app, &[KeyCode::Esc, KeyCode::Char('r')]);
    run(&mut app, &db, &settings).await;
    assert!(matches!(app.programmes.grid, Some(Err(Unavailable::NoFile(_)))), "{:?}", app.programmes.grid);
    std::fs::write(empty.path().join("programmes.toml"), "[[programme]]\nid = \"Sai Mã\"\n").unwrap();
    press(&mut app, &[KeyCode::Char('r')]);
    run(&mut app, &db, &settings).await;
    assert!(matches!(&app.programmes.grid, Some(Err(Unavailable::Problems(p))) if !p.is_empty()));
    assert!(text(&mut app).contains("Tệp chương trình có"));
}
