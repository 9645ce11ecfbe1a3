//! A person's detail on the users screen: the account, then one section at a time (their courses, their quiz
//! attempts, their competencies), each a table that scrolls within its page.

use daotao_core::admin_views::user_detail::SignInSource;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

use super::Section;
use crate::tui::screens::Context;
use crate::tui::widgets::{dim, header, selected, warning};
use crate::tui::worker::UserDetail;
use crate::tui::{count, role_name};

/// A table of a section and what to say under its header when it has no rows.
type SectionTable = (Table<'static>, Option<&'static str>);

/// Draws `d` with `section` open, from its row `skip` on.
pub(super) fn draw(
    frame: &mut Frame,
    area: Rect,
    d: &UserDetail,
    section: Section,
    skip: usize,
    context: &Context,
) {
    let [top, tabs_area, rest] =
        Layout::vertical([Constraint::Length(6), Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    frame.render_widget(
        Paragraph::new(info(d, context)).block(Block::default().borders(Borders::BOTTOM)),
        top,
    );
    let tabs = ratatui::widgets::Tabs::new(titles(d))
        .select(Section::ALL.iter().position(|s| *s == section))
        .highlight_style(selected())
        .padding("", "")
        .divider(" │ ");
    frame.render_widget(tabs, tabs_area);
    let (table, empty) = match section {
        Section::Courses => courses(d, skip),
        Section::Attempts => attempts(d, skip),
        Section::Competencies => competencies(d, skip),
    };
    frame.render_widget(table, rest);
    if let Some(text) = empty {
        let below = Rect { y: rest.y + 1, height: 1, ..rest };
        frame.render_widget(Paragraph::new(text).style(dim()), below);
    }
}

/// The account: name, unit, position, role, email, whether it is active or locked, and how the person signs in.
fn info(d: &UserDetail, context: &Context) -> Vec<Line<'static>> {
    let u = &d.user;
    let state = if !u.active {
        Span::styled("ngừng hoạt động", warning())
    } else if let Some(until) = u.locked_until.filter(|t| *t > context.now) {
        Span::styled(format!("bị khoá đến {} UTC", until.format("%H:%M %d/%m")), warning())
    } else {
        Span::raw("hoạt động")
    };
    let unit = d.unit.as_ref().map_or("—".to_string(), |(code, name)| format!("{name} ({code})"));
    vec![
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
        Line::from(
            [Span::styled("Đăng nhập: ", header()), Span::raw(sign_in_source(u))]
                .into_iter()
                .chain(
                    (u.extra_time_percent > 0)
                        .then(|| {
                            [
                                Span::styled("  Thời gian thêm: ", header()),
                                Span::raw(format!("{}%", u.extra_time_percent)),
                            ]
                        })
                        .into_iter()
                        .flatten(),
                )
                .collect::<Vec<_>>(),
        ),
    ]
}

/// "Mật khẩu" for a local account, else the provider and the subject it knows the person by.
fn sign_in_source(u: &daotao_core::entities::user::Model) -> String {
    match SignInSource::of(u) {
        SignInSource::Password => "Mật khẩu".to_string(),
        SignInSource::SingleSignOn { provider, subject } => format!("{} ({subject})", provider.label()),
    }
}

/// The sections' names with their counts, and the page when there are several.
fn titles(d: &UserDetail) -> [String; 3] {
    let paged =
        |page: u64, pages: u64| if pages > 1 { format!(" {}/{pages}", page + 1) } else { String::new() };
    [
        format!("Khoá học ({})", d.courses.len()),
        format!("Bài kiểm tra ({}){}", count(d.attempts.total), paged(d.attempts.page, d.attempts.pages())),
        format!(
            "Năng lực ({}){}",
            count(d.competencies.total),
            paged(d.competencies.page, d.competencies.pages())
        ),
    ]
}

fn courses(d: &UserDetail, skip: usize) -> SectionTable {
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
    let table = Table::new(rows, [Constraint::Fill(1), Constraint::Length(7), Constraint::Length(20)])
        .header(Row::new(["Khoá học đã ghi danh", "Bài đọc", "Hạn"]).style(header()));
    (table, d.courses.is_empty().then_some("Chưa ghi danh khoá học nào."))
}

fn attempts(d: &UserDetail, skip: usize) -> SectionTable {
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
    .header(Row::new(["Khoá học", "Bài kiểm tra", "Lần", "  Điểm", "Kết quả", "Ngày"]).style(header()));
    (table, d.attempts.lines.is_empty().then_some("Chưa làm bài kiểm tra nào."))
}

fn competencies(d: &UserDetail, skip: usize) -> SectionTable {
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

/// A time as a date in Viet Nam (UTC+7), where the admins are.
fn vn_date(at: chrono::DateTime<chrono::Utc>) -> String {
    daotao_core::platform::local_time::date_of(at).format("%d/%m/%Y").to_string()
}
