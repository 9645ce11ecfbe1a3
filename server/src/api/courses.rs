//! The catalog, a course, a lesson; enrolling oneself and marking lessons read.

use std::collections::HashSet;
use std::sync::Arc;

use daotao_content::course::Course;
use daotao_core::learning::completion;
use daotao_core::learning::enrollment::{self, EnrollError};
use daotao_core::learning::progress::{ProgressError, mark_read, read_lessons};
use daotao_core::platform::audit::{self, Event};
use poem::Request;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::{Json, Response};
use poem_openapi::{ApiResponse, OpenApi};

use super::caller::{Caller, MaybeCaller};
use super::error::ApiError;
use super::models::{
    CatalogCourse, CourseDetail, Enrollment, LessonDetail, LessonLink, LessonSummary, Progress, QuizSummary,
    TocItem, count,
};
use super::{ApiTags, public};
use crate::auth;
use crate::state::AppState;

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

fn no_course(id: &str) -> ApiError {
    ApiError::NotFound(format!("no course `{id}`"))
}

fn no_lesson(course: &str, lesson: &str) -> ApiError {
    ApiError::NotFound(format!("no lesson `{lesson}` in course `{course}`"))
}

/// Reading a course or lesson without logging in may be switched off (`anonymous_reading`).
fn may_read(state: &AppState, caller: &MaybeCaller) -> Result<(), ApiError> {
    if caller.0.is_none() && !state.auth.anonymous_reading { Err(ApiError::LoginRequired) } else { Ok(()) }
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
        caller: MaybeCaller,
        course: Path<String>,
    ) -> Result<Response<Json<CourseDetail>>, ApiError> {
        may_read(&state, &caller)?;
        let course = state.library().courses.get(&course.0).cloned().ok_or_else(|| no_course(&course.0))?;
        let track = match &caller.0 {
            Some(caller) => Some(Track::load(&state, caller.user().id, &course).await?),
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
            progress: track.as_ref().map(|t| Progress {
                read: count(course.lessons.iter().filter(|l| t.read.contains(&l.id)).count()),
                total: count(course.lessons.len()),
            }),
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
        caller: MaybeCaller,
        course: Path<String>,
        lesson: Path<String>,
    ) -> Result<Response<Json<LessonDetail>>, ApiError> {
        may_read(&state, &caller)?;
        let library = state.library();
        let found = library.courses.get(&course.0).ok_or_else(|| no_course(&course.0))?;
        let (index, l) = found.lesson(&lesson.0).ok_or_else(|| no_lesson(&course.0, &lesson.0))?;
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
        let result = enrollment::self_enrol(&state.db, &course.0, user.id).await;
        let ip = auth::client_ip(req);
        let (outcome, detail) = match &result {
            Ok(_) => ("success", String::new()),
            Err(e) => ("failure", e.to_string()),
        };
        let event = Event {
            user_id: Some(user.id),
            actor: &user.username,
            action: "enrol",
            target: &course.0,
            ip: &ip,
            result: outcome,
            detail: &detail,
        };
        audit::record(&state.db, event).await.map_err(ApiError::internal)?;
        let created = match result {
            Ok(created) => created,
            Err(EnrollError::UnknownCourse(_)) => return Err(no_course(&course.0)),
            Err(EnrollError::NotSelfEnrol(_)) => {
                return Err(ApiError::Forbidden(format!(
                    "course `{}` does not allow self-enrolment; ask your training officer",
                    course.0
                )));
            }
            Err(e) => return Err(ApiError::internal(e)),
        };
        let row = enrollment::find(&state.db, user.id, &course.0)
            .await
            .map_err(ApiError::internal)?
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
        let found = library.courses.get(&course.0).ok_or_else(|| no_course(&course.0))?;
        found.lesson(&lesson.0).ok_or_else(|| no_lesson(&course.0, &lesson.0))?;
        match mark_read(&state.db, caller.user().id, &course.0, &lesson.0).await {
            Ok(()) => {
                if let Some(found) = state.library().courses.get(&course.0) {
                    completion::check(&state.db, caller.user().id, found, chrono::Utc::now())
                        .await
                        .map_err(ApiError::internal)?;
                }
                Ok(MarkedRead::Done)
            }
            Err(ProgressError::NotEnrolled(_)) => {
                Err(ApiError::Forbidden(format!("not enrolled in course `{}`", course.0)))
            }
            Err(ProgressError::UnknownLesson(..)) => Err(no_lesson(&course.0, &lesson.0)),
            Err(e) => Err(ApiError::internal(e)),
        }
    }
}

/// The caller's place in a course: enrolled, and the lessons read (counted only while enrolled).
struct Track {
    enrolled: bool,
    read: HashSet<String>,
}

impl Track {
    async fn load(state: &AppState, user_id: i64, course: &Course) -> Result<Track, ApiError> {
        let enrolled =
            enrollment::find(&state.db, user_id, &course.id).await.map_err(ApiError::internal)?.is_some();
        let read = if enrolled {
            read_lessons(&state.db, user_id, &course.id).await.map_err(ApiError::internal)?
        } else {
            HashSet::new()
        };
        Ok(Track { enrolled, read })
    }
}
