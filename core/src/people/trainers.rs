//! Which trainers teach which course (`course_trainers`): an assigned trainer sees the course's learners,
//! their progress and scores (`/courses/{course}/learners`). Admins assign them with
//! `daotao-admin trainers add|remove|list`; assigning twice changes nothing.

use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait,
};

use crate::entities::course_trainer;
use crate::entities::user::{self, Role};
use crate::learning::enrollment::{EnrollError, active_course};
use crate::people::accounts::find_user;

#[derive(Debug, thiserror::Error)]
pub enum TrainerError {
    #[error("no active course `{0}`")]
    UnknownCourse(String),
    #[error("no account `{0}`")]
    UnknownUser(String),
    /// Only trainers are assigned: a learner would see colleagues' scores, an admin sees every course anyway.
    #[error("`{0}` is a {1}, not a trainer")]
    NotTrainer(String, &'static str),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// One assignment, for listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub course_id: String,
    pub username: String,
    pub full_name: String,
}

/// The trainer account `username` and the active course, or why not.
async fn trainer_and_course(
    db: &impl ConnectionTrait,
    course_id: &str,
    username: &str,
) -> Result<user::Model, TrainerError> {
    active_course(db, course_id).await.map_err(|e| match e {
        EnrollError::Db(e) => TrainerError::Db(e),
        _ => TrainerError::UnknownCourse(course_id.to_string()),
    })?;
    let user =
        find_user(db, username).await?.ok_or_else(|| TrainerError::UnknownUser(username.to_string()))?;
    match user.role {
        Role::Trainer => Ok(user),
        Role::Learner => Err(TrainerError::NotTrainer(user.username, "learner")),
        Role::Admin => Err(TrainerError::NotTrainer(user.username, "admin")),
    }
}

/// Assigns the trainer `username` to a course; false if they already were.
pub async fn assign(
    db: &impl ConnectionTrait,
    course_id: &str,
    username: &str,
) -> Result<bool, TrainerError> {
    let trainer = trainer_and_course(db, course_id, username).await?;
    let inserted = course_trainer::Entity::insert(course_trainer::ActiveModel {
        course_id: Set(course_id.to_string()),
        user_id: Set(trainer.id),
    })
    .on_conflict(
        OnConflict::columns([course_trainer::Column::CourseId, course_trainer::Column::UserId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(inserted > 0)
}

/// Ends the assignment of `username` to a course; false if there was none. The course and the account need
/// not be active: an assignment to a retired course can still be ended.
pub async fn unassign(
    db: &impl ConnectionTrait,
    course_id: &str,
    username: &str,
) -> Result<bool, TrainerError> {
    let user =
        find_user(db, username).await?.ok_or_else(|| TrainerError::UnknownUser(username.to_string()))?;
    let deleted = course_trainer::Entity::delete_by_id((course_id.to_string(), user.id)).exec(db).await?;
    Ok(deleted.rows_affected > 0)
}

/// Every assignment (of one course, or all), by course then username.
pub async fn list(db: &impl ConnectionTrait, course_id: Option<&str>) -> Result<Vec<Assignment>, DbErr> {
    let mut query = course_trainer::Entity::find()
        .select_only()
        .column(course_trainer::Column::CourseId)
        .column(user::Column::Username)
        .column(user::Column::FullName)
        .join(sea_orm::JoinType::InnerJoin, course_trainer::Relation::User.def())
        .order_by_asc(course_trainer::Column::CourseId)
        .order_by_asc(user::Column::Username);
    if let Some(course_id) = course_id {
        query = query.filter(course_trainer::Column::CourseId.eq(course_id));
    }
    let rows: Vec<(String, String, String)> = query.into_tuple().all(db).await?;
    Ok(rows
        .into_iter()
        .map(|(course_id, username, full_name)| Assignment { course_id, username, full_name })
        .collect())
}
