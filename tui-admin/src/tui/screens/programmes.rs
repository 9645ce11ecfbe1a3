//! Chương trình: each programme of `courses/programmes.toml` by unit (the tree, rolled up, everyone first):
//! how many are assigned, completed, overdue, expiring and expired; ← → choose a number, `p` another
//! programme, Enter lists the people behind the number, a page at a time; the mail queue's numbers and
//! latest failure below, `m` opens every recent failure with its error. The numbers are
//! `core::admin_views::programmes`', built on the compliance report's standings, so they agree with it.

use std::sync::Arc;

use daotao_core::admin_views::programmes::{Column, Grid, Number, PersonLine};
use daotao_core::learning::programmes::Compliance;
use daotao_core::platform::paging::Page;
use daotao_core::report::compliance::label;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};

use super::{Context, Effect, Screen, step};
use crate::tui::count;
use crate::tui::keys::{Binding, Focus, Key, Keymap, bind, k};
use crate::tui::widgets::{dim, fit, header, selected, warning};
use crate::tui::worker::{MailQueue, Request, Unavailable};

/// What the screen shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// The numbers of one programme by unit.
    #[default]
    Grid,
    /// The people behind one number.
    People,
    /// The mail queue's recent failures.
    Mail,
}

/// The people behind a number: the one asked for, and the page shown (or why it could not be read).
#[derive(Debug, Clone, PartialEq)]
pub struct People {
    pub number: Number,
    /// `None` while the page asked for is on its way.
    pub page: Option<Result<Page<PersonLine>, String>>,
    /// The page asked for last.
    pub asked: u64,
}

/// The programmes screen's state.
#[derive(Default)]
pub struct ProgrammesScreen {
    pub view: View,
    /// `None` until the first answer.
    pub grid: Option<Result<Arc<Grid>, Unavailable>>,
    /// The programme shown, by index into the grid's.
    pub programme: usize,
    /// Row 0 is everyone; row `i` the grid's unit `i - 1`.
    pub table: TableState,
    /// Index into [`Column::ALL`].
    pub column: usize,
    pub people: Option<People>,
    pub people_table: TableState,
    pub mail: Option<MailQueue>,
    pub mail_table: TableState,
}

impl ProgrammesScreen {
    /// Shows the programmes' numbers, keeping the programme, row and column where they can stay.
    pub fn show_grid(&mut self, grid: Result<Arc<Grid>, Unavailable>) {
        if let Ok(g) = &grid {
            self.programme = self.programme.min(g.programmes.len().saturating_sub(1));
            let row = self.table.selected().unwrap_or(0).min(g.units.len());
            self.table.select(Some(row));
        }
        self.grid = Some(grid);
    }

    /// Shows a page of people if it answers the number asked for last (an older answer is dropped).
    pub fn show_people(&mut self, number: Number, page: Result<Page<PersonLine>, String>) {
        let Some(people) = self.people.as_mut().filter(|p| p.number == number) else { return };
        let rows = page.as_ref().map_or(0, |p| p.lines.len());
        people.page = Some(page);
        self.people_table.select((rows > 0).then_some(0));
    }

    /// Shows the mail queue, keeping the selected failure where it can.
    pub fn show_mail(&mut self, mail: MailQueue) {
        let keep = self.mail_table.selected().unwrap_or(0);
        let n = mail.failures.len();
        self.mail_table.select((n > 0).then(|| keep.min(n - 1)));
        self.mail = Some(mail);
    }

    /// The numbers, once they came.
    pub fn loaded(&self) -> Option<&Grid> {
        self.grid.as_ref().and_then(|g| g.as_ref().ok()).map(|g| g.as_ref())
    }

    /// The unit of the selected row: `None` for everyone.
    fn unit_of_row(&self, row: usize) -> Option<(String, String)> {
        let unit = row.checked_sub(1).and_then(|i| self.loaded()?.units.get(i))?;
        Some((unit.code.clone(), unit.name.clone()))
    }

    /// The number under the cursor.
    fn chosen(&self) -> Option<Number> {
        let grid = self.loaded()?;
        let programme = grid.programmes.get(self.programme)?;
        let unit = self.unit_of_row(self.table.selected().unwrap_or(0)).map(|(code, _)| code);
        Some(Number { programme: programme.id.clone(), unit, column: Column::ALL[self.column] })
    }

