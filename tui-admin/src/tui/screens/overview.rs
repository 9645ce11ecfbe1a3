//! Tổng quan: totals, the share of enrollments completed in each top unit as
//! a bar chart, the most overdue enrollments and the latest audited actions.

use daotao_core::admin_views::overview::{Overview, UnitProgress};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{Context, Effect, Screen};
use crate::tui::count;
use crate::tui::keys::{Always, Binding, Key, Keymap, bind};
use crate::tui::widgets::{dim, fit, header, warning};
use crate::tui::worker::Request;

/// The overview screen's state: the figures, once they arrive.
#[derive(Default)]
pub struct OverviewScreen {
    pub data: Option<Overview>,
    /// Computed apart (it reads every enrollment): the screen opens without waiting for it.
    pub by_unit: Option<Vec<UnitProgress>>,
}

/// What the overview's keys do.
#[derive(Debug, Clone, Copy)]
pub enum OverviewAction {
    Reload,
}

impl Keymap for OverviewScreen {
    type When = Always;
    type Action = OverviewAction;
    const KEYS: &'static [Binding<Always, OverviewAction>] =
        &[bind(&[Key::char('r')], Always, OverviewAction::Reload, "tải lại số liệu")];

    fn holds(&self, _: Always) -> bool {
        true
    }

    fn perform(&mut self, action: OverviewAction) -> Option<Effect> {
        match action {
            OverviewAction::Reload => {
                self.by_unit = None;
                Some(Effect::Reload)
            }
        }
    }
}

impl Screen for OverviewScreen {
    fn reload(&self) -> Vec<Request> {
        vec![Request::Overview, Request::OverviewByUnit]
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, _context: &Context) {
        let Some(data) = &self.data else {
            frame.render_widget(Paragraph::new("Đang tải…").style(dim()), area);
            return;
        };
        let t = &data.totals;
        let [totals, middle, bottom] =
            Layout::vertical([Constraint::Length(3), Constraint::Fill(1), Constraint::Fill(1)]).areas(area);
        let lines = vec![
            Line::from(vec![
                Span::styled("Đơn vị ", header()),
                Span::raw(count(t.units)),
                Span::styled("  Tài khoản ", header()),
                Span::raw(format!(
                    "{} hoạt động, {} ngừng, {} bị khoá",
                    count(t.active_users),
                    count(t.inactive_users),
                    count(t.locked_users)
                )),
            ]),
            Line::from(vec![
                Span::styled("Khoá học ", header()),
                Span::raw(count(t.courses)),
                Span::styled("  Ghi danh ", header()),
                Span::raw(count(t.enrollments)),
                Span::styled("  Quá hạn ", header()),
                Span::styled(count(t.overdue), if t.overdue > 0 { warning() } else { dim() }),
            ]),
        ];
        frame.render_widget(Paragraph::new(lines).block(Block::default().borders(Borders::BOTTOM)), totals);

        // Bars: top units, share of enrollments completed.
        let block = Block::default().borders(Borders::BOTTOM).title("Tỷ lệ hoàn thành khoá học theo đơn vị");
        let inner = block.inner(middle);
        frame.render_widget(block, middle);
        let label = 14usize;
        let bar_width = (inner.width as usize).saturating_sub(label + 1 + 5);
        let by_unit = self.by_unit.as_deref().unwrap_or_default();
        let mut bars: Vec<Line> = by_unit
            .iter()
            .take(inner.height as usize)
            .map(|u| {
                let filled = (u.percent() as usize * bar_width).div_ceil(100).min(bar_width);
                Line::from(vec![
                    Span::raw(format!("{:<label$} ", fit(&u.code, label))),
                    Span::raw("█".repeat(filled)),
                    Span::styled("░".repeat(bar_width - filled), dim()),
                    Span::raw(format!(" {:>3}%", u.percent())),
                ])
            })
            .collect();
        if self.by_unit.is_none() {
            bars.push(Line::styled("Đang tính…", dim()));
        } else if bars.is_empty() {
            bars.push(Line::styled("Chưa có ai được ghi danh.", dim()));
        }
        frame.render_widget(Paragraph::new(bars), inner);

        let [overdue, activity] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(bottom);
        let width = overdue.width as usize;
        let mut lines = vec![Line::styled("Quá hạn (cũ nhất trước)", header())];
        lines.extend(data.overdue.iter().map(|o| {
            Line::from(vec![
                Span::styled(o.due_date.format("%d/%m ").to_string(), warning()),
                Span::raw(fit(&format!("{} · {}", o.username, o.course_id), width.saturating_sub(7))),
            ])
        }));
        if data.overdue.is_empty() {
            lines.push(Line::styled("Không có.", dim()));
        }
        frame.render_widget(Paragraph::new(lines), overdue);
        let width = activity.width as usize;
        let mut lines = vec![Line::styled("Hoạt động gần đây (UTC)", header())];
        lines.extend(data.activity.iter().map(|a| {
            let mark = if a.result == "success" { "" } else { " ✗" };
            Line::raw(fit(&format!("{} {} {}{mark}", a.at.format("%d/%m %H:%M"), a.action, a.target), width))
        }));
        if data.activity.is_empty() {
            lines.push(Line::styled("Chưa có.", dim()));
        }
        frame.render_widget(Paragraph::new(lines), activity);
    }
}
