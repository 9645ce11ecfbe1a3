//! Every key a screen acts on is listed in its `?` help, and every key its help lists does something.
//!
//! Each screen is put in the states its keys depend on (data loaded, a row selected, later pages, a filter
//! set, the other pane, a person's detail). On a fresh copy of each state, every key of a fixed list of
//! candidates (every printable ASCII character and every special key a handler might match; not taken
//! from the help) goes straight into the screen's handler. A key is *acted on* when the handler claims it
//! (returns an action, so the app's global keys never see it) or when the screen draws differently
//! afterwards. States where the screen takes text (a filter being typed) are left out: there every
//! character is text, and the help's `/` entry says so.

use std::collections::{BTreeSet, HashSet};

use daotao_core::admin_views::course_enrollments::EnrolledPage;
use daotao_core::platform::paging::Page;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode;

use super::app::{App, TITLES};
use super::screens::{KeyHelp, Screen};
use super::snapshot_tests::{
    app, attempts_page, catalog, enrolled_page, key, learner, on_enrollments, on_reports, press, render_at,
    summary_table, tree, users_page,
};
use super::worker::{ReportKind, Response, UserDetail};

/// The keys tried on every screen.
fn candidates() -> Vec<KeyCode> {
    use KeyCode::*;
    let mut keys: Vec<KeyCode> = (' '..='~').map(Char).collect();
    keys.extend([
        Up, Down, Left, Right, PageUp, PageDown, Home, End, Enter, Esc, Tab, BackTab, Backspace, Delete,
        Insert,
    ]);
    keys.extend((1..=12).map(F));
    keys
}

/// A key as the help names it.
fn name(code: KeyCode) -> String {
    match code {
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Char(' ') => "Space".into(),
        KeyCode::Char(c) => c.to_string(),
        other => format!("{other}"),
    }
}

/// The keys named in a help list: `"↑↓ j k PgUp PgDn"` names ↑, ↓, j, k, PgUp and PgDn.
fn named(keys: &[KeyHelp]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (k, _) in keys {
        for token in k.split_whitespace() {
            if token.chars().all(|c| "←→↑↓".contains(c)) {
                names.extend(token.chars().map(String::from));
            } else {
                names.insert(token.to_string());
            }
        }
    }
    names
}

fn screen(app: &mut App) -> &mut dyn Screen {
    match app.tab {
        0 => &mut app.overview,
        1 => &mut app.units,
        2 => &mut app.users,
        3 => &mut app.courses,
        4 => &mut app.enrollments,
        _ => &mut app.reports,
    }
}

fn drawn(app: &mut App) -> Buffer {
    render_at(app, 80, 24).backend().buffer().clone()
}

/// The app on screen `tab` (1-based, as the number keys), with what `load` gives it.
fn on(tab: char, load: impl FnOnce(&mut App)) -> App {
    let mut app = app();
    press(&mut app, &[KeyCode::Char(tab)]);
    load(&mut app);
    app.take_requests();
    app
}

