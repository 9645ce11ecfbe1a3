//! Người dùng: accounts a page at a time with a `/` filter (name, username or
//! unit, without regard to diacritics); add, edit, deactivate or reactivate,
//! reset a password (the one-time password is shown once), unlock; Enter
//! opens a person's detail: their enrollments and lessons read, their quiz
//! attempts and their competencies, one section at a time (← →), each paged.

use daotao_core::admin_views::user_search::{UserLine, UserPage};
use daotao_core::people::accounts::AccountDetails;
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

mod detail;
mod forms;

use super::{Context, Effect, Screen, step};
use crate::tui::keys::{Binding, Key, Keymap, bind, k};
use crate::tui::widgets::{FilterEdit, TextInput, dim, filter_line, fit, header, selected, warning};
use crate::tui::worker::{Request, UserDetail};
use crate::tui::{count, role_name};

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
}

/// The states of the users screen its keys depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsersWhen {
    Always,
    /// The list is shown.
    List,
    /// A person's detail is open.
    Detail,
}

/// What the users screen's keys do.
#[derive(Debug, Clone, Copy)]
pub enum UsersAction {
    /// Moves the selection in the list by this many rows.
    Select(isize),
    /// Turns the list's page forward (1) or back (-1).
    Page(i8),
    EditFilter,
    OpenDetail,
    /// Opens the detail's section this many places on, round the end.
    Section(isize),
    /// Scrolls the detail's section by this many rows.
    Scroll(isize),
    /// Turns the detail's section's page forward (1) or back (-1).
    DetailPage(i8),
    CloseDetail,
    ClearFilter,
    Add,
    Edit,
    ToggleActive,
    ResetPassword,
    Unlock,
    ExtraTime,
}

impl Keymap for UsersScreen {
    type When = UsersWhen;
    type Action = UsersAction;
    const KEYS: &'static [Binding<UsersWhen, UsersAction>] = {
        use UsersAction::*;
        use UsersWhen::{Always, Detail, List};
        const SELECT: &str = "chọn người";
        const PAGE: &str = "trang trước / sau";
        const SECTION: &str = "chi tiết: mục khoá học / bài kiểm tra / năng lực";
        const SCROLL: &str = "chi tiết: cuộn / trang trước, sau của mục";
        const BACK: &str = "đóng chi tiết / xoá bộ lọc";
        &[
            bind(&[k::UP, Key::char('k')], List, Select(-1), SELECT),
            bind(&[k::DOWN, Key::char('j')], List, Select(1), SELECT),
            bind(&[k::PAGE_UP], List, Page(-1), PAGE),
            bind(&[k::PAGE_DOWN], List, Page(1), PAGE),
            bind(
                &[Key::char('/')],
                Always,
                EditFilter,
                "lọc theo tên, tên đăng nhập, đơn vị (không cần dấu)",
            ),
            bind(&[k::ENTER], List, OpenDetail, "xem chi tiết: khoá học, bài kiểm tra, năng lực"),
            bind(&[k::LEFT, Key::char('h')], Detail, Section(-1), SECTION),
            bind(&[k::RIGHT, Key::char('l')], Detail, Section(1), SECTION),
            bind(&[k::UP, Key::char('k')], Detail, Scroll(-1), SCROLL),
            bind(&[k::DOWN, Key::char('j')], Detail, Scroll(1), SCROLL),
            bind(&[k::PAGE_UP], Detail, DetailPage(-1), SCROLL),
            bind(&[k::PAGE_DOWN], Detail, DetailPage(1), SCROLL),
            bind(&[k::ESC], Detail, CloseDetail, BACK),
            bind(&[k::ESC], List, ClearFilter, BACK),
            bind(&[Key::char('a')], Always, Add, "thêm tài khoản (mật khẩu dùng một lần)"),
            bind(&[Key::char('e')], Always, Edit, "sửa thông tin"),
            bind(
                &[Key::char('x')],
                Always,
                ToggleActive,
                "ngừng hoạt động (kết thúc mọi phiên) / cho hoạt động lại",
            ),
            bind(&[Key::char('p')], Always, ResetPassword, "đặt lại mật khẩu (hiện mật khẩu dùng một lần)"),
            bind(&[Key::char('u')], Always, Unlock, "mở khoá tài khoản bị khoá"),
            bind(&[Key::char('t')], Detail, ExtraTime, "chi tiết: thời gian thêm khi làm bài kiểm tra (%)"),
        ]
    };

    fn holds(&self, when: UsersWhen) -> bool {
        match when {
            UsersWhen::Always => true,
            UsersWhen::List => self.detail.is_none(),
            UsersWhen::Detail => self.detail.is_some(),
        }
    }

    fn perform(&mut self, action: UsersAction) -> Option<Effect> {
        Some(match action {
            UsersAction::Select(delta) => {
                let i = step(self.table.selected().unwrap_or(0), delta, self.page.lines.len());
                self.table.select(Some(i));
                Effect::Nothing
            }
            UsersAction::Page(delta) => return self.turn_page(delta),
            UsersAction::EditFilter => {
                self.detail = None;
                self.editing_filter = true;
                Effect::Nothing
            }
            UsersAction::OpenDetail => {
                self.current().map_or(Effect::Nothing, |u| Effect::Send(Request::UserDetail(u.id)))
            }
            UsersAction::Section(delta) => {
                let i = Section::ALL.iter().position(|s| *s == self.section).unwrap_or(0);
                let n = Section::ALL.len();
                self.section = Section::ALL[(i as isize + delta).rem_euclid(n as isize) as usize];
                self.detail_scroll = 0;
                Effect::Nothing
            }
            UsersAction::Scroll(delta) => {
                let moved = self.detail_scroll.saturating_add_signed(delta);
                self.detail_scroll =
                    if delta > 0 { moved.min(self.section_len().saturating_sub(1)) } else { moved };
                Effect::Nothing
            }
            UsersAction::DetailPage(delta) => self.turn_detail_page(delta)?,
            UsersAction::CloseDetail => {
                self.detail = None;
                Effect::Nothing
            }
            UsersAction::ClearFilter => {
                if self.filter.value.is_empty() {
                    return None;
                }
                self.filter.value.clear();
                Effect::Send(self.request(0))
            }
            UsersAction::Add => Effect::OpenForm(forms::add_form()),
            UsersAction::Edit => match self.target() {
                Some((username, _, Some(details))) => Effect::OpenForm(forms::edit_form(username, details)),
                _ => Effect::Nothing,
            },
            UsersAction::ToggleActive => self.target().map_or(Effect::Nothing, |(username, active, _)| {
                Effect::Confirm(forms::toggle_active(username, active))
            }),
            UsersAction::ResetPassword => self
                .target()
                .map_or(Effect::Nothing, |(username, _, _)| Effect::Confirm(forms::reset_password(username))),
            UsersAction::Unlock => self
                .target()
                .map_or(Effect::Nothing, |(username, _, _)| Effect::Send(Request::Unlock(username))),
            UsersAction::ExtraTime => match &self.detail {
                Some(d) => {
                    Effect::OpenForm(forms::extra_time(d.user.username.clone(), d.user.extra_time_percent))
                }
                None => Effect::Nothing,
            },
        })
    }
}

