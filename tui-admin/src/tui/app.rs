//! The app: which screen is open, the popup over it (help, a form, a
//! confirmation, a message), the status line, and the requests waiting to go
//! to the worker. Keys go to the popup first, then to the screen, then to the
//! global keys; replies from the worker are applied by [`App::apply`].

use std::time::Instant;

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs};

use super::keys::{self, Binding, Key, bind, k};
use super::screens::courses::CoursesScreen;
use super::screens::enrollments::EnrollmentsScreen;
use super::screens::overview::OverviewScreen;
use super::screens::programmes::ProgrammesScreen;
use super::screens::reports::ReportsScreen;
use super::screens::units::UnitsScreen;
use super::screens::users::UsersScreen;
use super::screens::{Context, Effect, Screen};
use super::widgets::{Confirm, Form, FormOutcome, Message, dim};
use super::worker::{Reply, Request, Response};

/// The screens, in tab order.
pub const TITLES: [&str; 7] =
    ["Tổng quan", "Đơn vị", "Người dùng", "Khoá học", "Ghi danh", "Báo cáo", "Chương trình"];

/// Work under way, for the status line: what, since when, and the stage it last reported.
#[derive(Debug, Clone)]
pub struct Work {
    pub what: String,
    pub since: Instant,
    pub stage: Option<String>,
}

/// Where the app's own keys apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlobalWhen {
    /// Even over a popup or while a screen takes text.
    Anywhere,
    /// When the screen has no use for the key and takes no text.
    AfterScreen,
}

/// What the app's own keys do.
#[derive(Debug, Clone, Copy)]
pub enum GlobalAction {
    Quit,
    Help,
    /// Opens the screen this many places on, round the end.
    Turn(usize),
    /// Opens the screen at this place in [`TITLES`].
    Open(usize),
}

/// The keys that work on every screen; the help lists them under each screen's.
pub const GLOBAL_KEYS: &[Binding<GlobalWhen, GlobalAction>] = {
    use GlobalAction::*;
    use GlobalWhen::{AfterScreen, Anywhere};
    const SCREENS: &str = "chuyển màn hình";
    const QUIT: &str = "thoát";
    &[
        bind(&[k::TAB], AfterScreen, Turn(1), SCREENS),
        bind(&[k::BACK_TAB], AfterScreen, Turn(TITLES.len() - 1), SCREENS),
        bind(&[Key::char('1')], AfterScreen, Open(0), SCREENS),
        bind(&[Key::char('2')], AfterScreen, Open(1), SCREENS),
        bind(&[Key::char('3')], AfterScreen, Open(2), SCREENS),
        bind(&[Key::char('4')], AfterScreen, Open(3), SCREENS),
        bind(&[Key::char('5')], AfterScreen, Open(4), SCREENS),
        bind(&[Key::char('6')], AfterScreen, Open(5), SCREENS),
        bind(&[Key::char('7')], AfterScreen, Open(6), SCREENS),
        bind(&[Key::char('?')], AfterScreen, Help, "trợ giúp này"),
        bind(&[Key::char('q')], AfterScreen, Quit, QUIT),
        bind(&[Key::ctrl('c')], Anywhere, Quit, QUIT),
    ]
};

const SPINNER: [char; 8] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧'];

/// What covers the screen.
pub enum Popup {
    None,
    Help,
    Form(Form),
    Confirm(Confirm),
    Message(Message),
}

/// The whole state of the terminal UI; drawn from scratch on every frame.
pub struct App {
    pub tab: usize,
    pub overview: OverviewScreen,
    pub units: UnitsScreen,
    pub users: UsersScreen,
    pub courses: CoursesScreen,
    pub enrollments: EnrollmentsScreen,
    pub reports: ReportsScreen,
    pub programmes: ProgrammesScreen,
    pub popup: Popup,
    pub status: String,
    /// Changes, imports, reports under way, oldest first.
    pub work: Vec<Work>,
    requests: Vec<Request>,
    pub quit: bool,
    pub today: NaiveDate,
    /// The database URL, shown in the top line when there is room: without its password.
    pub database: String,
    /// Frozen in tests so snapshots do not depend on the clock.
    pub now: Option<chrono::DateTime<chrono::Utc>>,
}

