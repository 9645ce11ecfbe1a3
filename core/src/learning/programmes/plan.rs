//! What a pass would change for one programme, read with a few queries per programme and decided in memory.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, JoinType, QueryFilter, QuerySelect,
    RelationTrait,
};

use super::matching::World;
use super::{Change, Changes, Rule};
use crate::entities::{course, enrollment, programme_assignment as pa, user};
use crate::platform::local_time;

/// A cycle already recorded, with its person's username.
#[derive(Debug, Clone, FromQueryResult)]
pub(super) struct Held {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub programme_id: String,
    pub cycle: i32,
    pub assigned_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub withdrawn_on: Option<NaiveDate>,
}

impl Held {
    /// Withdrawn on `as_of`.
    pub fn change(&self, as_of: NaiveDate) -> Change {
        Change {
            username: self.username.clone(),
            programme_id: self.programme_id.clone(),
            cycle: self.cycle,
            on: as_of,
            valid_until: None,
        }
    }

    fn is_open(&self) -> bool {
        self.completed_on.is_none() && self.withdrawn_on.is_none()
    }
}

/// A cycle to open, already completed when the person's course completions count for it.
#[derive(Debug, Clone)]
pub(super) struct NewCycle {
    pub user_id: i64,
    pub username: String,
    pub cycle: i32,
    pub completed_on: Option<NaiveDate>,
}

/// One programme's changes.
#[derive(Debug, Default)]
pub(super) struct Plan {
    pub due_on: NaiveDate,
    pub assign: Vec<NewCycle>,
    pub withdraw: Vec<Held>,
    /// Open cycles and the day they were completed.
    pub complete: Vec<(Held, NaiveDate)>,
}

impl Plan {
    /// Adds this plan's changes to `changes`.
    pub fn describe(&self, rule: &Rule, as_of: NaiveDate, changes: &mut Changes) {
        let change = |username: &str, cycle, on, valid_until| Change {
            username: username.to_string(),
            programme_id: rule.id.clone(),
            cycle,
            on,
            valid_until,
        };
        for new in &self.assign {
            changes.assigned.push(change(&new.username, new.cycle, self.due_on, None));
            if let Some(done) = new.completed_on {
                changes.completed.push(change(&new.username, new.cycle, done, valid_until(rule, done)));
            }
        }
        changes.withdrawn.extend(self.withdraw.iter().map(|h| h.change(as_of)));
        for (held, done) in &self.complete {
            changes.completed.push(change(&held.username, held.cycle, *done, valid_until(rule, *done)));
        }
    }
}

/// Until when a completion on `done` is valid; none when the programme's completions never expire.
pub(super) fn valid_until(rule: &Rule, done: NaiveDate) -> Option<NaiveDate> {
    (rule.valid_months > 0).then(|| done.checked_add_months(Months::new(rule.valid_months))).flatten()
}

/// The courses of `rules` that are active in the catalog (the others cannot be enrolled in).
pub(super) async fn active_courses(
    db: &impl ConnectionTrait,
    rules: &[Rule],
) -> Result<HashSet<String>, DbErr> {
    let wanted: HashSet<&String> = rules.iter().flat_map(|r| &r.courses).collect();
    let ids: Vec<String> = course::Entity::find()
        .select_only()
        .column(course::Column::Id)
        .filter(course::Column::Id.is_in(wanted))
        .filter(course::Column::Active.eq(true))
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().collect())
}

