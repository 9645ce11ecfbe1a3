//! Enrolling learners in courses: one person, a whole unit with its
//! sub-units, or oneself from the catalog. Enrolling someone already enrolled
//! changes nothing.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::entities::{course, enrollment, unit, user};

#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    #[error("no active course `{0}`")]
    UnknownCourse(String),
    #[error("course `{0}` does not allow self-enrolment")]
    NotSelfEnrol(String),
    #[error("no unit with code `{0}`")]
    UnknownUnit(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// The active course `course_id`, or why not.
pub async fn active_course(db: &impl ConnectionTrait, course_id: &str) -> Result<course::Model, EnrollError> {
    course::Entity::find_by_id(course_id)
        .filter(course::Column::Active.eq(true))
        .one(db)
        .await?
        .ok_or_else(|| EnrollError::UnknownCourse(course_id.to_string()))
}

/// Enrols `user_ids` in a course; returns how many were newly enrolled.
pub async fn enroll_users(
    db: &impl ConnectionTrait,
    course_id: &str,
    user_ids: &[i64],
    due_date: Option<NaiveDate>,
    enrolled_by: Option<i64>,
) -> Result<u64, EnrollError> {
    active_course(db, course_id).await?;
    let now = chrono::Utc::now();
    let mut added = 0;
    for chunk in user_ids.chunks(500) {
        let rows = chunk.iter().map(|&user_id| enrollment::ActiveModel {
            id: NotSet,
            user_id: Set(user_id),
            course_id: Set(course_id.to_string()),
            due_date: Set(due_date),
            enrolled_by: Set(enrolled_by),
            enrolled_at: Set(now),
            completed_at: NotSet,
        });
        added += enrollment::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::columns([enrollment::Column::UserId, enrollment::Column::CourseId])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(added)
}

/// Enrols every active account of a unit and of all units below it.
pub async fn enroll_unit(
    db: &impl ConnectionTrait,
    course_id: &str,
    unit_code: &str,
    due_date: Option<NaiveDate>,
    enrolled_by: Option<i64>,
) -> Result<u64, EnrollError> {
    let user_ids = unit_members(db, unit_code).await?;
    enroll_users(db, course_id, &user_ids, due_date, enrolled_by).await
}

/// The active accounts of a unit and of all units below it.
pub async fn unit_members(db: &impl ConnectionTrait, unit_code: &str) -> Result<Vec<i64>, EnrollError> {
    let root = unit::Entity::find()
        .filter(unit::Column::Code.eq(unit_code.trim()))
        .one(db)
        .await?
        .ok_or_else(|| EnrollError::UnknownUnit(unit_code.to_string()))?;
    let units = subtree(db, root.id).await?;
    let mut user_ids = Vec::new();
    for chunk in units.chunks(500) {
        let ids: Vec<i64> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(user::Column::UnitId.is_in(chunk.iter().copied()))
            .filter(user::Column::Active.eq(true))
            .into_tuple()
            .all(db)
            .await?;
        user_ids.extend(ids);
    }
    Ok(user_ids)
}

/// Withdraws `user_ids` from a course (their enrollment rows go; lessons they
/// read stay recorded, so enrolling them again brings their progress back).
/// A completed course is never withdrawn: it stays on the person's transcript
/// and in the reports, as their certificate does. Returns how many were withdrawn.
pub async fn withdraw(db: &impl ConnectionTrait, course_id: &str, user_ids: &[i64]) -> Result<u64, DbErr> {
    let mut removed = 0;
    for chunk in user_ids.chunks(500) {
        removed += enrollment::Entity::delete_many()
            .filter(enrollment::Column::CourseId.eq(course_id))
            .filter(enrollment::Column::CompletedAt.is_null())
            .filter(enrollment::Column::UserId.is_in(chunk.iter().copied()))
            .exec(db)
            .await?
            .rows_affected;
    }
    Ok(removed)
}

/// Sets (or with `None` removes) the due date of the enrollments of
/// `user_ids` in a course; enrols nobody. Returns how many were changed.
pub async fn set_due_date(
    db: &impl ConnectionTrait,
    course_id: &str,
    user_ids: &[i64],
    due_date: Option<NaiveDate>,
) -> Result<u64, DbErr> {
    let mut changed = 0;
    for chunk in user_ids.chunks(500) {
        changed += enrollment::Entity::update_many()
            .col_expr(enrollment::Column::DueDate, sea_orm::sea_query::Expr::value(due_date))
            .filter(enrollment::Column::CourseId.eq(course_id))
            .filter(enrollment::Column::UserId.is_in(chunk.iter().copied()))
            .exec(db)
            .await?
            .rows_affected;
    }
    Ok(changed)
}

/// A unit's id and the ids of every unit below it.
pub async fn subtree(db: &impl ConnectionTrait, root: i64) -> Result<Vec<i64>, DbErr> {
    Ok(descendants(&children(db).await?, root).into_iter().collect())
}

/// Every unit's children, by parent id: read once when many subtrees are wanted (see [`descendants`]).
pub async fn children(db: &impl ConnectionTrait) -> Result<HashMap<i64, Vec<i64>>, DbErr> {
    let pairs: Vec<(i64, Option<i64>)> = unit::Entity::find()
        .select_only()
        .column(unit::Column::Id)
        .column(unit::Column::ParentId)
        .into_tuple()
        .all(db)
        .await?;
    let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
    for (id, parent) in pairs {
        if let Some(parent) = parent {
            children.entry(parent).or_default().push(id);
        }
    }
    Ok(children)
}

/// `root` and every unit below it, from the map of [`children`].
pub fn descendants(children: &HashMap<i64, Vec<i64>>, root: i64) -> HashSet<i64> {
    let mut seen = HashSet::from([root]);
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        for &child in children.get(&id).into_iter().flatten() {
            if seen.insert(child) {
                stack.push(child);
            }
        }
    }
    seen
}

/// A learner enrols themself from the catalog; true if newly enrolled.
pub async fn self_enrol(
    db: &impl ConnectionTrait,
    course_id: &str,
    user_id: i64,
) -> Result<bool, EnrollError> {
    let found = active_course(db, course_id).await?;
    if !found.self_enrol {
        return Err(EnrollError::NotSelfEnrol(course_id.to_string()));
    }
    Ok(enroll_users(db, course_id, &[user_id], None, Some(user_id)).await? == 1)
}

/// The enrollment of a user in a course, if any.
pub async fn find(
    db: &impl ConnectionTrait,
    user_id: i64,
    course_id: &str,
) -> Result<Option<enrollment::Model>, DbErr> {
    enrollment::Entity::find()
        .filter(enrollment::Column::UserId.eq(user_id))
        .filter(enrollment::Column::CourseId.eq(course_id))
        .one(db)
        .await
}