    /// Asks for page `page` of the people behind `number`.
    fn ask_people(&mut self, number: Number, page: u64) -> Effect {
        self.people = Some(People { number: number.clone(), page: None, asked: page });
        self.view = View::People;
        Effect::Send(Request::ProgrammePeople { number, page })
    }

    fn turn_page(&mut self, delta: i8) -> Option<Effect> {
        let people = self.people.as_ref()?;
        let Some(Ok(page)) = &people.page else { return None };
        let next = page.page.checked_add_signed(delta.into()).filter(|p| *p < page.pages())?;
        Some(self.ask_people(people.number.clone(), next))
    }

    /// A unit's name for titles: everyone for `None`.
    fn unit_name(&self, code: Option<&str>) -> String {
        let Some(code) = code else { return "Tất cả".to_string() };
        let unit = self.loaded().and_then(|g| g.units.iter().find(|u| u.code == code));
        unit.map_or(code.to_string(), |u| u.name.clone())
    }

    fn programme_title(&self, id: &str) -> String {
        let programme = self.loaded().and_then(|g| g.programmes.iter().find(|p| p.id == id));
        programme.map_or(id.to_string(), |p| p.title.clone())
    }
}

/// What the programmes screen's keys do.
#[derive(Debug, Clone, Copy)]
pub enum ProgrammesAction {
    /// Moves the selected unit by this many rows.
    SelectRow(isize),
    /// Moves the chosen number by this many columns.
    SelectColumn(isize),
    /// Shows the programme this many places on, round the end.
    Programme(isize),
    People,
    /// Moves the selected person by this many rows.
    SelectPerson(isize),
    /// Turns the page of people forward (1) or back (-1).
    Page(i8),
    /// Moves the selected mail failure by this many rows.
    SelectFailure(isize),
    Mail,
    Back,
    Reload,
}

impl Keymap for ProgrammesScreen {
    type When = Focus<View>;
    type Action = ProgrammesAction;
    const KEYS: &'static [Binding<Focus<View>, ProgrammesAction>] = {
        use crate::tui::keys::Focus::{Always, In};
        use ProgrammesAction::*;
        const MOVE: &str = "chọn dòng";
        const GRID: Focus<View> = In(View::Grid);
        &[
            bind(&[k::UP, Key::char('k')], GRID, SelectRow(-1), MOVE),
            bind(&[k::DOWN, Key::char('j')], GRID, SelectRow(1), MOVE),
            bind(&[k::PAGE_UP], GRID, SelectRow(-10), "lên / xuống 10 đơn vị"),
            bind(&[k::PAGE_DOWN], GRID, SelectRow(10), "lên / xuống 10 đơn vị"),
            bind(&[k::LEFT, Key::char('h')], GRID, SelectColumn(-1), "chọn cột: giao, hoàn thành, quá hạn…"),
            bind(&[k::RIGHT, Key::char('l')], GRID, SelectColumn(1), "chọn cột: giao, hoàn thành, quá hạn…"),
            bind(&[Key::char('p')], GRID, Programme(1), "chương trình sau / trước"),
            bind(&[Key::char('P')], GRID, Programme(-1), "chương trình sau / trước"),
            bind(&[k::ENTER], GRID, People, "xem những người sau con số đang chọn"),
            bind(&[k::UP, Key::char('k')], In(View::People), SelectPerson(-1), MOVE),
            bind(&[k::DOWN, Key::char('j')], In(View::People), SelectPerson(1), MOVE),
            bind(&[k::PAGE_UP], In(View::People), Page(-1), "danh sách người: trang trước / sau"),
            bind(&[k::PAGE_DOWN], In(View::People), Page(1), "danh sách người: trang trước / sau"),
            bind(&[k::UP, Key::char('k')], In(View::Mail), SelectFailure(-1), MOVE),
            bind(&[k::DOWN, Key::char('j')], In(View::Mail), SelectFailure(1), MOVE),
            bind(&[Key::char('m')], Always, Mail, "mở / đóng hàng đợi thư và các thư gửi lỗi"),
            bind(&[k::ESC], Always, Back, "quay lại bảng số liệu"),
            bind(&[Key::char('r')], Always, Reload, "tải lại số liệu"),
        ]
    };

    fn holds(&self, when: Focus<View>) -> bool {
        when.holds(self.view)
    }

    fn perform(&mut self, action: ProgrammesAction) -> Option<Effect> {
        use ProgrammesAction::*;
        let grid = self.loaded();
        let (units, programmes) = grid.map_or((0, 0), |g| (g.units.len(), g.programmes.len()));
        Some(match action {
            SelectRow(delta) => {
                grid?;
                self.table.select(Some(step(self.table.selected().unwrap_or(0), delta, units + 1)));
                Effect::Nothing
            }
            SelectColumn(delta) => {
                grid?;
                self.column = step(self.column, delta, Column::ALL.len());
                Effect::Nothing
            }
            Programme(delta) => {
                if programmes < 2 {
                    return None;
                }
                self.programme = (self.programme as isize + delta).rem_euclid(programmes as isize) as usize;
                Effect::Nothing
            }
            People => {
                let number = self.chosen()?;
                self.people_table.select(None);
                self.ask_people(number, 0)
            }
            SelectPerson(delta) => {
                let rows =
                    self.people.as_ref().and_then(|p| p.page.as_ref()?.as_ref().ok()).map(|p| p.lines.len());
                let i = step(self.people_table.selected().unwrap_or(0), delta, rows.unwrap_or(0));
                self.people_table.select(rows.filter(|n| *n > 0).map(|_| i));
                Effect::Nothing
            }
            Page(delta) => return self.turn_page(delta),
            SelectFailure(delta) => {
                let rows = self.mail.as_ref().map_or(0, |m| m.failures.len());
                self.mail_table
                    .select((rows > 0).then(|| step(self.mail_table.selected().unwrap_or(0), delta, rows)));
                Effect::Nothing
            }
            Mail => {
                self.view = if self.view == View::Mail { View::Grid } else { View::Mail };
                Effect::Nothing
            }
            Back => {
                if self.view == View::Grid {
                    return None;
                }
                self.view = View::Grid;
                Effect::Nothing
            }
            Reload => Effect::Reload,
        })
    }
}

