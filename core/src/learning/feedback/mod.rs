//! Course feedback (#19): a learner who completed a course answers its questionnaire once, and nobody, not even
//! an admin with SQL, can tell which answer is theirs.
//!
//! How the link is broken (the guide for people is `docs/course-feedback.md`):
//! - One transaction writes that the person answered (`feedback_answered`: user and course, nothing else) and
//!   puts the answer in the course's pending pool (`feedback_pending`), so a crash loses neither or both.
//! - In the same transaction the pool is mixed ([`mix_pool`]): when at least [`results::MIN_GROUP`] answers
//!   wait, all of them move to `feedback_responses` in random order under new random ids, and leave the pool.
//!   Results read only `feedback_responses`, so a published group is never smaller than that.
//! - An answer keeps only its month and the learner's unit; ids are random; the SQLite tables have no rowid.
//! - On PostgreSQL, rows written by one transaction share `xmin`, and `ctid` follows the order rows were
//!   written. So every answer's transaction rewrites, in random order, the course's whole pool and all of its
//!   `feedback_answered` rows: each then carries that transaction's `xmin`, and neither `xmin` nor `ctid` tells
//!   the newest answer or the newest person apart from the others. Answers of one course are serialised by an
//!   advisory lock, so several servers can take answers at once.
//!
//! What is left (written in the guide): someone who watches the database between two answers, or reads its
//! files, dead rows or write-ahead log, sees what changed; and a unit with a single respondent names them.

pub mod results;

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Datelike, Utc};
use daotao_content::course::Questionnaire;
use daotao_content::text::nfc;
use rand::seq::SliceRandom;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QuerySelect, SqlErr, TransactionTrait,
};

use crate::entities::{enrollment, feedback_answered, feedback_pending, feedback_response, user};
use crate::platform::local_time;

/// The longest comment, in characters: room for a paragraph, not for a pasted document.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// Rows written per statement when the pool or the answered list is rewritten (PostgreSQL's bind limit).
const CHUNK: usize = 5000;

/// A learner's answer as the form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    /// By item id; each 1 to 5.
    pub scores: BTreeMap<String, u8>,
    pub comment: String,
}

/// Why an answer was not taken.
#[derive(Debug, thiserror::Error)]
pub enum FeedbackError {
    /// Only enrolled learners who completed the course answer its questionnaire.
    #[error("not a learner who completed this course")]
    NotCompleted,
    #[error("already answered")]
    AlreadyAnswered,
    /// The items left without a score (by id), or a score out of range; the form shows it again.
    #[error("items without a score: {0:?}")]
    Unanswered(Vec<String>),
    #[error("the comment has {0} characters; the limit is {MAX_COMMENT_CHARS}")]
    CommentTooLong(usize),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Scores by item id, as stored: `item-id=score` joined by `,` (item ids are `[a-z0-9-]`, so this is unambiguous).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scores(pub Vec<(String, u8)>);

impl Scores {
    pub fn encode(&self) -> String {
        self.0.iter().map(|(id, score)| format!("{id}={score}")).collect::<Vec<_>>().join(",")
    }

    /// Pairs that do not read as `id=1..5` are skipped: a row edited by hand cannot break the results page.
    pub fn decode(s: &str) -> Self {
        Scores(
            s.split(',')
                .filter_map(|pair| {
                    let (id, score) = pair.split_once('=')?;
                    let score: u8 = score.parse().ok()?;
                    (1..=5).contains(&score).then(|| (id.to_string(), score))
                })
                .collect(),
        )
    }