impl App {
    /// An app on the overview, nothing loaded yet ([`App::start`] asks for it), for the database at
    /// `database_url` (its password is never shown).
    pub fn new(today: NaiveDate, database_url: String) -> Self {
        Self {
            tab: 0,
            overview: OverviewScreen::default(),
            units: UnitsScreen::default(),
            users: UsersScreen::default(),
            courses: CoursesScreen::default(),
            enrollments: EnrollmentsScreen::default(),
            reports: ReportsScreen::new(today),
            programmes: ProgrammesScreen::default(),
            popup: Popup::None,
            status: "Sẵn sàng. ? để xem các phím.".to_string(),
            work: Vec::new(),
            requests: Vec::new(),
            quit: false,
            today,
            database: crate::database_url::redacted(&database_url),
            now: None,
        }
    }

    /// Loads the first screen.
    pub fn start(&mut self) {
        let requests = self.screen().reload();
        self.requests.extend(requests);
    }

    /// The requests to send to the worker, oldest first.
    pub fn take_requests(&mut self) -> Vec<Request> {
        std::mem::take(&mut self.requests)
    }

    /// The screen that is open.
    pub fn screen(&self) -> &dyn Screen {
        match self.tab {
            0 => &self.overview,
            1 => &self.units,
            2 => &self.users,
            3 => &self.courses,
            4 => &self.enrollments,
            5 => &self.reports,
            _ => &self.programmes,
        }
    }

    fn screen_mut(&mut self) -> &mut dyn Screen {
        match self.tab {
            0 => &mut self.overview,
            1 => &mut self.units,
            2 => &mut self.users,
            3 => &mut self.courses,
            4 => &mut self.enrollments,
            5 => &mut self.reports,
            _ => &mut self.programmes,
        }
    }

    /// Opens a screen and refreshes what it shows.
    pub fn go_to(&mut self, tab: usize) {
        self.tab = tab % TITLES.len();
        let requests = self.screen().reload();
        self.requests.extend(requests);
    }

    fn send(&mut self, request: Request) {
        if request.is_work() {
            self.work.push(Work { what: request.describe(), since: Instant::now(), stage: None });
        }
        if let Request::ExportReport { path, .. } = &request {
            self.reports.exporting.push(path.clone());
        }
        self.requests.push(request);
    }

    /// A form was filled in: an export over an existing file asks first; anything else goes.
    fn submit(&mut self, request: Request) {
        if let Request::ExportReport { path, .. } = &request
            && path.exists()
        {
            self.popup = Popup::Confirm(Confirm {
                question: format!("Tệp {} đã có. Ghi đè?", path.display()),
                request,
            });
            return;
        }
        self.send(request);
    }

    /// Routes a key press: the keys that work anywhere, then the popup, then the screen, then the global keys.
    pub fn handle_key(&mut self, key: KeyEvent) {
        if let Some(binding) = keys::find(GLOBAL_KEYS, key, |when| when == GlobalWhen::Anywhere) {
            return self.global(binding.action);
        }
        if !matches!(self.popup, Popup::None) {
            return self.popup_key(key);
        }
        let typing = self.screen().typing();
        if let Some(effect) = self.screen_mut().handle_key(key) {
            self.act(effect);
            return;
        }
        if typing {
            return;
        }
        if let Some(binding) = keys::find(GLOBAL_KEYS, key, |when| when == GlobalWhen::AfterScreen) {
            self.global(binding.action);
        }
    }

    fn global(&mut self, action: GlobalAction) {
        match action {
            GlobalAction::Quit => self.quit = true,
            GlobalAction::Help => self.popup = Popup::Help,
            GlobalAction::Turn(by) => self.go_to(self.tab + by),
            GlobalAction::Open(tab) => self.go_to(tab),
        }
    }

