//! The extra-time key (#19) of a person's detail against a real database: `t` opens a form with the person's
//! percentage, saving it runs the worker's job on a SQLite file seeded with the demo province, the account
//! and the audit log change, and the detail, reloaded, shows the new extra time.

use chrono::{NaiveDate, TimeZone, Utc};
use daotao_core::entities::audit_log;
use daotao_core::people::accounts;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::app::{App, Popup};
use super::export_tests::{courses_dir, run};
use crate::report::Settings;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn press(app: &mut App, codes: &[KeyCode]) {
    for &code in codes {
        app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    }
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

fn screen(app: &mut App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal.draw(|frame| app.draw(frame)).unwrap();
    let buffer = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            text.push_str(buffer[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

#[tokio::test]
async fn the_t_key_of_a_persons_detail_sets_their_extra_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = daotao_core::platform::db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display()))
        .await
        .unwrap();
    let library = daotao_content::course::load_library(&courses_dir());
    daotao_core::demo::seed(&db, &library, today()).await.unwrap();
    let settings = Settings { courses_dir: courses_dir(), targets: Vec::new() };
    let mut app = App::new(today(), "sqlite://t.sqlite".into());
    app.now = Some(Utc.with_ymd_and_hms(2026, 11, 26, 9, 30, 0).unwrap());

    press(&mut app, &[KeyCode::Char('3'), KeyCode::Char('/')]);
    type_text(&mut app, "lan.nguyen");
    press(&mut app, &[KeyCode::Enter]);
    run(&mut app, &db, &settings).await;
    press(&mut app, &[KeyCode::Char('t')]);
    assert!(matches!(app.popup, Popup::None), "`t` belongs to the detail, not the list");
    press(&mut app, &[KeyCode::Enter]);
    run(&mut app, &db, &settings).await;
    assert!(!screen(&mut app).contains("Thời gian thêm"), "none yet");

    press(&mut app, &[KeyCode::Char('t')]);
    assert!(matches!(app.popup, Popup::Form(_)));
    assert!(screen(&mut app).contains("Thời gian thêm cho lan.nguyen"));
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    type_text(&mut app, "500");
    press(&mut app, &[KeyCode::Enter]);
    assert!(matches!(app.popup, Popup::Form(_)), "more than 200% is refused in the form");
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    type_text(&mut app, "50");
    press(&mut app, &[KeyCode::Enter]);
    run(&mut app, &db, &settings).await;
    assert!(app.status.contains("lan.nguyen có thêm 50% thời gian"), "{}", app.status);
    // The screen reloads after the change: the detail shows the new extra time.
    run(&mut app, &db, &settings).await;
    assert!(screen(&mut app).contains("Thời gian thêm: 50%"), "{}", screen(&mut app));

    let account = accounts::find_user(&db, "lan.nguyen").await.unwrap().unwrap();
    assert_eq!(account.extra_time_percent, 50);
    let audit = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("user.extra_time"))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].target.as_str(), audit[0].detail.as_str(), audit[0].ip.as_str()),
        ("lan.nguyen", "0% -> 50%", "tui")
    );
}
