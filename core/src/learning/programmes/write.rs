//! Writing a pass's plan: the cycles, the enrolments with their due date, the certificates of completed cycles,
//! and one audit row per change.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::Rule;
use super::plan::{Held, NewCycle, Plan, valid_until};
use crate::entities::{audit_log, enrollment, programme_assignment as pa};
use crate::learning::enrollment::{EnrollError, enroll_users};
use crate::platform::audit::Event;

/// Ids per `UPDATE ... WHERE id IN (...)`: well under SQLite's limit of bound values, and about 6 KB.
const CHUNK: usize = 500;

/// Rows per multi-row `INSERT` of cycles and of audit rows, and people per call of `enroll_users`: each
/// statement stays under about 12 KB. sqlx 0.9 does not set TCP_NODELAY (transact-rs/sqlx#4335), so a
/// statement larger than the socket's 16 KB first write goes out in several, and the last waits for
/// PostgreSQL's delayed ACK: 40 ms a statement, 82 s of waiting in a first pass over 100,000 people
/// (`benches/programmes-scale`).
const CYCLE_ROWS: usize = 100;
const AUDIT_ROWS: usize = 50;
const ENROL_IDS: usize = 120;

/// Writes one programme's plan. `quizzes`: each course's completion quiz, whose retake a renewal's new
/// certificate records.
pub(super) async fn apply(
    db: &impl ConnectionTrait,
    rule: &Rule,
    plan: &Plan,
    active: &HashSet<String>,
    quizzes: &HashMap<String, String>,
    as_of: NaiveDate,
    actor: &str,
) -> Result<(), DbErr> {
    insert_cycles(db, rule, plan, as_of).await?;
    let user_ids: Vec<i64> = plan.assign.iter().map(|n| n.user_id).collect();
    for course in rule.courses.iter().filter(|c| active.contains(*c)) {
        enroll(db, course, &user_ids, plan.due_on).await?;
    }
    let mut by_day: BTreeMap<NaiveDate, Vec<i64>> = BTreeMap::new();
    for (held, on) in &plan.complete {
        by_day.entry(*on).or_default().push(held.id);
    }
    for (on, ids) in by_day {
        for chunk in ids.chunks(CHUNK) {
            pa::Entity::update_many()
                .col_expr(pa::Column::CompletedOn, Expr::value(on))
                .col_expr(pa::Column::ValidUntil, Expr::value(valid_until(rule, on)))
                .filter(pa::Column::Id.is_in(chunk.iter().copied()))
                .exec(db)
                .await?;
        }
    }
    let issued = super::certificates::apply(db, rule, plan, quizzes).await?;
    audit(db, actor, "certificate.renew", issued.into_iter()).await?;
    withdraw(db, &plan.withdraw, as_of, actor).await?;
    audit(
        db,
        actor,
        "programme.assign",
        plan.assign.iter().map(|n| {
            (format!("{} {}", n.username, rule.id), format!("cycle {}, due {}", n.cycle, plan.due_on))
        }),
    )
    .await?;
    audit(
        db,
        actor,
        "programme.renew",
        plan.renew
            .iter()
            .map(|n| (format!("{} {}", n.username, rule.id), format!("cycle {}, due {}", n.cycle, n.due_on))),
    )
    .await?;
    let completed = plan
        .assign
        .iter()
        .filter_map(|n| n.completed_on.map(|on| (n.username.as_str(), n.cycle, on)))
        .chain(plan.complete.iter().map(|(h, on)| (h.username.as_str(), h.cycle, *on)));
    audit(
        db,
        actor,
        "programme.complete",
        completed.map(|(username, cycle, on)| {
            let until = valid_until(rule, on).map_or("forever".to_string(), |d| d.to_string());
            (format!("{username} {}", rule.id), format!("cycle {cycle}, completed {on}, valid until {until}"))
        }),
    )
    .await
}

