//! Khoá học: the catalog with lessons, quizzes, how many are enrolled, how
//! many completed and the average of the learners' best scores; the selected
//! course's lessons and quizzes below; Enter opens its enrollments.

use daotao_core::admin_views::course_stats::CourseStats;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};

use super::{Context, Effect, Screen, step};
use crate::tui::count;
use crate::tui::keys::{Always, Binding, Key, Keymap, bind, k};
use crate::tui::widgets::{dim, fit, header, selected};
use crate::tui::worker::Request;

/// The courses screen's state: the catalog and the selection.
#[derive(Default)]
pub struct CoursesScreen {
    pub courses: Vec<CourseStats>,
    pub loaded: bool,
    pub table: TableState,
}

/// What the columns mean, under the table when there is room.
const LEGEND: &str = "KT: bài kiểm tra · Điểm TB: trung bình điểm cao nhất của mỗi người đã làm bài";

impl CoursesScreen {
    /// Shows the catalog, keeping the selection where it can.
    pub fn show(&mut self, courses: Vec<CourseStats>) {
        let keep = self.table.selected().unwrap_or(0);
        self.table.select(if courses.is_empty() { None } else { Some(keep.min(courses.len() - 1)) });
        self.courses = courses;
        self.loaded = true;
    }
}

/// What the courses screen's keys do.
#[derive(Debug, Clone, Copy)]
pub enum CoursesAction {
    /// Moves the selection by this many rows.
    Select(isize),
    ShowEnrolled,
}

impl Keymap for CoursesScreen {
    type When = Always;
    type Action = CoursesAction;
    const KEYS: &'static [Binding<Always, CoursesAction>] = {
        use CoursesAction::*;
        const SELECT: &str = "chọn khoá học";
        &[
            bind(&[k::UP, Key::char('k')], Always, Select(-1), SELECT),
            bind(&[k::DOWN, Key::char('j')], Always, Select(1), SELECT),
            bind(&[k::ENTER], Always, ShowEnrolled, "xem và ghi danh người học"),
        ]
    };

    fn holds(&self, _: Always) -> bool {
        true
    }

    fn perform(&mut self, action: CoursesAction) -> Option<Effect> {
        Some(match action {
            CoursesAction::Select(delta) => {
                self.table.select(Some(step(self.table.selected().unwrap_or(0), delta, self.courses.len())));
                Effect::Nothing
            }
            CoursesAction::ShowEnrolled => {
                let course = self.table.selected().and_then(|i| self.courses.get(i));
                course.map_or(Effect::Nothing, |c| Effect::ShowEnrolled(c.id.clone()))
            }
        })
    }
}

impl Screen for CoursesScreen {
    fn reload(&self) -> Vec<Request> {
        vec![Request::Courses]
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, _context: &Context) {
        if self.loaded && self.courses.is_empty() {
            frame.render_widget(
                Paragraph::new(
                    "Chưa có khoá học nào trong danh mục: danh mục được đồng bộ khi máy chủ khởi động.",
                )
                .style(dim()),
                area,
            );
            return;
        }
        let list_height = (self.courses.len() as u16 + 1).min(area.height / 2).max(3);
        let [list, detail, legend] =
            Layout::vertical([Constraint::Length(list_height), Constraint::Fill(1), Constraint::Length(1)])
                .areas(area);
        frame.render_widget(Paragraph::new(fit(LEGEND, legend.width as usize)).style(dim()), legend);
        let rows: Vec<Row> = self
            .courses
            .iter()
            .map(|c| {
                Row::new(vec![
                    Cell::from(c.title.clone()),
                    Cell::from(format!("{:>3}", c.lessons.len())),
                    Cell::from(format!("{:>2}", c.quizzes.len())),
                    Cell::from(format!("{:>8}", count(c.enrolled))),
                    Cell::from(format!("{:>10}", count(c.completed))),
                    Cell::from(format!(
                        "{:>7}",
                        c.average_best.map_or("—".to_string(), |s| format!("{s:.1}%"))
                    )),
                ])
            })
            .collect();
        let table = Table::new(
            rows,
            [
                Constraint::Fill(1),
                Constraint::Length(3),
                Constraint::Length(2),
                Constraint::Length(8),
                Constraint::Length(10),
                Constraint::Length(7),
            ],
        )
        .header(Row::new(["Khoá học", "Bài", "KT", "Ghi danh", "Hoàn thành", "Điểm TB"]).style(header()))
        .row_highlight_style(selected())
        .highlight_symbol("▸ ");
        frame.render_stateful_widget(table, list, &mut self.table);
        let Some(c) = self.table.selected().and_then(|i| self.courses.get(i)) else { return };
        let score = match c.average_best {
            Some(s) => format!(" · điểm TB {s:.1}% ({} người)", count(c.scored)),
            None => String::new(),
        };
        let block = Block::default().borders(Borders::TOP).title(fit(
            &format!(
                "{} · {} giờ · {}{score}",
                c.id,
                c.hours,
                if c.self_enrol { "tự ghi danh được" } else { "chỉ quản trị ghi danh" }
            ),
            detail.width as usize,
        ));
        let inner = block.inner(detail);
        frame.render_widget(block, detail);
        let [lessons, quizzes] = Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)])
            .spacing(2)
            .areas(inner);
        let width = lessons.width as usize;
        let mut lines = vec![Line::styled("Bài học", header())];
        lines.extend(
            c.lessons.iter().enumerate().map(|(i, t)| Line::raw(fit(&format!("{}. {t}", i + 1), width))),
        );
        frame.render_widget(Paragraph::new(lines), lessons);
        let width = quizzes.width as usize;
        let mut lines = vec![Line::styled("Bài kiểm tra", header())];
        lines.extend(c.quizzes.iter().map(|t| Line::raw(fit(t, width))));
        if c.quizzes.is_empty() {
            lines.push(Line::styled("Không có.", dim()));
        }
        frame.render_widget(Paragraph::new(lines), quizzes);
    }
}
