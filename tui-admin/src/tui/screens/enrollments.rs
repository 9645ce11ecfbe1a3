//! Ghi danh: pick a course on the left, see who is enrolled on the right
//! (paged, `/` filter); enrol one person, a whole unit with its sub-units or a
//! CSV list, with a due date; change a due date; withdraw someone.
//! Enrolling someone already enrolled changes nothing.

use std::path::PathBuf;

use daotao_core::admin_views::course_enrollments::{EnrolledLine, EnrolledPage};
use daotao_core::admin_views::course_stats::CourseStats;
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, List, ListItem, ListState, Paragraph, Row, Table, TableState};

use super::{Context, Effect, Screen, step};
use crate::tui::count;
use crate::tui::keys::{Binding, Focus, Key, Keymap, bind, k};
use crate::tui::widgets::{
    Confirm, FilterEdit, Form, TextInput, dim, filter_line, fit, header, parse_due, selected, warning,
};
use crate::tui::worker::Request;

/// Which side the arrows move in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Courses,
    People,
}

/// The enrollments screen's state: the course chosen, the people shown, the filter.
#[derive(Default)]
pub struct EnrollmentsScreen {
    pub courses: Vec<CourseStats>,
    pub course_list: ListState,
    /// A course asked for (from the courses screen) before the catalog arrived.
    pub wanted: Option<String>,
    pub pane: Pane,
    pub filter: TextInput,
    pub editing_filter: bool,
    pub page: EnrolledPage,
    pub loaded: bool,
    pub table: TableState,
}

impl EnrollmentsScreen {
    /// The course whose enrollments are shown.
    pub fn course(&self) -> Option<&CourseStats> {
        self.course_list.selected().and_then(|i| self.courses.get(i))
    }

    fn request(&self, page: u64) -> Option<Request> {
        self.course().map(|c| Request::Enrolled {
            course: c.id.clone(),
            filter: self.filter.value.clone(),
            page,
        })
    }

    /// The catalog arrived (or changed): keeps the selected course, or selects the one asked for.
    /// Returns the request for its enrollments when the course shown changed.
    pub fn show_courses(&mut self, courses: Vec<CourseStats>) -> Option<Request> {
        let before = self.course().map(|c| c.id.clone());
        let want = self.wanted.take().or(before.clone());
        let index = want.and_then(|id| courses.iter().position(|c| c.id == id)).unwrap_or(0);
        self.course_list.select(if courses.is_empty() { None } else { Some(index) });
        self.courses = courses;
        let now = self.course().map(|c| c.id.clone());
        if now != before { self.request(0) } else { None }
    }

    /// Shows a course's enrollments; returns the request for them.
    pub fn select_course(&mut self, id: &str) -> Option<Request> {
        match self.courses.iter().position(|c| c.id == id) {
            Some(i) => {
                self.course_list.select(Some(i));
                self.pane = Pane::People;
                self.table.select(Some(0));
                self.request(0)
            }
            None => {
                self.wanted = Some(id.to_string());
                None
            }
        }
    }

    /// Applies a page if it answers the current course and filter.
    pub fn show(&mut self, filter: &str, page: EnrolledPage) {
        if filter != self.filter.value || self.course().is_none_or(|c| c.id != page.course_id) {
            return;
        }
        let keep = self.table.selected().unwrap_or(0);
        self.table.select(if page.lines.is_empty() { None } else { Some(keep.min(page.lines.len() - 1)) });
        self.page = page;
        self.loaded = true;
    }

    fn person(&self) -> Option<&EnrolledLine> {
        self.table.selected().and_then(|i| self.page.lines.get(i))
    }

