//! The catalog, a course, a lesson; enrolling oneself and marking lessons read.

use std::sync::Arc;

use daotao_core::learning::enrollment;
use poem::Request;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::{Json, Response};
use poem_openapi::{ApiResponse, OpenApi};

use super::caller::{Caller, Reader};
use super::error::ApiError;
use super::models::{
    CatalogCourse, CourseDetail, Enrollment, LessonDetail, LessonLink, LessonSummary, Progress, QuizSummary,
    TocItem, count,
};
use super::{ApiTags, public};
use crate::auth;
use crate::state::AppState;
use crate::workflows::progress::{self, Track};
use crate::workflows::{Actor, enrolment, find};

pub struct CoursesApi;

#[derive(ApiResponse)]
pub enum EnrolResponse {
    /// Enrolled now.
    #[oai(status = 201)]
    Created(Json<Enrollment>),
    /// Was already enrolled; nothing changed.
    #[oai(status = 200)]
    AlreadyEnrolled(Json<Enrollment>),
}

#[derive(ApiResponse)]
pub enum MarkedRead {
    /// Recorded (marking a lesson read again changes nothing).
    #[oai(status = 204)]
    Done,
}

#[OpenApi(tag = "ApiTags::Courses")]
impl CoursesApi {
    /// The course catalog
    #[oai(path = "/courses", method = "get")]
    async fn catalog(&self, state: Data<&Arc<AppState>>) -> Response<Json<Vec<CatalogCourse>>> {
        let library = state.library();
        public(Json(library.courses.values().map(|c| CatalogCourse::from(&**c)).collect()))
    }

    /// A course
    ///
    /// Its lessons and quizzes; when logged in, also whether the caller is
    /// enrolled and which lessons they have read.
    #[oai(path = "/courses/:course", method = "get")]
    async fn course(
        &self,
        state: Data<&Arc<AppState>>,
        course: Path<String>,
        reader: Reader,
    ) -> Result<Response<Json<CourseDetail>>, ApiError> {
        let course = find::course(&state.library(), &course.0)?.clone();
        let track = match &reader.0 {
            Some(caller) => Some(Track::load(&state.db, caller.user().id, &course).await?),
            None => None,
        };
        let detail = CourseDetail {
            id: course.id.clone(),
            title: course.meta.title.clone(),
            summary: course.meta.summary.clone(),
            hours: course.meta.hours,
            self_enrol: course.meta.self_enrol,
            audience: course.meta.audience.clone(),
            lessons: course
                .lessons
                .iter()
                .map(|l| LessonSummary {
                    id: l.id.clone(),
                    title: l.title.clone(),
                    minutes: l.minutes,
                    read: track.as_ref().map(|t| t.read.contains(&l.id)),
                })
                .collect(),
            quizzes: course.quizzes.iter().map(QuizSummary::from).collect(),
            enrolled: track.as_ref().map(|t| t.enrolled),
            progress: track
                .as_ref()
                .map(|t| Progress { read: count(t.read_in(&course)), total: count(course.lessons.len()) }),
        };
        // With personal parts the answer is private (the API's default: `no-store`).
        Ok(if track.is_some() { Response::new(Json(detail)) } else { public(Json(detail)) })
    }

    /// A lesson
    ///
    /// Rendered to sanitised HTML, with its table of contents and neighbours.
    #[oai(path = "/courses/:course/lessons/:lesson", method = "get")]
    async fn lesson(
        &self,
        state: Data<&Arc<AppState>>,
        course: Path<String>,
        lesson: Path<String>,
        _reader: Reader,
    ) -> Result<Response<Json<LessonDetail>>, ApiError> {
        let library = state.library();
        let (found, index, l) = find::lesson(&library, &course.0, &lesson.0)?;
        Ok(public(Json(LessonDetail {
            id: l.id.clone(),
            course_id: found.id.clone(),
            title: l.title.clone(),
            number: count(index + 1),
            minutes: l.minutes,
            html: l.html.clone(),
            page: format!("/courses/{}/{}", found.id, l.id),
            title_in_body: l.title_in_body,
            toc: l.toc.iter().map(TocItem::from).collect(),
            previous: index.checked_sub(1).and_then(|i| found.lessons.get(i)).map(LessonLink::from),
            next: found.lessons.get(index + 1).map(LessonLink::from),
        })))
    }

    /// Enrol myself
    ///
    /// Only in courses that allow self-enrolment (403 otherwise). Enrolling
    /// again changes nothing (200).
    #[oai(
        path = "/courses/:course/enrollment",
        method = "post",
        request_header(
            name = "X-CSRF-Token",
            ty = "Option<String>",
            description = "Required when authenticated by the session cookie."
        )
    )]
    async fn enrol(
        &self,
        req: &Request,
        state: Data<&Arc<AppState>>,
        caller: Caller,
        course: Path<String>,
    ) -> Result<EnrolResponse, ApiError> {
        let user = caller.user();
        let actor = Actor { user, ip: auth::client_ip(req) };
        let created = enrolment::self_enrol(&state.db, &actor, &course.0).await?;
        let row = enrollment::find(&state.db, user.id, &course.0)
            .await?
            .ok_or_else(|| ApiError::internal("enrollment missing right after enrolling"))?;
        let body = Json(Enrollment {
            course_id: row.course_id,
            due_date: row.due_date,
            enrolled_at: row.enrolled_at,
        });
        Ok(if created { EnrolResponse::Created(body) } else { EnrolResponse::AlreadyEnrolled(body) })
    }

    /// Mark a lesson read
    ///
    /// The caller must be enrolled in the course (403 otherwise).
    #[oai(
        path = "/courses/:course/lessons/:lesson/progress",
        method = "put",
        request_header(
            name = "X-CSRF-Token",
            ty = "Option<String>",
            description = "Required when authenticated by the session cookie."
        )
    )]
    async fn mark_read(
        &self,
        state: Data<&Arc<AppState>>,
        caller: Caller,
        course: Path<String>,
        lesson: Path<String>,
    ) -> Result<MarkedRead, ApiError> {
        let library = state.library();
        let (found, _, _) = find::lesson(&library, &course.0, &lesson.0)?;
        progress::mark_read(&state.db, caller.user().id, found, &lesson.0).await?;
        Ok(MarkedRead::Done)
    }
}
