//! Where a person stands in a programme on a day, the one rule both "Khoá học của tôi" (`GET /api/v1/me`)
//! and the compliance report (`report::compliance`) read: for each programme the latest cycle that was not
//! withdrawn ([`standing_of`]), and what that means for compliance ([`MyProgramme::compliance`]).

use chrono::{Days, NaiveDate};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};

use crate::entities::programme_assignment;

/// How many days before a completion expires the compliance report calls it expiring.
pub const EXPIRING_DAYS: u64 = 30;

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

/// A person's compliance with a programme on a day, as the compliance report counts it: derived from the
/// [`Standing`] so the report and the person's own page never disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Compliance {
    /// A completion holds, and not only for the next [`EXPIRING_DAYS`] days.
    Current,
    /// A completion holds but ends within [`EXPIRING_DAYS`] days (also while its renewal is open).
    Expiring,
    /// The completion ended and no renewal is open yet.
    Expired,
    /// An open cycle is past its due date.
    Overdue,
    /// An open cycle, not yet due, and no completion holds.
    NotYetDue,
}

impl Compliance {
    /// Every status, in the order the report's columns show them.
    pub const ALL: [Compliance; 5] = [
        Compliance::Current,
        Compliance::Expiring,
        Compliance::Expired,
        Compliance::Overdue,
        Compliance::NotYetDue,
    ];

