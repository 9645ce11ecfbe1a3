//! What a completed cycle does to certificates (#18). A first completion counts the certificates the courses
//! already issued: each gets the cycle's validity, lengthened only ([`awards::lengthened`]). A renewal, completed
//! by passing each course's completion quiz again, issues a new certificate per course (the name and course
//! title as they are now, the retake's score, dated when it was passed) with the new validity; the earlier
//! certificates stay as they were, and expire on their day.
//!
//! A handful of queries per programme and chunk of people, never one per person.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, JoinType, QueryFilter, QuerySelect,
    RelationTrait,
};

use super::Rule;
use super::plan::{Plan, valid_until};
use crate::entities::{certificate, course, quiz, quiz_attempt, user};
use crate::learning::awards;
use crate::people::auth::token::verification_code;
use crate::platform::local_time;

/// Rows per statement: well under SQLite's limit of bound values.
const CHUNK: usize = 500;

/// A certificate already issued, as far as its validity goes.
#[derive(Debug, FromQueryResult)]
struct Held {
    id: i64,
    user_id: i64,
    course_id: String,
    issued_at: DateTime<Utc>,
    valid_until: Option<NaiveDate>,
    programme_id: Option<String>,
}

/// The certificates `user_ids` hold for the courses of `rule`.
async fn held(
    db: &impl ConnectionTrait,
    rule: &Rule,
    user_ids: impl Iterator<Item = i64>,
) -> Result<Vec<Held>, DbErr> {
    certificate::Entity::find()
        .select_only()
        .column(certificate::Column::Id)
        .column(certificate::Column::UserId)
        .column(certificate::Column::CourseId)
        .column(certificate::Column::IssuedAt)
        .column(certificate::Column::ValidUntil)
        .column(certificate::Column::ProgrammeId)
        .filter(certificate::Column::UserId.is_in(user_ids))
        .filter(certificate::Column::CourseId.is_in(rule.courses.iter().cloned()))
        .into_model::<Held>()
        .all(db)
        .await
}

/// A renewal cycle completed in this pass.
struct Renewed<'a> {
    user_id: i64,
    username: &'a str,
    assigned_on: NaiveDate,
    on: NaiveDate,
}

/// Gives the certificates of the cycles `plan` completes their validity, and issues the renewals' new ones;
/// returns the audit rows of the certificates issued (`username programme`, `course, valid until`).
pub(super) async fn apply(
    db: &impl ConnectionTrait,
    rule: &Rule,
    plan: &Plan,
    quizzes: &HashMap<String, String>,
) -> Result<Vec<(String, String)>, DbErr> {
    let mut first: Vec<(i64, NaiveDate)> =
        plan.assign.iter().filter_map(|n| n.completed_on.map(|on| (n.user_id, on))).collect();
    let mut renewed = Vec::new();
    for (cycle, on) in &plan.complete {
        if plan.retaken.contains(&cycle.id) {
            renewed.push(Renewed {
                user_id: cycle.user_id,
                username: &cycle.username,
                assigned_on: cycle.assigned_on,
                on: *on,
            });
        } else {
            first.push((cycle.user_id, *on));
        }
    }
    lengthen(db, rule, &first).await?;
    reissue(db, rule, &renewed, quizzes).await
}

/// Each person's certificate that counted for a cycle completed on their day (the latest of each course issued
/// on or before it) gets the cycle's validity, unless it already holds a longer one.
async fn lengthen(db: &impl ConnectionTrait, rule: &Rule, done: &[(i64, NaiveDate)]) -> Result<(), DbErr> {
    let mut by_validity: BTreeMap<Option<NaiveDate>, Vec<i64>> = BTreeMap::new();
    for chunk in done.chunks(CHUNK) {
        let on: HashMap<i64, NaiveDate> = chunk.iter().copied().collect();
        let rows = held(db, rule, on.keys().copied()).await?;
        let mut counted: HashMap<(i64, &str), &Held> = HashMap::new();
        for row in &rows {
            if local_time::date_of(row.issued_at) > on[&row.user_id] {
                continue;
            }
            match counted.entry((row.user_id, row.course_id.as_str())) {
                Entry::Occupied(mut e) if (e.get().issued_at, e.get().id) < (row.issued_at, row.id) => {
                    e.insert(row);
                }
                Entry::Occupied(_) => {}
                Entry::Vacant(e) => {
                    e.insert(row);
                }
            }
        }
        for row in counted.values() {
            let given = valid_until(rule, on[&row.user_id]);
            if let Some(until) = awards::lengthened(row.valid_until, row.programme_id.is_some(), given) {
                by_validity.entry(until).or_default().push(row.id);
            }
        }
    }
    set_validity(db, rule, by_validity).await
}

