//! Người dùng: accounts a page at a time with a `/` filter (name, username or
//! unit, without regard to diacritics); add, edit, deactivate or reactivate,
//! reset a password (the one-time password is shown once), unlock; Enter
//! opens a person's detail: their enrollments and lessons read, their quiz
//! attempts and their competencies, one section at a time (← →), each paged.

use daotao_core::admin_views::user_search::{UserLine, UserPage};
use daotao_core::people::accounts::AccountDetails;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};

use super::{Action, Context, KeyHelp, Screen, step};
use crate::tui::widgets::{Confirm, Form, TextInput, dim, fit, header, selected, warning};
use crate::tui::worker::{NewUserRequest, Request, UserDetail};

/// The sections of a person's detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Section {
    #[default]
    Courses,
    Attempts,
    Competencies,
}

impl Section {
    const ALL: [Section; 3] = [Section::Courses, Section::Attempts, Section::Competencies];
}

/// A time as a date in Viet Nam (UTC+7), where the admins are.
fn vn_date(at: chrono::DateTime<chrono::Utc>) -> String {
    daotao_core::platform::local_time::date_of(at).format("%d/%m/%Y").to_string()
}
use crate::tui::{count, parse_role, role_name};

/// The users screen's state: the filter, the page shown, the selection, the open detail.
#[derive(Default)]
pub struct UsersScreen {
    pub filter: TextInput,
    pub editing_filter: bool,
    pub page: UserPage,
    pub loaded: bool,
    pub table: TableState,
    /// The person whose detail is open.
    pub detail: Option<UserDetail>,
    /// The detail's section shown and the first row shown in it.
    pub section: Section,
    pub detail_scroll: usize,
}

const KEYS: &[KeyHelp] = &[
    ("↑↓ j k", "chọn người"),
    ("PgUp PgDn", "trang trước / sau"),
    ("/", "lọc theo tên, tên đăng nhập, đơn vị (không cần dấu)"),
    ("Enter", "xem chi tiết: khoá học, bài kiểm tra, năng lực"),
    ("← → h l", "chi tiết: mục khoá học / bài kiểm tra / năng lực"),
    ("↑↓ PgUp PgDn", "chi tiết: cuộn / trang trước, sau của mục"),
    ("Esc", "đóng chi tiết / xoá bộ lọc"),
    ("a", "thêm tài khoản (mật khẩu dùng một lần)"),
    ("e", "sửa thông tin"),
    ("x", "ngừng hoạt động (kết thúc mọi phiên) / cho hoạt động lại"),
    ("p", "đặt lại mật khẩu (hiện mật khẩu dùng một lần)"),
    ("u", "mở khoá tài khoản bị khoá"),
];

impl UsersScreen {
    fn request(&self, page: u64) -> Request {
        Request::Users { filter: self.filter.value.clone(), page }
    }

    /// Applies a page if it answers the current filter (replies to older keystrokes are dropped).
    pub fn show(&mut self, filter: &str, page: UserPage) {
        if filter != self.filter.value {
            return;
        }
        let keep = self.table.selected().unwrap_or(0);
        self.table.select(if page.lines.is_empty() { None } else { Some(keep.min(page.lines.len() - 1)) });
        self.page = page;
        self.loaded = true;
    }

    /// Opens (or refreshes) a person's detail; another person's starts at their courses.
    pub fn show_detail(&mut self, detail: UserDetail) {
        if self.detail.as_ref().is_none_or(|d| d.user.id != detail.user.id) {
            self.section = Section::Courses;
            self.detail_scroll = 0;
        }
        self.detail = Some(detail);
    }

    /// Rows in the detail's current section (of its page, for attempts and competencies).
    fn section_len(&self) -> usize {
        self.detail.as_ref().map_or(0, |d| match self.section {
            Section::Courses => d.courses.len(),
            Section::Attempts => d.attempts.lines.len(),
            Section::Competencies => d.competencies.lines.len(),
        })
    }

