//! The JSON shapes of the API (also its OpenAPI schemas). Built from the
//! course library and core's records; nothing from a quiz beyond its title
//! and settings (the questions and answer keys belong to attempts).

use chrono::{DateTime, NaiveDate, Utc};
use daotao_content::course::{Course, Lesson, Quiz, TocEntry};
use daotao_core::entities::user;
use daotao_core::learning::progress::MyCourse;
use poem_openapi::{Enum, Object};

/// Credentials for `POST /session`.
#[derive(Debug, Object)]
pub struct LoginRequest {
    #[oai(validator(max_length = 200))]
    pub username: String,
    #[oai(validator(max_length = 1024))]
    pub password: String,
}

/// A new session.
#[derive(Debug, Object)]
pub struct SessionCreated {
    /// Send as `Authorization: Bearer <token>`. Shown once; only its hash is stored.
    pub token: String,
    /// When the session ends at the latest (it also ends after a while unused).
    pub expires_at: DateTime<Utc>,
    pub user: UserInfo,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum Role {
    Learner,
    Trainer,
    Admin,
}

impl From<user::Role> for Role {
    fn from(role: user::Role) -> Self {
        match role {
            user::Role::Learner => Role::Learner,
            user::Role::Trainer => Role::Trainer,
            user::Role::Admin => Role::Admin,
        }
    }
}

/// An account, as its owner sees it.
#[derive(Debug, Object)]
pub struct UserInfo {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    /// A one-time password is in use: every other API call answers 403 until a
    /// new password is set on the web site (`/account/password`).
    pub must_change_password: bool,
}

impl From<&user::Model> for UserInfo {
    fn from(u: &user::Model) -> Self {
        Self {
            id: u.id,
            username: u.username.clone(),
            full_name: u.full_name.clone(),
            role: u.role.into(),
            must_change_password: u.must_change_password,
        }
    }
}

/// A course in the catalog.
#[derive(Debug, Object)]
pub struct CatalogCourse {
    /// The course's folder name.
    pub id: String,
    pub title: String,
    pub summary: String,
    /// Estimated study hours.
    pub hours: u32,
    /// Whether a learner may enrol themself (`POST /courses/{course}/enrollment`).
    pub self_enrol: bool,
    /// How many lessons the course has.
    pub lessons: u32,
    /// Audience tags, e.g. `all-staff`.
    pub audience: Vec<String>,
}

impl From<&Course> for CatalogCourse {
    fn from(c: &Course) -> Self {
        Self {
            id: c.id.clone(),
            title: c.meta.title.clone(),
            summary: c.meta.summary.clone(),
            hours: c.meta.hours,
            self_enrol: c.meta.self_enrol,
            lessons: count(c.lessons.len()),
            audience: c.meta.audience.clone(),
        }
    }
}

/// A course with its lessons and quizzes; with the caller's enrolment and
/// progress when logged in.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CourseDetail {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub hours: u32,
    pub self_enrol: bool,
    pub audience: Vec<String>,
    /// In study order.
    pub lessons: Vec<LessonSummary>,
    pub quizzes: Vec<QuizSummary>,
    /// Only when logged in: whether the caller is enrolled.
    pub enrolled: Option<bool>,
    /// Only when logged in: lessons read out of all lessons.
    pub progress: Option<Progress>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LessonSummary {
    /// The file name without its order prefix and `.md`.
    pub id: String,
    pub title: String,
    /// Estimated reading time, if the trainer gave one.
    pub minutes: Option<u32>,
    /// Only when logged in: whether the caller has read it.
    pub read: Option<bool>,
}

/// A quiz's title and rules; its questions come with an attempt.
#[derive(Debug, Object)]
pub struct QuizSummary {
    pub id: String,
    pub title: String,
    /// The score, in percent, needed to pass.
    pub pass_percent: u32,
    /// 0: no time limit.
    pub time_limit_minutes: u32,
}

impl From<&Quiz> for QuizSummary {
    fn from(q: &Quiz) -> Self {
        Self {
            id: q.id.clone(),
            title: q.title.clone(),
            pass_percent: q.settings.pass_percent,
            time_limit_minutes: q.settings.time_limit_minutes,
        }
    }
}

#[derive(Debug, Object)]
pub struct Progress {
    pub read: u32,
    pub total: u32,
}

/// A rendered lesson.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LessonDetail {
    pub id: String,
    pub course_id: String,
    pub title: String,
    /// 1 for the first lesson of the course.
    pub number: u32,
    pub minutes: Option<u32>,
    /// Sanitised HTML of the lesson body. Links and images to the course's
    /// files are relative (`assets/...`): resolve them against `page`.
    pub html: String,
    /// The lesson's page on this site, e.g. `/courses/an-toan-so/mat-khau`.
    pub page: String,
    /// Whether `html` already starts with the title as a heading.
    pub title_in_body: bool,
    /// The lesson's sections (headings of level 2 and 3), to link to `#id` in `html`.
    pub toc: Vec<TocItem>,
    /// The lesson before this one, if any.
    pub previous: Option<LessonLink>,
    /// The lesson after this one, if any.
    pub next: Option<LessonLink>,
}

