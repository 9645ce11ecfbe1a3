//! The data reports are computed from, loaded with set-based queries for a unit subtree: units, people,
//! competency awards, enrollments, lessons read per course and best quiz scores, each table read in a few
//! slices of the user id space (25,000 ids a query). Nothing is queried per person.
//! Only the columns a report shows are read, and only the tables the report at hand needs ([`load_for`]): a
//! province has hundreds of thousands of enrollments, and every column read costs time and memory.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, RelationTrait,
};

use super::{Kind, ReportError};
use crate::entities::{
    competency_award, course, enrollment, feedback_response, lesson, lesson_progress, quiz_attempt, unit,
    user,
};
use crate::learning::feedback::Scores;
use crate::learning::feedback::results::Satisfaction;

/// An active person of the subtree: the columns of `users` a report shows (not the password hash, not the
/// search key).
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Person {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub unit_id: Option<i64>,
    pub position: String,
}

/// An enrollment of a person of the subtree: the columns of `enrollments` a report uses.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Enrolled {
    pub user_id: i64,
    pub course_id: String,
    pub due_date: Option<NaiveDate>,
    pub enrolled_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

impl Enrolled {
    /// Not completed and past its due date on `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.completed_at.is_none() && self.due_date.is_some_and(|d| d < today)
    }
}

/// Everything a report needs about the units under one root.
pub struct Data {
    /// Units of the subtree, parents before children, with their depth under the root.
    pub units: Vec<(unit::Model, usize)>,
    /// unit id -> parent id, for the units of the subtree.
    pub parents: HashMap<i64, Option<i64>>,
    /// Active people of the subtree, by username.
    pub users: Vec<Person>,
    /// (user, code) -> (highest level, date of that award). Empty for a progress report.
    pub levels: HashMap<(i64, String), (i32, NaiveDate)>,
    /// Enrollments of the subtree's people (of one course only for a progress report of one course).
    pub enrollments: Vec<Enrolled>,
    /// course id -> title (active courses).
    pub courses: HashMap<String, String>,
    /// course id -> active lessons.
    pub lessons_total: HashMap<String, i64>,
    /// (user, course) -> lessons read. Empty for a competency report.
    pub lessons_read: HashMap<(i64, String), i64>,
    /// (user, course) -> best percent. Empty for a competency report.
    pub best_scores: HashMap<(i64, String), f64>,
    /// Published feedback answers (#19) of the subtree's units: (course, unit, satisfied). No person.
    pub feedback: Vec<(String, i64, bool)>,
}

impl Data {
    /// `unit_id` and its ancestors within the report's subtree, nearest first: the units a person there
    /// counts in when figures are rolled up. Stops at the subtree's root (and at a cycle in bad data).
    pub fn chain(&self, unit_id: Option<i64>) -> Vec<i64> {
        let mut chain = Vec::new();
        let mut at = unit_id;
        while let Some(id) = at {
            let Some(parent) = self.parents.get(&id) else { break };
            if chain.contains(&id) {
                break;
            }
            chain.push(id);
            at = *parent;
        }
        chain
    }

    /// Feedback satisfaction per (unit, course), each unit with its sub-units; a figure is shown only when
    /// `Satisfaction::percent` says the group is large enough.
    pub fn satisfaction_by_unit(&self) -> HashMap<(i64, String), Satisfaction> {
        let mut by_unit: HashMap<(i64, String), Satisfaction> = HashMap::new();
        for (course, unit, satisfied) in &self.feedback {
            for id in self.chain(Some(*unit)) {
                let s = by_unit.entry((id, course.clone())).or_default();
                s.respondents += 1;
                s.satisfied += usize::from(*satisfied);
            }
        }
        by_unit
    }

    /// The unit ids of `unit_id`'s subtree (itself included).
    pub fn subtree(&self, unit_id: i64) -> HashSet<i64> {
        let mut ids = HashSet::from([unit_id]);
        for (u, _) in &self.units {
            if u.parent_id.is_some_and(|p| ids.contains(&p)) {
                ids.insert(u.id);
            }
        }
        ids
    }
}