    fn enrol_form(
        &self,
        title: &str,
        label: &'static str,
        note: &str,
        make: fn(String, String) -> Request,
    ) -> Effect {
        let Some(course) = self.course() else { return Effect::Status("Chưa có khoá học nào.".into()) };
        let id = course.id.clone();
        Effect::OpenForm(Form::new(
            format!("{title} · {}", course.id),
            &[(label, ""), ("Hạn (YYYY-MM-DD)", "")],
            note,
            Box::new(move |v: &[String]| {
                if v[0].is_empty() {
                    return Err(format!("Cần {}", label.to_lowercase()));
                }
                let due = parse_due(&v[1])?;
                Ok(with_due(make(id.clone(), v[0].clone()), due))
            }),
        ))
    }
}

/// Puts the due date typed in a form into an enrol request.
fn with_due(request: Request, due: Option<chrono::NaiveDate>) -> Request {
    match request {
        Request::EnrolUser { course, username, .. } => Request::EnrolUser { course, username, due },
        Request::EnrolUnit { course, unit, .. } => Request::EnrolUnit { course, unit, due },
        Request::EnrolFile { course, path, .. } => Request::EnrolFile { course, path, due },
        other => other,
    }
}

/// What the enrollments screen's keys do.
#[derive(Debug, Clone, Copy)]
pub enum EnrollmentsAction {
    Focus(Pane),
    /// Moves the course selected by this many rows.
    SelectCourse(isize),
    /// Moves the person selected by this many rows.
    SelectPerson(isize),
    /// Turns the page of people forward (1) or back (-1).
    Page(i8),
    EditFilter,
    ClearFilter,
    EnrolUser,
    EnrolUnit,
    EnrolFile,
    SetDue,
    Withdraw,
}

impl Keymap for EnrollmentsScreen {
    type When = Focus<Pane>;
    type Action = EnrollmentsAction;
    const KEYS: &'static [Binding<Focus<Pane>, EnrollmentsAction>] = {
        use crate::tui::keys::Focus::{Always, In};
        use EnrollmentsAction::*;
        const SIDES: &str = "chuyển giữa danh sách khoá học và người học";
        const SELECT: &str = "chọn khoá học / người học";
        const PAGE: &str = "trang trước / sau";
        &[
            bind(&[k::LEFT, Key::char('h')], Always, Focus(Pane::Courses), SIDES),
            bind(&[k::RIGHT, Key::char('l')], In(Pane::Courses), Focus(Pane::People), SIDES),
            bind(&[k::ENTER], In(Pane::Courses), Focus(Pane::People), "xem người học của khoá học đang chọn"),
            bind(&[k::UP, Key::char('k')], In(Pane::Courses), SelectCourse(-1), SELECT),
            bind(&[k::DOWN, Key::char('j')], In(Pane::Courses), SelectCourse(1), SELECT),
            bind(&[k::UP, Key::char('k')], In(Pane::People), SelectPerson(-1), SELECT),
            bind(&[k::DOWN, Key::char('j')], In(Pane::People), SelectPerson(1), SELECT),
            bind(&[k::PAGE_UP], Always, Page(-1), PAGE),
            bind(&[k::PAGE_DOWN], Always, Page(1), PAGE),
            bind(&[Key::char('/')], Always, EditFilter, "lọc người học (tên, tên đăng nhập, đơn vị)"),
            bind(&[k::ESC], Always, ClearFilter, "xoá bộ lọc"),
            bind(&[Key::char('a')], Always, EnrolUser, "ghi danh một người"),
            bind(&[Key::char('u')], Always, EnrolUnit, "ghi danh cả đơn vị (gồm đơn vị trực thuộc)"),
            bind(&[Key::char('f')], Always, EnrolFile, "ghi danh theo danh sách CSV (cột username)"),
            bind(&[Key::char('d')], Always, SetDue, "đổi hạn của người đang chọn"),
            bind(&[Key::char('x')], Always, Withdraw, "rút người đang chọn khỏi khoá học"),
        ]
    };

    fn holds(&self, when: Focus<Pane>) -> bool {
        when.holds(self.pane)
    }

    fn perform(&mut self, action: EnrollmentsAction) -> Option<Effect> {
        Some(match action {
            EnrollmentsAction::Focus(pane) => {
                self.pane = pane;
                Effect::Nothing
            }
            EnrollmentsAction::SelectCourse(delta) => self.select_course_by(delta),
            EnrollmentsAction::SelectPerson(delta) => {
                self.table.select(Some(step(
                    self.table.selected().unwrap_or(0),
                    delta,
                    self.page.lines.len(),
                )));
                Effect::Nothing
            }
            EnrollmentsAction::Page(delta) => {
                let page =
                    self.page.page.checked_add_signed(delta.into()).filter(|p| *p < self.page.pages())?;
                self.send(page)
            }
            EnrollmentsAction::EditFilter => {
                self.pane = Pane::People;
                self.editing_filter = true;
                Effect::Nothing
            }
            EnrollmentsAction::ClearFilter => {
                if self.filter.value.is_empty() {
                    return None;
                }
                self.filter.value.clear();
                self.send(0)
            }
            EnrollmentsAction::EnrolUser => self.enrol_form(
                "Ghi danh một người",
                "Tên đăng nhập",
                "Để trống hạn: không có hạn. Người đã ghi danh thì không thay đổi gì.",
                |course, username| Request::EnrolUser { course, username, due: None },
            ),
            EnrollmentsAction::EnrolUnit => self.enrol_form(
                "Ghi danh cả đơn vị",
                "Mã đơn vị",
                "Mọi tài khoản đang hoạt động của đơn vị và các đơn vị trực thuộc.",
                |course, unit| Request::EnrolUnit { course, unit, due: None },
            ),
            EnrollmentsAction::EnrolFile => self.enrol_form(
                "Ghi danh theo danh sách",
                "Tệp CSV",
                "Cột username. Kiểm tra cả tệp trước; một dòng lỗi thì không ghi danh ai.",
                |course, path| Request::EnrolFile { course, path: PathBuf::from(path), due: None },
            ),
            EnrollmentsAction::SetDue => self.due_form(),
            EnrollmentsAction::Withdraw => self.confirm_withdraw(),
        })
    }
}

