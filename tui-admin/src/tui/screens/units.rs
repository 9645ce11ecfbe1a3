//! Đơn vị: the unit tree with how many active accounts each unit holds (with
//! its sub-units); add, rename, move, import a CSV file; Enter lists the
//! unit's people on the users screen.

use std::path::PathBuf;

use daotao_core::admin_views::unit_tree::TreeUnit;
use daotao_core::people::units::NewUnit;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use super::{Context, Effect, Screen, step};
use crate::tui::count;
use crate::tui::keys::{Always, Binding, Key, Keymap, bind, k};
use crate::tui::widgets::{Form, dim, header, selected};
use crate::tui::worker::Request;

/// The units screen's state: the tree and the selection.
#[derive(Default)]
pub struct UnitsScreen {
    pub units: Vec<TreeUnit>,
    pub loaded: bool,
    pub table: TableState,
}

impl UnitsScreen {
    /// Shows the tree, keeping the selection where it can.
    pub fn show(&mut self, units: Vec<TreeUnit>) {
        let keep = self.table.selected().unwrap_or(0);
        self.table.select(if units.is_empty() { None } else { Some(keep.min(units.len() - 1)) });
        self.units = units;
        self.loaded = true;
    }

    /// The selected unit.
    pub fn current(&self) -> Option<&TreeUnit> {
        self.table.selected().and_then(|i| self.units.get(i))
    }
}

/// What the units screen's keys do.
#[derive(Debug, Clone, Copy)]
pub enum UnitsAction {
    /// Moves the selection by this many rows.
    Select(isize),
    ShowUsers,
    Add,
    Rename,
    Reparent,
    Import,
}

impl Keymap for UnitsScreen {
    type When = Always;
    type Action = UnitsAction;
    const KEYS: &'static [Binding<Always, UnitsAction>] = {
        use UnitsAction::*;
        const SELECT: &str = "chọn đơn vị";
        &[
            bind(&[k::UP, Key::char('k')], Always, Select(-1), SELECT),
            bind(&[k::DOWN, Key::char('j')], Always, Select(1), SELECT),
            bind(&[k::PAGE_UP], Always, Select(-10), SELECT),
            bind(&[k::PAGE_DOWN], Always, Select(10), SELECT),
            bind(&[k::ENTER], Always, ShowUsers, "xem người của đơn vị"),
            bind(&[Key::char('a')], Always, Add, "thêm đơn vị (dưới đơn vị đang chọn)"),
            bind(&[Key::char('r')], Always, Rename, "đổi tên"),
            bind(&[Key::char('m')], Always, Reparent, "chuyển sang đơn vị cha khác"),
            bind(&[Key::char('i')], Always, Import, "nhập đơn vị từ tệp CSV (code,name,parent_code)"),
        ]
    };

    fn holds(&self, _: Always) -> bool {
        true
    }

    fn perform(&mut self, action: UnitsAction) -> Option<Effect> {
        let current = self.current().cloned();
        Some(match action {
            UnitsAction::Select(delta) => {
                let i = step(self.table.selected().unwrap_or(0), delta, self.units.len());
                self.table.select(Some(i));
                Effect::Nothing
            }
            UnitsAction::ShowUsers => current.map_or(Effect::Nothing, |u| Effect::ShowUsers(u.code)),
            UnitsAction::Add => Effect::OpenForm(add_form(current.map(|u| u.code).unwrap_or_default())),
            UnitsAction::Rename => current.map_or(Effect::Nothing, |u| Effect::OpenForm(rename_form(&u))),
            UnitsAction::Reparent => current.map_or(Effect::Nothing, |u| Effect::OpenForm(move_form(&u))),
            UnitsAction::Import => Effect::OpenForm(import_form()),
        })
    }
}

/// A new unit, under `parent` unless the admin changes it.
fn add_form(parent: String) -> Form {
    Form::new(
        "Thêm đơn vị",
        &[("Mã", ""), ("Tên", ""), ("Mã đơn vị cha", &parent)],
        "Mã: chữ không dấu, số, . - _ (ví dụ SO-NV). Để trống mã cha: đơn vị cấp cao nhất.",
        Box::new(|v: &[String]| {
            if v[0].is_empty() || v[1].is_empty() {
                return Err("Cần mã và tên".to_string());
            }
            Ok(Request::AddUnit(NewUnit {
                code: v[0].clone(),
                name: v[1].clone(),
                parent_code: Some(v[2].clone()).filter(|p| !p.is_empty()),
            }))
        }),
    )
}

fn rename_form(u: &TreeUnit) -> Form {
    let code = u.code.clone();
    Form::new(
        format!("Đổi tên {}", u.code),
        &[("Tên mới", &u.name)],
        "Mã đơn vị không đổi.",
        Box::new(move |v: &[String]| {
            if v[0].is_empty() {
                return Err("Cần tên".to_string());
            }
            Ok(Request::RenameUnit { code: code.clone(), name: v[0].clone() })
        }),
    )
}

fn move_form(u: &TreeUnit) -> Form {
    let code = u.code.clone();
    Form::new(
        format!("Chuyển {}", u.code),
        &[("Mã đơn vị cha mới", u.parent_code.as_deref().unwrap_or(""))],
        "Cả các đơn vị trực thuộc đi theo. Để trống: cấp cao nhất.",
        Box::new(move |v: &[String]| {
            Ok(Request::MoveUnit { code: code.clone(), parent: Some(v[0].clone()).filter(|p| !p.is_empty()) })
        }),
    )
}

fn import_form() -> Form {
    Form::new(
        "Nhập đơn vị từ CSV",
        &[("Tệp", "")],
        "Cột code,name,parent_code. Kiểm tra cả tệp trước; một dòng lỗi thì không thay đổi gì.",
        Box::new(|v: &[String]| {
            if v[0].is_empty() {
                return Err("Cần đường dẫn tệp".to_string());
            }
            Ok(Request::ImportUnits(PathBuf::from(&v[0])))
        }),
    )
}

impl Screen for UnitsScreen {
    fn reload(&self) -> Vec<Request> {
        vec![Request::Units]
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, _context: &Context) {
        let [body, footer] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        let rows: Vec<Row> = self
            .units
            .iter()
            .map(|u| {
                let indent = "  ".repeat(u.depth);
                let mark = if u.children > 0 { "▾ " } else { "  " };
                Row::new(vec![
                    Cell::from(format!("{indent}{mark}{}", u.name)),
                    Cell::from(u.code.clone()),
                    Cell::from(format!("{:>7}", count(u.members_below))),
                ])
            })
            .collect();
        let table = Table::new(rows, [Constraint::Fill(1), Constraint::Length(16), Constraint::Length(9)])
            .header(Row::new(["Đơn vị", "Mã", "   Người"]).style(header()))
            .row_highlight_style(selected())
            .highlight_symbol("▸ ");
        frame.render_stateful_widget(table, body, &mut self.table);
        let status = if !self.loaded {
            "Đang tải…".to_string()
        } else if self.units.is_empty() {
            "Chưa có đơn vị nào: a để thêm, i để nhập từ CSV.".to_string()
        } else {
            format!("{} đơn vị · số người gồm cả đơn vị trực thuộc", count(self.units.len() as u64))
        };
        frame.render_widget(Paragraph::new(status).style(dim()), footer);
    }
}
