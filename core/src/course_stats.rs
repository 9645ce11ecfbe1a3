//! The catalog as an admin reviews it: each active course with its lessons,
//! quizzes and how many people are enrolled. Grouped queries, one per figure,
//! never one per course. (Completions and scores need quiz attempts: they are
//! added with them.)

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entities::{course, enrollment, lesson, quiz};

/// One course of the catalog with its figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseStats {
    pub id: String,
    pub title: String,
    pub hours: i32,
    pub self_enrol: bool,
    /// Lesson titles in reading order.
    pub lessons: Vec<String>,
    /// Quiz titles in file order.
    pub quizzes: Vec<String>,
    pub enrolled: u64,
}

/// Every active course, by id.
pub async fn catalog(db: &impl ConnectionTrait) -> Result<Vec<CourseStats>, DbErr> {
    let courses = course::Entity::find()
        .filter(course::Column::Active.eq(true))
        .order_by_asc(course::Column::Id)
        .all(db)
        .await?;
    let lessons: Vec<(String, String)> = lesson::Entity::find()
        .select_only()
        .column(lesson::Column::CourseId)
        .column(lesson::Column::Title)
        .filter(lesson::Column::Active.eq(true))
        .order_by_asc(lesson::Column::Position)
        .into_tuple()
        .all(db)
        .await?;
    let quizzes: Vec<(String, String)> = quiz::Entity::find()
        .select_only()
        .column(quiz::Column::CourseId)
        .column(quiz::Column::Title)
        .filter(quiz::Column::Active.eq(true))
        .order_by_asc(quiz::Column::Position)
        .into_tuple()
        .all(db)
        .await?;
    let enrolled: Vec<(String, i64)> = enrollment::Entity::find()
        .select_only()
        .column(enrollment::Column::CourseId)
        .column_as(enrollment::Column::Id.count(), "n")
        .group_by(enrollment::Column::CourseId)
        .into_tuple()
        .all(db)
        .await?;
    let enrolled: HashMap<String, i64> = enrolled.into_iter().collect();
    let mut lessons_of: HashMap<String, Vec<String>> = HashMap::new();
    for (course_id, title) in lessons {
        lessons_of.entry(course_id).or_default().push(title);
    }
    let mut quizzes_of: HashMap<String, Vec<String>> = HashMap::new();
    for (course_id, title) in quizzes {
        quizzes_of.entry(course_id).or_default().push(title);
    }
    Ok(courses
        .into_iter()
        .map(|c| CourseStats {
            lessons: lessons_of.remove(&c.id).unwrap_or_default(),
            quizzes: quizzes_of.remove(&c.id).unwrap_or_default(),
            enrolled: enrolled.get(&c.id).copied().unwrap_or(0) as u64,
            id: c.id,
            title: c.title,
            hours: c.hours,
            self_enrol: c.self_enrol,
        })
        .collect())
}