impl EnrollmentsScreen {
    /// The request for a page of the course's people, as an effect (nothing without a course).
    fn send(&self, page: u64) -> Effect {
        self.request(page).map_or(Effect::Nothing, Effect::Send)
    }

    /// Moves the course selected; another course starts on its first page of people.
    fn select_course_by(&mut self, delta: isize) -> Effect {
        let before = self.course_list.selected();
        self.course_list.select(Some(step(before.unwrap_or(0), delta, self.courses.len())));
        if self.course_list.selected() == before {
            return Effect::Nothing;
        }
        self.loaded = false;
        self.page = EnrolledPage::default();
        self.table.select(Some(0));
        self.send(0)
    }

    /// A new due date for the person selected.
    fn due_form(&self) -> Effect {
        let (Some(c), Some(p)) = (self.course(), self.person()) else { return Effect::Nothing };
        let (course, user_id, username) = (c.id.clone(), p.user_id, p.username.clone());
        let current = p.due_date.map(|d| d.to_string()).unwrap_or_default();
        Effect::OpenForm(Form::new(
            format!("Đổi hạn · {username}"),
            &[("Hạn (YYYY-MM-DD)", &current)],
            "Để trống: không có hạn.",
            Box::new(move |v: &[String]| {
                Ok(Request::SetDue {
                    course: course.clone(),
                    user_id,
                    username: username.clone(),
                    due: parse_due(&v[0])?,
                })
            }),
        ))
    }

    /// Withdrawing the person selected, once the admin confirms.
    fn confirm_withdraw(&self) -> Effect {
        let (Some(c), Some(p)) = (self.course(), self.person()) else { return Effect::Nothing };
        Effect::Confirm(Confirm {
            question: format!(
                "Rút {} ({}) khỏi {}? Bài đã đọc vẫn được giữ nếu ghi danh lại.",
                p.full_name, p.username, c.id
            ),
            request: Request::Withdraw {
                course: c.id.clone(),
                user_id: p.user_id,
                username: p.username.clone(),
            },
        })
    }
}