    /// The keys of an open detail: sections, scrolling, pages.
    fn detail_key(&mut self, key: KeyEvent) -> Option<Action> {
        let d = self.detail.as_ref()?;
        let user_id = d.user.id;
        let (page, pages) = match self.section {
            Section::Courses => (0, 1),
            Section::Attempts => (d.attempts.page, d.attempts.pages()),
            Section::Competencies => (d.competencies.page, d.competencies.pages()),
        };
        let turn = |section, page| match section {
            Section::Attempts => Action::Send(Request::UserAttempts { user_id, page }),
            Section::Competencies => Action::Send(Request::UserCompetencies { user_id, page }),
            Section::Courses => Action::Nothing,
        };
        let i = Section::ALL.iter().position(|s| *s == self.section).unwrap_or(0);
        Some(match key.code {
            KeyCode::Left | KeyCode::Char('h') => {
                self.section = Section::ALL[(i + Section::ALL.len() - 1) % Section::ALL.len()];
                self.detail_scroll = 0;
                Action::Nothing
            }
            KeyCode::Right | KeyCode::Char('l') => {
                self.section = Section::ALL[(i + 1) % Section::ALL.len()];
                self.detail_scroll = 0;
                Action::Nothing
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.detail_scroll = self.detail_scroll.saturating_sub(1);
                Action::Nothing
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.detail_scroll = (self.detail_scroll + 1).min(self.section_len().saturating_sub(1));
                Action::Nothing
            }
            KeyCode::PageDown if page + 1 < pages => turn(self.section, page + 1),
            KeyCode::PageUp if page > 0 => turn(self.section, page - 1),
            KeyCode::PageDown | KeyCode::PageUp => Action::Nothing,
            _ => return None,
        })
    }

    /// The selected account in the list.
    pub fn current(&self) -> Option<&UserLine> {
        self.table.selected().and_then(|i| self.page.lines.get(i))
    }

    /// The account the action keys act on: the open detail, else the selected line.
    fn target(&self) -> Option<(String, bool, Option<AccountDetails>)> {
        if let Some(d) = &self.detail {
            let details = AccountDetails {
                full_name: d.user.full_name.clone(),
                email: d.user.email.clone(),
                unit_code: d.unit.as_ref().map(|u| u.0.clone()).unwrap_or_default(),
                position: d.user.position.clone(),
                role: d.user.role,
            };
            return Some((d.user.username.clone(), d.user.active, Some(details)));
        }
        self.current().map(|u| {
            let details = AccountDetails {
                full_name: u.full_name.clone(),
                email: u.email.clone(),
                unit_code: u.unit_code.clone().unwrap_or_default(),
                position: u.position.clone(),
                role: u.role,
            };
            (u.username.clone(), u.active, Some(details))
        })
    }

    fn add_form() -> Form {
        Form::new(
            "Thêm tài khoản",
            &[
                ("Tên đăng nhập", ""),
                ("Họ tên", ""),
                ("Mã đơn vị", ""),
                ("Chức vụ", ""),
                ("Vai trò", "học viên"),
                ("Email", ""),
            ],
            "Vai trò: học viên, giảng viên hoặc quản trị. Mật khẩu dùng một lần sẽ hiện sau khi lưu.",
            Box::new(|v: &[String]| {
                let role = parse_role(&v[4]).ok_or("Vai trò phải là học viên, giảng viên hoặc quản trị")?;
                if v[0].is_empty() || v[1].is_empty() || v[2].is_empty() {
                    return Err("Cần tên đăng nhập, họ tên và mã đơn vị".to_string());
                }
                Ok(Request::AddUser(NewUserRequest {
                    username: v[0].clone(),
                    full_name: v[1].clone(),
                    unit_code: v[2].clone(),
                    position: v[3].clone(),
                    role,
                    email: Some(v[5].clone()).filter(|e| !e.is_empty()),
                }))
            }),
        )
    }

    fn edit_form(username: String, d: AccountDetails) -> Form {
        Form::new(
            format!("Sửa {username}"),
            &[
                ("Họ tên", &d.full_name),
                ("Mã đơn vị", &d.unit_code),
                ("Chức vụ", &d.position),
                ("Vai trò", role_name(d.role)),
                ("Email", d.email.as_deref().unwrap_or("")),
            ],
            "Tên đăng nhập không đổi được.",
            Box::new(move |v: &[String]| {
                let role = parse_role(&v[3]).ok_or("Vai trò phải là học viên, giảng viên hoặc quản trị")?;
                if v[0].is_empty() || v[1].is_empty() {
                    return Err("Cần họ tên và mã đơn vị".to_string());
                }
                Ok(Request::EditUser {
                    username: username.clone(),
                    details: AccountDetails {
                        full_name: v[0].clone(),
                        unit_code: v[1].clone(),
                        position: v[2].clone(),
                        role,
                        email: Some(v[4].clone()).filter(|e| !e.is_empty()),
                    },
                })
            }),
        )
    }