/// Loads everything any report needs under `root` (a unit code; the whole tree when `None`).
pub async fn load(db: &impl ConnectionTrait, root: Option<&str>) -> Result<Data, ReportError> {
    load_parts(db, root, Parts { levels: true, progress: true, course: None }).await
}

/// Loads what the report `kind` needs under `root`: the competency report reads no lessons or scores, the
/// progress report no awards, and a progress report of one course only that course's rows.
pub async fn load_for(
    db: &impl ConnectionTrait,
    root: Option<&str>,
    kind: &Kind,
) -> Result<Data, ReportError> {
    let parts = match kind {
        Kind::Competency => Parts { levels: true, progress: false, course: None },
        Kind::Progress { course } => Parts { levels: false, progress: true, course: course.as_deref() },
    };
    load_parts(db, root, parts).await
}

/// Which parts of [`Data`] to load.
struct Parts<'a> {
    levels: bool,
    progress: bool,
    /// Enrollments, lessons read and scores of this course only.
    course: Option<&'a str>,
}

async fn load_parts(
    db: &impl ConnectionTrait,
    root: Option<&str>,
    parts: Parts<'_>,
) -> Result<Data, ReportError> {
    let all_units = unit::Entity::find().order_by_asc(unit::Column::Id).all(db).await?;
    let units = ordered_subtree(&all_units, root)?;
    let scope = Scope::of(db, units.iter().map(|(u, _)| u.id).collect()).await?;
    let users = scope.people(db).await?;
    let levels = if parts.levels { scope.levels(db).await? } else { HashMap::new() };
    let enrollments = scope.enrollments(db, parts.course).await?;
    let courses: HashMap<String, String> = course::Entity::find()
        .filter(course::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.title))
        .collect();
    let lessons_total: HashMap<String, i64> = lesson::Entity::find()
        .select_only()
        .column(lesson::Column::CourseId)
        .column_as(lesson::Column::Id.count(), "n")
        .filter(lesson::Column::Active.eq(true))
        .group_by(lesson::Column::CourseId)
        .into_tuple::<(String, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let (lessons_read, best_scores) =
        if parts.progress { scope.progress(db, parts.course).await? } else { Default::default() };
    let in_scope: HashSet<i64> = units.iter().map(|(u, _)| u.id).collect();
    let feedback =
        feedback_response::Entity::find()
            .select_only()
            .column(feedback_response::Column::CourseId)
            .column(feedback_response::Column::UnitId)
            .column(feedback_response::Column::Scores)
            .filter(feedback_response::Column::UnitId.is_not_null())
            .filter(parts.course.map_or(Condition::all(), |c| {
                Condition::all().add(feedback_response::Column::CourseId.eq(c))
            }))
            .into_tuple::<(String, Option<i64>, String)>()
            .all(db)
            .await?
            .into_iter()
            .filter_map(|(course, unit, scores)| {
                let unit = unit.filter(|u| in_scope.contains(u))?;
                Some((course, unit, Scores::decode(&scores).satisfied()))
            })
            .collect();
    let parents = units.iter().map(|(u, _)| (u.id, u.parent_id)).collect();
    Ok(Data {
        units,
        parents,
        users,
        levels,
        enrollments,
        courses,
        lessons_total,
        lessons_read,
        best_scores,
        feedback,
    })
}

/// Lessons read and best percent, per (user, course).
type Progress = (HashMap<(i64, String), i64>, HashMap<(i64, String), f64>);

/// The people of a report's subtree, and the slices of the user id space their rows are read in: a handful of
/// queries per table instead of one, so the database driver never holds every raw row of a province at once
/// (with SQLite, each value of a raw row is its own allocation, several times the size of the value).
struct Scope {
    unit_ids: Vec<i64>,
    slices: Vec<(i64, i64)>,
}

