//! The screens, one module each. A screen is a component: its key table
//! ([`Keymap`](super::keys::Keymap)) gives both its key handling and its help
//! overlay; a key it has no use for returns `None`, so the app's global keys
//! apply. It draws itself into the area it is given and says which requests
//! bring its data up to date.

pub mod courses;
pub mod enrollments;
pub mod overview;
pub mod programmes;
pub mod reports;
pub mod units;
pub mod users;

use chrono::{DateTime, NaiveDate, Utc};
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use super::keys::KeyTable;
use super::widgets::{Confirm, Form};
use super::worker::Request;

/// What a screen's action asks of the app, beyond changing the screen's own state.
pub enum Effect {
    /// The key was used; nothing else to do.
    Nothing,
    Send(Request),
    /// Refresh everything the screen shows.
    Reload,
    OpenForm(Form),
    Confirm(Confirm),
    Status(String),
    /// Show the users of a unit (from the units screen).
    ShowUsers(String),
    /// Show who is enrolled in a course (from the courses screen).
    ShowEnrolled(String),
}

/// What every screen may need to know when drawing.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
}

/// A screen of the app; its keys and their help come from its key table.
pub trait Screen: KeyTable {
    /// Handles a key through the key table; `None` if the screen has no use for it. While the screen takes
    /// text, every key is text's ([`Screen::text_key`]).
    fn handle_key(&mut self, key: KeyEvent) -> Option<Effect> {
        if self.typing() {
            return Some(self.text_key(key));
        }
        self.press(key)
    }
    /// A key while the screen takes text.
    fn text_key(&mut self, _key: KeyEvent) -> Effect {
        Effect::Nothing
    }
    fn draw(&mut self, frame: &mut Frame, area: Rect, context: &Context);
    /// The requests that bring what it shows up to date.
    fn reload(&self) -> Vec<Request>;
    /// Whether it is taking text (a filter), so that `q` and digits are typed, not obeyed.
    fn typing(&self) -> bool {
        false
    }
}

/// Moves a selection by `delta` within `len` rows.
pub fn step(selected: usize, delta: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    selected.saturating_add_signed(delta).min(len - 1)
}
