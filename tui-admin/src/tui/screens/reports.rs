//! Báo cáo: pick a unit (with its sub-units, or every unit) on the left and a
//! report with `r`; Enter computes it and shows it as a table that scrolls by
//! row and by column; `c` exports the table as CSV, `x` the whole report as an
//! XLSX workbook, at a path the admin types (a sensible name is prefilled).
//! The reports are `core::report`'s, computed by the worker as the `report`
//! subcommand computes them, so the screen and the files never disagree.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use daotao_core::admin_views::unit_tree::TreeUnit;
use daotao_core::report::{Cell as ReportCell, Table};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, List, ListItem, ListState, Paragraph, Row, Table as TableWidget,
};

use super::{Context, Effect, Screen, step};
use crate::tui::count;
use crate::tui::keys::{Binding, Focus, Key, Keymap, bind, k};
use crate::tui::widgets::{Form, dim, fit, header, selected, warning};
use crate::tui::worker::{ExportFormat, ReportKind, Request, unit_text};

/// Which side the keys act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Units,
    Preview,
}

/// A computed report table and what it was computed for.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    pub unit: Option<String>,
    pub kind: ReportKind,
    pub table: Arc<Table>,
}

/// The reports screen's state.
#[derive(Default)]
pub struct ReportsScreen {
    /// The unit tree; the list shows "every unit" first, then these.
    pub units: Vec<TreeUnit>,
    pub loaded: bool,
    pub unit_list: ListState,
    pub kind: ReportKind,
    pub pane: Pane,
    pub preview: Option<Preview>,
    /// The preview asked for and not back yet.
    pub pending: Option<(Option<String>, ReportKind)>,
    /// Why the last preview failed.
    pub error: Option<String>,
    /// The selected row of the preview and the first row shown.
    pub row: usize,
    pub top: usize,
    /// The first scrolling column shown (the key column stays on the left).
    pub col: usize,
    /// Exports under way, by path.
    pub exporting: Vec<PathBuf>,
    /// Rows the preview showed last time it was drawn (a page for PgUp / PgDn).
    visible_rows: usize,
    /// Today, for the default file names.
    pub today: Option<NaiveDate>,
}

impl ReportsScreen {
    /// A screen that names its files with `today`.
    pub fn new(today: NaiveDate) -> Self {
        Self { today: Some(today), ..Self::default() }
    }

    /// Shows the unit tree, keeping the selection where it can.
    pub fn show_units(&mut self, units: Vec<TreeUnit>) {
        let keep = self.unit_list.selected().unwrap_or(0);
        self.unit_list.select(Some(keep.min(units.len())));
        self.units = units;
        self.loaded = true;
    }

    /// The unit chosen: `None` for every unit.
    pub fn unit(&self) -> Option<&TreeUnit> {
        self.unit_list.selected().and_then(|i| i.checked_sub(1)).and_then(|i| self.units.get(i))
    }

    fn unit_code(&self) -> Option<String> {
        self.unit().map(|u| u.code.clone())
    }

    /// Asks for the report of the chosen unit.
    fn compute(&mut self) -> Effect {
        let unit = self.unit_code();
        self.pending = Some((unit.clone(), self.kind));
        self.error = None;
        Effect::Send(Request::ReportPreview { unit, kind: self.kind })
    }

    /// Applies a computed report if it is the one asked for last (an older answer is dropped: false).
    pub fn show_preview(
        &mut self,
        unit: Option<String>,
        kind: ReportKind,
        table: Result<Arc<Table>, String>,
    ) -> bool {
        if self.pending.as_ref() != Some(&(unit.clone(), kind)) {
            return false;
        }
        self.pending = None;
        match table {
            Ok(table) => {
                self.preview = Some(Preview { unit, kind, table });
                self.error = None;
                (self.row, self.top, self.col) = (0, 0, 0);
            }
            Err(message) => self.error = Some(message),
        }
        true
    }