/// What `rule` changes on `as_of`: new matches get a cycle, open cycles of people it no longer matches are
/// withdrawn, open cycles whose courses are all completed are completed.
pub(super) async fn plan(
    db: &impl ConnectionTrait,
    world: &World,
    rule: &Rule,
    as_of: NaiveDate,
) -> Result<Plan, DbErr> {
    let mut latest: HashMap<i64, Held> = HashMap::new();
    for h in held(db, Some(rule)).await? {
        match latest.entry(h.user_id) {
            Entry::Occupied(mut e) if e.get().cycle < h.cycle => {
                e.insert(h);
            }
            Entry::Occupied(_) => {}
            Entry::Vacant(e) => {
                e.insert(h);
            }
        }
    }
    let done = completions(db, rule, as_of).await?;
    let completed_on = |user_id: i64, assigned_on: NaiveDate| {
        done.get(&user_id).and_then(|courses| complete_since(rule, courses, assigned_on))
    };
    let mut plan = Plan { due_on: as_of + Days::new(rule.due_days.into()), ..Plan::default() };
    let mut matched = HashSet::new();
    for person in world.matching(rule) {
        matched.insert(person.id);
        let cycle = match latest.get(&person.id) {
            None => 1,
            Some(h) if h.withdrawn_on.is_some() => h.cycle + 1,
            // A completed cycle stays complete; its renewal is not written yet (#18).
            Some(h) if h.completed_on.is_some() => continue,
            Some(h) => {
                if let Some(on) = completed_on(person.id, h.assigned_on) {
                    plan.complete.push((h.clone(), on));
                }
                continue;
            }
        };
        plan.assign.push(NewCycle {
            user_id: person.id,
            username: person.username.clone(),
            cycle,
            completed_on: completed_on(person.id, as_of),
        });
    }
    plan.withdraw = latest.into_values().filter(|h| h.is_open() && !matched.contains(&h.user_id)).collect();
    plan.assign.sort_by(|a, b| a.username.cmp(&b.username));
    plan.withdraw.sort_by(|a, b| a.username.cmp(&b.username));
    plan.complete.sort_by(|a, b| a.0.username.cmp(&b.0.username));
    Ok(plan)
}

/// The day every course of `rule` was completed, if each completion is still valid at `assigned_on` (within
/// `valid_months` before it) or later: the latest of those completions.
fn complete_since(
    rule: &Rule,
    courses: &HashMap<String, NaiveDate>,
    assigned_on: NaiveDate,
) -> Option<NaiveDate> {
    if rule.courses.is_empty() {
        return None;
    }
    let earliest = match rule.valid_months {
        0 => NaiveDate::MIN,
        months => assigned_on.checked_sub_months(Months::new(months)).unwrap_or(NaiveDate::MIN),
    };
    let mut last = NaiveDate::MIN;
    for course in &rule.courses {
        let on = *courses.get(course)?;
        if on < earliest {
            return None;
        }
        last = last.max(on);
    }
    Some(last)
}

/// Course completions on or before `as_of` of the courses of `rule`, by person then course (Viet Nam dates).
async fn completions(
    db: &impl ConnectionTrait,
    rule: &Rule,
    as_of: NaiveDate,
) -> Result<HashMap<i64, HashMap<String, NaiveDate>>, DbErr> {
    let rows: Vec<(i64, String, DateTime<Utc>)> = enrollment::Entity::find()
        .select_only()
        .column(enrollment::Column::UserId)
        .column(enrollment::Column::CourseId)
        .column(enrollment::Column::CompletedAt)
        .filter(enrollment::Column::CourseId.is_in(rule.courses.iter().cloned()))
        .filter(enrollment::Column::CompletedAt.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let mut by_person: HashMap<i64, HashMap<String, NaiveDate>> = HashMap::new();
    for (user_id, course_id, at) in rows {
        let on = local_time::date_of(at);
        if on <= as_of {
            by_person.entry(user_id).or_default().insert(course_id, on);
        }
    }
    Ok(by_person)
}

/// Open cycles of programmes no longer in `rules`: they are withdrawn.
pub(super) async fn gone(db: &impl ConnectionTrait, rules: &[Rule]) -> Result<Vec<Held>, DbErr> {
    let mut open: Vec<Held> = held(db, None)
        .await?
        .into_iter()
        .filter(|h| h.is_open() && !rules.iter().any(|r| r.id == h.programme_id))
        .collect();
    open.sort_by(|a, b| (&a.programme_id, &a.username).cmp(&(&b.programme_id, &b.username)));
    Ok(open)
}

/// The cycles of `rule` (every cycle of it), or without a rule the open cycles of every programme.
async fn held(db: &impl ConnectionTrait, rule: Option<&Rule>) -> Result<Vec<Held>, DbErr> {
    let query = pa::Entity::find()
        .select_only()
        .column(pa::Column::Id)
        .column(pa::Column::UserId)
        .column(user::Column::Username)
        .column(pa::Column::ProgrammeId)
        .column(pa::Column::Cycle)
        .column(pa::Column::AssignedOn)
        .column(pa::Column::CompletedOn)
        .column(pa::Column::WithdrawnOn)
        .join(JoinType::InnerJoin, pa::Relation::User.def());
    let query = match rule {
        Some(rule) => query.filter(pa::Column::ProgrammeId.eq(&rule.id)),
        None => query.filter(pa::Column::CompletedOn.is_null()).filter(pa::Column::WithdrawnOn.is_null()),
    };
    query.into_model::<Held>().all(db).await
}
