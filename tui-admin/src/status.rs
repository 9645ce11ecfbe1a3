//! `daotao-admin status`: the database in use, the synced catalog, and how
//! many units, accounts and enrollments it holds.

use crate::output::outln;
use daotao_core::entities::user::Role;
use daotao_core::entities::{course, enrollment, lesson, quiz, unit, user};
use daotao_core::platform::config::Config;
use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};

pub async fn run(config: &Config) -> anyhow::Result<()> {
    let db = crate::connect(config).await?;
    let courses = course::Entity::find().filter(course::Column::Active.eq(true)).all(&db).await?;
    outln!("Cơ sở dữ liệu / database: {}", crate::database_url::redacted(&config.database_url))?;
    outln!("Khoá học đang phục vụ / active courses: {}", courses.len())?;
    let lessons =
        active_counts_by_course::<lesson::Entity>(&db, lesson::Column::CourseId, lesson::Column::Active)
            .await?;
    let quizzes =
        active_counts_by_course::<quiz::Entity>(&db, quiz::Column::CourseId, quiz::Column::Active).await?;
    for c in courses {
        let lessons = lessons.get(&c.id).copied().unwrap_or(0);
        let quizzes = quizzes.get(&c.id).copied().unwrap_or(0);
        outln!("  {:<40} {lessons:>3} bài học, {quizzes} bài kiểm tra  {}", c.id, c.title)?;
    }
    let units = unit::Entity::find().count(&db).await?;
    outln!("Đơn vị / units: {units}")?;
    let mut by_role = Vec::new();
    for role in [Role::Learner, Role::Trainer, Role::Admin] {
        by_role.push(user::Entity::find().filter(user::Column::Role.eq(role)).count(&db).await?);
    }
    outln!(
        "Tài khoản / accounts: {} ({} học viên / learners, {} giảng viên / trainers, {} quản trị / admins)",
        by_role.iter().sum::<u64>(),
        by_role[0],
        by_role[1],
        by_role[2]
    )?;
    let enrollments = enrollment::Entity::find().count(&db).await?;
    let today = daotao_core::platform::local_time::today();
    let past_due =
        enrollment::Entity::find().filter(enrollment::Column::DueDate.lt(today)).count(&db).await?;
    outln!("Ghi danh / enrollments: {enrollments} ({past_due} đã quá hạn / past their due date)")?;
    Ok(())
}

/// Active rows per course in one grouped query (lessons or quizzes).
async fn active_counts_by_course<E: EntityTrait>(
    db: &sea_orm::DatabaseConnection,
    course_id: E::Column,
    active: E::Column,
) -> anyhow::Result<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = E::find()
        .select_only()
        .column(course_id)
        .column_as(course_id.count(), "n")
        .filter(active.eq(true))
        .group_by(course_id)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}