    /// The file name offered for an export: the report, the unit and the day, in the current folder.
    pub fn default_path(&self, format: ExportFormat) -> String {
        let unit = self.unit().map_or("tat-ca".to_string(), |u| u.code.to_lowercase());
        let day = self.today.map(|d| format!("-{d}")).unwrap_or_default();
        format!("bao-cao-{}-{unit}{day}.{}", self.kind.slug(), format.extension())
    }

    fn export_form(&self, format: ExportFormat) -> Effect {
        let (unit, kind) = (self.unit_code(), self.kind);
        let (title, note) = match format {
            ExportFormat::Csv => (
                "Xuất CSV",
                "Bảng đang chọn, UTF-8 có BOM (Excel mở đúng tiếng Việt). Tệp đã có: hỏi trước khi ghi đè.",
            ),
            ExportFormat::Xlsx => (
                "Xuất XLSX",
                "Cả báo cáo: trang tổng hợp theo đơn vị và trang chi tiết. Tệp đã có: hỏi trước khi ghi đè.",
            ),
        };
        Effect::OpenForm(Form::new(
            format!("{title} · {} · {}", kind.title(), unit_text(unit.as_deref())),
            &[("Tệp", &self.default_path(format))],
            note,
            Box::new(move |v: &[String]| {
                if v[0].is_empty() {
                    return Err("Cần đường dẫn tệp".to_string());
                }
                Ok(Request::ExportReport { unit: unit.clone(), kind, format, path: expand_home(&v[0]) })
            }),
        ))
    }

    /// The column kept on the left while the others scroll: the unit, or the person.
    fn key_column(&self, table: &Table) -> usize {
        let wanted = match self.preview.as_ref().map(|p| p.kind) {
            Some(ReportKind::CompetencyByUnit) => "Đơn vị",
            _ => "Tài khoản",
        };
        table.columns.iter().position(|c| c == wanted).unwrap_or(0)
    }

    fn rows(&self) -> usize {
        self.preview.as_ref().map_or(0, |p| p.table.rows.len())
    }

    fn move_row(&mut self, delta: isize) -> Effect {
        self.row = step(self.row, delta, self.rows());
        Effect::Nothing
    }

    /// Chooses another report; a table on show follows the choice, otherwise Enter computes it.
    fn choose_report(&mut self, delta: isize) -> Effect {
        let i = ReportKind::ALL.iter().position(|k| *k == self.kind).unwrap_or(0);
        let n = ReportKind::ALL.len() as isize;
        self.kind = ReportKind::ALL[(i as isize + delta).rem_euclid(n) as usize];
        if self.preview.is_some() || self.pending.is_some() { self.compute() } else { Effect::Nothing }
    }

    fn draw_units(&mut self, frame: &mut Frame, area: Rect) {
        let focus = if self.pane == Pane::Units { header() } else { dim() };
        let block = Block::default().borders(Borders::RIGHT).title(Span::styled("Đơn vị", focus));
        let width = block.inner(area).width.saturating_sub(1) as usize;
        let mut items = vec![ListItem::new(fit("Tất cả đơn vị", width))];
        items.extend(
            self.units
                .iter()
                .map(|u| ListItem::new(fit(&format!("{}{}", "  ".repeat(u.depth), u.name), width))),
        );
        let list = List::new(items)
            .block(block)
            .highlight_style(if self.pane == Pane::Units { selected() } else { header() })
            .highlight_symbol("▸");
        frame.render_stateful_widget(list, area, &mut self.unit_list);
    }

    /// A unit's name for titles: "Tất cả đơn vị" for none.
    fn unit_name(&self, code: Option<&str>) -> String {
        match code {
            None => "Tất cả đơn vị".to_string(),
            Some(code) => {
                self.units.iter().find(|u| u.code == code).map_or(code.to_string(), |u| u.name.clone())
            }
        }
    }

