//! The `?` overlay: every key of the current screen, then the keys that work everywhere.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::screens::KeyHelp;
use super::widgets::{dim, header, popup};

/// Keys that work on every screen.
pub const GLOBAL: &[KeyHelp] =
    &[("Tab Shift-Tab 1-6", "chuyển màn hình"), ("?", "trợ giúp này"), ("q Ctrl-C", "thoát")];

/// Draws the overlay for `screen` with its `keys`.
pub fn draw(frame: &mut Frame, area: Rect, screen: &str, keys: &[KeyHelp]) {
    let height = (keys.len() + GLOBAL.len() + 5) as u16;
    let inner =
        popup(frame, area, &format!("Trợ giúp · {screen}"), area.width.saturating_sub(4).min(76), height);
    let width = keys.iter().chain(GLOBAL).map(|(k, _)| k.chars().count()).max().unwrap_or(0) + 2;
    let line = |(k, what): &KeyHelp| {
        Line::from(vec![Span::styled(format!("{k:<width$}"), header()), Span::raw(*what)])
    };
    let mut lines: Vec<Line> = keys.iter().map(line).collect();
    lines.push(Line::default());
    lines.extend(GLOBAL.iter().map(line));
    lines.push(Line::styled("Phím bất kỳ để đóng", dim()));
    frame.render_widget(Paragraph::new(lines), inner);
}
