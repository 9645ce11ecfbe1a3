//! The competency report: per learner, each competency's level and date and their courses completed, in
//! progress and overdue; per unit (rolled up its sub-units), headcount, the share holding each competency,
//! the share of enrolled staff who completed each course, overdue enrollments, and each configured target
//! with the actual share and the gap.

use std::collections::HashMap;

use chrono::NaiveDate;
use daotao_content::course::Competency;
use daotao_content::text::fold_diacritics;

use super::data::{Data, Enrolled};
use super::{Cell, Report, Table};
use crate::platform::config::Target;

/// What is wrong with the configured targets against the framework, one line each: a target for a competency
/// the framework lacks, a level it does not have, or more than 100% would report a gap nobody can close.
pub fn target_problems(framework: &[Competency], targets: &[Target]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut satisfaction_targets = 0;
    for (i, t) in targets.iter().enumerate() {
        let n = i + 1;
        if let Some(percent) = t.satisfaction {
            satisfaction_targets += 1;
            if !t.competency.is_empty() || t.position.is_some() || t.percent != 0 {
                problems.push(format!(
                    "mục tiêu {n}: mục tiêu hài lòng chỉ có `satisfaction` / target {n}: a satisfaction target has \
                     `satisfaction` only"
                ));
            }
            if percent > 100 {
                problems.push(format!(
                    "mục tiêu {n}: {percent}% vượt quá 100% / target {n}: {percent}% is more than 100%"
                ));
            }
            if satisfaction_targets == 2 {
                problems.push(format!(
                    "mục tiêu {n}: chỉ được một mục tiêu hài lòng / target {n}: only one satisfaction target"
                ));
            }
            continue;
        }
        match framework.iter().find(|c| c.code == t.competency) {
            None if t.competency.is_empty() => problems.push(format!(
                "mục tiêu {n}: thiếu `competency` hoặc `satisfaction` / target {n}: name a `competency` or set \
                 `satisfaction`"
            )),
            None => problems.push(format!(
                "mục tiêu {n}: không có năng lực `{0}` trong khung / target {n}: no competency `{0}` in the framework",
                t.competency
            )),
            Some(c) if t.level == 0 || t.level as usize > c.levels.len() => problems.push(format!(
                "mục tiêu {n}: {0} không có mức {1} / target {n}: {0} has levels 1 to {2}, not {1}",
                c.code,
                t.level,
                c.levels.len()
            )),
            Some(_) => {}
        }
        if t.percent > 100 {
            problems.push(format!(
                "mục tiêu {n}: {0}% vượt quá 100% / target {n}: {0}% is more than 100%",
                t.percent
            ));
        }
    }
    problems
}

type UnitsById<'a> = HashMap<i64, &'a crate::entities::unit::Model>;
type EnrolledByUser<'a> = HashMap<i64, Vec<&'a Enrolled>>;

/// Builds the report from loaded data. `today` decides what is overdue.
pub fn build(data: &Data, framework: &[Competency], targets: &[Target], today: NaiveDate) -> Report {
    let goal = targets.iter().find_map(|t| t.satisfaction);
    let targets: Vec<Target> = targets.iter().filter(|t| !t.is_satisfaction()).cloned().collect();
    let targets = targets.as_slice();
    let unit_of: UnitsById = data.units.iter().map(|(u, _)| (u.id, u)).collect();
    let mut by_user: EnrolledByUser = HashMap::new();
    for e in &data.enrollments {
        by_user.entry(e.user_id).or_default().push(e);
    }
    let detail = detail(data, framework, &unit_of, &by_user, today);
    let tallies = roll_up(data, framework, targets, &by_user, today);
    let summary = summary(data, framework, targets, &unit_of, &tallies, goal);
    Report { summary, detail }
}