impl UsersScreen {
    /// The list's next (1) or previous (-1) page, if there is one.
    fn turn_page(&mut self, delta: i8) -> Option<Effect> {
        let page = self.page.page.checked_add_signed(delta.into()).filter(|p| *p < self.page.pages())?;
        self.table.select(Some(0));
        Some(Effect::Send(self.request(page)))
    }

    /// The detail section's next (1) or previous (-1) page; nothing at either end or for the courses (one page).
    fn turn_detail_page(&self, delta: i8) -> Option<Effect> {
        let d = self.detail.as_ref()?;
        let user_id = d.user.id;
        let (page, pages) = match self.section {
            Section::Courses => (0, 1),
            Section::Attempts => (d.attempts.page, d.attempts.pages()),
            Section::Competencies => (d.competencies.page, d.competencies.pages()),
        };
        let Some(page) = page.checked_add_signed(delta.into()).filter(|p| *p < pages) else {
            return Some(Effect::Nothing);
        };
        Some(match self.section {
            Section::Attempts => Effect::Send(Request::UserAttempts { user_id, page }),
            Section::Competencies => Effect::Send(Request::UserCompetencies { user_id, page }),
            Section::Courses => Effect::Nothing,
        })
    }
}

impl Screen for UsersScreen {
    /// The keys of the filter while it is typed: the list follows each change, from its first row.
    fn text_key(&mut self, key: KeyEvent) -> Effect {
        let edit = self.filter.filter_key(key);
        self.editing_filter = edit.typing();
        match edit {
            FilterEdit::Kept | FilterEdit::Unchanged => Effect::Nothing,
            FilterEdit::Cleared | FilterEdit::Edited => {
                self.table.select(Some(0));
                Effect::Send(self.request(0))
            }
        }
    }

    fn typing(&self) -> bool {
        self.editing_filter
    }

    fn reload(&self) -> Vec<Request> {
        let mut requests = vec![self.request(self.page.page)];
        if let Some(d) = &self.detail {
            requests.push(Request::UserDetail(d.user.id));
        }
        requests
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, context: &Context) {
        let [filter_area, body, footer] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        let filter_line =
            filter_line(&self.filter, self.editing_filter, "/ để lọc theo tên, tên đăng nhập, đơn vị");
        frame.render_widget(Paragraph::new(filter_line), filter_area);
        if let Some(d) = self.detail.clone() {
            detail::draw(frame, body, &d, self.section, self.detail_scroll, context);
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
                    Cell::from(u.sso_provider.map_or("—".to_string(), |p| p.as_str().to_uppercase())),
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
                Constraint::Length(4),
                Constraint::Length(10),
            ],
        )
        .header(
            Row::new(["Tên đăng nhập", "Họ tên", "Đơn vị", "Vai trò", "SSO", "Trạng thái"]).style(header()),
        )
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