impl Screen for ProgrammesScreen {
    fn reload(&self) -> Vec<Request> {
        let mut requests = vec![Request::ProgrammeGrid, Request::MailQueue];
        if let Some(p) = self.people.as_ref().filter(|_| self.view == View::People) {
            requests.push(Request::ProgrammePeople { number: p.number.clone(), page: p.asked });
        }
        requests
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, _context: &Context) {
        match self.view {
            View::Grid => {
                let [body, mail] = Layout::vertical([Constraint::Fill(1), Constraint::Length(3)]).areas(area);
                self.draw_grid(frame, body);
                self.draw_mail_panel(frame, mail);
            }
            View::People => self.draw_people(frame, area),
            View::Mail => self.draw_mail(frame, area),
        }
    }
}

/// The style of a nonzero count of people who are late or whose completion ended.
fn alarm(column: Column, n: u64) -> Style {
    match column {
        Column::Overdue | Column::Expired if n > 0 => warning(),
        _ => Style::new(),
    }
}

/// Widths of the five number columns: each as wide as its heading.
fn number_widths() -> [u16; 5] {
    Column::ALL.map(|c| (c.label().chars().count() as u16).max(5))
}

impl ProgrammesScreen {
    /// Why there are no numbers, in place of the table; `true` when there is one.
    fn draw_unavailable(&self, frame: &mut Frame, area: Rect) -> bool {
        let lines: Vec<Line> = match &self.grid {
            None => vec![Line::styled("Đang tính số liệu chương trình…", dim())],
            Some(Err(Unavailable::NoFile(path))) => vec![
                Line::styled("Chưa có tệp chương trình.", warning()),
                Line::raw(format!("Không có {}.", path.display())),
                Line::styled(
                    "Khai báo chương trình trong tệp này (docs/programmes-and-reminders.md).",
                    dim(),
                ),
            ],
            Some(Err(Unavailable::Problems(problems))) => {
                let mut lines = vec![Line::styled(
                    format!(
                        "Tệp chương trình có {} lỗi: chưa giao chương trình nào cho đến khi sửa.",
                        problems.len()
                    ),
                    warning(),
                )];
                lines.extend(problems.iter().map(|p| Line::raw(p.clone())));
                lines
            }
            Some(Err(Unavailable::Failed(e))) => {
                vec![Line::styled(format!("Không tính được số liệu chương trình: {e}"), warning())]
            }
            Some(Ok(grid)) if grid.programmes.is_empty() => {
                vec![Line::styled("Tệp chương trình chưa khai báo chương trình nào.", dim())]
            }
            Some(Ok(_)) => return true,
        };
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
        false
    }

