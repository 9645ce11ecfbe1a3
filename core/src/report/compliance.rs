//! The compliance report (#18): where everyone stands in the training programmes on a day. Per person and
//! programme, the status ([`Compliance`]: current, expiring within 30 days, expired, overdue, not yet due),
//! the cycle, its due date, completion and validity; per unit and programme, the people in each status,
//! rolled up the unit tree (a unit counts its sub-units' people too).
//!
//! The status comes from `learning::programmes::standing_of`, the rule the person's own page uses, so the
//! report and the page never disagree. Withdrawn cycles do not count: someone with none other is not in
//! that programme's report. Only active accounts are reported, as in the other reports.
//!
//! Three kinds of query whatever the size: the units, the active people of the subtree, and their cycles in
//! slices of 25,000 user ids (as `data` reads its tables); nothing is read per person.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::data::{Person, id_slices, ordered_subtree};
use super::{Cell, Report, ReportError, Table};
use crate::entities::{programme_assignment as pa, unit, user};
use crate::learning::programmes::{Compliance, Cycle, MyProgramme, Rule, cycles_query, standing_of};

/// How the report names a status (Vietnamese, as the other reports' cells).
pub fn label(status: Compliance) -> &'static str {
    match status {
        Compliance::Current => "Còn hiệu lực",
        Compliance::Expiring => "Sắp hết hạn",
        Compliance::Expired => "Đã hết hạn",
        Compliance::Overdue => "Quá hạn",
        Compliance::NotYetDue => "Chưa đến hạn",
    }
}

/// One person's standing in one programme.
struct Row<'a> {
    person: &'a Person,
    /// Index into the report's programmes.
    programme: usize,
    mine: MyProgramme,
    status: Compliance,
}

/// One person's standing in one programme, by index, so it can be handed out with the people it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonStanding {
    /// Index into [`Standings::people`].
    pub person: usize,
    /// Index into [`Standings::programmes`].
    pub programme: usize,
    pub mine: MyProgramme,
    pub status: Compliance,
}

/// Everyone's standing on a day, before any table is made of it: what the report's tables and the admin
/// screen's counts (`admin_views::programmes`) are both built from, so they never disagree.
#[derive(Debug, Clone)]
pub struct Standings {
    /// The units of the subtree, parents before children, each with its depth.
    pub units: Vec<(unit::Model, usize)>,
    /// The programmes chosen, by id.
    pub programmes: Vec<Rule>,
    /// The active people of the subtree, by username.
    pub people: Vec<Person>,
    /// By username, then programme id.
    pub rows: Vec<PersonStanding>,
}

/// Builds the report on `as_of` for the units under `unit` (the whole tree when `None`; people with no
/// unit are then in the per-person table only) and the programmes of `programmes` (only `programme` when
/// given; titles come from there, as the programmes live in `courses/programmes.toml`).
pub async fn build(
    db: &impl ConnectionTrait,
    programmes: &[Rule],
    unit: Option<&str>,
    programme: Option<&str>,
    as_of: NaiveDate,
) -> Result<Report, ReportError> {
    let s = standings(db, programmes, unit, programme, as_of).await?;
    let chosen: Vec<&Rule> = s.programmes.iter().collect();
    let rows: Vec<Row> = s
        .rows
        .iter()
        .map(|r| Row {
            person: &s.people[r.person],
            programme: r.programme,
            mine: r.mine.clone(),
            status: r.status,
        })
        .collect();
    let names: HashMap<i64, &unit::Model> = s.units.iter().map(|(u, _)| (u.id, u)).collect();
    Ok(Report { summary: summary(&s.units, &chosen, &rows), detail: detail(&names, &chosen, &rows) })
}