#[derive(Debug, Object)]
pub struct TocItem {
    pub level: u8,
    pub id: String,
    pub text: String,
}

impl From<&TocEntry> for TocItem {
    fn from(t: &TocEntry) -> Self {
        Self { level: t.level, id: t.id.clone(), text: t.text.clone() }
    }
}

#[derive(Debug, Object)]
pub struct LessonLink {
    pub id: String,
    pub title: String,
}

impl From<&Lesson> for LessonLink {
    fn from(l: &Lesson) -> Self {
        Self { id: l.id.clone(), title: l.title.clone() }
    }
}

/// The caller's enrolment in a course.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Enrollment {
    pub course_id: String,
    /// Set when someone else enrolled the caller with a deadline.
    pub due_date: Option<NaiveDate>,
    pub enrolled_at: DateTime<Utc>,
}

/// The caller's account and courses.
#[derive(Debug, Object)]
pub struct Me {
    pub user: UserInfo,
    /// The training programmes the caller must complete, where each stands today.
    pub programmes: Vec<MyProgrammeOut>,
    pub enrollments: Vec<MyEnrollment>,
    /// The competencies the caller holds (the highest level awarded of each).
    pub competencies: Vec<MyCompetency>,
}

/// A required training programme of the caller, as `courses/programmes.toml` names it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MyProgrammeOut {
    pub id: String,
    pub title: String,
    /// 1, then one more for each renewal.
    pub cycle: i32,
    /// `due`, `overdue`, `renewal_open`, `valid` or `expired`.
    pub status: String,
    pub due_on: chrono::NaiveDate,
    pub completed_on: Option<chrono::NaiveDate>,
    /// Until when the completion the caller holds is valid; none: it never expires (or none yet).
    pub valid_until: Option<chrono::NaiveDate>,
}

/// A competency held, with the evidence of the award that gave its level.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MyCompetency {
    pub code: String,
    pub name: String,
    pub area: String,
    pub level: i32,
    pub level_name: String,
    pub course_id: String,
    /// The quiz attempt that earned it (`GET /api/v1/attempts/{id}`).
    pub attempt_id: Option<i64>,
    pub score_percent: Option<f64>,
    pub awarded_at: DateTime<Utc>,
}

impl From<daotao_core::learning::awards::Held> for MyCompetency {
    fn from(h: daotao_core::learning::awards::Held) -> Self {
        Self {
            code: h.code,
            name: h.name,
            area: h.area,
            level: h.level,
            level_name: h.level_name,
            course_id: h.award.course_id,
            attempt_id: h.award.attempt_id,
            score_percent: h.award.score_percent,
            awarded_at: h.award.awarded_at,
        }
    }
}

/// One of the caller's courses, with progress.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MyEnrollment {
    pub course_id: String,
    pub title: String,
    pub due_date: Option<NaiveDate>,
    pub lessons_read: u32,
    pub lessons_total: u32,
    /// Every lesson read and the completion quiz passed.
    pub completed: bool,
    /// The due date has passed and the course is not completed.
    pub overdue: bool,
    /// The first lesson not read yet (where to continue); none when all are read.
    pub next_lesson: Option<String>,
}

impl From<MyCourse> for MyEnrollment {
    fn from(c: MyCourse) -> Self {
        Self {
            course_id: c.course_id,
            title: c.title,
            due_date: c.due_date,
            lessons_read: c.lessons_read,
            lessons_total: c.lessons_total,
            overdue: c.overdue,
            completed: c.completed,
            next_lesson: c.next_lesson,
        }
    }
}

/// A length as a JSON count.
pub fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