/// Sets each validity on its certificates (by id), given by `rule`.
async fn set_validity(
    db: &impl ConnectionTrait,
    rule: &Rule,
    by_validity: BTreeMap<Option<NaiveDate>, Vec<i64>>,
) -> Result<(), DbErr> {
    for (until, ids) in by_validity {
        for chunk in ids.chunks(CHUNK) {
            certificate::Entity::update_many()
                .col_expr(certificate::Column::ValidUntil, Expr::value(until))
                .col_expr(certificate::Column::ProgrammeId, Expr::value(rule.id.clone()))
                .filter(certificate::Column::Id.is_in(chunk.iter().copied()))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

/// A new certificate per course for each renewal: the retake that counted is the first pass of the course's
/// completion quiz since the renewal opened (a course without a quiz: dated the day the cycle completed). One
/// retake earns one certificate: when it renews two programmes, the second only lengthens the first's.
async fn reissue(
    db: &impl ConnectionTrait,
    rule: &Rule,
    renewed: &[Renewed<'_>],
    quizzes: &HashMap<String, String>,
) -> Result<Vec<(String, String)>, DbErr> {
    let mut audit = Vec::new();
    if renewed.is_empty() {
        return Ok(audit);
    }
    let titles: HashMap<String, String> = course::Entity::find()
        .select_only()
        .column(course::Column::Id)
        .column(course::Column::Title)
        .filter(course::Column::Id.is_in(rule.courses.iter().cloned()))
        .into_tuple::<(String, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    for chunk in renewed.chunks(CHUNK) {
        let user_ids = || chunk.iter().map(|r| r.user_id);
        let held_now = held(db, rule, user_ids()).await?;
        let names: HashMap<i64, String> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .column(user::Column::FullName)
            .filter(user::Column::Id.is_in(user_ids()))
            .into_tuple::<(i64, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        // What renewals of other programmes issued: a retake earns one certificate.
        let issued: HashMap<(i64, &str, DateTime<Utc>), &Held> = held_now
            .iter()
            .filter(|c| c.programme_id.is_some())
            .map(|c| ((c.user_id, c.course_id.as_str(), c.issued_at), c))
            .collect();
        let mut longer: BTreeMap<Option<NaiveDate>, Vec<i64>> = BTreeMap::new();
        let mut rows = Vec::new();
        for course_id in &rule.courses {
            let passes = match quizzes.get(course_id) {
                Some(slug) => passes(db, course_id, slug, user_ids()).await?,
                None => HashMap::new(),
            };
            for r in chunk {
                let (Some(name), Some(title)) = (names.get(&r.user_id), titles.get(course_id)) else {
                    continue;
                };
                let retake = passes
                    .get(&r.user_id)
                    .into_iter()
                    .flatten()
                    .filter(|(at, _)| (r.assigned_on..=r.on).contains(&local_time::date_of(*at)))
                    .min_by_key(|(at, _)| *at);
                let (issued_at, score) = retake.copied().unwrap_or((local_time::start_of(r.on), None));
                let until = valid_until(rule, r.on);
                if let Some(c) = issued.get(&(r.user_id, course_id.as_str(), issued_at)) {
                    if let Some(until) = awards::lengthened(c.valid_until, true, until) {
                        longer.entry(until).or_default().push(c.id);
                    }
                    continue;
                }
                rows.push(certificate::ActiveModel {
                    id: NotSet,
                    code: Set(verification_code()),
                    user_id: Set(r.user_id),
                    course_id: Set(course_id.clone()),
                    full_name: Set(name.clone()),
                    course_title: Set(title.clone()),
                    score_percent: Set(score),
                    issued_at: Set(issued_at),
                    valid_until: Set(until),
                    programme_id: Set(Some(rule.id.clone())),
                });
                let until = until.map_or("forever".to_string(), |d| d.to_string());
                audit.push((
                    format!("{} {}", r.username, rule.id),
                    format!("{course_id}, valid until {until}"),
                ));
            }
        }
        for part in rows.chunks(CHUNK) {
            certificate::Entity::insert_many(part.to_vec()).exec_without_returning(db).await?;
        }
        set_validity(db, rule, longer).await?;
    }
    Ok(audit)
}

/// A passed attempt: when it was submitted, and its score.
type Pass = (DateTime<Utc>, Option<f64>);

/// The passed attempts at a course's quiz `slug` by `user_ids`.
async fn passes(
    db: &impl ConnectionTrait,
    course_id: &str,
    slug: &str,
    user_ids: impl Iterator<Item = i64>,
) -> Result<HashMap<i64, Vec<Pass>>, DbErr> {
    let rows: Vec<(i64, DateTime<Utc>, Option<f64>)> = quiz_attempt::Entity::find()
        .select_only()
        .column(quiz_attempt::Column::UserId)
        .column(quiz_attempt::Column::SubmittedAt)
        .column(quiz_attempt::Column::Percent)
        .join(JoinType::InnerJoin, quiz_attempt::Relation::Quiz.def())
        .filter(quiz::Column::CourseId.eq(course_id))
        .filter(quiz::Column::Slug.eq(slug))
        .filter(quiz_attempt::Column::Passed.eq(true))
        .filter(quiz_attempt::Column::SubmittedAt.is_not_null())
        .filter(quiz_attempt::Column::UserId.is_in(user_ids))
        .into_tuple()
        .all(db)
        .await?;
    let mut by_person: HashMap<i64, Vec<Pass>> = HashMap::new();
    for (user_id, at, percent) in rows {
        by_person.entry(user_id).or_default().push((at, percent));
    }
    Ok(by_person)
}