    /// Whether the average is 4 or more ("satisfied"), compared exactly in integers.
    pub fn satisfied(&self) -> bool {
        let sum: u32 = self.0.iter().map(|(_, s)| u32::from(*s)).sum();
        !self.0.is_empty() && sum >= 4 * self.0.len() as u32
    }
}

/// Checks an answer against the questionnaire: every item scored 1 to 5, nothing else; the comment trimmed, in
/// NFC, not too long.
pub fn validate(questionnaire: &Questionnaire, answer: &Answer) -> Result<(Scores, String), FeedbackError> {
    let missing: Vec<String> = questionnaire
        .items
        .iter()
        .filter(|item| !answer.scores.get(&item.id).is_some_and(|s| (1..=5).contains(s)))
        .map(|item| item.id.clone())
        .collect();
    if !missing.is_empty() {
        return Err(FeedbackError::Unanswered(missing));
    }
    let comment = nfc(answer.comment.trim());
    let chars = comment.chars().count();
    if chars > MAX_COMMENT_CHARS {
        return Err(FeedbackError::CommentTooLong(chars));
    }
    let scores = questionnaire.items.iter().map(|item| (item.id.clone(), answer.scores[&item.id])).collect();
    Ok((Scores(scores), comment))
}

/// The month an answer keeps, `YYYY-MM` in Viet Nam's time.
pub fn month_of(at: DateTime<Utc>) -> String {
    let day = local_time::date_of(at);
    format!("{:04}-{:02}", day.year(), day.month())
}

/// Takes a learner's answer: records that they answered and pools the answer, mixing the pool, in one
/// transaction. Refused when they are not enrolled, have not completed the course, or answered already.
pub async fn submit(
    db: &DatabaseConnection,
    user_id: i64,
    course_id: &str,
    questionnaire: &Questionnaire,
    answer: &Answer,
    now: DateTime<Utc>,
) -> Result<(), FeedbackError> {
    let (scores, comment) = validate(questionnaire, answer)?;
    let txn = db.begin().await?;
    let postgres = txn.get_database_backend() == DatabaseBackend::Postgres;
    if postgres {
        lock_course(&txn, course_id).await?;
    }
    // The write first: on SQLite it takes the database's one write lock before anything is read.
    let answered = feedback_answered::ActiveModel {
        course_id: sea_orm::Set(course_id.to_string()),
        user_id: sea_orm::Set(user_id),
    };
    match feedback_answered::Entity::insert(answered).exec_without_returning(&txn).await {
        Ok(_) => {}
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(FeedbackError::AlreadyAnswered);
        }
        Err(e) => return Err(e.into()),
    }
    let completed = crate::learning::enrollment::find(&txn, user_id, course_id)
        .await?
        .is_some_and(|e| e.completed_at.is_some());
    if !completed {
        return Err(FeedbackError::NotCompleted);
    }
    let unit_id = user::Entity::find_by_id(user_id)
        .select_only()
        .column(user::Column::UnitId)
        .into_tuple::<Option<i64>>()
        .one(&txn)
        .await?
        .flatten();
    let fresh = feedback_pending::Model {
        id: random_id(),
        course_id: course_id.to_string(),
        month: month_of(now),
        unit_id,
        scores: scores.encode(),
        comment,
    };
    mix_pool(&txn, course_id, Some(fresh)).await?;
    if postgres {
        rewrite_answered(&txn, course_id).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Mixes a course's pending pool (with `fresh` added): at least [`results::MIN_GROUP`] answers are published
/// together in random order under new ids; fewer stay pending (on PostgreSQL rewritten in random order under
/// new ids, see the module's doc). Running it again changes nothing a reader can use. Call it inside the
/// transaction that holds the course's lock.
pub async fn mix_pool(
    txn: &impl ConnectionTrait,
    course_id: &str,
    fresh: Option<feedback_pending::Model>,
) -> Result<(), DbErr> {
    let postgres = txn.get_database_backend() == DatabaseBackend::Postgres;
    let mut query = feedback_pending::Entity::find().filter(feedback_pending::Column::CourseId.eq(course_id));
    if postgres {
        query = query.lock_exclusive();
    }
    let mut pool = query.all(txn).await?;
    let had = pool.len();
    pool.extend(fresh);
    if pool.is_empty() {
        return Ok(());
    }
    let publish = results::shown(pool.len());
    if !publish && !postgres {
        // SQLite: a table without rowid keeps no order but its random ids', so only the new answer is written.
        if let Some(row) = pool.into_iter().nth(had) {
            feedback_pending::Entity::insert(feedback_pending::ActiveModel::from(row))
                .exec_without_returning(txn)
                .await?;
        }
        return Ok(());
    }
    if had > 0 {
        feedback_pending::Entity::delete_many()
            .filter(feedback_pending::Column::CourseId.eq(course_id))
            .exec(txn)
            .await?;
    }
    pool.shuffle(&mut rand::rng());
    for chunk in pool.chunks(CHUNK) {
        if publish {
            let rows = chunk.iter().map(|p| {
                feedback_response::ActiveModel::from(feedback_response::Model {
                    id: random_id(),
                    course_id: p.course_id.clone(),
                    month: p.month.clone(),
                    unit_id: p.unit_id,
                    scores: p.scores.clone(),
                    comment: p.comment.clone(),
                })
            });
            feedback_response::Entity::insert_many(rows).exec_without_returning(txn).await?;
        } else {
            let rows = chunk.iter().map(|p| {
                feedback_pending::ActiveModel::from(feedback_pending::Model { id: random_id(), ..p.clone() })
            });
            feedback_pending::Entity::insert_many(rows).exec_without_returning(txn).await?;
        }
    }
    Ok(())
}

/// A random 128-bit id in hex: nothing in it follows the order rows were written.
pub fn random_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// Serialises answers to one course across servers (PostgreSQL; SQLite has one writer).
async fn lock_course(txn: &impl ConnectionTrait, course_id: &str) -> Result<(), DbErr> {
    // FNV-1a over a prefix and the id: a stable key no other advisory lock of the platform uses.
    let key = format!("daotao.feedback:{course_id}")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    crate::platform::db::advisory_lock(txn, key as i64).await
}

/// Rewrites a course's `feedback_answered` rows in random order (PostgreSQL): all then share this transaction's
/// `xmin`, and their `ctid` order is random, so the newest person cannot be told from the others.
async fn rewrite_answered(txn: &impl ConnectionTrait, course_id: &str) -> Result<(), DbErr> {
    let mut users: Vec<i64> = feedback_answered::Entity::find()
        .select_only()
        .column(feedback_answered::Column::UserId)
        .filter(feedback_answered::Column::CourseId.eq(course_id))
        .into_tuple()
        .all(txn)
        .await?;
    users.shuffle(&mut rand::rng());
    feedback_answered::Entity::delete_many()
        .filter(feedback_answered::Column::CourseId.eq(course_id))
        .exec(txn)
        .await?;
    for chunk in users.chunks(CHUNK) {
        let rows = chunk.iter().map(|&user_id| feedback_answered::ActiveModel {
            course_id: sea_orm::Set(course_id.to_string()),
            user_id: sea_orm::Set(user_id),
        });
        feedback_answered::Entity::insert_many(rows).exec_without_returning(txn).await?;
    }
    Ok(())
}

/// Whether a person answered a course's questionnaire.
pub async fn has_answered(db: &impl ConnectionTrait, user_id: i64, course_id: &str) -> Result<bool, DbErr> {
    Ok(feedback_answered::Entity::find_by_id((course_id.to_string(), user_id)).one(db).await?.is_some())
}

/// The courses a person completed and has not answered the questionnaire of, in id order (the caller keeps
/// those whose course asks for feedback).
pub async fn awaiting(db: &impl ConnectionTrait, user_id: i64) -> Result<Vec<String>, DbErr> {
    let completed: Vec<String> = enrollment::Entity::find()
        .select_only()
        .column(enrollment::Column::CourseId)
        .filter(enrollment::Column::UserId.eq(user_id))
        .filter(enrollment::Column::CompletedAt.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let answered: HashSet<String> = feedback_answered::Entity::find()
        .select_only()
        .column(feedback_answered::Column::CourseId)
        .filter(feedback_answered::Column::UserId.eq(user_id))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut awaiting: Vec<String> = completed.into_iter().filter(|c| !answered.contains(c)).collect();
    awaiting.sort();
    Ok(awaiting)
}

/// Answers still waiting in a course's pool (never shown to anyone: for the admin's status and the tests).
pub async fn pending_count(db: &impl ConnectionTrait, course_id: &str) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    feedback_pending::Entity::find().filter(feedback_pending::Column::CourseId.eq(course_id)).count(db).await
}

/// Published answers of a course.
pub async fn published_count(db: &impl ConnectionTrait, course_id: &str) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    feedback_response::Entity::find()
        .filter(feedback_response::Column::CourseId.eq(course_id))
        .count(db)
        .await
}
