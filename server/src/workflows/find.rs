//! A course, lesson or quiz by the ids in an address, or [`AppError::NotFound`] with the API's words
//! (pages show their 404 page for the same).

use std::sync::Arc;

use daotao_content::course::{Course, Lesson, Library, Quiz};

use crate::error::AppError;

pub fn course<'a>(library: &'a Library, id: &str) -> Result<&'a Arc<Course>, AppError> {
    library.courses.get(id).ok_or_else(|| AppError::NotFound(format!("no course `{id}`")))
}

/// The lesson with its course and its place in the course (0 for the first).
pub fn lesson<'a>(
    library: &'a Library,
    course_id: &str,
    lesson_id: &str,
) -> Result<(&'a Arc<Course>, usize, &'a Lesson), AppError> {
    let found = course(library, course_id)?;
    let (index, lesson) = found
        .lesson(lesson_id)
        .ok_or_else(|| AppError::NotFound(format!("no lesson `{lesson_id}` in course `{course_id}`")))?;
    Ok((found, index, lesson))
}

pub fn quiz<'a>(course: &'a Course, quiz_id: &str) -> Result<&'a Quiz, AppError> {
    course
        .quizzes
        .iter()
        .find(|q| q.id == quiz_id)
        .ok_or_else(|| AppError::NotFound(format!("no quiz `{quiz_id}` in course `{}`", course.id)))
}