    fn draw_grid(&mut self, frame: &mut Frame, area: Rect) {
        let [title, body, footer] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        if !self.draw_unavailable(frame, area) {
            return;
        }
        let Some(Ok(grid)) = self.grid.clone() else { return };
        let programme = &grid.programmes[self.programme];
        let text = format!(
            "Chương trình {}/{}: {} ({})",
            self.programme + 1,
            grid.programmes.len(),
            programme.title,
            programme.id
        );
        let hint = if grid.programmes.len() > 1 { "  p đổi" } else { "" };
        let room = (title.width as usize).saturating_sub(hint.chars().count());
        let line = Line::from(vec![Span::styled(fit(&text, room), header()), Span::styled(hint, dim())]);
        frame.render_widget(Paragraph::new(line), title);
        let widths = number_widths();
        let numbers = |name: String, counts: &[u64; 5]| {
            let mut cells = vec![Cell::from(name)];
            cells.extend(
                Column::ALL
                    .iter()
                    .zip(counts)
                    .map(|(c, n)| Cell::from(Line::from(count(*n)).right_aligned()).style(alarm(*c, *n))),
            );
            Row::new(cells)
        };
        let mut rows = vec![numbers("Tất cả (cả người chưa có đơn vị)".to_string(), &programme.total)];
        rows.extend(
            grid.units
                .iter()
                .zip(&programme.by_unit)
                .map(|(u, n)| numbers(format!("{}{}", "  ".repeat(u.depth), u.name), n)),
        );
        let mut constraints = vec![Constraint::Fill(1)];
        constraints.extend(widths.map(Constraint::Length));
        let mut head = vec![Cell::from("Đơn vị")];
        head.extend(Column::ALL.map(|c| Cell::from(Line::from(c.label()).right_aligned())));
        self.table.select_column(Some(self.column + 1));
        let table = Table::new(rows, constraints)
            .header(Row::new(head).style(header()))
            .row_highlight_style(selected())
            .cell_highlight_style(
                Style::new().remove_modifier(Modifier::REVERSED).add_modifier(Modifier::BOLD),
            )
            .highlight_symbol("▸ ");
        frame.render_stateful_widget(table, body, &mut self.table);
        let unit = self.unit_of_row(self.table.selected().unwrap_or(0)).map(|(_, name)| name);
        let text = format!(
            "{} · {}: Enter xem danh sách · Hoàn thành gồm cả sắp hết hạn",
            Column::ALL[self.column].label(),
            unit.as_deref().unwrap_or("tất cả")
        );
        frame.render_widget(Paragraph::new(fit(&text, footer.width as usize)).style(dim()), footer);
    }

    /// The mail queue's numbers and its latest failure, under the grid.
    fn draw_mail_panel(&self, frame: &mut Frame, area: Rect) {
        let width = area.width as usize;
        let mut lines = vec![Line::styled("─".repeat(width), dim())];
        match &self.mail {
            None => lines.push(Line::styled("Thư: đang tải…", dim())),
            Some(mail) => {
                lines.push(Line::raw(fit(&mail_numbers(mail), width)));
                match mail.failures.first() {
                    Some(f) => {
                        let error = f.last_error.as_deref().unwrap_or("");
                        let text = format!("Lỗi mới nhất (m xem tất cả): {} · {error}", f.to_address);
                        lines.push(Line::styled(fit(&text, width), warning()));
                    }
                    None => lines.push(Line::styled("Không có thư nào gửi lỗi.", dim())),
                }
            }
        }
        frame.render_widget(Paragraph::new(lines), area);
    }

