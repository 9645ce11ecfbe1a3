//! Đơn vị: the unit tree with how many active accounts each unit holds (with
//! its sub-units); add, rename, move, import a CSV file; Enter lists the
//! unit's people on the users screen.

use std::path::PathBuf;

use daotao_core::admin_views::unit_tree::TreeUnit;
use daotao_core::people::units::NewUnit;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use super::{Action, Context, KeyHelp, Screen, step};
use crate::tui::count;
use crate::tui::widgets::{Form, dim, header, selected};
use crate::tui::worker::Request;

/// The units screen's state: the tree and the selection.
#[derive(Default)]
pub struct UnitsScreen {
    pub units: Vec<TreeUnit>,
    pub loaded: bool,
    pub table: TableState,
}

const KEYS: &[KeyHelp] = &[
    ("↑↓ j k PgUp PgDn", "chọn đơn vị"),
    ("Enter", "xem người của đơn vị"),
    ("a", "thêm đơn vị (dưới đơn vị đang chọn)"),
    ("r", "đổi tên"),
    ("m", "chuyển sang đơn vị cha khác"),
    ("i", "nhập đơn vị từ tệp CSV (code,name,parent_code)"),
];

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

impl Screen for UnitsScreen {
    fn keys(&self) -> &'static [KeyHelp] {
        KEYS
    }

    fn reload(&self) -> Vec<Request> {
        vec![Request::Units]
    }

    fn handle_key(&mut self, key: KeyEvent) -> Option<Action> {
        let moved = |delta: isize, this: &mut Self| {
            let i = step(this.table.selected().unwrap_or(0), delta, this.units.len());
            this.table.select(Some(i));
            Action::Nothing
        };
        let current = self.current().cloned();
        Some(match key.code {
            KeyCode::Up | KeyCode::Char('k') => moved(-1, self),
            KeyCode::Down | KeyCode::Char('j') => moved(1, self),
            KeyCode::PageUp => moved(-10, self),
            KeyCode::PageDown => moved(10, self),
            KeyCode::Enter => match current {
                Some(u) => Action::ShowUsers(u.code),
                None => Action::Nothing,
            },
            KeyCode::Char('a') => {
                let parent = current.map(|u| u.code).unwrap_or_default();
                Action::OpenForm(Form::new(
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
                ))
            }
            KeyCode::Char('r') => match current {
                Some(u) => {
                    let code = u.code.clone();
                    Action::OpenForm(Form::new(
                        format!("Đổi tên {}", u.code),
                        &[("Tên mới", &u.name)],
                        "Mã đơn vị không đổi.",
                        Box::new(move |v: &[String]| {
                            if v[0].is_empty() {
                                return Err("Cần tên".to_string());
                            }
                            Ok(Request::RenameUnit { code: code.clone(), name: v[0].clone() })
                        }),
                    ))
                }
                None => Action::Nothing,
            },
            KeyCode::Char('m') => match current {
                Some(u) => {
                    let code = u.code.clone();
                    Action::OpenForm(Form::new(
                        format!("Chuyển {}", u.code),
                        &[("Mã đơn vị cha mới", u.parent_code.as_deref().unwrap_or(""))],
                        "Cả các đơn vị trực thuộc đi theo. Để trống: cấp cao nhất.",
                        Box::new(move |v: &[String]| {
                            Ok(Request::MoveUnit {
                                code: code.clone(),
                                parent: Some(v[0].clone()).filter(|p| !p.is_empty()),
                            })
                        }),
                    ))
                }
                None => Action::Nothing,
            },
            KeyCode::Char('i') => Action::OpenForm(Form::new(
                "Nhập đơn vị từ CSV",
                &[("Tệp", "")],
                "Cột code,name,parent_code. Kiểm tra cả tệp trước; một dòng lỗi thì không thay đổi gì.",
                Box::new(|v: &[String]| {
                    if v[0].is_empty() {
                        return Err("Cần đường dẫn tệp".to_string());
                    }
                    Ok(Request::ImportUnits(PathBuf::from(&v[0])))
                }),
            )),
            _ => return None,
        })
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