/// Everyone's standing on `as_of` in the programmes of `programmes` (only `programme` when given) for the
/// units under `unit` (every active person when `None`), classified by `standing_of` once.
pub async fn standings(
    db: &impl ConnectionTrait,
    programmes: &[Rule],
    unit: Option<&str>,
    programme: Option<&str>,
    as_of: NaiveDate,
) -> Result<Standings, ReportError> {
    let mut chosen: Vec<&Rule> = match programme {
        Some(id) => vec![
            programmes.iter().find(|r| r.id == id).ok_or_else(|| ReportError::UnknownProgramme(id.into()))?,
        ],
        None => programmes.iter().collect(),
    };
    chosen.sort_by(|a, b| a.id.cmp(&b.id));
    let all_units = unit::Entity::find().order_by_asc(unit::Column::Id).all(db).await?;
    let units = ordered_subtree(&all_units, unit)?;
    let scope: Option<Vec<i64>> = unit.map(|_| units.iter().map(|(u, _)| u.id).collect());
    let people = people(db, scope).await?;
    let cycles = cycles(db, &people, &chosen).await?;
    let index: HashMap<&str, usize> = chosen.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
    let person_at: HashMap<i64, usize> = people.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let mut rows: Vec<PersonStanding> = cycles
        .chunk_by(|a, b| (a.user_id, &a.programme_id) == (b.user_id, &b.programme_id))
        .filter_map(|group| {
            let mine = standing_of(group, as_of)?;
            Some(PersonStanding {
                person: person_at[&group[0].user_id],
                programme: index[mine.programme_id.as_str()],
                status: mine.compliance(as_of),
                mine,
            })
        })
        .collect();
    // People are by username, so (person, programme) gives the one order: by username, then programme id.
    rows.sort_unstable_by_key(|r| (r.person, r.programme));
    let programmes = chosen.into_iter().cloned().collect();
    Ok(Standings { units, programmes, people, rows })
}

/// How many people of each unit's subtree are in each status of each programme: `[unit][programme][status]`
/// (status by `Compliance as usize`), a unit counting its sub-units' people too. `units` as
/// [`Standings::units`], parents first.
pub fn counts_by_unit(
    units: &[(unit::Model, usize)],
    programmes: usize,
    rows: impl IntoIterator<Item = (Option<i64>, usize, Compliance)>,
) -> Vec<Vec<[i64; Compliance::ALL.len()]>> {
    let position: HashMap<i64, usize> = units.iter().enumerate().map(|(i, (u, _))| (u.id, i)).collect();
    // counts[unit][programme][status], each unit's own people first.
    let mut counts = vec![vec![[0i64; Compliance::ALL.len()]; programmes]; units.len()];
    for (unit_id, programme, status) in rows {
        if let Some(&at) = unit_id.and_then(|id| position.get(&id)) {
            counts[at][programme][status as usize] += 1;
        }
    }
    // Parents come before their children, so from the last unit up each one's subtree is complete when it
    // is added to its parent.
    for at in (0..units.len()).rev() {
        if let Some(&parent) = units[at].0.parent_id.and_then(|p| position.get(&p)) {
            let below = counts[at].clone();
            for (sum, n) in counts[parent].iter_mut().flatten().zip(below.iter().flatten()) {
                *sum += n;
            }
        }
    }
    counts
}

/// The active people of the units `scope` (every active person when `None`), by username.
async fn people(db: &impl ConnectionTrait, scope: Option<Vec<i64>>) -> Result<Vec<Person>, ReportError> {
    let mut query = user::Entity::find()
        .select_only()
        .columns([user::Column::Id, user::Column::Username, user::Column::FullName])
        .columns([user::Column::UnitId, user::Column::Position])
        .filter(user::Column::Active.eq(true));
    if let Some(units) = scope {
        query = query.filter(user::Column::UnitId.is_in(units));
    }
    Ok(query.order_by_asc(user::Column::Username).into_model::<Person>().all(db).await?)
}