    /// The word scripts and tests use.
    pub fn as_str(self) -> &'static str {
        match self {
            Compliance::Current => "current",
            Compliance::Expiring => "expiring",
            Compliance::Expired => "expired",
            Compliance::Overdue => "overdue",
            Compliance::NotYetDue => "not_yet_due",
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

impl MyProgramme {
    /// The compliance status on `today` (the day the standing was taken on).
    pub fn compliance(&self, today: NaiveDate) -> Compliance {
        let ends_soon = || {
            self.valid_until.is_some_and(|until| {
                today.checked_add_days(Days::new(EXPIRING_DAYS)).is_none_or(|limit| until <= limit)
            })
        };
        // A cycle opened again after a withdrawal may follow a completion that ended long ago.
        let holds = self.valid_until.is_some_and(|until| until >= today);
        match self.standing {
            Standing::RenewalOpen if !holds => Compliance::NotYetDue,
            Standing::Valid | Standing::RenewalOpen if ends_soon() => Compliance::Expiring,
            Standing::Valid | Standing::RenewalOpen => Compliance::Current,
            Standing::Expired => Compliance::Expired,
            Standing::Overdue => Compliance::Overdue,
            Standing::Due => Compliance::NotYetDue,
        }
    }
}

/// One cycle as [`standing_of`] needs it (a withdrawn cycle is never one: it does not count).
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Cycle {
    pub user_id: i64,
    pub programme_id: String,
    pub cycle: i32,
    pub due_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

/// The columns of [`Cycle`] of the cycles that were not withdrawn, for callers that add their own filters.
pub fn cycles_query() -> sea_orm::Select<programme_assignment::Entity> {
    use programme_assignment::Column;
    programme_assignment::Entity::find()
        .select_only()
        .columns([Column::UserId, Column::ProgrammeId, Column::Cycle, Column::DueOn])
        .columns([Column::CompletedOn, Column::ValidUntil])
        .filter(Column::WithdrawnOn.is_null())
}

/// The programmes of `user_id` as they stand on `today`, by programme id.
pub async fn my_programmes(
    db: &impl ConnectionTrait,
    user_id: i64,
    today: NaiveDate,
) -> Result<Vec<MyProgramme>, DbErr> {
    let cycles = cycles_query()
        .filter(programme_assignment::Column::UserId.eq(user_id))
        .order_by_asc(programme_assignment::Column::ProgrammeId)
        .order_by_asc(programme_assignment::Column::Cycle)
        .into_model::<Cycle>()
        .all(db)
        .await?;
    Ok(cycles
        .chunk_by(|a, b| a.programme_id == b.programme_id)
        .filter_map(|c| standing_of(c, today))
        .collect())
}

/// Where one person stands on `today` in one programme, from its cycles that were not withdrawn, in
/// ascending cycle order (`None` when there are none): the latest cycle, holding on to the completion of
/// the one before while a renewal is open.
pub fn standing_of(cycles: &[Cycle], today: NaiveDate) -> Option<MyProgramme> {
    let (latest, earlier) = cycles.split_last()?;
    let held = earlier.iter().rev().find(|c| c.completed_on.is_some()).and_then(|c| c.valid_until);
    let standing = standing(latest, held.is_some(), today);
    let valid_until = if latest.completed_on.is_some() { latest.valid_until } else { held };
    Some(MyProgramme {
        programme_id: latest.programme_id.clone(),
        cycle: latest.cycle,
        standing,
        due_on: latest.due_on,
        completed_on: latest.completed_on,
        valid_until,
    })
}

fn standing(cycle: &Cycle, renewing: bool, today: NaiveDate) -> Standing {
    match (cycle.completed_on, cycle.valid_until) {
        (Some(_), Some(until)) if until < today => Standing::Expired,
        (Some(_), _) => Standing::Valid,
        (None, _) if cycle.due_on < today => Standing::Overdue,
        (None, _) if renewing => Standing::RenewalOpen,
        (None, _) => Standing::Due,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn cycle(n: i32, due: &str, completed: Option<&str>, until: Option<&str>) -> Cycle {
        Cycle {
            user_id: 1,
            programme_id: "attt".into(),
            cycle: n,
            due_on: day(due),
            completed_on: completed.map(day),
            valid_until: until.map(day),
        }
    }

    fn status(cycles: &[Cycle], today: &str) -> (Standing, Compliance) {
        let mine = standing_of(cycles, day(today)).unwrap();
        (mine.standing, mine.compliance(day(today)))
    }

    #[test]
    fn expiring_is_the_last_thirty_days_of_a_completion_renewal_open_or_not() {
        let done = [cycle(1, "2027-03-01", Some("2027-02-01"), Some("2028-02-01"))];
        assert_eq!(status(&done, "2028-01-01"), (Standing::Valid, Compliance::Current), "31 days left");
        assert_eq!(status(&done, "2028-01-02"), (Standing::Valid, Compliance::Expiring), "30 days left");
        assert_eq!(status(&done, "2028-02-01"), (Standing::Valid, Compliance::Expiring), "its last day");
        assert_eq!(status(&done, "2028-02-02"), (Standing::Expired, Compliance::Expired));
        let renewing = [done[0].clone(), cycle(2, "2028-02-01", None, None)];
        assert_eq!(status(&renewing, "2028-01-02"), (Standing::RenewalOpen, Compliance::Expiring));
        assert_eq!(status(&renewing, "2028-02-02"), (Standing::Overdue, Compliance::Overdue));
        let forever = [cycle(1, "2027-03-01", Some("2027-02-01"), None)];
        assert_eq!(status(&forever, "2040-01-01"), (Standing::Valid, Compliance::Current));
    }

    #[test]
    fn open_cycles_are_not_yet_due_then_overdue() {
        let open = [cycle(1, "2027-03-01", None, None)];
        assert_eq!(status(&open, "2027-03-01"), (Standing::Due, Compliance::NotYetDue), "due today");
        assert_eq!(status(&open, "2027-03-02"), (Standing::Overdue, Compliance::Overdue));
        assert!(standing_of(&[], day("2027-03-01")).is_none(), "no cycle: not in the programme");
    }

    #[test]
    fn a_cycle_opened_again_after_a_completion_that_ended_is_not_yet_due() {
        // Cycle 2 was withdrawn (not read); cycle 3 opened when the person matched again, long after the
        // first completion ended.
        let cycles = [
            cycle(1, "2025-03-01", Some("2025-02-01"), Some("2026-02-01")),
            cycle(3, "2027-03-01", None, None),
        ];
        assert_eq!(status(&cycles, "2027-02-01"), (Standing::RenewalOpen, Compliance::NotYetDue));
    }
}
