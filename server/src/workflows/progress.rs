//! A learner's progress in a course: where they are (enrolled, lessons read, what comes next, completed),
//! and marking a lesson read, which may complete the course.

use std::collections::HashSet;

use daotao_content::course::Course;
use daotao_core::learning::completion;
use daotao_core::learning::enrollment;
use daotao_core::learning::progress::{ProgressError, mark_read as record_read, read_lessons};
use sea_orm::{DatabaseConnection, DbErr};

/// A logged-in learner's place in a course.
pub struct Track {
    pub enrolled: bool,
    /// Lessons read (counted only while enrolled).
    pub read: HashSet<String>,
    /// The first lesson not read yet.
    pub next: Option<String>,
    /// Every lesson read and the completion quiz passed.
    pub completed: bool,
}

impl Track {
    /// Looks up `user_id`'s enrolment and lessons read in `of`.
    pub async fn load(db: &DatabaseConnection, user_id: i64, of: &Course) -> Result<Track, DbErr> {
        let enrollment = enrollment::find(db, user_id, &of.id).await?;
        let enrolled = enrollment.is_some();
        let completed = enrollment.is_some_and(|e| e.completed_at.is_some());
        let read = if enrolled { read_lessons(db, user_id, &of.id).await? } else { HashSet::new() };
        let next = of.lessons.iter().find(|l| !read.contains(&l.id)).map(|l| l.id.clone());
        Ok(Track { enrolled, read, next, completed })
    }

    /// Lessons of `course` read (a lesson since removed from the course does not count).
    pub fn read_in(&self, course: &Course) -> usize {
        course.lessons.iter().filter(|l| self.read.contains(&l.id)).count()
    }
}

/// Marks a lesson read (again: nothing changes) and completes the course when this was what was missing.
/// The learner must be enrolled.
pub async fn mark_read(
    db: &DatabaseConnection,
    user_id: i64,
    course: &Course,
    lesson_id: &str,
) -> Result<(), ProgressError> {
    record_read(db, user_id, &course.id, lesson_id).await?;
    completion::check(db, user_id, course, chrono::Utc::now()).await?;
    Ok(())
}