    /// A key while a popup is open: its own keys (help closes on any key).
    fn popup_key(&mut self, key: KeyEvent) {
        match std::mem::replace(&mut self.popup, Popup::None) {
            Popup::None | Popup::Help => {}
            Popup::Form(mut form) => match form.handle_key(key) {
                FormOutcome::Pending => self.popup = Popup::Form(form),
                FormOutcome::Cancelled => self.status = "Đã huỷ.".to_string(),
                FormOutcome::Submitted(request) => self.submit(request),
            },
            Popup::Confirm(confirm) => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => self.send(confirm.request),
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => self.status = "Đã huỷ.".to_string(),
                _ => self.popup = Popup::Confirm(confirm),
            },
            Popup::Message(mut message) => {
                match key.code {
                    KeyCode::Enter | KeyCode::Esc | KeyCode::Char('q') => return,
                    KeyCode::Up | KeyCode::Char('k') => message.scroll = message.scroll.saturating_sub(1),
                    KeyCode::Down | KeyCode::Char('j') => {
                        message.scroll = (message.scroll + 1).min(message.lines.len().saturating_sub(1))
                    }
                    _ => {}
                }
                self.popup = Popup::Message(message);
            }
        }
    }

    fn act(&mut self, effect: Effect) {
        match effect {
            Effect::Nothing => {}
            Effect::Send(request) => self.send(request),
            Effect::Reload => {
                let requests = self.screen().reload();
                self.requests.extend(requests);
            }
            Effect::OpenForm(form) => self.popup = Popup::Form(form),
            Effect::Confirm(confirm) => self.popup = Popup::Confirm(confirm),
            Effect::Status(text) => self.status = text,
            Effect::ShowUsers(code) => {
                self.users.detail = None;
                self.users.filter.value = code;
                self.users.table.select(Some(0));
                self.users.page.page = 0;
                self.go_to(2);
            }
            Effect::ShowEnrolled(course) => {
                self.tab = 4;
                self.requests.push(Request::Courses);
                if let Some(request) = self.enrollments.select_course(&course) {
                    self.requests.push(request);
                }
            }
        }
    }

    /// Takes a reply from the worker: ends the job it answers (of several under way, that one), then applies
    /// its response.
    pub fn receive(&mut self, reply: Reply) {
        if let Some(job) = &reply.ends {
            self.end_work(job);
        }
        self.apply(reply.response);
    }

    /// Applies a response (what it says; ending its job is [`App::receive`]'s).
    pub fn apply(&mut self, response: Response) {
        match response {
            Response::Overview(data) => self.overview.data = Some(*data),
            Response::OverviewByUnit(bars) => self.overview.by_unit = Some(bars),
            Response::Units(units) => {
                self.reports.show_units(units.clone());
                self.units.show(units);
            }
            Response::Users { filter, page } => self.users.show(&filter, page),
            Response::UserDetail(detail) => self.users.show_detail(*detail),
            Response::UserAttempts { user_id, page } => {
                if let Some(d) = self.users.detail.as_mut().filter(|d| d.user.id == user_id) {
                    d.attempts = page;
                    self.users.detail_scroll = 0;
                }
            }
            Response::UserCompetencies { user_id, page } => {
                if let Some(d) = self.users.detail.as_mut().filter(|d| d.user.id == user_id) {
                    d.competencies = page;
                    self.users.detail_scroll = 0;
                }
            }
            Response::Courses(courses) => {
                if let Some(request) = self.enrollments.show_courses(courses.clone()) {
                    self.requests.push(request);
                }
                self.courses.show(courses);
            }
            Response::Enrolled { filter, page } => self.enrollments.show(&filter, page),
            Response::Done(message) => {
                self.status = message;
                let requests = self.screen().reload();
                self.requests.extend(requests);
            }
            Response::Password { username, password, created } => {
                let what =
                    if created { "Đã tạo tài khoản" } else { "Đã đặt lại mật khẩu của" };
                self.status = format!("{what} {username}; mật khẩu dùng một lần chỉ hiện một lần.");
                self.popup = Popup::Message(Message {
                    title: "Mật khẩu dùng một lần".to_string(),
                    lines: vec![
                        format!("{what} {username}."),
                        String::new(),
                        format!("    {username}    {password}"),
                        String::new(),
                        "Hãy trao mật khẩu này cho người dùng ngay: nó không được lưu và".to_string(),
                        "sẽ không hiện lại. Họ phải đổi mật khẩu khi đăng nhập lần đầu.".to_string(),
                    ],
                    scroll: 0,
                });
                let requests = self.screen().reload();
                self.requests.extend(requests);
            }
            Response::Problems { title, lines } => {
                self.status = title.clone();
                self.popup = Popup::Message(Message { title, lines, scroll: 0 });
            }
            Response::Failed(message) => {
                self.status = format!("Lỗi: {message}");
            }
            Response::Progress { job, stage } => {
                if let Some(work) = self.work.iter_mut().find(|w| w.what == job) {
                    work.stage = Some(stage);
                }
            }
            Response::ReportPreview { unit, kind, table } => {
                let status = match &table {
                    Ok(t) => format!(
                        "Báo cáo {} ({}): {} dòng",
                        kind.title().to_lowercase(),
                        super::worker::unit_text(unit.as_deref()),
                        super::count(t.rows.len() as u64)
                    ),
                    Err(e) => format!("Lỗi: không tính được báo cáo: {e}"),
                };
                // An answer to an earlier choice says nothing: the screen waits for the current one.
                if self.reports.show_preview(unit, kind, table) {
                    self.status = status;
                }
            }
            Response::Exported { path, result } => {
                if let Some(i) = self.reports.exporting.iter().position(|p| *p == path) {
                    self.reports.exporting.remove(i);
                }
                let shown = std::path::absolute(&path).unwrap_or(path);
                self.status = match result {
                    Ok(rows) => format!("Đã ghi {} ({} dòng)", shown.display(), super::count(rows as u64)),
                    Err(e) => format!("Lỗi: {e}"),
                };
            }
            Response::ProgrammeGrid(grid) => self.programmes.show_grid(grid),
            Response::ProgrammePeople { number, page } => self.programmes.show_people(number, page),
            Response::MailQueue(mail) => self.programmes.show_mail(mail),
        }
    }

    /// Ends the work described as `what` (several may run at once; they end in any order).
    fn end_work(&mut self, what: &str) {
        if let Some(i) = self.work.iter().position(|w| w.what == what) {
            self.work.remove(i);
        }
    }

    /// Draws the tabs, the screen, the status line and any popup into the whole frame.
    pub fn draw(&mut self, frame: &mut Frame) {
        let area = frame.area();
        let [top, body, status] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        let titles: Vec<String> = TITLES.iter().enumerate().map(|(i, t)| format!("{} {t}", i + 1)).collect();
        let names: u16 = titles.iter().map(|t| t.chars().count() as u16).sum();
        // Spaced dividers when they fit; on 80 columns the seven tabs just fit with bare ones.
        let divider = if names + 3 * (TITLES.len() as u16 - 1) <= area.width { " │ " } else { "│" };
        let tabs_width = names + divider.chars().count() as u16 * (TITLES.len() as u16 - 1) + 1;
        let tabs = Tabs::new(titles)
            .select(self.tab)
            .highlight_style(Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD))
            .padding("", "")
            .divider(divider);
        frame.render_widget(tabs, top);
        if area.width > tabs_width + 20 {
            let rest = ratatui::layout::Rect { x: top.x + tabs_width, width: top.width - tabs_width, ..top };
            let text = super::widgets::fit(&self.database, rest.width as usize);
            frame.render_widget(Paragraph::new(text).style(dim()).right_aligned(), rest);
        }
        let context = Context { today: self.today, now: self.now.unwrap_or_else(chrono::Utc::now) };
        let body_area = body.inner(ratatui::layout::Margin { horizontal: 0, vertical: 0 });
        match self.tab {
            0 => self.overview.draw(frame, body_area, &context),
            1 => self.units.draw(frame, body_area, &context),
            2 => self.users.draw(frame, body_area, &context),
            3 => self.courses.draw(frame, body_area, &context),
            4 => self.enrollments.draw(frame, body_area, &context),
            5 => self.reports.draw(frame, body_area, &context),
            _ => self.programmes.draw(frame, body_area, &context),
        }
        let line = match self.work.first() {
            Some(work) => {
                // Frozen in tests (`now` set), so snapshots do not depend on how fast they ran.
                let elapsed =
                    if self.now.is_some() { std::time::Duration::ZERO } else { work.since.elapsed() };
                let frame_no = (elapsed.as_millis() / 120) as usize % SPINNER.len();
                let stage = work.stage.as_ref().map(|s| format!(": {s}")).unwrap_or_default();
                let more = if self.work.len() > 1 {
                    format!(" (+{} việc)", self.work.len() - 1)
                } else {
                    String::new()
                };
                let tail = format!("{stage}… {} giây{more}", elapsed.as_secs());
                // The job's name gives way so the stage and the seconds stay in sight.
                let room = (status.width as usize).saturating_sub(2 + tail.chars().count());
                Line::from(format!("{} {}{tail}", SPINNER[frame_no], super::widgets::fit(&work.what, room)))
            }
            None => Line::from(Span::raw(self.status.clone())),
        };
        // The keys hint gives way to a long message.
        let hint = "? trợ giúp · q thoát";
        let room = line.width() + hint.chars().count() < status.width as usize;
        let hint_width = if room { hint.chars().count() as u16 } else { 0 };
        let [left, right] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(hint_width)]).areas(status);
        frame.render_widget(Paragraph::new(line).style(Style::new().add_modifier(Modifier::BOLD)), left);
        frame.render_widget(Paragraph::new(hint).style(dim()), right);
        match &self.popup {
            Popup::None => {}
            Popup::Help => super::help::draw(frame, area, TITLES[self.tab], &self.screen().help()),
            Popup::Form(form) => form.draw(frame, area),
            Popup::Confirm(confirm) => confirm.draw(frame, area),
            Popup::Message(message) => message.draw(frame, area),
        }
    }
}
