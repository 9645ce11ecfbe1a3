//! What an admin looks at about one person besides their enrollments: how they sign in (a password, or a
//! provider and the subject it knows them by), their quiz attempts (newest first, with course, quiz, score and
//! result) and the competencies awarded to them (with the course that is the evidence). Attempts and
//! competencies come a page at a time from one joined query and one count, so a person with many attempts
//! costs the same as one with few; the indexes on `quiz_attempts (user_id, quiz_id, number)` and
//! `competency_awards (user_id, code, course_id)` serve the `user_id` filter.

use chrono::{DateTime, Utc};
use daotao_content::course::Competency;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::entities::user::{self, Provider};
use crate::entities::{competency_award, course, quiz, quiz_attempt};
use crate::platform::paging::{Page, Paging};

/// How a person signs in: with a local password, or through a provider that knows them as `subject`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInSource {
    Password,
    SingleSignOn { provider: Provider, subject: String },
}

impl SignInSource {
    /// From the account's link columns; a provider without a subject (never written) counts as none.
    pub fn of(account: &user::Model) -> Self {
        match (account.sso_provider, &account.sso_subject) {
            (Some(provider), Some(subject)) => Self::SingleSignOn { provider, subject: subject.clone() },
            _ => Self::Password,
        }
    }
}

/// One quiz attempt as the admin's list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptLine {
    pub id: i64,
    pub course_id: String,
    /// `None` when the course has left the catalog.
    pub course_title: Option<String>,
    pub quiz_title: Option<String>,
    /// 1 for the person's first attempt at this quiz, 2 for the next, ...
    pub number: i32,
    /// Score in percent (0..=100), once graded.
    pub percent: Option<f64>,
    pub passed: Option<bool>,
    pub started_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
}

impl AttemptLine {
    /// When it ended (submitted or closed), else when it started.
    pub fn date(&self) -> DateTime<Utc> {
        self.submitted_at.unwrap_or(self.started_at)
    }
}

/// One competency award: the level reached and the course whose completion is the evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct CompetencyLine {
    pub code: String,
    /// From the competency framework; `None` if the framework no longer names the code.
    pub name: Option<String>,
    pub level: i32,
    pub awarded_at: DateTime<Utc>,
    pub course_id: String,
    pub course_title: Option<String>,
    /// The score of the passing attempt, when the course has a completion quiz.
    pub score_percent: Option<f64>,
}

/// Page `page` (from 0; past the end means the last) of `user_id`'s quiz attempts, newest first.
pub async fn attempts(
    db: &impl ConnectionTrait,
    user_id: i64,
    page: u64,
    per_page: u64,
) -> Result<Page<AttemptLine>, DbErr> {
    let total =
        quiz_attempt::Entity::find().filter(quiz_attempt::Column::UserId.eq(user_id)).count(db).await?;
    let paging = Paging::clamped(page, per_page, total);
    type Row = (
        i64,
        String,
        Option<String>,
        Option<String>,
        i32,
        Option<f64>,
        Option<bool>,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
    );
    let rows: Vec<Row> = quiz_attempt::Entity::find()
        .select_only()
        .column(quiz_attempt::Column::Id)
        .column(quiz_attempt::Column::CourseId)
        .column_as(Expr::col((course::Entity, course::Column::Title)), "course_title")
        .column_as(Expr::col((quiz::Entity, quiz::Column::Title)), "quiz_title")
        .column(quiz_attempt::Column::Number)
        .column(quiz_attempt::Column::Percent)
        .column(quiz_attempt::Column::Passed)
        .column(quiz_attempt::Column::StartedAt)
        .column(quiz_attempt::Column::SubmittedAt)
        .join(
            JoinType::LeftJoin,
            quiz_attempt::Entity::belongs_to(quiz::Entity)
                .from(quiz_attempt::Column::QuizId)
                .to(quiz::Column::Id)
                .into(),
        )
        .join(
            JoinType::LeftJoin,
            quiz_attempt::Entity::belongs_to(course::Entity)
                .from(quiz_attempt::Column::CourseId)
                .to(course::Column::Id)
                .into(),
        )
        .filter(quiz_attempt::Column::UserId.eq(user_id))
        .order_by_desc(quiz_attempt::Column::StartedAt)
        .order_by_desc(quiz_attempt::Column::Id)
        .offset(paging.offset())
        .limit(paging.limit())
        .into_tuple()
        .all(db)
        .await?;
    let lines = rows
        .into_iter()
        .map(
            |(id, course_id, course_title, quiz_title, number, percent, passed, started_at, submitted_at)| {
                AttemptLine {
                    id,
                    course_id,
                    course_title,
                    quiz_title,
                    number,
                    percent,
                    passed,
                    started_at,
                    submitted_at,
                }
            },
        )
        .collect();
    Ok(paging.page_of(lines, total))
}

/// Page `page` (from 0; past the end means the last) of the competencies awarded to `user_id`, by code then
/// highest level first; names come from `framework`.
pub async fn competencies(
    db: &impl ConnectionTrait,
    user_id: i64,
    framework: &[Competency],
    page: u64,
    per_page: u64,
) -> Result<Page<CompetencyLine>, DbErr> {
    let total = competency_award::Entity::find()
        .filter(competency_award::Column::UserId.eq(user_id))
        .count(db)
        .await?;
    let paging = Paging::clamped(page, per_page, total);
    type Row = (String, i32, DateTime<Utc>, String, Option<String>, Option<f64>);
    let rows: Vec<Row> = competency_award::Entity::find()
        .select_only()
        .column(competency_award::Column::Code)
        .column(competency_award::Column::Level)
        .column(competency_award::Column::AwardedAt)
        .column(competency_award::Column::CourseId)
        .column_as(Expr::col((course::Entity, course::Column::Title)), "course_title")
        .column(competency_award::Column::ScorePercent)
        .join(
            JoinType::LeftJoin,
            competency_award::Entity::belongs_to(course::Entity)
                .from(competency_award::Column::CourseId)
                .to(course::Column::Id)
                .into(),
        )
        .filter(competency_award::Column::UserId.eq(user_id))
        .order_by_asc(competency_award::Column::Code)
        .order_by_desc(competency_award::Column::Level)
        .order_by_asc(competency_award::Column::AwardedAt)
        .offset(paging.offset())
        .limit(paging.limit())
        .into_tuple()
        .all(db)
        .await?;
    let lines = rows
        .into_iter()
        .map(|(code, level, awarded_at, course_id, course_title, score_percent)| CompetencyLine {
            name: framework.iter().find(|c| c.code == code).map(|c| c.name.clone()),
            code,
            level,
            awarded_at,
            course_id,
            course_title,
            score_percent,
        })
        .collect();
    Ok(paging.page_of(lines, total))
}