    fn draw_people(&mut self, frame: &mut Frame, area: Rect) {
        let [title, body, footer] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        let Some(people) = self.people.clone() else { return };
        let n = &people.number;
        let text = format!(
            "{} · {} · {}",
            self.programme_title(&n.programme),
            self.unit_name(n.unit.as_deref()),
            n.column.label()
        );
        frame.render_widget(Paragraph::new(Line::styled(fit(&text, title.width as usize), header())), title);
        let status = match &people.page {
            None => "Đang tải…".to_string(),
            Some(Err(e)) => {
                let text = format!("Không đọc được danh sách: {e}");
                frame.render_widget(Paragraph::new(text).style(warning()).wrap(Wrap { trim: false }), body);
                "Esc quay lại".to_string()
            }
            Some(Ok(page)) => {
                self.draw_people_table(frame, body, page);
                if page.total == 0 {
                    "Không có ai · Esc quay lại".to_string()
                } else {
                    format!(
                        "Trang {}/{} · {} người · Esc quay lại",
                        page.page + 1,
                        count(page.pages()),
                        count(page.total)
                    )
                }
            }
        };
        frame.render_widget(Paragraph::new(status).style(dim()), footer);
    }

    fn draw_people_table(&mut self, frame: &mut Frame, area: Rect, page: &Page<PersonLine>) {
        let rows: Vec<Row> = page
            .lines
            .iter()
            .map(|p| {
                let style = match p.status {
                    Compliance::Overdue | Compliance::Expired => warning(),
                    _ => Style::new(),
                };
                Row::new(vec![
                    Cell::from(p.username.clone()),
                    Cell::from(p.full_name.clone()),
                    Cell::from(p.unit_code.clone().unwrap_or_else(|| "—".to_string())),
                    Cell::from(p.due_on.format("%d/%m/%Y").to_string()),
                    Cell::from(label(p.status)).style(style),
                ])
            })
            .collect();
        let widths = [
            Constraint::Length(14),
            Constraint::Fill(1),
            Constraint::Length(12),
            Constraint::Length(10),
            Constraint::Length(12),
        ];
        let table = Table::new(rows, widths)
            .header(Row::new(["Tài khoản", "Họ và tên", "Đơn vị", "Hạn", "Tình trạng"]).style(header()))
            .row_highlight_style(selected())
            .highlight_symbol("▸ ");
        frame.render_stateful_widget(table, area, &mut self.people_table);
    }

    fn draw_mail(&mut self, frame: &mut Frame, area: Rect) {
        let [title, body, detail] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(4)]).areas(area);
        let Some(mail) = self.mail.clone() else {
            frame.render_widget(Paragraph::new("Đang tải hàng đợi thư…").style(dim()), body);
            return;
        };
        let text = fit(&mail_numbers(&mail), title.width as usize);
        frame.render_widget(Paragraph::new(Line::styled(text, header())), title);
        if mail.failures.is_empty() {
            frame.render_widget(Paragraph::new("Không có thư nào gửi lỗi.").style(dim()), body);
            return;
        }
        let rows: Vec<Row> = mail
            .failures
            .iter()
            .map(|f| {
                let state = match f.failed_at {
                    Some(_) => Span::styled("thôi gửi", warning()),
                    None => Span::raw(format!("thử lại {}", local(f.next_attempt_at))),
                };
                Row::new(vec![
                    Cell::from(f.to_address.clone()),
                    Cell::from(f.subject.clone()),
                    Cell::from(Line::from(f.attempts.to_string()).right_aligned()),
                    Cell::from(state),
                ])
            })
            .collect();
        let widths =
            [Constraint::Length(26), Constraint::Fill(1), Constraint::Length(3), Constraint::Length(19)];
        let table = Table::new(rows, widths)
            .header(Row::new(["Người nhận", "Tiêu đề", "Lần", "Tình trạng"]).style(header()))
            .row_highlight_style(selected())
            .highlight_symbol("▸ ");
        frame.render_stateful_widget(table, body, &mut self.mail_table);
        if let Some(f) = self.mail_table.selected().and_then(|i| mail.failures.get(i)) {
            let lines = vec![
                Line::styled("─".repeat(detail.width as usize), dim()),
                Line::from(vec![
                    Span::styled(format!("{} · ", f.kind), dim()),
                    Span::styled(f.last_error.clone().unwrap_or_default(), warning()),
                ]),
            ];
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), detail);
        }
    }
}

/// The queue in one line.
fn mail_numbers(mail: &MailQueue) -> String {
    let s = &mail.summary;
    format!(
        "Thư: {} chờ gửi ({} đang thử lại) · {} đã gửi · {} thất bại",
        count(s.queued),
        count(s.retrying),
        count(s.sent),
        count(s.failed)
    )
}

/// A moment in Viet Nam's time, as the screens show it.
fn local(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&daotao_core::platform::local_time::offset()).format("%H:%M %d/%m").to_string()
}