impl Scope {
    async fn of(db: &impl ConnectionTrait, unit_ids: Vec<i64>) -> Result<Self, ReportError> {
        let (first, last): (Option<i64>, Option<i64>) = user::Entity::find()
            .select_only()
            .column_as(user::Column::Id.min(), "first")
            .column_as(user::Column::Id.max(), "last")
            .into_tuple()
            .one(db)
            .await?
            .unwrap_or((None, None));
        Ok(Self { unit_ids, slices: id_slices(first, last) })
    }

    /// `table_user` is one of the people of the subtree whose ids are in `from..=to` (the slice being read).
    fn contains(&self, table_user: Expr, from: i64, to: i64) -> Expr {
        table_user.in_subquery(
            sea_orm::sea_query::Query::select()
                .column(user::Column::Id)
                .from(user::Entity)
                .and_where(Expr::col(user::Column::UnitId).is_in(self.unit_ids.clone()))
                .and_where(Expr::col(user::Column::Id).between(from, to))
                .to_owned(),
        )
    }

    /// The active people of the subtree, by username.
    async fn people(&self, db: &impl ConnectionTrait) -> Result<Vec<Person>, ReportError> {
        Ok(user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .column(user::Column::Username)
            .column(user::Column::FullName)
            .column(user::Column::UnitId)
            .column(user::Column::Position)
            .filter(user::Column::UnitId.is_in(self.unit_ids.clone()))
            .filter(user::Column::Active.eq(true))
            .order_by_asc(user::Column::Username)
            .into_model::<Person>()
            .all(db)
            .await?)
    }

    /// (user, code) -> (highest level, date of the earliest award at that level).
    async fn levels(
        &self,
        db: &impl ConnectionTrait,
    ) -> Result<HashMap<(i64, String), (i32, NaiveDate)>, ReportError> {
        let mut levels: HashMap<(i64, String), (i32, NaiveDate)> = HashMap::new();
        for &(from, to) in &self.slices {
            let awards: Vec<(i64, String, i32, DateTime<Utc>)> = competency_award::Entity::find()
                .select_only()
                .column(competency_award::Column::UserId)
                .column(competency_award::Column::Code)
                .column(competency_award::Column::Level)
                .column(competency_award::Column::AwardedAt)
                .filter(competency_award::Column::UserId.between(from, to))
                .filter(self.contains(
                    Expr::col((competency_award::Entity, competency_award::Column::UserId)),
                    from,
                    to,
                ))
                .into_tuple()
                .all(db)
                .await?;
            for (user_id, code, level, at) in awards {
                let day = crate::platform::local_time::date_of(at);
                let entry = levels.entry((user_id, code)).or_insert((level, day));
                if level > entry.0 || (level == entry.0 && day < entry.1) {
                    *entry = (level, day);
                }
            }
        }
        Ok(levels)
    }

    /// The enrollments of the subtree's people (of `course` only, when given).
    async fn enrollments(
        &self,
        db: &impl ConnectionTrait,
        course: Option<&str>,
    ) -> Result<Vec<Enrolled>, ReportError> {
        let mut enrollments = Vec::new();
        for &(from, to) in &self.slices {
            enrollments.extend(
                enrollment::Entity::find()
                    .select_only()
                    .column(enrollment::Column::UserId)
                    .column(enrollment::Column::CourseId)
                    .column(enrollment::Column::DueDate)
                    .column(enrollment::Column::EnrolledAt)
                    .column(enrollment::Column::CompletedAt)
                    .filter(enrollment::Column::UserId.between(from, to))
                    .filter(self.contains(
                        Expr::col((enrollment::Entity, enrollment::Column::UserId)),
                        from,
                        to,
                    ))
                    .apply_if(course, |q, c| q.filter(enrollment::Column::CourseId.eq(c)))
                    .into_model::<Enrolled>()
                    .all(db)
                    .await?,
            );
        }
        Ok(enrollments)
    }