    fn draw_detail(&self, frame: &mut Frame, area: Rect, d: &UserDetail, context: &Context) {
        let u = &d.user;
        let state = if !u.active {
            Span::styled("ngừng hoạt động", warning())
        } else if let Some(until) = u.locked_until.filter(|t| *t > context.now) {
            Span::styled(format!("bị khoá đến {} UTC", until.format("%H:%M %d/%m")), warning())
        } else {
            Span::raw("hoạt động")
        };
        let unit = d.unit.as_ref().map_or("—".to_string(), |(code, name)| format!("{name} ({code})"));
        let info = vec![
            Line::from(vec![
                Span::styled(format!("{} ", u.full_name), header()),
                Span::raw(format!("({})", u.username)),
            ]),
            Line::from(vec![Span::styled("Đơn vị: ", header()), Span::raw(unit)]),
            Line::from(vec![
                Span::styled("Chức vụ: ", header()),
                Span::raw(format!("{}  ", if u.position.is_empty() { "—" } else { &u.position })),
                Span::styled("Vai trò: ", header()),
                Span::raw(role_name(u.role)),
            ]),
            Line::from(vec![
                Span::styled("Email: ", header()),
                Span::raw(format!("{}  ", u.email.as_deref().unwrap_or("—"))),
                Span::styled("Trạng thái: ", header()),
                state,
            ]),
        ];
        let [top, tabs_area, rest] =
            Layout::vertical([Constraint::Length(5), Constraint::Length(1), Constraint::Fill(1)]).areas(area);
        frame.render_widget(Paragraph::new(info).block(Block::default().borders(Borders::BOTTOM)), top);
        let paged =
            |page: u64, pages: u64| if pages > 1 { format!(" {}/{pages}", page + 1) } else { String::new() };
        let titles = [
            format!("Khoá học ({})", d.courses.len()),
            format!(
                "Bài kiểm tra ({}){}",
                count(d.attempts.total),
                paged(d.attempts.page, d.attempts.pages())
            ),
            format!(
                "Năng lực ({}){}",
                count(d.competencies.total),
                paged(d.competencies.page, d.competencies.pages())
            ),
        ];
        let tabs = ratatui::widgets::Tabs::new(titles)
            .select(Section::ALL.iter().position(|s| *s == self.section))
            .highlight_style(selected())
            .padding("", "")
            .divider(" │ ");
        frame.render_widget(tabs, tabs_area);
        let skip = self.detail_scroll;
        let (table, empty) = match self.section {
            Section::Courses => {
                let rows: Vec<Row> = d
                    .courses
                    .iter()
                    .skip(skip)
                    .map(|c| {
                        let due = c.due_date.map_or("—".to_string(), |d| d.format("%d/%m/%Y").to_string());
                        let style = if c.overdue { warning() } else { ratatui::style::Style::new() };
                        let due = if c.completed {
                            "hoàn thành".to_string()
                        } else if c.overdue {
                            format!("{due} quá hạn")
                        } else {
                            due
                        };
                        Row::new(vec![
                            Cell::from(c.title.clone()),
                            Cell::from(format!("{}/{}", c.lessons_read, c.lessons_total)),
                            Cell::from(due),
                        ])
                        .style(style)
                    })
                    .collect();
                let table =
                    Table::new(rows, [Constraint::Fill(1), Constraint::Length(7), Constraint::Length(20)])
                        .header(Row::new(["Khoá học đã ghi danh", "Bài đọc", "Hạn"]).style(header()));
                (table, d.courses.is_empty().then_some("Chưa ghi danh khoá học nào."))
            }
            Section::Attempts => {
                let rows: Vec<Row> = d
                    .attempts
                    .lines
                    .iter()
                    .skip(skip)
                    .map(|a| {
                        let (result, style) = match a.passed {
                            Some(true) => ("đạt", ratatui::style::Style::new()),
                            Some(false) => ("chưa đạt", warning()),
                            None => ("đang làm", dim()),
                        };
                        Row::new(vec![
                            Cell::from(a.course_title.clone().unwrap_or_else(|| a.course_id.clone())),
                            Cell::from(a.quiz_title.clone().unwrap_or_else(|| "—".to_string())),
                            Cell::from(format!("{:>3}", a.number)),
                            Cell::from(a.percent.map_or(format!("{:>6}", "—"), |p| format!("{p:>5.1}%"))),
                            Cell::from(Span::styled(result, style)),
                            Cell::from(vn_date(a.date())),
                        ])
                    })
                    .collect();
                let table = Table::new(
                    rows,
                    [
                        Constraint::Fill(3),
                        Constraint::Fill(2),
                        Constraint::Length(3),
                        Constraint::Length(6),
                        Constraint::Length(8),
                        Constraint::Length(10),
                    ],
                )
                .header(
                    Row::new(["Khoá học", "Bài kiểm tra", "Lần", "  Điểm", "Kết quả", "Ngày"])
                        .style(header()),
                );
                (table, d.attempts.lines.is_empty().then_some("Chưa làm bài kiểm tra nào."))
            }
            Section::Competencies => {
                let rows: Vec<Row> = d
                    .competencies
                    .lines
                    .iter()
                    .skip(skip)
                    .map(|c| {
                        Row::new(vec![
                            Cell::from(c.code.clone()),
                            Cell::from(c.name.clone().unwrap_or_else(|| "—".to_string())),
                            Cell::from(format!("{:>4}", c.level)),
                            Cell::from(vn_date(c.awarded_at)),
                            Cell::from(c.course_title.clone().unwrap_or_else(|| c.course_id.clone())),
                        ])
                    })
                    .collect();
                let table = Table::new(
                    rows,
                    [
                        Constraint::Length(8),
                        Constraint::Fill(1),
                        Constraint::Length(4),
                        Constraint::Length(10),
                        Constraint::Fill(1),
                    ],
                )
                .header(Row::new(["Mã", "Năng lực", "Mức", "Ngày", "Khoá học minh chứng"]).style(header()));
                (table, d.competencies.lines.is_empty().then_some("Chưa có năng lực nào được công nhận."))
            }
        };
        frame.render_widget(table, rest);
        if let Some(text) = empty {
            let below = Rect { y: rest.y + 1, height: 1, ..rest };
            frame.render_widget(Paragraph::new(text).style(dim()), below);
        }
    }
}