impl Screen for EnrollmentsScreen {
    /// The keys of the filter while it is typed: the people shown follow each change.
    fn text_key(&mut self, key: KeyEvent) -> Effect {
        let edit = self.filter.filter_key(key);
        self.editing_filter = edit.typing();
        match edit {
            FilterEdit::Kept | FilterEdit::Unchanged => Effect::Nothing,
            FilterEdit::Cleared => self.send(0),
            FilterEdit::Edited => {
                self.table.select(Some(0));
                self.send(0)
            }
        }
    }

    fn typing(&self) -> bool {
        self.editing_filter
    }

    fn reload(&self) -> Vec<Request> {
        let mut requests = vec![Request::Courses];
        requests.extend(self.request(self.page.page));
        requests
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, context: &Context) {
        if self.courses.is_empty() {
            frame.render_widget(
                Paragraph::new(
                    "Chưa có khoá học nào trong danh mục: danh mục được đồng bộ khi máy chủ khởi động.",
                )
                .style(dim()),
                area,
            );
            return;
        }
        let left_width = (area.width / 3).clamp(28, 36);
        let [left, right] =
            Layout::horizontal([Constraint::Length(left_width), Constraint::Fill(1)]).areas(area);
        let focus = |pane| if self.pane == pane { header() } else { dim() };
        let block =
            Block::default().borders(Borders::RIGHT).title(Span::styled("Khoá học", focus(Pane::Courses)));
        let width = block.inner(left).width as usize;
        let items: Vec<ListItem> =
            self.courses.iter().map(|c| ListItem::new(fit(&c.id, width.saturating_sub(1)))).collect();
        let list = List::new(items)
            .block(block)
            .highlight_style(if self.pane == Pane::Courses { selected() } else { header() })
            .highlight_symbol("▸");
        frame.render_stateful_widget(list, left, &mut self.course_list);

        let [title, filter_area, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(right.inner(ratatui::layout::Margin { horizontal: 1, vertical: 0 }));
        let course_title = self.course().map(|c| c.title.clone()).unwrap_or_default();
        frame.render_widget(
            Paragraph::new(Line::styled(fit(&course_title, title.width as usize), focus(Pane::People))),
            title,
        );
        let filter_line = filter_line(&self.filter, self.editing_filter, "/ để lọc người học");
        frame.render_widget(Paragraph::new(filter_line), filter_area);
        let rows: Vec<Row> = self
            .page
            .lines
            .iter()
            .map(|p| {
                let overdue = p.overdue(context.today);
                let due = p.due_date.map_or("—".to_string(), |d| d.format("%d/%m/%Y").to_string());
                Row::new(vec![
                    Cell::from(p.username.clone()),
                    Cell::from(p.full_name.clone()),
                    Cell::from(format!("{}/{}", p.lessons_read, p.lessons_total)),
                    Cell::from(Span::styled(due, if overdue { warning() } else { Style::new() })),
                ])
            })
            .collect();
        let table = Table::new(
            rows,
            [Constraint::Length(14), Constraint::Fill(1), Constraint::Length(5), Constraint::Length(10)],
        )
        .header(Row::new(["Tên đăng nhập", "Họ tên", "Đọc", "Hạn"]).style(header()))
        .row_highlight_style(if self.pane == Pane::People { selected() } else { Style::new() })
        .highlight_symbol(if self.pane == Pane::People { "▸ " } else { "  " });
        frame.render_stateful_widget(table, body, &mut self.table);
        let status = if !self.loaded {
            "Đang tải…".to_string()
        } else if self.page.total == 0 {
            "Chưa có ai: a một người · u cả đơn vị · f danh sách CSV".to_string()
        } else {
            format!(
                "Trang {}/{} · {} người đã ghi danh",
                self.page.page + 1,
                count(self.page.pages()),
                count(self.page.total)
            )
        };
        frame.render_widget(Paragraph::new(status).style(dim()), footer);
    }
}
