//! Quiz attempts in the database: start, save answers, submit, close at the deadline, list and review.
//!
//! Every rule is enforced here, on server time: only enrolled learners start; the attempt limit; only the owner
//! reads or changes an attempt (anyone else gets `NotFound`, as if it did not exist); answers are frozen once
//! submitted; an attempt past its deadline is graded on the answers saved in time. Submitting twice grades once:
//! the grading `UPDATE` only touches a row whose `submitted_at` is still empty, and a loser of that race reads
//! the winner's result.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use daotao_content::course::{Course, Library, Quiz};
use daotao_content::quiz::grade::{Answer, Answers, Score, grade_all, passes};
use daotao_content::quiz::review::{self, ReviewedQuestion};
use daotao_content::quiz::{Kind, Question, draw};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, SqlErr,
};

use crate::entities::{quiz, quiz_attempt, quiz_attempt_item, user};
use crate::platform::group_commit;

/// How late a submission may arrive and still count its answers: the countdown in the page submits at zero,
/// and the request needs a moment to arrive.
pub const DEADLINE_GRACE: Duration = Duration::seconds(5);

/// Largest answer text accepted for one question (a short answer is a few words).
pub const MAX_TEXT_ANSWER_CHARS: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum AttemptError {
    #[error("not enrolled in course `{0}`")]
    NotEnrolled(String),
    #[error("no quiz `{1}` in course `{0}`")]
    UnknownQuiz(String, String),
    #[error("no attempts left: this quiz allows {0}")]
    NoAttemptsLeft(u32),
    #[error("no such attempt")]
    NotFound,
    #[error("the attempt is already submitted: its answers cannot change")]
    Submitted,
    #[error("the time for this attempt is over")]
    Expired,
    #[error("{0}")]
    BadAnswer(String),
    #[error("stored attempt {0} cannot be read: {1}")]
    Corrupt(i64, serde_json::Error),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// An attempt with its questions (keys included) and answers decoded.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub row: quiz_attempt::Model,
    /// The quiz's id in its course (its file stem), read with the row so callers need no second look-up.
    pub quiz_slug: String,
    pub questions: Vec<Question>,
    pub answers: Answers,
}

impl Attempt {
    fn decode(row: quiz_attempt::Model, quiz_slug: String) -> Result<Self, AttemptError> {
        let questions = serde_json::from_str(&row.questions).map_err(|e| AttemptError::Corrupt(row.id, e))?;
        let answers = serde_json::from_str(&row.answers).map_err(|e| AttemptError::Corrupt(row.id, e))?;
        Ok(Self { row, quiz_slug, questions, answers })
    }

    /// Decodes a row read with its quiz (`find_also_related`).
    fn decode_with_quiz(
        (row, quiz): (quiz_attempt::Model, Option<quiz::Model>),
    ) -> Result<Self, AttemptError> {
        Self::decode(row, quiz.map(|q| q.slug).unwrap_or_default())
    }

    pub fn is_submitted(&self) -> bool {
        self.row.submitted_at.is_some()
    }

    /// Past its deadline (and the grace) at `now`.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.row.deadline.is_some_and(|d| now > d + DEADLINE_GRACE)
    }

    /// Seconds left until the deadline (0 when past it), or `None` without a time limit.
    pub fn seconds_left(&self, now: DateTime<Utc>) -> Option<i64> {
        self.row.deadline.map(|d| (d - now).num_seconds().max(0))
    }

    /// The result of a submitted attempt.
    pub fn score(&self) -> Option<Score> {
        Some(Score { score: self.row.score?, max_score: self.row.max_score, percent: self.row.percent? })
    }

    /// The marks of each question (in the order asked) as stored when the attempt was graded: a past result
    /// never changes with the grading rules (#19 made typed answers forgiving of punctuation). Graded now only
    /// for an attempt whose marks are missing or unreadable (none is, short of a hand-edited row).
    pub fn marks(&self) -> Vec<f64> {
        self.row
            .marks
            .as_deref()
            .and_then(|m| serde_json::from_str::<Vec<f64>>(m).ok())
            .filter(|m| m.len() == self.questions.len())
            .unwrap_or_else(|| grade_all(&self.questions, &self.answers).0)
    }

    /// The review of a submitted attempt, question by question, with the stored marks.
    pub fn review(&self, true_label: &str, false_label: &str) -> Vec<ReviewedQuestion> {
        self.questions
            .iter()
            .zip(self.marks())
            .map(|(q, marks)| review::review(q, self.answers.get(&q.id), marks, true_label, false_label))
            .collect()
    }
}

