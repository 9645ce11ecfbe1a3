//! A person's own programmes, as "Khoá học của tôi" and `GET /api/v1/me` show them: for each programme the
//! latest cycle that was not withdrawn, and where it stands today.

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::entities::programme_assignment;

/// Where a person stands in a programme on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Open, due on `due_on`.
    Due,
    /// Open, and `due_on` has passed.
    Overdue,
    /// A renewal is open (a later cycle): the earlier completion still holds until `valid_until` of the
    /// cycle before, and this one is due on `due_on`.
    RenewalOpen,
    /// Completed and still valid (until `valid_until`, or for good when there is none).
    Valid,
    /// Completed, and `valid_until` has passed with no renewal opened yet.
    Expired,
}

impl Standing {
    /// The word the API uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Due => "due",
            Standing::Overdue => "overdue",
            Standing::RenewalOpen => "renewal_open",
            Standing::Valid => "valid",
            Standing::Expired => "expired",
        }
    }
}

/// One programme of a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyProgramme {
    pub programme_id: String,
    pub cycle: i32,
    pub standing: Standing,
    pub due_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    /// Of the completed cycle the person holds: this one, or while a renewal is open, the one before.
    pub valid_until: Option<NaiveDate>,
}

/// The programmes of `user_id` as they stand on `today`, by programme id.
pub async fn my_programmes(
    db: &impl ConnectionTrait,
    user_id: i64,
    today: NaiveDate,
) -> Result<Vec<MyProgramme>, DbErr> {
    let cycles = programme_assignment::Entity::find()
        .filter(programme_assignment::Column::UserId.eq(user_id))
        .filter(programme_assignment::Column::WithdrawnOn.is_null())
        .order_by_asc(programme_assignment::Column::ProgrammeId)
        .order_by_asc(programme_assignment::Column::Cycle)
        .all(db)
        .await?;
    let mut mine: Vec<MyProgramme> = Vec::new();
    let mut held: Option<(String, Option<NaiveDate>)> = None;
    for cycle in cycles {
        if held.as_ref().is_some_and(|(id, _)| *id != cycle.programme_id) {
            held = None;
        }
        let earlier_valid_until = held.as_ref().and_then(|(_, until)| *until);
        let standing = standing(&cycle, earlier_valid_until.is_some(), today);
        let valid_until = if cycle.completed_on.is_some() { cycle.valid_until } else { earlier_valid_until };
        if cycle.completed_on.is_some() {
            held = Some((cycle.programme_id.clone(), cycle.valid_until));
        }
        let row = MyProgramme {
            programme_id: cycle.programme_id,
            cycle: cycle.cycle,
            standing,
            due_on: cycle.due_on,
            completed_on: cycle.completed_on,
            valid_until,
        };
        match mine.last_mut() {
            Some(last) if last.programme_id == row.programme_id => *last = row,
            _ => mine.push(row),
        }
    }
    Ok(mine)
}

fn standing(cycle: &programme_assignment::Model, renewing: bool, today: NaiveDate) -> Standing {
    match (cycle.completed_on, cycle.valid_until) {
        (Some(_), Some(until)) if until < today => Standing::Expired,
        (Some(_), _) => Standing::Valid,
        (None, _) if cycle.due_on < today => Standing::Overdue,
        (None, _) if renewing => Standing::RenewalOpen,
        (None, _) => Standing::Due,
    }
}
