//! Small building blocks shared by the screens: a one-line text input, a
//! form of labelled inputs, the confirmation and message popups, and styles.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::worker::Request;

/// The style of the selected row.
pub fn selected() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

/// The style of column headers and labels.
pub fn header() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

/// The style of a warning (overdue, locked, deactivated).
pub fn warning() -> Style {
    Style::new().fg(Color::Red)
}

/// Dimmed text (hints, empty states).
pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// A one-line text input: typing appends, Backspace deletes, Ctrl-U clears.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    pub value: String,
}

impl TextInput {
    /// An input holding `value` (a form field prefilled with what is there now).
    pub fn new(value: impl Into<String>) -> Self {
        Self { value: value.into() }
    }

    /// Applies an editing key; true if the text changed.
    pub fn handle_key(&mut self, key: KeyEvent) -> bool {
        match key.code {
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                let changed = !self.value.is_empty();
                self.value.clear();
                changed
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.value.push(c);
                true
            }
            KeyCode::Backspace => self.value.pop().is_some(),
            _ => false,
        }
    }
}

/// What a key did to a filter being typed above a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterEdit {
    /// Enter or ↓: the filter stays as typed and the list takes the keys again.
    Kept,
    /// Esc: the filter is emptied and the list takes the keys again.
    Cleared,
    /// The text changed: the list is to be asked for again.
    Edited,
    /// Nothing changed.
    Unchanged,
}

impl FilterEdit {
    /// Whether the filter is still being typed after this key.
    pub fn typing(self) -> bool {
        matches!(self, FilterEdit::Edited | FilterEdit::Unchanged)
    }
}

impl TextInput {
    /// Applies a key to this input used as a filter: Enter or ↓ keeps it, Esc clears it, the rest edit it.
    pub fn filter_key(&mut self, key: KeyEvent) -> FilterEdit {
        match key.code {
            KeyCode::Enter | KeyCode::Down => FilterEdit::Kept,
            KeyCode::Esc => {
                self.value.clear();
                FilterEdit::Cleared
            }
            _ if self.handle_key(key) => FilterEdit::Edited,
            _ => FilterEdit::Unchanged,
        }
    }
}

/// The line above a filtered list: `Lọc: ` and the filter (with a cursor while it is typed), or `hint` when
/// there is none.
pub fn filter_line<'a>(input: &TextInput, typing: bool, hint: &'a str) -> Line<'a> {
    let shown = if input.value.is_empty() && !typing {
        Span::styled(hint, dim())
    } else {
        Span::raw(format!("{}{}", input.value, if typing { "▏" } else { "" }))
    };
    Line::from(vec![Span::styled("Lọc: ", header()), shown])
}

/// What a form turns its values into when submitted, or a message saying what to fix.
pub type Submit = Box<dyn Fn(&[String]) -> Result<Request, String> + Send>;

/// A popup of labelled inputs: Tab / Down and Shift-Tab / Up move between
/// fields, Enter submits, Esc cancels.
pub struct Form {
    pub title: String,
    pub fields: Vec<(String, TextInput)>,
    pub focus: usize,
    /// A note under the fields (what the form does, formats).
    pub note: String,
    /// Why the last submit was refused.
    pub error: Option<String>,
    submit: Submit,
}

/// What a key did to a form.
pub enum FormOutcome {
    Pending,
    Cancelled,
    Submitted(Request),
}

impl Form {
    /// A form titled `title` with (label, starting value) fields; `submit` turns the values into a request.
    pub fn new(
        title: impl Into<String>,
        fields: &[(&str, &str)],
        note: impl Into<String>,
        submit: Submit,
    ) -> Self {
        Self {
            title: title.into(),
            fields: fields.iter().map(|(label, value)| (label.to_string(), TextInput::new(*value))).collect(),
            focus: 0,
            note: note.into(),
            error: None,
            submit,
        }
    }

    /// The values typed, trimmed, in field order.
    pub fn values(&self) -> Vec<String> {
        self.fields.iter().map(|(_, input)| input.value.trim().to_string()).collect()
    }

    /// Applies a key; a refused submit keeps the form open with the reason.
    pub fn handle_key(&mut self, key: KeyEvent) -> FormOutcome {
        match key.code {
            KeyCode::Esc => return FormOutcome::Cancelled,
            KeyCode::Tab | KeyCode::Down => self.focus = (self.focus + 1) % self.fields.len(),
            KeyCode::BackTab | KeyCode::Up => {
                self.focus = (self.focus + self.fields.len() - 1) % self.fields.len()
            }
            KeyCode::Enter => match (self.submit)(&self.values()) {
                Ok(request) => return FormOutcome::Submitted(request),
                Err(message) => self.error = Some(message),
            },
            _ => {
                if self.fields[self.focus].1.handle_key(key) {
                    self.error = None;
                }
            }
        }
        FormOutcome::Pending
    }