/// One row per learner: unit, name, each competency's level and date, and their courses completed, in progress
/// and overdue.
fn detail(
    data: &Data,
    framework: &[Competency],
    unit_of: &UnitsById,
    by_user: &EnrolledByUser,
    today: NaiveDate,
) -> Table {
    let mut detail_columns: Vec<String> =
        ["Mã đơn vị", "Đơn vị", "Tài khoản", "Họ và tên", "Chức vụ"].map(String::from).to_vec();
    for c in framework {
        detail_columns.push(format!("{} mức", c.code));
        detail_columns.push(format!("{} ngày", c.code));
    }
    detail_columns.extend(["Khoá đã hoàn thành", "Khoá đang học", "Khoá quá hạn"].map(String::from));

    let mut detail_rows = Vec::with_capacity(data.users.len());
    for u in &data.users {
        let unit = u.unit_id.and_then(|id| unit_of.get(&id));
        let mut row = vec![
            Cell::Text(unit.map(|u| u.code.clone()).unwrap_or_default()),
            Cell::Text(unit.map(|u| u.name.clone()).unwrap_or_default()),
            Cell::Text(u.username.clone()),
            Cell::Text(u.full_name.clone()),
            Cell::Text(u.position.clone()),
        ];
        for c in framework {
            match data.levels.get(&(u.id, c.code.clone())) {
                Some((level, date)) => {
                    row.push(Cell::Int(i64::from(*level)));
                    row.push(Cell::Date(*date));
                }
                None => row.extend([Cell::Empty, Cell::Empty]),
            }
        }
        let mine = by_user.get(&u.id).map(Vec::as_slice).unwrap_or_default();
        let completed = mine.iter().filter(|e| e.completed_at.is_some()).count();
        let late = mine.iter().filter(|e| e.overdue(today)).count();
        row.push(Cell::Int(completed as i64));
        row.push(Cell::Int((mine.len() - completed - late) as i64));
        row.push(Cell::Int(late as i64));
        detail_rows.push(row);
    }
    Table { name: "Chi tiết theo người".into(), columns: detail_columns, rows: detail_rows }
}

/// What one unit counts, its sub-units included.
#[derive(Default, Clone)]
struct Tally {
    headcount: i64,
    holding: HashMap<String, i64>,
    enrolled: HashMap<String, i64>,
    completed: HashMap<String, i64>,
    overdue: i64,
    /// Per target: (population, holding at the level).
    targets: Vec<(i64, i64)>,
}

/// Roll-up: every person counts in their unit and each of its ancestors within the report.
fn roll_up(
    data: &Data,
    framework: &[Competency],
    targets: &[Target],
    by_user: &EnrolledByUser,
    today: NaiveDate,
) -> HashMap<i64, Tally> {
    let mut tallies: HashMap<i64, Tally> = data
        .units
        .iter()
        .map(|(u, _)| (u.id, Tally { targets: vec![(0, 0); targets.len()], ..Tally::default() }))
        .collect();
    // Each target's position, folded once rather than once per person and unit.
    let target_positions: Vec<Option<String>> =
        targets.iter().map(|t| t.position.as_ref().map(|p| fold_diacritics(p).to_lowercase())).collect();
    for u in &data.users {
        let chain = data.chain(u.unit_id);
        let mine = by_user.get(&u.id).map(Vec::as_slice).unwrap_or_default();
        let position = fold_diacritics(&u.position).to_lowercase();
        // What this person counts for, worked out once for all the units of the chain.
        let holds: Vec<bool> =
            framework.iter().map(|c| data.levels.contains_key(&(u.id, c.code.clone()))).collect();
        let late = mine.iter().filter(|e| e.overdue(today)).count() as i64;
        let meets: Vec<Option<bool>> = targets
            .iter()
            .zip(&target_positions)
            .map(|(target, wanted)| {
                let in_population = wanted.as_ref().is_none_or(|p| position.contains(p.as_str()));
                in_population.then(|| {
                    let level = data.levels.get(&(u.id, target.competency.clone())).map_or(0, |(l, _)| *l);
                    level >= target.level as i32
                })
            })
            .collect();
        for id in chain {
            let t = tallies.get_mut(&id).expect("unit in scope");
            t.headcount += 1;
            for (c, held) in framework.iter().zip(&holds) {
                if *held {
                    count(&mut t.holding, &c.code);
                }
            }
            for e in mine {
                count(&mut t.enrolled, &e.course_id);
                if e.completed_at.is_some() {
                    count(&mut t.completed, &e.course_id);
                }
            }
            t.overdue += late;
            for (i, met) in meets.iter().enumerate() {
                if let Some(met) = met {
                    t.targets[i].0 += 1;
                    t.targets[i].1 += i64::from(*met);
                }
            }
        }
    }
    tallies
}