    fn draw_preview(&mut self, frame: &mut Frame, area: Rect) {
        let [title, body, footer] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        if let Some(p) = &self.preview {
            let focus = if self.pane == Pane::Preview { header() } else { dim() };
            let text = format!("{} · {}", p.kind.title(), self.unit_name(p.unit.as_deref()));
            frame.render_widget(Paragraph::new(Line::styled(fit(&text, title.width as usize), focus)), title);
        }
        if let Some((unit, kind)) = &self.pending {
            let text = format!(
                "Đang tính báo cáo {} cho {}…",
                kind.title().to_lowercase(),
                self.unit_name(unit.as_deref())
            );
            frame.render_widget(Paragraph::new(text).style(dim()), body);
        }
        if let Some(error) = &self.error {
            let text = format!("Không tính được báo cáo: {error}");
            frame.render_widget(
                Paragraph::new(text).style(warning()).wrap(ratatui::widgets::Wrap { trim: false }),
                body,
            );
        }
        let Some(preview) = self.preview.clone().filter(|_| self.pending.is_none() && self.error.is_none())
        else {
            if self.pending.is_none() && self.error.is_none() {
                let hint = vec![
                    Line::raw("Chọn đơn vị bên trái, r để chọn báo cáo,"),
                    Line::raw("Enter để tính và xem trước; c xuất CSV, x xuất XLSX."),
                ];
                frame.render_widget(Paragraph::new(hint).style(dim()), body);
            }
            self.draw_footer(frame, footer, None);
            return;
        };
        let table = &preview.table;
        // Rows: the header takes one line.
        let height = body.height.saturating_sub(1) as usize;
        self.visible_rows = height.max(1);
        if self.row < self.top {
            self.top = self.row;
        } else if height > 0 && self.row >= self.top + height {
            self.top = self.row + 1 - height;
        }
        let shown: Vec<&Vec<ReportCell>> = table.rows.iter().skip(self.top).take(height).collect();
        let key = self.key_column(table);
        let others: Vec<usize> = (0..table.columns.len()).filter(|&c| c != key).collect();
        self.col = self.col.min(others.len().saturating_sub(1));
        let width_of = |c: usize| {
            let widest = shown.iter().map(|r| r.get(c).map_or(0, |x| x.to_text().chars().count())).max();
            table.columns[c].chars().count().max(widest.unwrap_or(0)).clamp(4, 28)
        };
        // The key column, then as many scrolling columns as fit.
        let mut columns = vec![key];
        let mut used = width_of(key) + 2;
        for &c in &others[self.col.min(others.len())..] {
            let w = width_of(c);
            if used + w + 1 > body.width as usize && columns.len() > 1 {
                break;
            }
            used += w + 1;
            columns.push(c);
        }
        let widths: Vec<Constraint> =
            columns.iter().map(|&c| Constraint::Length(width_of(c) as u16)).collect();
        let rows: Vec<Row> = shown
            .iter()
            .map(|r| {
                Row::new(columns.iter().map(|&c| {
                    let cell = r.get(c).unwrap_or(&ReportCell::Empty);
                    let text = fit(&cell.to_text(), width_of(c));
                    match cell {
                        ReportCell::Int(_) | ReportCell::Percent(_) | ReportCell::Score(_) => {
                            Cell::from(Line::from(text).right_aligned())
                        }
                        _ => Cell::from(text),
                    }
                }))
            })
            .collect();
        let head = Row::new(columns.iter().map(|&c| Cell::from(fit(&table.columns[c], width_of(c)))));
        let highlight = if self.pane == Pane::Preview { selected() } else { Style::new() };
        let mut state = ratatui::widgets::TableState::default();
        state.select((!table.rows.is_empty()).then(|| self.row - self.top));
        let widget = TableWidget::new(rows, widths)
            .header(head.style(header()))
            .row_highlight_style(highlight)
            .highlight_symbol("▸ ")
            .highlight_spacing(ratatui::widgets::HighlightSpacing::Always);
        frame.render_stateful_widget(widget, body, &mut state);
        if table.rows.is_empty() {
            let below = Rect { y: body.y + 1, height: 1, ..body };
            frame.render_widget(Paragraph::new("Không có dòng nào: đơn vị chưa có ai.").style(dim()), below);
        }
        let last_col = self.col + columns.len() - 1;
        self.draw_footer(frame, footer, Some((table, last_col, others.len())));
    }

