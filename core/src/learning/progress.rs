//! Where a learner is: lessons read, per course and across "my courses".
//! Computed with a few set-based queries, never one query per course.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait,
};

use crate::entities::{course, enrollment, lesson, lesson_progress};

#[derive(Debug, thiserror::Error)]
pub enum ProgressError {
    #[error("no lesson `{1}` in course `{0}`")]
    UnknownLesson(String, String),
    #[error("not enrolled in course `{0}`")]
    NotEnrolled(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// A course's active lessons, and how many of them each person has read.
#[derive(Debug, Clone, Default)]
pub struct LessonsRead {
    pub total: u64,
    /// People who read none are absent.
    pub by_person: HashMap<i64, u64>,
}

impl LessonsRead {
    /// How many of the course's active lessons `user_id` has read.
    pub fn of(&self, user_id: i64) -> u64 {
        self.by_person.get(&user_id).copied().unwrap_or(0)
    }
}

/// The active lessons of `course_id` read by each person (`only`: just these people): two set-based
/// queries, the one place rosters, the admin's enrolment list and programme renewals count them.
pub async fn lessons_read_per_person(
    db: &impl ConnectionTrait,
    course_id: &str,
    only: Option<Vec<i64>>,
) -> Result<LessonsRead, DbErr> {
    use sea_orm::PaginatorTrait;
    let total = lesson::Entity::find()
        .filter(lesson::Column::CourseId.eq(course_id))
        .filter(lesson::Column::Active.eq(true))
        .count(db)
        .await?;
    let mut query = lesson_progress::Entity::find()
        .select_only()
        .column(lesson_progress::Column::UserId)
        .column_as(lesson_progress::Column::Id.count(), "n")
        .join(JoinType::InnerJoin, lesson_progress::Relation::Lesson.def())
        .filter(lesson::Column::CourseId.eq(course_id))
        .filter(lesson::Column::Active.eq(true));
    if let Some(people) = only {
        query = query.filter(lesson_progress::Column::UserId.is_in(people));
    }
    let read: Vec<(i64, i64)> = query.group_by(lesson_progress::Column::UserId).into_tuple().all(db).await?;
    let by_person = read.into_iter().map(|(user_id, n)| (user_id, u64::try_from(n).unwrap_or(0))).collect();
    Ok(LessonsRead { total, by_person })
}

/// Records that `user_id` read a lesson (idempotent). The learner must be enrolled.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    user_id: i64,
    course_id: &str,
    lesson_slug: &str,
) -> Result<(), ProgressError> {
    if crate::learning::enrollment::find(db, user_id, course_id).await?.is_none() {
        return Err(ProgressError::NotEnrolled(course_id.to_string()));
    }
    let found = lesson::Entity::find()
        .filter(lesson::Column::CourseId.eq(course_id))
        .filter(lesson::Column::Slug.eq(lesson_slug))
        .filter(lesson::Column::Active.eq(true))
        .one(db)
        .await?
        .ok_or_else(|| ProgressError::UnknownLesson(course_id.to_string(), lesson_slug.to_string()))?;
    lesson_progress::Entity::insert(lesson_progress::ActiveModel {
        id: NotSet,
        user_id: Set(user_id),
        lesson_id: Set(found.id),
        read_at: Set(chrono::Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([lesson_progress::Column::UserId, lesson_progress::Column::LessonId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The slugs of a course's lessons that `user_id` has read.
pub async fn read_lessons(
    db: &impl ConnectionTrait,
    user_id: i64,
    course_id: &str,
) -> Result<HashSet<String>, DbErr> {
    let slugs: Vec<String> = lesson_progress::Entity::find()
        .select_only()
        .column(lesson::Column::Slug)
        .join(JoinType::InnerJoin, lesson_progress::Relation::Lesson.def())
        .filter(lesson_progress::Column::UserId.eq(user_id))
        .filter(lesson::Column::CourseId.eq(course_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(slugs.into_iter().collect())
}

/// One line of "Khoá học của tôi".
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MyCourse {
    pub course_id: String,
    pub title: String,
    pub due_date: Option<NaiveDate>,
    pub lessons_total: u32,
    pub lessons_read: u32,
    /// Due date passed and the course not completed.
    pub overdue: bool,
    /// Every lesson read and the completion quiz (if any) passed.
    pub completed: bool,
    /// The first lesson not yet read, where "continue" leads.
    pub next_lesson: Option<String>,
}

impl MyCourse {
    pub fn percent(&self) -> u32 {
        (self.lessons_read * 100).checked_div(self.lessons_total).unwrap_or(0)
    }
}

/// Every course `user_id` is enrolled in, with progress; three queries in all.
pub async fn my_courses(
    db: &impl ConnectionTrait,
    user_id: i64,
    today: NaiveDate,
) -> Result<Vec<MyCourse>, DbErr> {
    let enrolled: Vec<(enrollment::Model, Option<course::Model>)> = enrollment::Entity::find()
        .find_also_related(course::Entity)
        .filter(enrollment::Column::UserId.eq(user_id))
        .order_by_asc(enrollment::Column::EnrolledAt)
        .all(db)
        .await?;
    let course_ids: Vec<String> = enrolled.iter().map(|(e, _)| e.course_id.clone()).collect();
    let lessons: Vec<(i64, String, String)> = lesson::Entity::find()
        .select_only()
        .column(lesson::Column::Id)
        .column(lesson::Column::CourseId)
        .column(lesson::Column::Slug)
        .filter(lesson::Column::CourseId.is_in(course_ids.clone()))
        .filter(lesson::Column::Active.eq(true))
        .order_by_asc(lesson::Column::Position)
        .into_tuple()
        .all(db)
        .await?;
    let read: HashSet<i64> = lesson_progress::Entity::find()
        .select_only()
        .column(lesson_progress::Column::LessonId)
        .filter(lesson_progress::Column::UserId.eq(user_id))
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut by_course: HashMap<&str, Vec<(i64, &str)>> = HashMap::new();
    for (id, course_id, slug) in &lessons {
        by_course.entry(course_id).or_default().push((*id, slug));
    }
    Ok(enrolled
        .into_iter()
        .filter_map(|(e, c)| c.filter(|c| c.active).map(|c| (e, c)))
        .map(|(e, c)| {
            let lessons = by_course.get(c.id.as_str()).cloned().unwrap_or_default();
            let lessons_read = lessons.iter().filter(|(id, _)| read.contains(id)).count() as u32;
            let next_lesson =
                lessons.iter().find(|(id, _)| !read.contains(id)).map(|(_, slug)| slug.to_string());
            let lessons_total = lessons.len() as u32;
            MyCourse {
                overdue: e.due_date.is_some_and(|due| due < today) && e.completed_at.is_none(),
                completed: e.completed_at.is_some(),
                course_id: c.id,
                title: c.title,
                due_date: e.due_date,
                lessons_total,
                lessons_read,
                next_lesson,
            }
        })
        .collect())
}