    /// Draws the form as a popup in the middle of `area`.
    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        let label_width = self.fields.iter().map(|(l, _)| l.chars().count()).max().unwrap_or(0) as u16 + 2;
        let height = self.fields.len() as u16 + 6;
        let popup = area
            .centered(Constraint::Length(area.width.min(70)), Constraint::Length(height.min(area.height)));
        frame.render_widget(Clear, popup);
        let block = Block::default().borders(Borders::ALL).title(format!(" {} ", self.title));
        let inner = block.inner(popup);
        frame.render_widget(block, popup);
        let mut lines: Vec<Line> = Vec::new();
        for (i, (label, input)) in self.fields.iter().enumerate() {
            let focused = i == self.focus;
            let value_style = if focused { selected() } else { Style::new() };
            let cursor = if focused { "▏" } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("{label:<width$}", width = label_width as usize), header()),
                Span::styled(format!("{}{cursor}", input.value), value_style),
            ]));
        }
        lines.push(Line::default());
        match &self.error {
            Some(error) => lines.push(Line::styled(error.clone(), warning())),
            None => lines.push(Line::styled(self.note.clone(), dim())),
        }
        lines.push(Line::styled("Enter: lưu · Tab: ô tiếp · Esc: huỷ", dim()));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }
}

/// A question before a destructive action: y / Enter does it, n / Esc does not.
pub struct Confirm {
    pub question: String,
    pub request: Request,
}

/// A message that stays until dismissed: a one-time password, the problems of a refused file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub title: String,
    pub lines: Vec<String>,
    /// First line shown (long lists scroll with the arrows).
    pub scroll: usize,
}

/// A bordered popup in the middle of `area`, cleared first; returns the inside.
pub fn popup(frame: &mut Frame, area: Rect, title: &str, width: u16, height: u16) -> Rect {
    let rect =
        area.centered(Constraint::Length(width.min(area.width)), Constraint::Length(height.min(area.height)));
    frame.render_widget(Clear, rect);
    let block = Block::default().borders(Borders::ALL).title(format!(" {title} "));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    inner
}

impl Confirm {
    /// Draws the question as a popup in the middle of `area`.
    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        let inner = popup(frame, area, "Xác nhận", 60, 7);
        let lines = vec![
            Line::from(self.question.clone()),
            Line::default(),
            Line::styled("y / Enter: đồng ý · n / Esc: không", dim()),
        ];
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }
}

impl Message {
    /// Draws the message as a popup, its lines wrapped, from line `scroll` on.
    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        let width = area.width.saturating_sub(4).min(76);
        let wrapped: Vec<String> =
            self.lines.iter().flat_map(|l| wrap(l, width.saturating_sub(2) as usize)).collect();
        let height = (wrapped.len() as u16 + 4).min(area.height);
        let inner = popup(frame, area, &self.title, width, height);
        let mut lines: Vec<Line> = wrapped.into_iter().skip(self.scroll).map(Line::from).collect();
        lines.truncate(inner.height.saturating_sub(1) as usize);
        while lines.len() < inner.height.saturating_sub(1) as usize {
            lines.push(Line::default());
        }
        lines.push(Line::styled("Enter / Esc: đóng · ↑↓: cuộn", dim()));
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

/// Cuts `text` to `width` characters, ending with `…` when cut.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// Parses an optional due date typed in a form: empty is none.
pub fn parse_due(text: &str) -> Result<Option<chrono::NaiveDate>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| format!("Hạn `{text}` không hợp lệ: dùng YYYY-MM-DD, ví dụ 2026-12-31"))
}

/// Breaks `text` into lines of at most `width` characters, at spaces where it can.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let needed = current.chars().count() + usize::from(!current.is_empty()) + word.chars().count();
        if needed > width && !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
        while current.chars().count() > width {
            let rest: String = current.chars().skip(width).collect();
            lines.push(current.chars().take(width).collect());
            current = rest;
        }
    }
    lines.push(current);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_and_fitting() {
        assert_eq!(wrap("một hai ba bốn", 7), ["một hai", "ba bốn"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
        assert_eq!(fit("Nguyễn Thị Lan", 6), "Nguyễ…");
        assert_eq!(parse_due(" "), Ok(None));
        assert!(parse_due("31/12/2026").is_err());
    }
}