    fn draw_footer(&self, frame: &mut Frame, area: Rect, table: Option<(&Table, usize, usize)>) {
        let text = if let Some(path) = self.exporting.first() {
            format!("Đang xuất ra {}…", path.display())
        } else if let Some((table, last_col, scrolling)) = table {
            let rows = table.rows.len();
            let end = (self.top + self.visible_rows).min(rows);
            format!(
                "Dòng {}–{}/{} · cột {}–{}/{} · c CSV · x XLSX",
                count((self.top + 1).min(rows) as u64),
                count(end as u64),
                count(rows as u64),
                self.col + 2,
                last_col + 1,
                scrolling + 1
            )
        } else {
            "c xuất CSV · x xuất XLSX · ? các phím".to_string()
        };
        frame.render_widget(Paragraph::new(fit(&text, area.width as usize)).style(dim()), area);
    }
}

/// `~/x` is the home folder's `x`, as in a shell.
fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// What the reports screen's keys do.
#[derive(Debug, Clone, Copy)]
pub enum ReportsAction {
    /// Moves the unit selected by this many rows.
    SelectUnit(isize),
    /// Moves the row selected in the table by this many rows.
    MoveRow(isize),
    /// Moves the row selected in the table by a screenful, down (1) or up (-1).
    PageRows(isize),
    FirstRow,
    LastRow,
    /// Scrolls the table's columns left; at the first one, back to the units.
    ColumnLeft,
    ColumnRight,
    /// Goes to the table and computes the report of the unit chosen.
    Open,
    /// Goes to the table.
    FocusPreview,
    Compute,
    FocusUnits,
    /// Chooses the report this many places on in [`ReportKind::ALL`], round the end.
    ChooseReport(isize),
    Export(ExportFormat),
}