/// The cycles (not withdrawn) of `programmes` of `people`, by person, programme and cycle.
async fn cycles(
    db: &impl ConnectionTrait,
    people: &[Person],
    programmes: &[&Rule],
) -> Result<Vec<Cycle>, ReportError> {
    let ids: Vec<String> = programmes.iter().map(|r| r.id.clone()).collect();
    let wanted: HashSet<i64> = people.iter().map(|p| p.id).collect();
    let first = people.iter().map(|p| p.id).min();
    let last = people.iter().map(|p| p.id).max();
    let mut cycles = Vec::new();
    for (from, to) in id_slices(first, last) {
        let slice = cycles_query()
            .filter(pa::Column::UserId.between(from, to))
            .filter(pa::Column::ProgrammeId.is_in(ids.clone()))
            .into_model::<Cycle>()
            .all(db)
            .await?;
        cycles.extend(slice.into_iter().filter(|c| wanted.contains(&c.user_id)));
    }
    cycles.sort_unstable_by(|a, b| {
        (a.user_id, &a.programme_id, a.cycle).cmp(&(b.user_id, &b.programme_id, b.cycle))
    });
    Ok(cycles)
}

/// One row per person and programme.
fn detail(units: &HashMap<i64, &unit::Model>, programmes: &[&Rule], rows: &[Row]) -> Table {
    let columns = [
        "Mã đơn vị",
        "Đơn vị",
        "Tài khoản",
        "Họ và tên",
        "Chức vụ",
        "Mã chương trình",
        "Chương trình",
        "Tình trạng",
        "Chu kỳ",
        "Hạn hoàn thành",
        "Ngày hoàn thành",
        "Hiệu lực đến",
    ]
    .map(String::from)
    .to_vec();
    let rows = rows
        .iter()
        .map(|r| {
            let unit = r.person.unit_id.and_then(|id| units.get(&id));
            vec![
                Cell::Text(unit.map(|u| u.code.clone()).unwrap_or_default()),
                Cell::Text(unit.map(|u| u.name.clone()).unwrap_or_default()),
                Cell::Text(r.person.username.clone()),
                Cell::Text(r.person.full_name.clone()),
                Cell::Text(r.person.position.clone()),
                Cell::Text(r.mine.programme_id.clone()),
                Cell::Text(programmes[r.programme].title.clone()),
                Cell::Text(label(r.status).into()),
                Cell::Int(r.mine.cycle.into()),
                Cell::Date(r.mine.due_on),
                r.mine.completed_on.map_or(Cell::Empty, Cell::Date),
                r.mine.valid_until.map_or(Cell::Empty, Cell::Date),
            ]
        })
        .collect();
    Table { name: "Chi tiết theo người".into(), columns, rows }
}

/// One row per unit and programme with people in its subtree: how many in each status, and the share
/// whose completion holds (current or expiring).
fn summary(units: &[(unit::Model, usize)], programmes: &[&Rule], rows: &[Row]) -> Table {
    let counts = counts_by_unit(
        units,
        programmes.len(),
        rows.iter().map(|r| (r.person.unit_id, r.programme, r.status)),
    );
    let mut columns: Vec<String> =
        ["Mã đơn vị", "Đơn vị", "Mã chương trình", "Chương trình", "Số người"].map(String::from).to_vec();
    columns.extend(Compliance::ALL.map(|s| label(s).to_string()));
    columns.push("Tỉ lệ còn hiệu lực".into());
    let mut table_rows = Vec::new();
    for ((u, depth), by_programme) in units.iter().zip(&counts) {
        for (rule, n) in programmes.iter().zip(by_programme) {
            let people: i64 = n.iter().sum();
            if people == 0 {
                continue;
            }
            let holding = n[Compliance::Current as usize] + n[Compliance::Expiring as usize];
            let mut row = vec![
                Cell::Text(u.code.clone()),
                Cell::Text(format!("{}{}", "  ".repeat(*depth), u.name)),
                Cell::Text(rule.id.clone()),
                Cell::Text(rule.title.clone()),
                Cell::Int(people),
            ];
            row.extend(n.iter().map(|c| Cell::Int(*c)));
            row.push(Cell::Percent(holding as f64 / people as f64));
            table_rows.push(row);
        }
    }
    Table { name: "Tổng hợp theo đơn vị".into(), columns, rows: table_rows }
}