    /// Active lessons read and best quiz percent of the subtree's people, per (user, course) (of `course` only,
    /// when given).
    async fn progress(
        &self,
        db: &impl ConnectionTrait,
        course: Option<&str>,
    ) -> Result<Progress, ReportError> {
        let mut lessons_read: HashMap<(i64, String), i64> = HashMap::new();
        let mut best_scores: HashMap<(i64, String), f64> = HashMap::new();
        for &(from, to) in &self.slices {
            let read: Vec<(i64, String, i64)> = lesson_progress::Entity::find()
                .select_only()
                .column(lesson_progress::Column::UserId)
                .column(lesson::Column::CourseId)
                .column_as(lesson_progress::Column::Id.count(), "n")
                .join(JoinType::InnerJoin, lesson_progress::Relation::Lesson.def())
                .filter(lesson::Column::Active.eq(true))
                .filter(lesson_progress::Column::UserId.between(from, to))
                .filter(self.contains(
                    Expr::col((lesson_progress::Entity, lesson_progress::Column::UserId)),
                    from,
                    to,
                ))
                .apply_if(course, |q, c| q.filter(lesson::Column::CourseId.eq(c)))
                .group_by(lesson_progress::Column::UserId)
                .group_by(lesson::Column::CourseId)
                .into_tuple()
                .all(db)
                .await?;
            lessons_read.extend(read.into_iter().map(|(u, c, n)| ((u, c), n)));
            let best: Vec<(i64, String, Option<f64>)> = quiz_attempt::Entity::find()
                .select_only()
                .column(quiz_attempt::Column::UserId)
                .column(quiz_attempt::Column::CourseId)
                .column_as(quiz_attempt::Column::Percent.max(), "best")
                .filter(quiz_attempt::Column::Percent.is_not_null())
                .filter(quiz_attempt::Column::UserId.between(from, to))
                .filter(self.contains(
                    Expr::col((quiz_attempt::Entity, quiz_attempt::Column::UserId)),
                    from,
                    to,
                ))
                .apply_if(course, |q, c| q.filter(quiz_attempt::Column::CourseId.eq(c)))
                .group_by(quiz_attempt::Column::UserId)
                .group_by(quiz_attempt::Column::CourseId)
                .into_tuple()
                .all(db)
                .await?;
            best_scores.extend(best.into_iter().filter_map(|(u, c, best)| best.map(|b| ((u, c), b))));
        }
        Ok((lessons_read, best_scores))
    }
}

/// Users per slice of the id space read at once ([`id_slices`]).
const SLICE: i64 = 25_000;

/// `first..=last` cut into inclusive slices of [`SLICE`] ids (none when there are no users).
pub(super) fn id_slices(first: Option<i64>, last: Option<i64>) -> Vec<(i64, i64)> {
    let (Some(first), Some(last)) = (first, last) else { return Vec::new() };
    let mut slices = Vec::new();
    let mut from = first;
    while from <= last {
        let to = Ord::min(from.saturating_add(SLICE - 1), last);
        slices.push((from, to));
        match to.checked_add(1) {
            Some(next) => from = next,
            None => break,
        }
    }
    slices
}

/// The units under `root` (all roots when `None`), each parent before its children, with depths.
pub(super) fn ordered_subtree(
    all: &[unit::Model],
    root: Option<&str>,
) -> Result<Vec<(unit::Model, usize)>, ReportError> {
    let mut children: HashMap<Option<i64>, Vec<&unit::Model>> = HashMap::new();
    for u in all {
        children.entry(u.parent_id).or_default().push(u);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| a.code.cmp(&b.code));
    }
    let starts: Vec<&unit::Model> = match root {
        Some(code) => {
            vec![all.iter().find(|u| u.code == code).ok_or_else(|| ReportError::UnknownUnit(code.into()))?]
        }
        None => children.get(&None).cloned().unwrap_or_default(),
    };
    let mut out = Vec::new();
    let mut stack: Vec<(&unit::Model, usize)> = starts.into_iter().rev().map(|u| (u, 0)).collect();
    let mut seen = HashSet::new();
    while let Some((u, depth)) = stack.pop() {
        if !seen.insert(u.id) {
            continue;
        }
        out.push((u.clone(), depth));
        if let Some(kids) = children.get(&Some(u.id)) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    Ok(out)
}
