//! The `?` overlay, made from the key tables: every key of the current screen, then the keys that work
//! everywhere.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::GLOBAL_KEYS;
use super::keys::{self, HelpLine};
use super::widgets::{dim, header, popup};

/// Draws the overlay for `screen` with the lines of its key table; the app's own keys follow.
pub fn draw(frame: &mut Frame, area: Rect, screen: &str, keys: &[HelpLine]) {
    let global = keys::help(GLOBAL_KEYS);
    let height = (keys.len() + global.len() + 5) as u16;
    let inner =
        popup(frame, area, &format!("Trợ giúp · {screen}"), area.width.saturating_sub(4).min(76), height);
    let width = keys.iter().chain(&global).map(|(k, _)| k.chars().count()).max().unwrap_or(0) + 2;
    let line = |(k, what): &HelpLine| {
        Line::from(vec![Span::styled(format!("{k:<width$}"), header()), Span::raw(*what)])
    };
    let mut lines: Vec<Line> = keys.iter().map(line).collect();
    lines.push(Line::default());
    lines.extend(global.iter().map(line));
    lines.push(Line::styled("Phím bất kỳ để đóng", dim()));
    frame.render_widget(Paragraph::new(lines), inner);
}
