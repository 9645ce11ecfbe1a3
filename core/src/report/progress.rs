//! The progress report: per learner and course (optionally one course), lessons read, best score, due date,
//! completion and overdue; per unit (rolled up), enrolled, completed and overdue per course.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::data::{Data, Enrolled, Person};
use super::{Cell, Report, Table};
use crate::platform::local_time::date_of;

/// Builds the report; `course` narrows it to one course.
pub fn build(data: &Data, course: Option<&str>, today: NaiveDate) -> Report {
    let unit_of: HashMap<i64, &crate::entities::unit::Model> =
        data.units.iter().map(|(u, _)| (u.id, u)).collect();
    let user_of: HashMap<i64, &Person> = data.users.iter().map(|u| (u.id, u)).collect();
    // By username, then course: (username, course) is unique, so an unstable sort gives the one order.
    let mut keyed: Vec<(&str, &str, &Enrolled)> = data
        .enrollments
        .iter()
        .filter(|e| course.is_none_or(|c| e.course_id == c))
        .filter_map(|e| user_of.get(&e.user_id).map(|u| (u.username.as_str(), e.course_id.as_str(), e)))
        .collect();
    keyed.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let enrollments: Vec<&Enrolled> = keyed.into_iter().map(|(_, _, e)| e).collect();
    let overdue = |e: &Enrolled| e.overdue(today);
    let columns = [
        "Mã đơn vị",
        "Đơn vị",
        "Tài khoản",
        "Họ và tên",
        "Mã khoá học",
        "Khoá học",
        "Ngày ghi danh",
        "Hạn hoàn thành",
        "Bài đã đọc",
        "Tổng số bài",
        "Điểm cao nhất",
        "Ngày hoàn thành",
        "Quá hạn",
    ]
    .map(String::from)
    .to_vec();
    let rows = enrollments
        .iter()
        .map(|e| {
            let u = user_of[&e.user_id];
            let unit = u.unit_id.and_then(|id| unit_of.get(&id));
            let key = (u.id, e.course_id.clone());
            vec![
                Cell::Text(unit.map(|x| x.code.clone()).unwrap_or_default()),
                Cell::Text(unit.map(|x| x.name.clone()).unwrap_or_default()),
                Cell::Text(u.username.clone()),
                Cell::Text(u.full_name.clone()),
                Cell::Text(e.course_id.clone()),
                Cell::Text(data.courses.get(&e.course_id).cloned().unwrap_or_default()),
                Cell::Date(date_of(e.enrolled_at)),
                e.due_date.map_or(Cell::Empty, Cell::Date),
                Cell::Int(data.lessons_read.get(&key).copied().unwrap_or(0)),
                Cell::Int(data.lessons_total.get(&e.course_id).copied().unwrap_or(0)),
                data.best_scores.get(&key).map_or(Cell::Empty, |s| Cell::Score(*s)),
                e.completed_at.map_or(Cell::Empty, |d| Cell::Date(date_of(d))),
                Cell::Text(if overdue(e) { "có".into() } else { String::new() }),
            ]
        })
        .collect();

    // Per unit and course, rolled up.
    let mut tally: HashMap<(i64, &str), (i64, i64, i64)> = HashMap::new();
    for e in &enrollments {
        for id in data.chain(user_of[&e.user_id].unit_id) {
            let t = tally.entry((id, e.course_id.as_str())).or_default();
            t.0 += 1;
            t.1 += i64::from(e.completed_at.is_some());
            t.2 += i64::from(overdue(e));
        }
    }
    let mut courses: Vec<String> = enrollments.iter().map(|e| e.course_id.clone()).collect();
    courses.sort();
    courses.dedup();
    let summary_columns =
        ["Mã đơn vị", "Đơn vị", "Mã khoá học", "Đã ghi danh", "Đã hoàn thành", "Tỉ lệ hoàn thành", "Quá hạn"]
            .map(String::from)
            .into_iter()
            .chain(["Tỉ lệ hài lòng".to_string()])
            .collect::<Vec<_>>();
    let satisfaction = data.satisfaction_by_unit();
    let mut summary_rows = Vec::new();
    for (u, depth) in &data.units {
        for c in &courses {
            if let Some((enrolled, completed, late)) = tally.get(&(u.id, c.as_str())) {
                summary_rows.push(vec![
                    Cell::Text(u.code.clone()),
                    Cell::Text(format!("{}{}", "  ".repeat(*depth), u.name)),
                    Cell::Text(c.clone()),
                    Cell::Int(*enrolled),
                    Cell::Int(*completed),
                    Cell::Percent(*completed as f64 / *enrolled as f64),
                    Cell::Int(*late),
                    satisfaction
                        .get(&(u.id, c.clone()))
                        .and_then(|s| s.percent())
                        .map_or(Cell::Empty, |p| Cell::Percent(p / 100.0)),
                ]);
            }
        }
    }
    Report {
        summary: Table {
            name: "Tổng hợp theo đơn vị".into(), columns: summary_columns, rows: summary_rows
        },
        detail: Table { name: "Chi tiết theo người".into(), columns, rows },
    }
}
