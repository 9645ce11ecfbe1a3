//! The catalog as an admin reviews it: each active course with its lessons,
//! quizzes, how many people are enrolled, how many completed it and their
//! average best quiz score. Grouped queries, one per figure, never one per
//! course or per learner.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
};

use crate::entities::{course, enrollment, lesson, quiz};

/// One course of the catalog with its figures.
#[derive(Debug, Clone, PartialEq)]
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
    /// Enrollments completed (every lesson read and the completion quiz passed).
    pub completed: u64,
    /// The mean over learners of each learner's best quiz score in this course, in percent (0..=100);
    /// `None` while nobody has a graded attempt. Best, not last: it is the score that counts for the learner.
    pub average_best: Option<f64>,
    /// How many learners that mean is over (learners with a graded attempt).
    pub scored: u64,
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
    let completed: HashMap<String, i64> = enrollment::Entity::find()
        .select_only()
        .column(enrollment::Column::CourseId)
        .column_as(enrollment::Column::Id.count(), "n")
        .filter(enrollment::Column::CompletedAt.is_not_null())
        .group_by(enrollment::Column::CourseId)
        .into_tuple::<(String, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let scores = average_best_scores(db).await?;
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
            completed: completed.get(&c.id).copied().unwrap_or(0) as u64,
            average_best: scores.get(&c.id).map(|s| s.0),
            scored: scores.get(&c.id).map_or(0, |s| s.1),
            id: c.id,
            title: c.title,
            hours: c.hours,
            self_enrol: c.self_enrol,
        })
        .collect())
}

/// Per course: the mean of the learners' best graded scores and how many learners that is. One grouped query
/// over a grouped subquery (the best per learner and course, from the `(course_id, user_id)` index).
async fn average_best_scores(db: &impl ConnectionTrait) -> Result<HashMap<String, (f64, u64)>, DbErr> {
    let statement = Statement::from_string(
        db.get_database_backend(),
        "SELECT b.course_id, AVG(b.best), COUNT(*) FROM \
         (SELECT course_id, user_id, MAX(percent) AS best FROM quiz_attempts \
          WHERE percent IS NOT NULL GROUP BY course_id, user_id) b \
         GROUP BY b.course_id",
    );
    let mut out = HashMap::new();
    for row in db.query_all_raw(statement).await? {
        let course: String = row.try_get_by_index(0)?;
        let average: Option<f64> = row.try_get_by_index(1)?;
        let n: i64 = row.try_get_by_index(2)?;
        if let Some(average) = average {
            out.insert(course, (average, n as u64));
        }
    }
    Ok(out)
}