/// The new cycles (assigned and renewed), those already complete with their completion.
async fn insert_cycles(
    db: &impl ConnectionTrait,
    rule: &Rule,
    plan: &Plan,
    as_of: NaiveDate,
) -> Result<(), DbErr> {
    let now = chrono::Utc::now();
    let cycles: Vec<&NewCycle> = plan.assign.iter().chain(&plan.renew).collect();
    for chunk in cycles.chunks(CYCLE_ROWS) {
        let rows = chunk.iter().map(|n| pa::ActiveModel {
            id: NotSet,
            user_id: Set(n.user_id),
            programme_id: Set(rule.id.clone()),
            cycle: Set(n.cycle),
            assigned_on: Set(as_of),
            due_on: Set(n.due_on),
            completed_on: Set(n.completed_on),
            valid_until: Set(n.completed_on.and_then(|on| valid_until(rule, on))),
            withdrawn_on: Set(None),
            created_at: Set(now),
        });
        pa::Entity::insert_many(rows).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Enrols the newly assigned in `course` with the programme's due date. Those already enrolled keep their
/// enrolment, but an unfinished one gets the programme's due date when it had none or a later one: the
/// programme's deadline is the one they must meet.
async fn enroll(
    db: &impl ConnectionTrait,
    course: &str,
    user_ids: &[i64],
    due_on: NaiveDate,
) -> Result<(), DbErr> {
    for chunk in user_ids.chunks(ENROL_IDS) {
        enroll_users(db, course, chunk, Some(due_on), None).await.map_err(|e| match e {
            EnrollError::Db(e) => e,
            other => DbErr::Custom(other.to_string()),
        })?;
    }
    for chunk in user_ids.chunks(CHUNK) {
        enrollment::Entity::update_many()
            .col_expr(enrollment::Column::DueDate, Expr::value(due_on))
            .filter(enrollment::Column::CourseId.eq(course))
            .filter(enrollment::Column::UserId.is_in(chunk.iter().copied()))
            .filter(enrollment::Column::CompletedAt.is_null())
            .filter(enrollment::Column::DueDate.is_null().or(enrollment::Column::DueDate.gt(due_on)))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Withdraws open cycles on `as_of` (a cycle completed meanwhile is left alone); enrolments stay, with what
/// was read in them.
pub(super) async fn withdraw(
    db: &impl ConnectionTrait,
    held: &[Held],
    as_of: NaiveDate,
    actor: &str,
) -> Result<(), DbErr> {
    for chunk in held.chunks(CHUNK) {
        pa::Entity::update_many()
            .col_expr(pa::Column::WithdrawnOn, Expr::value(as_of))
            .filter(pa::Column::Id.is_in(chunk.iter().map(|h| h.id)))
            .filter(pa::Column::CompletedOn.is_null())
            .filter(pa::Column::WithdrawnOn.is_null())
            .exec(db)
            .await?;
    }
    let rows =
        held.iter().map(|h| (format!("{} {}", h.username, h.programme_id), format!("cycle {}", h.cycle)));
    audit(db, actor, "programme.withdraw", rows).await
}

/// One audit row per (target, detail), written in batches: a first pass over a province audits every person.
async fn audit(
    db: &impl ConnectionTrait,
    actor: &str,
    action: &str,
    rows: impl Iterator<Item = (String, String)>,
) -> Result<(), DbErr> {
    let now = chrono::Utc::now();
    let rows: Vec<(String, String)> = rows.collect();
    for chunk in rows.chunks(AUDIT_ROWS) {
        let models = chunk.iter().map(|(target, detail)| {
            let event = Event { actor, action, target, ip: "", result: "success", detail, user_id: None };
            audit_log::ActiveModel {
                id: NotSet,
                at: Set(now),
                user_id: Set(event.user_id),
                actor: Set(event.actor.to_string()),
                action: Set(event.action.to_string()),
                target: Set(event.target.to_string()),
                ip: Set(event.ip.to_string()),
                result: Set(event.result.to_string()),
                detail: Set(event.detail.to_string()),
            }
        });
        audit_log::Entity::insert_many(models).exec_without_returning(db).await?;
    }
    Ok(())
}
