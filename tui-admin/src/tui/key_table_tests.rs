//! The key tables: what the screens do with keys and what `?` says they do come from one table per screen
//! (`keys::Keymap`), so the help cannot drift. These tests check the tables themselves, and press keys.
//!
//! Each screen is put in the states its keys depend on (data loaded, a row selected, later pages, a filter
//! set, the other pane, a person's detail). On a fresh copy of each state, every key of a fixed list of
//! candidates (every printable ASCII character and every special key a handler might match; not taken
//! from the tables) goes straight into the screen's handler. A key is *acted on* when the handler claims it
//! (returns an effect, so the app's global keys never see it) or when the screen draws differently
//! afterwards. States where the screen takes text (a filter being typed) are left out: there every
//! character is text, and the help's `/` entry says so.

use std::collections::HashSet;

use daotao_core::admin_views::course_enrollments::EnrolledPage;
use daotao_core::platform::paging::Page;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode;

use super::app::{App, GLOBAL_KEYS, GlobalWhen, TITLES};
use super::keys::Key;
use super::programmes_tests::{on_programme_people, on_programmes, people_page};
use super::screens::Screen;
use super::snapshot_tests::{
    app, attempts_page, catalog, enrolled_page, key, learner, on_enrollments, on_report_preview, on_reports,
    press, render_at, tree, users_page,
};
use super::worker::{Response, UserDetail};

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

fn screen(app: &mut App) -> &mut dyn Screen {
    match app.tab {
        0 => &mut app.overview,
        1 => &mut app.units,
        2 => &mut app.users,
        3 => &mut app.courses,
        4 => &mut app.enrollments,
        5 => &mut app.reports,
        _ => &mut app.programmes,
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
            let mut app = on_report_preview();
            press(&mut app, &[KeyCode::Down, KeyCode::Down, KeyCode::Right]);
            app.take_requests();
            app
        }),
        ("programmes, a unit's number", || {
            let mut app = on_programmes();
            press(&mut app, &[KeyCode::Down, KeyCode::Right]);
            app
        }),
        ("programmes, people, first page of two", || {
            let mut app = on_programme_people();
            press(&mut app, &[KeyCode::Down]);
            app
        }),
        ("programmes, people, second page", || {
            let mut app = on_programme_people();
            press(&mut app, &[KeyCode::PageDown]);
            let number = app.programmes.people.as_ref().unwrap().number.clone();
            let page = people_page(1);
            app.apply(Response::ProgrammePeople { number, page: Ok(page) });
            app.take_requests();
            app
        }),
        ("programmes, mail", || {
            let mut app = on_programmes();
            press(&mut app, &[KeyCode::Char('m'), KeyCode::Down]);
            app
        }),
    ]
}

/// The keys bound more than once among `bindings` (the keys of the bindings that apply at one time).
fn clashes(bindings: &[(usize, &'static [Key])]) -> Vec<String> {
    let mut seen = HashSet::new();
    let keys = bindings.iter().flat_map(|(_, keys)| keys.iter());
    keys.filter(|k| !seen.insert(**k)).map(|k| k.name()).collect()
}

#[test]
fn in_every_state_each_key_has_one_binding_and_none_takes_a_global_key() {
    let global: HashSet<Key> = GLOBAL_KEYS.iter().flat_map(|b| b.keys.iter().copied()).collect();
    let mut problems = Vec::new();
    for (state, make) in states() {
        let mut app = make();
        let bound = screen(&mut app).bound();
        for key in clashes(&bound) {
            problems.push(format!("{state}: `{key}` has two bindings"));
        }
        for (_, keys) in &bound {
            for key in keys.iter().filter(|k| global.contains(k)) {
                problems.push(format!("{state}: `{}` hides a key of every screen", key.name()));
            }
        }
    }
    for when in [GlobalWhen::Anywhere, GlobalWhen::AfterScreen] {
        let bound: Vec<_> = GLOBAL_KEYS.iter().filter(|b| b.when == when).map(|b| (0, b.keys)).collect();
        for key in clashes(&bound) {
            problems.push(format!("global keys: `{key}` has two bindings"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_key_a_screen_acts_on_is_bound_in_that_state_and_every_binding_acts() {
    let candidates = candidates();
    // (Screen, binding) -> keys of the binding acted on in a state where it applies.
    let mut acted: HashSet<(usize, usize, Key)> = HashSet::new();
    let mut unbound = Vec::new();
    for (state, make) in states() {
        let mut probe = make();
        let tab = probe.tab;
        assert!(!screen(&mut probe).typing(), "{state}: a state that takes text");
        let bound = screen(&mut probe).bound();
        for &code in &candidates {
            let mut app = make();
            // Drawn first, as on a terminal: what a page is depends on it.
            drawn(&mut app);
            let before = drawn(&mut app);
            let claimed = screen(&mut app).handle_key(key(code)).is_some();
            let changed = drawn(&mut app) != before;
            if !(claimed || changed) {
                continue;
            }
            let binding = bound.iter().find(|(_, keys)| keys.iter().any(|k| k.matches(key(code))));
            match binding {
                Some((row, keys)) => {
                    acted.extend(keys.iter().filter(|k| k.matches(key(code))).map(|k| (tab, *row, *k)))
                }
                None => unbound.push(format!(
                    "{} ({state}): `{code}` {} but no binding of this state has it",
                    TITLES[tab],
                    if claimed { "is handled" } else { "changes the screen" }
                )),
            }
        }
    }
    assert!(unbound.is_empty(), "{}", unbound.join("\n"));

    // And the other way round: no binding promises what its screen ignores in every state where it applies.
    let mut stale = Vec::new();
    let mut app = app();
    for (tab, title) in TITLES.iter().enumerate() {
        app.tab = tab;
        let all: Vec<(usize, &'static [Key])> = screen_keys(&mut app);
        for (row, keys) in all {
            for key in keys.iter().filter(|k| !acted.contains(&(tab, row, **k))) {
                stale.push(format!("{title}: `{}` (row {row}) does nothing in any state tried", key.name()));
            }
        }
    }
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}

/// Every binding of the open screen's table, whatever the state.
fn screen_keys(app: &mut App) -> Vec<(usize, &'static [Key])> {
    use super::keys::Keymap;
    fn all<K: Keymap>(_: &K) -> Vec<(usize, &'static [Key])> {
        K::KEYS.iter().map(|b| b.keys).enumerate().collect()
    }
    match app.tab {
        0 => all(&app.overview),
        1 => all(&app.units),
        2 => all(&app.users),
        3 => all(&app.courses),
        4 => all(&app.enrollments),
        5 => all(&app.reports),
        _ => all(&app.programmes),
    }
}

#[test]
fn the_help_names_every_key_of_the_table_once_a_line() {
    let mut app = app();
    for (tab, title) in TITLES.iter().enumerate() {
        app.tab = tab;
        let lines = screen(&mut app).help();
        let texts: HashSet<&str> = lines.iter().map(|(_, what)| *what).collect();
        assert_eq!(texts.len(), lines.len(), "{title}: one line per help text");
        for (row, keys) in screen_keys(&mut app) {
            for key in keys {
                let named = lines.iter().any(|(names, _)| names.contains(&key.name()));
                assert!(named, "{title}: row {row}'s `{}` is not in the help", key.name());
            }
        }
    }
}
