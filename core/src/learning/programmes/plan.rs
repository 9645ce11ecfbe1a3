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
use crate::entities::{course, enrollment, programme_assignment as pa, quiz, quiz_attempt, user};
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
    pub valid_until: Option<NaiveDate>,
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
    pub due_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
}

/// One programme's changes.
#[derive(Debug, Default)]
pub(super) struct Plan {
    /// The due date of cycles assigned (not renewed) in this pass.
    pub due_on: NaiveDate,
    pub assign: Vec<NewCycle>,
    /// Next cycles opened before a completed one expires, due when it expires.
    pub renew: Vec<NewCycle>,
    pub withdraw: Vec<Held>,
    /// Open cycles and the day they were completed.
    pub complete: Vec<(Held, NaiveDate)>,
    /// The ids of those completed by passing the quizzes again (renewals): each earns new certificates.
    pub retaken: HashSet<i64>,
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
        for new in &self.renew {
            changes.renewed.push(change(&new.username, new.cycle, new.due_on, None));
        }
        for new in &self.assign {
            changes.assigned.push(change(&new.username, new.cycle, new.due_on, None));
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
/// withdrawn, open cycles whose courses are all completed are completed, completed cycles about to expire are
/// followed by the next. `quizzes`: each course's completion quiz.
pub(super) async fn plan(
    db: &impl ConnectionTrait,
    world: &World,
    rule: &Rule,
    quizzes: &HashMap<String, String>,
    as_of: NaiveDate,
) -> Result<Plan, DbErr> {
    let history = History::of(held(db, Some(rule)).await?);
    let done = completions(db, rule, as_of).await?;
    let retaken =
        if history.renewing() { retakes(db, rule, quizzes, as_of).await? } else { Retakes::default() };
    let mut plan = Plan { due_on: as_of + Days::new(rule.due_days.into()), ..Plan::default() };
    let mut matched = HashSet::new();
    for person in world.matching(rule) {
        matched.insert(person.id);
        let new = |cycle, due_on, completed_on| NewCycle {
            user_id: person.id,
            username: person.username.clone(),
            cycle,
            due_on,
            completed_on,
        };
        let first = |assigned_on| done.get(&person.id).and_then(|c| complete_since(rule, c, assigned_on));
        match history.latest.get(&person.id) {
            None => plan.assign.push(new(1, plan.due_on, first(as_of))),
            Some(h) if h.withdrawn_on.is_some() => {
                // Once completed, a cycle is completed again only by passing the quizzes again.
                let done = if history.completed.contains(&person.id) { None } else { first(as_of) };
                plan.assign.push(new(h.cycle + 1, plan.due_on, done));
            }
            Some(h) if h.completed_on.is_some() => {
                if let Some(until) = renewal_due(rule, h, as_of) {
                    plan.renew.push(new(h.cycle + 1, until, None));
                }
            }
            Some(h) if history.renewed.contains(&person.id) => {
                if let Some(on) = retaken.complete_since(rule, person.id, h.assigned_on) {
                    plan.retaken.insert(h.id);
                    plan.complete.push((h.clone(), on));
                }
            }
            Some(h) => {
                if let Some(on) = first(h.assigned_on) {
                    plan.complete.push((h.clone(), on));
                }
            }
        }
    }
    plan.withdraw =
        history.latest.into_values().filter(|h| h.is_open() && !matched.contains(&h.user_id)).collect();
    plan.assign.sort_by(|a, b| a.username.cmp(&b.username));
    plan.renew.sort_by(|a, b| a.username.cmp(&b.username));
    plan.withdraw.sort_by(|a, b| a.username.cmp(&b.username));
    plan.complete.sort_by(|a, b| a.0.username.cmp(&b.0.username));
    Ok(plan)
}

/// A programme's cycles: each person's latest, and which of those follow a completed cycle (renewals).
struct History {
    latest: HashMap<i64, Held>,
    /// People whose latest cycle follows a completed one.
    renewed: HashSet<i64>,
    /// People with a completed cycle.
    completed: HashSet<i64>,
}

impl History {
    fn of(all: Vec<Held>) -> Self {
        let mut latest: HashMap<i64, Held> = HashMap::new();
        for h in &all {
            match latest.entry(h.user_id) {
                Entry::Occupied(mut e) if e.get().cycle < h.cycle => {
                    e.insert(h.clone());
                }
                Entry::Occupied(_) => {}
                Entry::Vacant(e) => {
                    e.insert(h.clone());
                }
            }
        }
        let done = all.iter().filter(|h| h.completed_on.is_some());
        let renewed = done
            .clone()
            .filter(|h| latest.get(&h.user_id).is_some_and(|l| l.cycle > h.cycle))
            .map(|h| h.user_id)
            .collect();
        History { latest, renewed, completed: done.map(|h| h.user_id).collect() }
    }

    /// Whether an open renewal exists, whose completion needs the quizzes' passes.
    fn renewing(&self) -> bool {
        self.renewed.iter().any(|user_id| self.latest.get(user_id).is_some_and(Held::is_open))
    }
}

/// The due date of the next cycle after the completed cycle `h` when it is time to open it on `as_of`
/// (`renew_days` before it expires, or later): the day it expires.
fn renewal_due(rule: &Rule, h: &Held, as_of: NaiveDate) -> Option<NaiveDate> {
    let until = h.valid_until.filter(|_| rule.valid_months > 0)?;
    let opens = until.checked_sub_days(Days::new(rule.renew_days.into())).unwrap_or(NaiveDate::MIN);
    (as_of >= opens).then_some(until)
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
        .column(pa::Column::ValidUntil)
        .column(pa::Column::WithdrawnOn)
        .join(JoinType::InnerJoin, pa::Relation::User.def());
    let query = match rule {
        Some(rule) => query.filter(pa::Column::ProgrammeId.eq(&rule.id)),
        None => query.filter(pa::Column::CompletedOn.is_null()).filter(pa::Column::WithdrawnOn.is_null()),
    };
    query.into_model::<Held>().all(db).await
}

/// Evidence for a renewal cycle, by course: the days each person passed the course's completion quiz (on or
/// before the pass's day), and who has read every active lesson (lessons once read stay read).
#[derive(Default)]
struct Retakes {
    passes: HashMap<String, HashMap<i64, Vec<NaiveDate>>>,
    all_read: HashMap<String, HashSet<i64>>,
}

impl Retakes {
    /// The day every course of `rule` was completed again since `assigned_on`: each course's completion quiz
    /// passed on or after it (a course without one: `assigned_on`) with every lesson read; the latest of those.
    fn complete_since(&self, rule: &Rule, user_id: i64, assigned_on: NaiveDate) -> Option<NaiveDate> {
        let mut last = assigned_on;
        for course in &rule.courses {
            if !self.all_read.get(course).is_some_and(|read| read.contains(&user_id)) {
                return None;
            }
            if let Some(passes) = self.passes.get(course) {
                let on = passes.get(&user_id)?.iter().copied().filter(|d| *d >= assigned_on).min()?;
                last = last.max(on);
            }
        }
        Some(last)
    }
}

/// Reads the [`Retakes`] of `rule`'s courses: two queries per course.
async fn retakes(
    db: &impl ConnectionTrait,
    rule: &Rule,
    quizzes: &HashMap<String, String>,
    as_of: NaiveDate,
) -> Result<Retakes, DbErr> {
    let mut retakes = Retakes::default();
    for course_id in &rule.courses {
        if let Some(slug) = quizzes.get(course_id) {
            let rows: Vec<(i64, DateTime<Utc>)> = quiz_attempt::Entity::find()
                .select_only()
                .column(quiz_attempt::Column::UserId)
                .column(quiz_attempt::Column::SubmittedAt)
                .join(JoinType::InnerJoin, quiz_attempt::Relation::Quiz.def())
                .filter(quiz::Column::CourseId.eq(course_id))
                .filter(quiz::Column::Slug.eq(slug))
                .filter(quiz_attempt::Column::Passed.eq(true))
                .filter(quiz_attempt::Column::SubmittedAt.is_not_null())
                .into_tuple()
                .all(db)
                .await?;
            let by_person = retakes.passes.entry(course_id.clone()).or_default();
            for (user_id, at) in rows {
                let on = local_time::date_of(at);
                if on <= as_of {
                    by_person.entry(user_id).or_default().push(on);
                }
            }
        }
        let read = crate::learning::progress::lessons_read_per_person(db, course_id, None).await?;
        let all_read = read.by_person.iter().filter(|(_, n)| **n >= read.total).map(|(user_id, _)| *user_id);
        retakes.all_read.insert(course_id.clone(), all_read.collect());
    }
    Ok(retakes)
}