/// The time a person has for a quiz with a limit of `limit_minutes`: the limit and their extra time
/// (`users.extra_time_percent`, an accommodation an admin grants), to the second.
pub fn time_allowed(limit_minutes: u32, extra_percent: u32) -> Duration {
    Duration::seconds(i64::from(limit_minutes) * 60 * (100 + i64::from(extra_percent)) / 100)
}

/// Starts an attempt, or returns the learner's open one (a second tab, a reload) if it is still running; the
/// flag is true for a new attempt.
///
/// `learner` is the person as the caller read them for this request (the session look-up reads them anyway):
/// their extra time comes from it, so an exam's start costs no second read of the person.
pub async fn start(
    db: &DatabaseConnection,
    library: &Library,
    learner: &user::Model,
    course: &Course,
    quiz: &Quiz,
    now: DateTime<Utc>,
) -> Result<(Attempt, bool), AttemptError> {
    let user_id = learner.id;
    if crate::learning::enrollment::find(db, user_id, &course.id).await?.is_none() {
        return Err(AttemptError::NotEnrolled(course.id.clone()));
    }
    let quiz_row = catalog_quiz(db, &course.id, &quiz.id).await?;
    let extra_percent = match quiz.settings.time_limit_minutes {
        0 => 0,
        _ => learner.extra_time_percent.max(0) as u32,
    };
    let now = now.trunc_subsecs(6);
    for _ in 0..3 {
        // The learner's attempts at this quiz, in one read: the open one if any, and how many were taken.
        let taken_rows = quiz_attempt::Entity::find()
            .filter(quiz_attempt::Column::UserId.eq(user_id))
            .filter(quiz_attempt::Column::QuizId.eq(quiz_row.id))
            .all(db)
            .await?;
        let taken = taken_rows.len();
        if let Some(open) = taken_rows.into_iter().find(|r| r.submitted_at.is_none()) {
            let open = Attempt::decode(open, quiz.id.clone())?;
            if !open.is_expired(now) {
                return Ok((open, false));
            }
            finish(db, library, open, now, true).await?;
        }
        let allowed = quiz.settings.attempts;
        if allowed > 0 && taken as u64 >= u64::from(allowed) {
            return Err(AttemptError::NoAttemptsLeft(allowed));
        }
        let questions = draw::questions_for_attempt(&quiz.questions, &quiz.settings, &mut rand::rng());
        let deadline = (quiz.settings.time_limit_minutes > 0)
            .then(|| now + time_allowed(quiz.settings.time_limit_minutes, extra_percent));
        let row = quiz_attempt::ActiveModel {
            id: NotSet,
            user_id: Set(user_id),
            quiz_id: Set(quiz_row.id),
            course_id: Set(course.id.clone()),
            number: Set(taken as i32 + 1),
            questions: Set(serde_json::to_string(&questions).expect("questions serialise")),
            answers: Set("{}".to_string()),
            pass_percent: Set(quiz.settings.pass_percent as i32),
            started_at: Set(now),
            deadline: Set(deadline),
            submitted_at: Set(None),
            closed_by_server: Set(false),
            marks: Set(None),
            score: Set(None),
            max_score: Set(questions.len() as f64),
            percent: Set(None),
            passed: Set(None),
        };
        let insert = quiz_attempt::Entity::insert(row);
        let inserted = if group_commit::batches(db) {
            group_commit::write(db, move |txn| Box::pin(async move { insert.exec_with_returning(txn).await }))
                .await
        } else {
            insert.exec_with_returning(db).await
        };
        match inserted {
            // The questions just drawn are the ones stored: no need to decode them back.
            Ok(row) => {
                return Ok((
                    Attempt { row, quiz_slug: quiz.id.clone(), questions, answers: Answers::new() },
                    true,
                ));
            }
            // Another request of the same learner took this number first: look again.
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AttemptError::Db(DbErr::Custom("could not start an attempt after three tries".into())))
}

async fn catalog_quiz(
    db: &impl ConnectionTrait,
    course_id: &str,
    slug: &str,
) -> Result<quiz::Model, AttemptError> {
    quiz::Entity::find()
        .filter(quiz::Column::CourseId.eq(course_id))
        .filter(quiz::Column::Slug.eq(slug))
        .filter(quiz::Column::Active.eq(true))
        .one(db)
        .await?
        .ok_or_else(|| AttemptError::UnknownQuiz(course_id.to_string(), slug.to_string()))
}

/// The caller's attempt `id`; an attempt past its deadline is closed (graded) first.
pub async fn find_own(
    db: &DatabaseConnection,
    library: &Library,
    user_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Attempt, AttemptError> {
    let found = quiz_attempt::Entity::find_by_id(id)
        .filter(quiz_attempt::Column::UserId.eq(user_id))
        .find_also_related(quiz::Entity)
        .one(db)
        .await?;
    let attempt = Attempt::decode_with_quiz(found.ok_or(AttemptError::NotFound)?)?;
    if !attempt.is_submitted() && attempt.is_expired(now) {
        return finish(db, library, attempt, now, true).await;
    }
    Ok(attempt)
}

/// Saves answers (merged into those saved before; an empty list or text clears a question's answer).
pub async fn save_answers(
    db: &DatabaseConnection,
    library: &Library,
    user_id: i64,
    id: i64,
    answers: Answers,
    now: DateTime<Utc>,
) -> Result<Attempt, AttemptError> {
    let mut attempt = find_own(db, library, user_id, id, now).await?;
    if attempt.is_submitted() {
        return Err(if attempt.row.closed_by_server {
            AttemptError::Expired
        } else {
            AttemptError::Submitted
        });
    }
    merge(&attempt.questions, &mut attempt.answers, answers)?;
    let json = serde_json::to_string(&attempt.answers).expect("answers serialise");
    let update = quiz_attempt::Entity::update_many()
        .col_expr(quiz_attempt::Column::Answers, Expr::value(json.clone()))
        .filter(quiz_attempt::Column::Id.eq(id))
        .filter(quiz_attempt::Column::SubmittedAt.is_null());
    let updated = if group_commit::batches(db) {
        group_commit::write(db, move |txn| Box::pin(async move { update.exec(txn).await })).await?
    } else {
        update.exec(db).await?
    };
    if updated.rows_affected == 0 {
        return Err(AttemptError::Submitted);
    }
    attempt.row.answers = json;
    Ok(attempt)
}

/// Submits and grades. Returns the graded attempt; submitting an already submitted attempt returns its result
/// unchanged. Past the deadline, `answers` are ignored and the answers saved in time are graded. A pass that
/// completes the course (in `library`) is recorded in the same transaction as the grade.
pub async fn submit(
    db: &DatabaseConnection,
    library: &Library,
    user_id: i64,
    id: i64,
    answers: Option<Answers>,
    now: DateTime<Utc>,
) -> Result<Attempt, AttemptError> {
    let mut attempt = find_own(db, library, user_id, id, now).await?;
    if attempt.is_submitted() {
        return Ok(attempt);
    }
    if let Some(answers) = answers {
        merge(&attempt.questions, &mut attempt.answers, answers)?;
    }
    finish(db, library, attempt, now, false).await
}

/// Closes every open attempt past its deadline at `now`, grading the answers saved in time (and completing
/// courses their passes complete). Returns the attempts this call closed, not those another closer running
/// at the same moment (another server's) closed first.
pub async fn close_expired(
    db: &DatabaseConnection,
    library: &Library,
    now: DateTime<Utc>,
) -> Result<Vec<Attempt>, AttemptError> {
    let rows = quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::SubmittedAt.is_null())
        .filter(quiz_attempt::Column::Deadline.lt(now - DEADLINE_GRACE))
        .find_also_related(quiz::Entity)
        .all(db)
        .await?;
    let mut closed = Vec::new();
    for row in rows {
        let id = row.0.id;
        // One attempt that cannot be read or graded is logged and left; the others are still closed.
        match Attempt::decode_with_quiz(row) {
            // Only what this pass graded: another server's closer (or the learner) may have been first.
            Ok(attempt) => match grade_once(db, library, attempt, now, true).await {
                Ok((attempt, true)) if attempt.row.closed_by_server => closed.push(attempt),
                Ok(_) => {}
                Err(AttemptError::Db(e)) => return Err(AttemptError::Db(e)),
                Err(e) => tracing::error!(attempt = id, "closing an expired attempt failed: {e}"),
            },
            Err(e) => tracing::error!(attempt = id, "an expired attempt cannot be read: {e}"),
        }
    }
    Ok(closed)
}

/// Grades and stores the result, once: only a row not yet submitted is updated; otherwise the stored result
/// (of whoever submitted first) is returned. The grade and the course completion it may bring are committed
/// together, so a crash never leaves a passed attempt without its completion. Everything the completion needs
/// is read before the write transaction, which only writes.
async fn finish(
    db: &DatabaseConnection,
    library: &Library,
    attempt: Attempt,
    now: DateTime<Utc>,
    by_server: bool,
) -> Result<Attempt, AttemptError> {
    grade_once(db, library, attempt, now, by_server).await.map(|(attempt, _)| attempt)
}

/// [`finish`], telling whether this call graded the attempt (false: it was graded before, or by a concurrent
/// call that won the race), so that several servers' closers count each attempt once between them.
async fn grade_once(
    db: &DatabaseConnection,
    library: &Library,
    mut attempt: Attempt,
    now: DateTime<Utc>,
    by_server: bool,
) -> Result<(Attempt, bool), AttemptError> {
    // Stored times have microseconds (PostgreSQL): the result returned must equal the result read back.
    let now = now.trunc_subsecs(6);
    let by_server = by_server || attempt.is_expired(now);
    if by_server {
        // Only what was saved before the deadline counts.
        attempt = stored(db, attempt.row.id).await?;
        if attempt.is_submitted() {
            return Ok((attempt, false));
        }
    }
    let (marks, score) = grade_all(&attempt.questions, &attempt.answers);
    let passed = passes(score.percent, attempt.row.pass_percent.max(0) as u32);
    let submitted_at = match (by_server, attempt.row.deadline) {
        (true, Some(deadline)) => deadline.min(now),
        _ => now,
    };
    let row = &mut attempt.row;
    row.answers = serde_json::to_string(&attempt.answers).expect("answers serialise");
    row.submitted_at = Some(submitted_at);
    row.closed_by_server = by_server;
    let marks = serde_json::to_string(&marks).expect("marks serialise");
    let items = super::statistics::read::items_record(&row.questions, &row.answers, &marks);
    row.marks = Some(marks);
    row.score = Some(score.score);
    row.percent = Some(score.percent);
    row.passed = Some(passed);
    let completion = match library.courses.get(&attempt.row.course_id) {
        Some(course) if passed => {
            crate::learning::completion::prepare(db, attempt.row.user_id, course, Some(&attempt.row), now)
                .await?
        }
        _ => None,
    };
    let graded = attempt.row.clone();
    let first = group_commit::write(db, move |txn| {
        Box::pin(async move {
            let updated = quiz_attempt::Entity::update_many()
                .col_expr(quiz_attempt::Column::Answers, Expr::value(graded.answers))
                .col_expr(quiz_attempt::Column::SubmittedAt, Expr::value(graded.submitted_at))
                .col_expr(quiz_attempt::Column::ClosedByServer, Expr::value(graded.closed_by_server))
                .col_expr(quiz_attempt::Column::Marks, Expr::value(graded.marks))
                .col_expr(quiz_attempt::Column::Score, Expr::value(graded.score))
                .col_expr(quiz_attempt::Column::Percent, Expr::value(graded.percent))
                .col_expr(quiz_attempt::Column::Passed, Expr::value(graded.passed))
                .filter(quiz_attempt::Column::Id.eq(graded.id))
                .filter(quiz_attempt::Column::SubmittedAt.is_null())
                .exec(txn)
                .await?;
            if updated.rows_affected == 0 {
                return Ok::<_, DbErr>(false);
            }
            if let (Some(items), Some(submitted_at)) = (items, graded.submitted_at) {
                let record = quiz_attempt_item::ActiveModel {
                    attempt_id: Set(graded.id),
                    quiz_id: Set(graded.quiz_id),
                    user_id: Set(graded.user_id),
                    number: Set(graded.number),
                    submitted_at: Set(submitted_at),
                    items: Set(items),
                };
                quiz_attempt_item::Entity::insert(record).exec_without_returning(txn).await?;
            }
            if let Some(completion) = completion {
                crate::learning::completion::apply(txn, completion, now).await?;
            }
            Ok(true)
        })
    })
    .await?;
    if !first {
        // Someone else (another tab, the closer) graded it first: theirs is the result.
        return Ok((stored(db, attempt.row.id).await?, false));
    }
    Ok((attempt, true))
}

/// The attempt `id` as stored.
async fn stored(db: &DatabaseConnection, id: i64) -> Result<Attempt, AttemptError> {
    let found = quiz_attempt::Entity::find_by_id(id).find_also_related(quiz::Entity).one(db).await?;
    Attempt::decode_with_quiz(found.ok_or(AttemptError::NotFound)?)
}

/// Checks answers against the questions asked and merges them in. Unknown questions or options, a wrong
/// shape for the question, or an over-long text are refused, so nothing unexpected is stored.
fn merge(questions: &[Question], answers: &mut Answers, given: Answers) -> Result<(), AttemptError> {
    for (id, answer) in given {
        let question = questions
            .iter()
            .find(|q| q.id == id)
            .ok_or_else(|| AttemptError::BadAnswer(format!("no question `{id}` in this attempt")))?;
        let bad = |what: &str| AttemptError::BadAnswer(format!("question `{id}`: {what}"));
        let empty = match (&question.kind, &answer) {
            (Kind::Single { options } | Kind::Multiple { options, .. }, Answer::Options(ids)) => {
                if let Some(unknown) = ids.iter().find(|p| !options.iter().any(|o| &o.id == *p)) {
                    return Err(bad(&format!("no option `{unknown}`")));
                }
                if matches!(question.kind, Kind::Single { .. }) && ids.len() > 1 {
                    return Err(bad("pick one option"));
                }
                ids.is_empty()
            }
            (Kind::TrueFalse { .. }, Answer::Options(ids)) => {
                if ids.len() > 1 || ids.iter().any(|p| p != "true" && p != "false") {
                    return Err(bad("answer `true` or `false`"));
                }
                ids.is_empty()
            }
            (Kind::Short { .. } | Kind::Numerical { .. }, Answer::Text(text)) => {
                if text.chars().count() > MAX_TEXT_ANSWER_CHARS {
                    return Err(bad(&format!(
                        "the answer is longer than {MAX_TEXT_ANSWER_CHARS} characters"
                    )));
                }
                text.trim().is_empty()
            }
            (Kind::Numerical { .. }, Answer::Number(n)) => {
                if !n.is_finite() {
                    return Err(bad("not a number"));
                }
                false
            }
            (Kind::Matching { pairs, distractors }, Answer::Matching(picked)) => {
                for (left, right) in picked {
                    if !pairs.iter().any(|p| &p.id == left) {
                        return Err(bad(&format!("no item `{left}`")));
                    }
                    if !right.is_empty()
                        && !pairs.iter().any(|p| &p.right == right)
                        && !distractors.contains(right)
                    {
                        return Err(bad(&format!("`{right}` is not one of the choices")));
                    }
                }
                picked.values().all(|r| r.is_empty())
            }
            _ => return Err(bad("this kind of answer does not fit the question")),
        };
        if empty {
            answers.remove(&id);
        } else {
            let answer = match answer {
                Answer::Text(t) => Answer::Text(daotao_content::text::nfc(t.trim())),
                Answer::Matching(m) => {
                    Answer::Matching(m.into_iter().filter(|(_, r)| !r.is_empty()).collect())
                }
                other => other,
            };
            answers.insert(id, answer);
        }
    }
    Ok(())
}

/// A learner's attempts at one quiz of a course, oldest first.
pub async fn list_own(
    db: &impl ConnectionTrait,
    user_id: i64,
    course_id: &str,
    quiz_slug: &str,
) -> Result<Vec<quiz_attempt::Model>, AttemptError> {
    let Ok(quiz_row) = catalog_quiz(db, course_id, quiz_slug).await else { return Ok(Vec::new()) };
    Ok(quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::UserId.eq(user_id))
        .filter(quiz_attempt::Column::QuizId.eq(quiz_row.id))
        .order_by_asc(quiz_attempt::Column::Number)
        .all(db)
        .await?)
}

/// The best submitted attempt among `attempts` (highest percentage; the earliest of equals): the one that counts.
pub fn best(attempts: &[quiz_attempt::Model]) -> Option<&quiz_attempt::Model> {
    attempts.iter().filter(|a| a.percent.is_some()).fold(None, |best: Option<&quiz_attempt::Model>, a| {
        match best {
            Some(b) if b.percent >= a.percent => Some(b),
            _ => Some(a),
        }
    })
}
