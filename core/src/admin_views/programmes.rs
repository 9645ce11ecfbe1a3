//! The "Chương trình" screen's read model (#18): per programme and unit (rolled up the tree) how many are
//! assigned, completed, overdue, expiring and expired; and the people behind one of those numbers, a page at
//! a time. Built on `report::compliance::standings`, so the screen, the report and the person's own page
//! classify everyone by the one rule (`learning::programmes::standing_of`).

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;

use crate::learning::programmes::{Compliance, Rule};
use crate::platform::paging::{Page, Paging};
use crate::report::ReportError;
use crate::report::compliance::{counts_by_unit, standings};

/// The numbers the screen shows for a programme and a unit, in its column order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    /// Everyone with a cycle (not withdrawn).
    Assigned,
    /// A completion holds (current or expiring).
    Completed,
    Overdue,
    /// A completion holds but ends within 30 days.
    Expiring,
    /// The completion ended and no renewal is open.
    Expired,
}

impl Column {
    /// Every column, in the screen's order.
    pub const ALL: [Column; 5] =
        [Column::Assigned, Column::Completed, Column::Overdue, Column::Expiring, Column::Expired];

    /// Its heading on the screen.
    pub fn label(self) -> &'static str {
        match self {
            Column::Assigned => "Giao",
            Column::Completed => "Hoàn thành",
            Column::Overdue => "Quá hạn",
            Column::Expiring => "Sắp hết hạn",
            Column::Expired => "Hết hạn",
        }
    }

    /// Whether someone in `status` is counted in this column.
    pub fn includes(self, status: Compliance) -> bool {
        match self {
            Column::Assigned => true,
            Column::Completed => matches!(status, Compliance::Current | Compliance::Expiring),
            Column::Overdue => status == Compliance::Overdue,
            Column::Expiring => status == Compliance::Expiring,
            Column::Expired => status == Compliance::Expired,
        }
    }

    /// This column's number, from the people in each status (indexed by `Compliance as usize`).
    fn of(self, by_status: &[i64; Compliance::ALL.len()]) -> u64 {
        let n: i64 =
            Compliance::ALL.iter().filter(|s| self.includes(**s)).map(|s| by_status[*s as usize]).sum();
        n as u64
    }
}

/// The five numbers of one programme in one unit (or everyone), in [`Column::ALL`] order.
pub type Counts = [u64; Column::ALL.len()];

/// A unit of the grid, parents before children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridUnit {
    pub code: String,
    pub name: String,
    /// 0 for a top unit.
    pub depth: usize,
}

/// A programme of the grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridProgramme {
    pub id: String,
    pub title: String,
    /// Everyone, people with no unit too.
    pub total: Counts,
    /// Per unit of [`Grid::units`], each with its sub-units.
    pub by_unit: Vec<Counts>,
}

/// Every programme's numbers on a day, for every unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    pub units: Vec<GridUnit>,
    /// By id.
    pub programmes: Vec<GridProgramme>,
}

/// The programmes of `rules` on `as_of`: per programme, everyone's numbers and each unit's, rolled up the
/// tree. The same three kinds of query as the compliance report, whatever the size.
pub async fn grid(db: &impl ConnectionTrait, rules: &[Rule], as_of: NaiveDate) -> Result<Grid, ReportError> {
    let s = standings(db, rules, None, None, as_of).await?;
    let counts = counts_by_unit(
        &s.units,
        s.programmes.len(),
        s.rows.iter().map(|r| (s.people[r.person].unit_id, r.programme, r.status)),
    );
    let mut totals = vec![[0i64; Compliance::ALL.len()]; s.programmes.len()];
    for r in &s.rows {
        totals[r.programme][r.status as usize] += 1;
    }
    let columns = |by_status: &[i64; Compliance::ALL.len()]| Column::ALL.map(|c| c.of(by_status));
    let programmes = s
        .programmes
        .iter()
        .enumerate()
        .map(|(i, rule)| GridProgramme {
            id: rule.id.clone(),
            title: rule.title.clone(),
            total: columns(&totals[i]),
            by_unit: counts.iter().map(|unit| columns(&unit[i])).collect(),
        })
        .collect();
    let units = s
        .units
        .iter()
        .map(|(u, depth)| GridUnit { code: u.code.clone(), name: u.name.clone(), depth: *depth })
        .collect();
    Ok(Grid { units, programmes })
}

/// One person behind a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonLine {
    pub username: String,
    pub full_name: String,
    pub unit_code: Option<String>,
    pub unit_name: Option<String>,
    /// Of the cycle the person stands in.
    pub due_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub status: Compliance,
}

/// One number of the grid: a programme, a unit with its sub-units (everyone when `None`) and a column.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Number {
    pub programme: String,
    pub unit: Option<String>,
    pub column: Column,
}

/// The people counted in `number`, by username, page `page` (from 0; past the end: the last) of `per_page`.
pub async fn people(
    db: &impl ConnectionTrait,
    rules: &[Rule],
    number: &Number,
    page: u64,
    per_page: u64,
    as_of: NaiveDate,
) -> Result<Page<PersonLine>, ReportError> {
    let s = standings(db, rules, number.unit.as_deref(), Some(&number.programme), as_of).await?;
    let chosen: Vec<_> = s.rows.iter().filter(|r| number.column.includes(r.status)).collect();
    let total = chosen.len() as u64;
    let paging = Paging::clamped(page, per_page, total);
    let units: std::collections::HashMap<i64, &crate::entities::unit::Model> =
        s.units.iter().map(|(u, _)| (u.id, u)).collect();
    let lines = chosen
        .into_iter()
        .skip(paging.offset() as usize)
        .take(paging.limit() as usize)
        .map(|r| {
            let person = &s.people[r.person];
            let unit = person.unit_id.and_then(|id| units.get(&id));
            PersonLine {
                username: person.username.clone(),
                full_name: person.full_name.clone(),
                unit_code: unit.map(|u| u.code.clone()),
                unit_name: unit.map(|u| u.name.clone()),
                due_on: r.mine.due_on,
                completed_on: r.mine.completed_on,
                valid_until: r.mine.valid_until,
                status: r.status,
            }
        })
        .collect();
    Ok(paging.page_of(lines, total))
}