impl Screen for UsersScreen {
    fn typing(&self) -> bool {
        self.editing_filter
    }

    fn keys(&self) -> &'static [KeyHelp] {
        KEYS
    }

    fn reload(&self) -> Vec<Request> {
        let mut requests = vec![self.request(self.page.page)];
        if let Some(d) = &self.detail {
            requests.push(Request::UserDetail(d.user.id));
        }
        requests
    }

    fn handle_key(&mut self, key: KeyEvent) -> Option<Action> {
        if self.editing_filter {
            return Some(match key.code {
                KeyCode::Enter | KeyCode::Down => {
                    self.editing_filter = false;
                    Action::Nothing
                }
                KeyCode::Esc => {
                    self.editing_filter = false;
                    self.filter.value.clear();
                    self.table.select(Some(0));
                    Action::Send(self.request(0))
                }
                _ if self.filter.handle_key(key) => {
                    self.table.select(Some(0));
                    Action::Send(self.request(0))
                }
                _ => Action::Nothing,
            });
        }
        if self.detail.is_some()
            && let Some(action) = self.detail_key(key)
        {
            return Some(action);
        }
        let action = match key.code {
            KeyCode::Esc if self.detail.is_some() => {
                self.detail = None;
                Action::Nothing
            }
            KeyCode::Esc if !self.filter.value.is_empty() => {
                self.filter.value.clear();
                Action::Send(self.request(0))
            }
            KeyCode::Char('/') => {
                self.detail = None;
                self.editing_filter = true;
                Action::Nothing
            }
            KeyCode::Up | KeyCode::Char('k') if self.detail.is_none() => {
                let i = step(self.table.selected().unwrap_or(0), -1, self.page.lines.len());
                self.table.select(Some(i));
                Action::Nothing
            }
            KeyCode::Down | KeyCode::Char('j') if self.detail.is_none() => {
                let i = step(self.table.selected().unwrap_or(0), 1, self.page.lines.len());
                self.table.select(Some(i));
                Action::Nothing
            }
            KeyCode::PageDown if self.detail.is_none() && self.page.page + 1 < self.page.pages() => {
                self.table.select(Some(0));
                Action::Send(self.request(self.page.page + 1))
            }
            KeyCode::PageUp if self.detail.is_none() && self.page.page > 0 => {
                self.table.select(Some(0));
                Action::Send(self.request(self.page.page - 1))
            }
            KeyCode::Enter if self.detail.is_none() => match self.current() {
                Some(u) => Action::Send(Request::UserDetail(u.id)),
                None => Action::Nothing,
            },
            KeyCode::Char('a') => Action::OpenForm(Self::add_form()),
            KeyCode::Char('e') => match self.target() {
                Some((username, _, Some(details))) => Action::OpenForm(Self::edit_form(username, details)),
                _ => Action::Nothing,
            },
            KeyCode::Char('x') => match self.target() {
                Some((username, true, _)) => Action::Confirm(Confirm {
                    question: format!("Ngừng hoạt động {username}? Mọi phiên đăng nhập của họ sẽ kết thúc."),
                    request: Request::SetActive { username, active: false },
                }),
                Some((username, false, _)) => Action::Confirm(Confirm {
                    question: format!("Cho {username} hoạt động lại?"),
                    request: Request::SetActive { username, active: true },
                }),
                None => Action::Nothing,
            },
            KeyCode::Char('p') => match self.target() {
                Some((username, _, _)) => Action::Confirm(Confirm {
                    question: format!(
                        "Đặt lại mật khẩu của {username}? Mật khẩu cũ hết hiệu lực, mọi phiên đăng nhập kết thúc."
                    ),
                    request: Request::ResetPassword(username),
                }),
                None => Action::Nothing,
            },
            KeyCode::Char('u') => match self.target() {
                Some((username, _, _)) => Action::Send(Request::Unlock(username)),
                None => Action::Nothing,
            },
            _ => return None,
        };
        Some(action)
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, context: &Context) {
        let [filter_area, body, footer] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        let cursor = if self.editing_filter { "▏" } else { "" };
        let filter_line = if self.filter.value.is_empty() && !self.editing_filter {
            Line::from(vec![
                Span::styled("Lọc: ", header()),
                Span::styled("/ để lọc theo tên, tên đăng nhập, đơn vị", dim()),
            ])
        } else {
            Line::from(vec![
                Span::styled("Lọc: ", header()),
                Span::raw(format!("{}{cursor}", self.filter.value)),
            ])
        };
        frame.render_widget(Paragraph::new(filter_line), filter_area);
        if let Some(d) = self.detail.clone() {
            self.draw_detail(frame, body, &d, context);
            frame.render_widget(
                Paragraph::new(fit(
                    "Esc danh sách · ←→ mục · e sửa · x ngừng/hoạt động · p mật khẩu · u mở khoá",
                    footer.width as usize,
                ))
                .style(dim()),
                footer,
            );
            return;
        }
        let rows: Vec<Row> = self
            .page
            .lines
            .iter()
            .map(|u| {
                let (state, style) = if !u.active {
                    ("ngừng", warning())
                } else if u.locked(context.now) {
                    ("bị khoá", warning())
                } else {
                    ("hoạt động", ratatui::style::Style::new())
                };
                Row::new(vec![
                    Cell::from(fit(&u.username, 16)),
                    Cell::from(u.full_name.clone()),
                    Cell::from(fit(u.unit_code.as_deref().unwrap_or("—"), 12)),
                    Cell::from(role_name(u.role)),
                    Cell::from(Span::styled(state, style)),
                ])
            })
            .collect();
        let table = Table::new(
            rows,
            [
                Constraint::Length(16),
                Constraint::Fill(1),
                Constraint::Length(12),
                Constraint::Length(10),
                Constraint::Length(10),
            ],
        )
        .header(Row::new(["Tên đăng nhập", "Họ tên", "Đơn vị", "Vai trò", "Trạng thái"]).style(header()))
        .row_highlight_style(selected())
        .highlight_symbol("▸ ");
        frame.render_stateful_widget(table, body, &mut self.table);
        let status = if !self.loaded {
            "Đang tải…".to_string()
        } else if self.page.total == 0 {
            "Không có tài khoản nào khớp.".to_string()
        } else {
            format!(
                "Trang {}/{} · {} tài khoản{}",
                self.page.page + 1,
                count(self.page.pages()),
                count(self.page.total),
                if self.filter.value.is_empty() { "" } else { " khớp" }
            )
        };
        frame.render_widget(Paragraph::new(status).style(dim()), footer);
    }
}
