//! Training programmes by position (#18): who must take which courses, by when, and whether they did.
//!
//! A training officer writes the rules in `courses/programmes.toml`; the server and the admin tool turn them
//! into [`Rule`]s (core takes its own plain struct so it does not wait on the content crate's parser).
//! [`assign`] is the daily pass: everyone the rules match gets an open cycle with a due date and is enrolled
//! in the courses; an open cycle whose person no longer matches is withdrawn (completed cycles stay, as
//! history); an open cycle is completed once every course of the programme is. Each change is audited.
//!
//! A completed cycle that expires (`valid_months`) is followed by the next, opened `renew_days` before it
//! expires and due when it does; that cycle is completed by passing each course's completion quiz again
//! (lessons once read stay read), and the earlier completions stay as history.
//!
//! A completed cycle gives the certificates that counted for it its validity; a renewal issues new ones, the
//! earlier kept (`certificates`).
//!
//! The pass reads a handful of queries per programme, never one per person, so 100,000 people stay cheap.

mod certificates;
mod matching;
mod mine;
mod plan;
pub mod reminders;
mod write;

pub use mine::{
    Compliance, Cycle, EXPIRING_DAYS, MyProgramme, Standing, cycles_query, my_programmes, standing_of,
};

use std::collections::HashMap;

use chrono::NaiveDate;
use daotao_content::course::Library;
use sea_orm::{ConnectionTrait, DbErr, TransactionSession, TransactionTrait};

use crate::entities::user::Role;
use crate::platform::db::{Exclusive, begin_exclusive};

/// One programme as core needs it; built from `courses/programmes.toml` ([`Rule::from`] a
/// `daotao_content::programme::Programme`, the one conversion the server and the admin tool share).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: String,
    pub title: String,
    /// Course ids; the programme is complete when all of them are.
    pub courses: Vec<String>,
    /// Words or phrases looked for, as whole words, in a person's position, without case or diacritics
    /// (`daotao_content::programme::has_phrase`); empty: every position.
    pub positions: Vec<String>,
    /// Unit codes, each with all its sub-units; empty: every unit (and people with no unit).
    pub units: Vec<String>,
    /// Roles the programme applies to; empty: every role.
    pub roles: Vec<Role>,
    /// Days to complete, counted from the day a cycle is assigned.
    pub due_days: u32,
    /// How long a completion stays valid; 0: forever.
    pub valid_months: u32,
    /// How many days before expiry the next cycle opens.
    pub renew_days: u32,
}

/// One change to one person's programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub username: String,
    pub programme_id: String,
    pub cycle: i32,
    /// Assigned: the due date; withdrawn: the day of the pass; completed: the day of completion.
    pub on: NaiveDate,
    /// Completed: until when the completion is valid (none: forever).
    pub valid_until: Option<NaiveDate>,
}

/// What a pass changed (or, in a dry run, would change), by programme then username.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub assigned: Vec<Change>,
    pub withdrawn: Vec<Change>,
    pub completed: Vec<Change>,
    /// Next cycles opened before a completion expires (`on`: their due date, the day it expires).
    pub renewed: Vec<Change>,
    /// (programme, course) pairs naming a course that is not in the active catalog: nobody is enrolled in
    /// it, and the programme cannot be completed until it is.
    pub missing_courses: Vec<(String, String)>,
}

impl From<&daotao_content::programme::Programme> for Rule {
    fn from(p: &daotao_content::programme::Programme) -> Self {
        Rule {
            id: p.id.clone(),
            title: p.title.clone(),
            courses: p.courses.clone(),
            positions: p.positions.clone(),
            units: p.units.clone(),
            roles: p.roles.iter().filter_map(|r| Role::parse(r.as_str())).collect(),
            due_days: p.due_days,
            valid_months: p.valid_months,
            renew_days: p.renew_days,
        }
    }
}

impl Changes {
    /// True when the pass changed nothing.
    pub fn is_empty(&self) -> bool {
        self.assigned.is_empty()
            && self.withdrawn.is_empty()
            && self.completed.is_empty()
            && self.renewed.is_empty()
    }
}

/// Each course's completion quiz (course id → quiz slug), which a renewal cycle needs passed again: the
/// catalog tables do not say which quiz completes a course, the course files do.
pub fn completion_quizzes(library: &Library) -> HashMap<String, String> {
    library
        .courses
        .iter()
        .filter_map(|(id, c)| c.meta.completion.quiz.as_ref().map(|q| (id.clone(), q.get_ref().clone())))
        .collect()
}

/// Why the library's programmes may not be applied now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotApplicable {
    /// The library has no `programmes.toml`: there is nothing to apply.
    NoFile(std::path::PathBuf),
    /// The file has problems (each with its file and line), or left a programme out for a missing or broken
    /// course: applying the others alone would withdraw everyone's assignment of the one left out.
    Problems(Vec<String>),
}

/// The rules of `library`'s `programmes.toml`, if they may be applied: the one check the server's pass and
/// `daotao-admin programmes assign` share.
pub fn rules_of(library: &Library) -> Result<Vec<Rule>, NotApplicable> {
    let path = library.root.join(daotao_content::programme::PROGRAMMES_FILE);
    if !path.is_file() {
        return Err(NotApplicable::NoFile(path));
    }
    let problems: Vec<String> =
        library.problems.iter().filter(|p| p.file == path).map(ToString::to_string).collect();
    if !problems.is_empty() {
        return Err(NotApplicable::Problems(problems));
    }
    Ok(library.programmes.iter().map(Rule::from).collect())
}

/// Applies `rules` on the day `as_of` (Viet Nam's date): assigns, enrols, withdraws, completes and renews,
/// auditing each change as `actor`, all in one transaction; with `dry_run`, only computes what would change.
/// `quizzes`: [`completion_quizzes`]. Running it twice on the same day changes nothing the second time.
///
/// The transaction writes what it planned from its reads, so it takes the write lock before reading
/// ([`begin_exclusive`]): on SQLite, begun as a reader, it failed with "database is locked" (517) whenever
/// anyone committed while it read, as every learner's answer does during an exam; on PostgreSQL, two servers
/// starting together planned the same assignments and one failed on the unique key. A dry run only reads.
pub async fn assign(
    db: &(impl ConnectionTrait + TransactionTrait),
    rules: &[Rule],
    quizzes: &HashMap<String, String>,
    as_of: NaiveDate,
    actor: &str,
    dry_run: bool,
) -> Result<Changes, DbErr> {
    let txn =
        if dry_run { db.begin().await? } else { begin_exclusive(db, Exclusive::ProgrammesPass).await? };
    let world = matching::World::load(&txn).await?;
    let active = plan::active_courses(&txn, rules).await?;
    let mut changes = Changes::default();
    let mut plans = Vec::with_capacity(rules.len());
    for rule in rules {
        let plan = plan::plan(&txn, &world, rule, quizzes, as_of).await?;
        plan.describe(rule, as_of, &mut changes);
        plans.push(plan);
    }
    let gone = plan::gone(&txn, rules).await?;
    changes.withdrawn.extend(gone.iter().map(|h| h.change(as_of)));
    for rule in rules {
        for course in rule.courses.iter().filter(|c| !active.contains(*c)) {
            changes.missing_courses.push((rule.id.clone(), course.clone()));
        }
    }
    if dry_run {
        txn.rollback().await?;
        return Ok(changes);
    }
    for (rule, plan) in rules.iter().zip(&plans) {
        write::apply(&txn, rule, plan, &active, quizzes, as_of, actor).await?;
    }
    write::withdraw(&txn, &gone, as_of, actor).await?;
    txn.commit().await?;
    Ok(changes)
}