impl Keymap for ReportsScreen {
    type When = Focus<Pane>;
    type Action = ReportsAction;
    const KEYS: &'static [Binding<Focus<Pane>, ReportsAction>] = {
        use crate::tui::keys::Focus::{Always, In};
        use ReportsAction::*;
        const UNITS: Focus<Pane> = In(Pane::Units);
        const TABLE: Focus<Pane> = In(Pane::Preview);
        const MOVE: &str = "chọn đơn vị (bên trái) / cuộn dòng (bảng)";
        const ENDS: &str = "dòng đầu / dòng cuối của bảng";
        const COLUMNS: &str = "cuộn cột của bảng; ← ở cột đầu: về danh sách đơn vị";
        const ENTER: &str = "tính và xem trước báo cáo của đơn vị đang chọn";
        const CHOOSE: &str = "báo cáo tiếp / báo cáo trước (tên ở dòng trên cùng)";
        &[
            bind(&[k::UP, Key::char('k')], UNITS, SelectUnit(-1), MOVE),
            bind(&[k::DOWN, Key::char('j')], UNITS, SelectUnit(1), MOVE),
            bind(&[k::PAGE_UP], UNITS, SelectUnit(-10), MOVE),
            bind(&[k::PAGE_DOWN], UNITS, SelectUnit(10), MOVE),
            bind(&[k::UP, Key::char('k')], TABLE, MoveRow(-1), MOVE),
            bind(&[k::DOWN, Key::char('j')], TABLE, MoveRow(1), MOVE),
            bind(&[k::PAGE_UP], TABLE, PageRows(-1), MOVE),
            bind(&[k::PAGE_DOWN], TABLE, PageRows(1), MOVE),
            bind(&[k::HOME, Key::char('g')], TABLE, FirstRow, ENDS),
            bind(&[k::END, Key::char('G')], TABLE, LastRow, ENDS),
            bind(&[k::LEFT, Key::char('h')], TABLE, ColumnLeft, COLUMNS),
            bind(&[k::RIGHT, Key::char('l')], TABLE, ColumnRight, COLUMNS),
            bind(&[k::RIGHT, Key::char('l')], UNITS, FocusPreview, COLUMNS),
            bind(&[k::ENTER], UNITS, Open, ENTER),
            bind(&[k::ENTER], TABLE, Compute, ENTER),
            bind(&[k::ESC], TABLE, FocusUnits, "về danh sách đơn vị"),
            bind(&[Key::char('r')], Always, ChooseReport(1), CHOOSE),
            bind(&[Key::char('R')], Always, ChooseReport(-1), CHOOSE),
            bind(
                &[Key::char('c')],
                Always,
                Export(ExportFormat::Csv),
                "xuất bảng đang xem ra tệp CSV (Excel mở được)",
            ),
            bind(
                &[Key::char('x')],
                Always,
                Export(ExportFormat::Xlsx),
                "xuất cả báo cáo ra tệp XLSX (tổng hợp và chi tiết)",
            ),
        ]
    };

    fn holds(&self, when: Focus<Pane>) -> bool {
        when.holds(self.pane)
    }

    fn perform(&mut self, action: ReportsAction) -> Option<Effect> {
        Some(match action {
            ReportsAction::SelectUnit(delta) => {
                let i = step(self.unit_list.selected().unwrap_or(0), delta, self.units.len() + 1);
                self.unit_list.select(Some(i));
                Effect::Nothing
            }
            ReportsAction::MoveRow(delta) => self.move_row(delta),
            ReportsAction::PageRows(direction) => {
                self.move_row(direction * self.visible_rows.max(1) as isize)
            }
            ReportsAction::FirstRow => {
                self.row = 0;
                Effect::Nothing
            }
            ReportsAction::LastRow => {
                self.row = self.rows().saturating_sub(1);
                Effect::Nothing
            }
            ReportsAction::ColumnLeft => {
                if self.col == 0 {
                    self.pane = Pane::Units;
                } else {
                    self.col -= 1;
                }
                Effect::Nothing
            }
            ReportsAction::ColumnRight => {
                let columns = self.preview.as_ref().map_or(0, |p| p.table.columns.len());
                self.col = (self.col + 1).min(columns.saturating_sub(2));
                Effect::Nothing
            }
            ReportsAction::Open => {
                self.pane = Pane::Preview;
                self.compute()
            }
            ReportsAction::FocusPreview => {
                self.pane = Pane::Preview;
                Effect::Nothing
            }
            ReportsAction::Compute => self.compute(),
            ReportsAction::FocusUnits => {
                self.pane = Pane::Units;
                Effect::Nothing
            }
            ReportsAction::ChooseReport(delta) => self.choose_report(delta),
            ReportsAction::Export(format) => self.export_form(format),
        })
    }
}

impl Screen for ReportsScreen {
    fn reload(&self) -> Vec<Request> {
        vec![Request::Units]
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, _context: &Context) {
        let [top, rest] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
        let mut spans = vec![Span::styled("Báo cáo: ", header())];
        for (i, kind) in ReportKind::ALL.iter().enumerate() {
            if i > 0 {
                spans.push(Span::styled(" · ", dim()));
            }
            let style = if *kind == self.kind { selected() } else { dim() };
            spans.push(Span::styled(kind.title(), style));
        }
        spans.push(Span::styled("  (r đổi)", dim()));
        frame.render_widget(Paragraph::new(Line::from(spans)), top);
        // The unit list while choosing, or always when the terminal is wide; the table takes the rest.
        let show_units = self.pane == Pane::Units || area.width >= 110;
        if show_units {
            let left_width = (area.width / 3).clamp(24, 36);
            let [left, right] = Layout::horizontal([Constraint::Length(left_width), Constraint::Fill(1)])
                .spacing(1)
                .areas(rest);
            self.draw_units(frame, left);
            self.draw_preview(frame, right);
        } else {
            self.draw_preview(frame, rest);
        }
    }
}