/// A named state of a screen, made fresh on every call.
type State = (&'static str, fn() -> App);

/// Each screen's states.
fn states() -> Vec<State> {
    vec![
        ("overview", || on('1', |_| {})),
        ("units, second row", || {
            on('2', |app| {
                app.apply(Response::Units(tree()));
                press(app, &[KeyCode::Down]);
            })
        }),
        ("users, first page", || {
            on('3', |app| {
                app.apply(Response::Users { filter: String::new(), page: users_page() });
                press(app, &[KeyCode::Down, KeyCode::Down]);
            })
        }),
        ("users, filtered, second page", || {
            on('3', |app| {
                app.users.filter.value = "nguyen".into();
                let page = daotao_core::admin_views::user_search::UserPage { page: 1, ..users_page() };
                app.apply(Response::Users { filter: "nguyen".into(), page });
                press(app, &[KeyCode::Down]);
            })
        }),
        ("users, a person's attempts, second page", || {
            on('3', |app| {
                app.apply(Response::Users { filter: String::new(), page: users_page() });
                let mut attempts = attempts_page(1);
                attempts.total = 120;
                app.apply(Response::UserDetail(Box::new(UserDetail {
                    user: learner(),
                    unit: None,
                    courses: vec![],
                    attempts,
                    competencies: Page { per_page: 50, ..Page::default() },
                })));
                press(app, &[KeyCode::Right, KeyCode::Down]);
            })
        }),
        ("courses", || on('4', |app| app.apply(Response::Courses(catalog())))),
        ("enrollments, courses", on_enrollments),
        ("enrollments, people, filtered, second page", || {
            let mut app = on_enrollments();
            press(&mut app, &[KeyCode::Right, KeyCode::Down]);
            app.enrollments.filter.value = "tran".into();
            let page = EnrolledPage { page: 1, total: 250, ..enrolled_page() };
            app.apply(Response::Enrolled { filter: "tran".into(), page });
            app.take_requests();
            app
        }),
        ("reports, units", || {
            let mut app = on_reports();
            press(&mut app, &[KeyCode::Down]);
            app
        }),
        ("reports, preview", || {
            let mut app = on_reports();
            press(&mut app, &[KeyCode::Enter]);
            app.apply(Response::ReportPreview {
                unit: None,
                kind: ReportKind::CompetencyByUnit,
                table: Ok(std::sync::Arc::new(summary_table())),
            });
            press(&mut app, &[KeyCode::Down, KeyCode::Down, KeyCode::Right]);
            app.take_requests();
            app
        }),
    ]
}

#[test]
fn every_key_a_screen_acts_on_is_in_its_help_and_every_key_there_acts() {
    let candidates = candidates();
    // Screen -> keys acted on in any of its states.
    let mut acted: Vec<HashSet<String>> = vec![HashSet::new(); TITLES.len()];
    let mut missing = Vec::new();
    for (state, make) in states() {
        let mut probe = make();
        let tab = probe.tab;
        assert!(!screen(&mut probe).typing(), "{state}: a state that takes text");
        let help = named(screen(&mut probe).keys());
        for &code in &candidates {
            let mut app = make();
            // Drawn first, as on a terminal: what a page is depends on it.
            drawn(&mut app);
            let before = drawn(&mut app);
            let claimed = screen(&mut app).handle_key(key(code)).is_some();
            let changed = drawn(&mut app) != before;
            if claimed || changed {
                let key = name(code);
                if !help.contains(&key) {
                    missing.push(format!(
                        "{} ({state}): `{key}` {} but `?` does not list it",
                        TITLES[tab],
                        if claimed { "is handled" } else { "changes the screen" }
                    ));
                }
                acted[tab].insert(key);
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));

    // And the other way round: the help promises nothing the screen ignores in every state.
    let mut stale = Vec::new();
    let mut app = app();
    for (tab, title) in TITLES.iter().enumerate() {
        app.tab = tab;
        for key in named(screen(&mut app).keys()) {
            if !acted[tab].contains(&key) {
                stale.push(format!("{title}: `?` lists `{key}`, which does nothing in any state tried"));
            }
        }
    }
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}

#[test]
fn key_names_match_the_help() {
    assert_eq!(
        named(&[("↑↓ j k PgUp PgDn", ""), ("← → h l", ""), ("Home End", ""), ("r R", "")]),
        ["↑", "↓", "←", "→", "End", "Home", "PgDn", "PgUp", "R", "h", "j", "k", "l", "r"]
            .into_iter()
            .map(String::from)
            .collect()
    );
    for (code, text) in [
        (KeyCode::Up, "↑"),
        (KeyCode::PageDown, "PgDn"),
        (KeyCode::Home, "Home"),
        (KeyCode::End, "End"),
        (KeyCode::Enter, "Enter"),
        (KeyCode::Esc, "Esc"),
        (KeyCode::Char('/'), "/"),
    ] {
        assert_eq!(name(code), text);
    }
}
