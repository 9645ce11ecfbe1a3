//! The admin terminal UI (ratatui + crossterm): seven screens over the same
//! database as the server. [`app::App`] holds the state and routes keys; one
//! module per screen under `screens/`, each a component with one key table
//! ([`keys`]) that gives both its key handling and its `?` help, and that
//! draws itself; slow work goes to [`worker::Worker`] on the tokio runtime,
//! one module per area under `worker/`, and comes back on a channel, so the
//! screen never freezes.

pub mod app;
pub mod help;
pub mod keys;
pub mod screens;
pub mod widgets;
pub mod worker;

#[cfg(test)]
mod export_tests;
#[cfg(test)]
mod extra_time_tests;
#[cfg(test)]
mod key_table_tests;
#[cfg(test)]
mod programmes_tests;
#[cfg(test)]
mod snapshot_tests;

use std::time::Duration;

use anyhow::Context;
use daotao_core::platform::config::Config;
use ratatui::crossterm::event::{self, Event, KeyEventKind};

use app::App;
use worker::Worker;

/// How often the screen is redrawn while nothing happens (the progress spinner, replies from the worker).
const TICK: Duration = Duration::from_millis(120);

/// Opens the terminal UI on the configured database until the admin quits.
pub async fn run(config: &Config) -> anyhow::Result<()> {
    let db = crate::connect(config).await?;
    let today = daotao_core::platform::local_time::today();
    let settings = crate::report::Settings::from_config(config);
    let worker = Worker::spawn(&tokio::runtime::Handle::current(), db.clone(), today, settings);
    let database = config.database_url.clone();
    let result = tokio::task::spawn_blocking(move || {
        // Raw mode and the alternate screen; a panic hook restores the terminal before the message prints.
        let mut terminal = ratatui::init();
        let result = event_loop(&mut terminal, App::new(today, database), worker);
        ratatui::restore();
        result
    })
    .await
    .context("terminal UI")?;
    // Close the pool in order (requests still running finish first) rather than leaving
    // it to the runtime's teardown.
    db.close().await.context("cơ sở dữ liệu / database")?;
    result
}

fn event_loop(terminal: &mut ratatui::DefaultTerminal, mut app: App, worker: Worker) -> anyhow::Result<()> {
    app.start();
    loop {
        for request in app.take_requests() {
            worker.send(request);
        }
        terminal.draw(|frame| app.draw(frame))?;
        if event::poll(TICK)? {
            match event::read()? {
                Event::Key(key) if key.kind == KeyEventKind::Press => app.handle_key(key),
                // A resize redraws on the next turn of the loop.
                _ => {}
            }
        }
        while let Ok(reply) = worker.responses.try_recv() {
            app.receive(reply);
        }
        if app.quit {
            return Ok(());
        }
    }
}

/// `1.234.567`: thousands grouped the Vietnamese way.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// A role as the screens name it.
pub fn role_name(role: daotao_core::entities::user::Role) -> &'static str {
    use daotao_core::entities::user::Role;
    match role {
        Role::Learner => "học viên",
        Role::Trainer => "giảng viên",
        Role::Admin => "quản trị",
    }
}

/// A role typed in a form: Vietnamese or English names.
pub fn parse_role(text: &str) -> Option<daotao_core::entities::user::Role> {
    use daotao_core::entities::user::Role;
    match daotao_content::text::fold_diacritics(text.trim()).to_lowercase().as_str() {
        "" | "hoc vien" | "learner" => Some(Role::Learner),
        "giang vien" | "trainer" => Some(Role::Trainer),
        "quan tri" | "admin" => Some(Role::Admin),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_roles() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(100_000), "100.000");
        assert_eq!(count(1_234_567), "1.234.567");
        assert_eq!(parse_role("Giảng viên"), Some(daotao_core::entities::user::Role::Trainer));
        assert_eq!(parse_role("admin"), Some(daotao_core::entities::user::Role::Admin));
        assert_eq!(parse_role("sếp"), None);
    }
}