/// One row per unit in tree order: headcount, the share holding each competency, each course's completion
/// rate, overdue enrollments, and each target with the actual share and the gap.
fn summary(
    data: &Data,
    framework: &[Competency],
    targets: &[Target],
    unit_of: &UnitsById,
    tallies: &HashMap<i64, Tally>,
    satisfaction_goal: Option<u32>,
) -> Table {
    let satisfaction = data.satisfaction_by_unit();
    // Every course of the catalog, in id order, whether or not anyone in the chosen units is enrolled: the
    // columns stay the same from one unit and one month to the next (a course nobody has is left empty).
    let mut course_ids: Vec<String> = data.courses.keys().cloned().collect();
    course_ids.sort();
    let mut summary_columns: Vec<String> =
        ["Mã đơn vị", "Đơn vị", "Đơn vị cấp trên", "Số người"].map(String::from).to_vec();
    summary_columns.extend(framework.iter().map(|c| format!("Tỉ lệ có {}", c.code)));
    summary_columns.extend(course_ids.iter().map(|c| format!("Tỉ lệ hoàn thành {c}")));
    summary_columns.extend(course_ids.iter().map(|c| format!("Tỉ lệ hài lòng {c}")));
    summary_columns.push("Ghi danh quá hạn".into());
    if satisfaction_goal.is_some() {
        summary_columns.push("Mục tiêu tỉ lệ hài lòng".into());
        summary_columns.push("Khoá chưa đạt mục tiêu hài lòng".into());
    }
    for t in targets {
        let who = t.position.as_ref().map(|p| format!(" ({p})")).unwrap_or_default();
        summary_columns.push(format!("Mục tiêu {} mức {}{who}", t.competency, t.level));
        summary_columns.push(format!("Đạt {} mức {}{who}", t.competency, t.level));
        summary_columns.push(format!("Còn thiếu {} mức {}{who}", t.competency, t.level));
    }
    let summary_rows = data
        .units
        .iter()
        .map(|(u, depth)| {
            let t = &tallies[&u.id];
            let mut row = vec![
                Cell::Text(u.code.clone()),
                Cell::Text(format!("{}{}", "  ".repeat(*depth), u.name)),
                Cell::Text(
                    u.parent_id.and_then(|p| unit_of.get(&p)).map(|p| p.code.clone()).unwrap_or_default(),
                ),
                Cell::Int(t.headcount),
            ];
            row.extend(
                framework.iter().map(|c| share(t.holding.get(&c.code).copied().unwrap_or(0), t.headcount)),
            );
            row.extend(course_ids.iter().map(|c| {
                share(t.completed.get(c).copied().unwrap_or(0), t.enrolled.get(c).copied().unwrap_or(0))
            }));
            let rates: Vec<Option<f64>> = course_ids
                .iter()
                .map(|c| satisfaction.get(&(u.id, c.clone())).and_then(|s| s.percent()))
                .collect();
            row.extend(rates.iter().map(|r| r.map_or(Cell::Empty, |p| Cell::Percent(p / 100.0))));
            row.push(Cell::Int(t.overdue));
            if let Some(goal) = satisfaction_goal {
                row.push(Cell::Percent(f64::from(goal) / 100.0));
                let below: Vec<&str> = course_ids
                    .iter()
                    .zip(&rates)
                    .filter(|(_, r)| r.is_some_and(|p| p < f64::from(goal)))
                    .map(|(c, _)| c.as_str())
                    .collect();
                row.push(Cell::Text(below.join(", ")));
            }
            for (i, target) in targets.iter().enumerate() {
                let (population, holding) = t.targets[i];
                let goal = f64::from(target.percent) / 100.0;
                row.push(Cell::Percent(goal));
                if population > 0 {
                    let actual = holding as f64 / population as f64;
                    row.push(Cell::Percent(actual));
                    row.push(Cell::Percent((goal - actual).max(0.0)));
                } else {
                    row.extend([Cell::Empty, Cell::Empty]);
                }
            }
            row
        })
        .collect();
    Table { name: "Tổng hợp theo đơn vị".into(), columns: summary_columns, rows: summary_rows }
}

/// `part` of `whole` as a share; empty when there is no whole to take a share of.
fn share(part: i64, whole: i64) -> Cell {
    if whole > 0 { Cell::Percent(part as f64 / whole as f64) } else { Cell::Empty }
}

/// Adds one to `key`'s count, allocating the key only the first time it is seen.
fn count(counts: &mut HashMap<String, i64>, key: &str) {
    match counts.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            counts.insert(key.to_string(), 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_must_name_a_competency_and_level_of_the_framework() {
        let framework = [Competency {
            code: "ATTT.1".into(),
            name: "An toàn".into(),
            area: "An toàn thông tin".into(),
            levels: vec!["Cơ bản".into(), "Thành thạo".into()],
            maps_to: Vec::new(),
        }];
        let target = |code: &str, level, percent| Target::competency(code, level, percent, None);
        assert!(target_problems(&framework, &[target("ATTT.1", 2, 100)]).is_empty());
        let problems = target_problems(
            &framework,
            &[
                target("ATTT.9", 1, 100),
                target("ATTT.1", 3, 100),
                target("ATTT.1", 0, 80),
                target("ATTT.1", 1, 120),
            ],
        );
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(problems[0].contains("target 1: no competency `ATTT.9`"), "{problems:#?}");
        assert!(problems[1].contains("target 2: ATTT.1 has levels 1 to 2, not 3"), "{problems:#?}");
        assert!(problems[2].contains("not 0"), "{problems:#?}");
        assert!(problems[3].contains("target 4: 120% is more than 100%"), "{problems:#?}");
    }
}
