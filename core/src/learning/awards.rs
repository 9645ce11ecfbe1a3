//! What completing a course earns: its competencies (with the evidence: course, attempt, score, date) and a
//! certificate with a verification code. Written once at completion, never rewritten: a later change to the
//! course's mapping changes only later awards. A person's level in a competency is the highest level awarded.
//!
//! A certificate may expire (#18): a training programme that counts it gives it the validity of its cycle
//! ([`lengthened`]), and a renewal of the programme issues a new certificate for the course, the earlier one
//! kept as history; what a person shows for a course is their latest ([`Completed::latest`]), and whether a
//! certificate still holds on a day is [`validity`].

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use daotao_content::course::{Competency, Course};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::entities::{certificate, competency_award, enrollment, quiz, quiz_attempt, user};
use crate::people::auth::token::verification_code;

/// The evidence of an award: the attempt that counts (the best pass) and its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evidence {
    pub attempt_id: i64,
    pub percent: Option<f64>,
}

impl Evidence {
    /// The evidence an attempt gives.
    pub fn of(attempt: &quiz_attempt::Model) -> Self {
        Self { attempt_id: attempt.id, percent: attempt.percent }
    }
}

/// What completing a course writes (its competency awards and certificate), prepared from reads done before
/// the write transaction, so that transaction only writes.
#[derive(Debug, Clone)]
pub struct Earned {
    awards: Vec<competency_award::ActiveModel>,
    certificate: certificate::ActiveModel,
}

/// The awards and certificate `person` earns by completing `course` at `now`, with `evidence`.
pub fn earned(
    person: &user::Model,
    course: &Course,
    evidence: Option<Evidence>,
    now: DateTime<Utc>,
) -> Earned {
    let awards = course
        .meta
        .competencies
        .iter()
        .map(|award| competency_award::ActiveModel {
            id: NotSet,
            user_id: Set(person.id),
            code: Set(award.get_ref().code.clone()),
            level: Set(award.get_ref().level as i32),
            course_id: Set(course.id.clone()),
            attempt_id: Set(evidence.map(|e| e.attempt_id)),
            score_percent: Set(evidence.and_then(|e| e.percent)),
            awarded_at: Set(now),
        })
        .collect();
    let certificate = certificate::ActiveModel {
        id: NotSet,
        code: Set(verification_code()),
        user_id: Set(person.id),
        course_id: Set(course.id.clone()),
        full_name: Set(person.full_name.clone()),
        course_title: Set(course.meta.title.clone()),
        score_percent: Set(evidence.and_then(|e| e.percent)),
        issued_at: Set(now),
        valid_until: Set(None),
        programme_id: Set(None),
    };
    Earned { awards, certificate }
}

/// Writes what was `earned`; what is already there (an award, a certificate for the course) is kept as it is:
/// completing a course issues its first certificate, only a programme's renewal issues another.
pub async fn write(db: &impl ConnectionTrait, earned: Earned) -> Result<(), DbErr> {
    if !earned.awards.is_empty() {
        competency_award::Entity::insert_many(earned.awards)
            .on_conflict(
                OnConflict::columns([
                    competency_award::Column::UserId,
                    competency_award::Column::Code,
                    competency_award::Column::CourseId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    // One statement, so the write transaction only writes: insert unless a certificate is held for the course.
    use sea_orm::sea_query::ExprTrait;
    let c = earned.certificate;
    let (user_id, course_id) = (*c.user_id.as_ref(), c.course_id.as_ref().clone());
    let held = Query::select()
        .expr(Expr::val(1))
        .from(certificate::Entity)
        .and_where(certificate::Column::UserId.eq(user_id))
        .and_where(certificate::Column::CourseId.eq(course_id.clone()))
        .to_owned();
    let row = Query::select()
        .expr(Expr::val(user_id))
        .expr(Expr::val(course_id))
        .expr(Expr::val(c.code.as_ref().clone()))
        .expr(Expr::val(c.full_name.as_ref().clone()))
        .expr(Expr::val(c.course_title.as_ref().clone()))
        .expr(Expr::val(*c.score_percent.as_ref()))
        .expr(Expr::val(*c.issued_at.as_ref()))
        .and_where(Expr::exists(held).not())
        .to_owned();
    let insert = Query::insert()
        .into_table(certificate::Entity)
        .columns([
            certificate::Column::UserId,
            certificate::Column::CourseId,
            certificate::Column::Code,
            certificate::Column::FullName,
            certificate::Column::CourseTitle,
            certificate::Column::ScorePercent,
            certificate::Column::IssuedAt,
        ])
        .select_from(row)
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned();
    db.execute(&insert).await?;
    Ok(())
}

/// The evidence for `course`: its completion quiz's best pass by `user_id`, if the course names a quiz.
pub async fn evidence(
    db: &impl ConnectionTrait,
    user_id: i64,
    course: &Course,
) -> Result<Option<Evidence>, DbErr> {
    Ok(match &course.meta.completion.quiz {
        Some(slug) => best_pass(db, user_id, &course.id, slug.get_ref()).await?.as_ref().map(Evidence::of),
        None => None,
    })
}

/// Awards `course`'s competencies to `user_id` and issues the certificate; safe to call again.
pub async fn on_completion(
    db: &impl ConnectionTrait,
    user_id: i64,
    course: &Course,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let evidence = evidence(db, user_id, course).await?;
    let Some(person) = user::Entity::find_by_id(user_id).one(db).await? else { return Ok(()) };
    write(db, earned(&person, course, evidence, now)).await
}

/// The best passing attempt at a course's quiz: the evidence of an award.
pub async fn best_pass(
    db: &impl ConnectionTrait,
    user_id: i64,
    course_id: &str,
    slug: &str,
) -> Result<Option<quiz_attempt::Model>, DbErr> {
    let Some(quiz_row) = quiz::Entity::find()
        .filter(quiz::Column::CourseId.eq(course_id))
        .filter(quiz::Column::Slug.eq(slug))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::UserId.eq(user_id))
        .filter(quiz_attempt::Column::QuizId.eq(quiz_row.id))
        .filter(quiz_attempt::Column::Passed.eq(true))
        .order_by_desc(quiz_attempt::Column::Percent)
        .order_by_asc(quiz_attempt::Column::SubmittedAt)
        .one(db)
        .await
}

/// A competency a person holds: the highest level awarded, with the award that gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    pub code: String,
    pub name: String,
    pub area: String,
    pub level: i32,
    pub level_name: String,
    pub award: competency_award::Model,
}

/// Every competency `user_id` holds, in the framework's order (codes no longer in the framework last).
pub async fn held(
    db: &impl ConnectionTrait,
    user_id: i64,
    framework: &[Competency],
) -> Result<Vec<Held>, DbErr> {
    let awards = competency_award::Entity::find()
        .filter(competency_award::Column::UserId.eq(user_id))
        .order_by_asc(competency_award::Column::AwardedAt)
        .all(db)
        .await?;
    let mut best: BTreeMap<String, competency_award::Model> = BTreeMap::new();
    for a in awards {
        match best.get(&a.code) {
            Some(b) if b.level >= a.level => {}
            _ => {
                best.insert(a.code.clone(), a);
            }
        }
    }
    Ok(named(best.into_values(), framework))
}

/// The competencies completing `course_id` awarded `user_id` (what its certificate recognises), in the
/// framework's order.
pub async fn from_course(
    db: &impl ConnectionTrait,
    user_id: i64,
    course_id: &str,
    framework: &[Competency],
) -> Result<Vec<Held>, DbErr> {
    let awards = competency_award::Entity::find()
        .filter(competency_award::Column::UserId.eq(user_id))
        .filter(competency_award::Column::CourseId.eq(course_id))
        .all(db)
        .await?;
    Ok(named(awards, framework))
}

/// `awards` with their names and level names from `framework`, in its order (codes no longer in it last).
fn named(awards: impl IntoIterator<Item = competency_award::Model>, framework: &[Competency]) -> Vec<Held> {
    let position = |code: &str| framework.iter().position(|c| c.code == code).unwrap_or(usize::MAX);
    let mut held: Vec<Held> = awards
        .into_iter()
        .map(|award| {
            let c = framework.iter().find(|c| c.code == award.code);
            Held {
                code: award.code.clone(),
                name: c.map(|c| c.name.clone()).unwrap_or_else(|| award.code.clone()),
                area: c.map(|c| c.area.clone()).unwrap_or_default(),
                level: award.level,
                level_name: c
                    .and_then(|c| c.levels.get((award.level - 1).max(0) as usize).cloned())
                    .unwrap_or_else(|| award.level.to_string()),
                award,
            }
        })
        .collect();
    held.sort_by_key(|h| (position(&h.code), h.code.clone()));
    held
}

/// A completed course on a transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct Completed {
    pub course_id: String,
    pub completed_at: DateTime<Utc>,
    /// Newest first: a renewal's certificate, then the earlier ones it followed (kept as history).
    pub certificates: Vec<certificate::Model>,
}

impl Completed {
    /// The certificate a person shows for the course: the newest.
    pub fn latest(&self) -> Option<&certificate::Model> {
        self.certificates.first()
    }
}

/// The courses `user_id` completed, oldest first, with their certificates.
pub async fn transcript(db: &impl ConnectionTrait, user_id: i64) -> Result<Vec<Completed>, DbErr> {
    let done = enrollment::Entity::find()
        .filter(enrollment::Column::UserId.eq(user_id))
        .filter(enrollment::Column::CompletedAt.is_not_null())
        .order_by_asc(enrollment::Column::CompletedAt)
        .all(db)
        .await?;
    let certificates = certificate::Entity::find()
        .filter(certificate::Column::UserId.eq(user_id))
        .order_by_desc(certificate::Column::IssuedAt)
        .order_by_desc(certificate::Column::Id)
        .all(db)
        .await?;
    let mut by_course: BTreeMap<String, Vec<certificate::Model>> = BTreeMap::new();
    for c in certificates {
        by_course.entry(c.course_id.clone()).or_default().push(c);
    }
    Ok(done
        .into_iter()
        .filter_map(|e| {
            let at = e.completed_at?;
            let certificates = by_course.remove(&e.course_id).unwrap_or_default();
            Some(Completed { course_id: e.course_id, completed_at: at, certificates })
        })
        .collect())
}

/// Whether a certificate holds on a day: what its page and `/verify/{code}` say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// It does not expire (no programme with an expiry counted it).
    Lasting,
    /// Valid through this day.
    Until(NaiveDate),
    /// Expired after this day, its last valid one.
    ExpiredOn(NaiveDate),
}

/// The validity of `cert` on `today` (Viet Nam's date): valid through its `valid_until`, expired after.
pub fn validity(cert: &certificate::Model, today: NaiveDate) -> Validity {
    match cert.valid_until {
        None => Validity::Lasting,
        Some(until) if until < today => Validity::ExpiredOn(until),
        Some(until) => Validity::Until(until),
    }
}

/// The validity a certificate gets when a programme's completed cycle counts it, given its present
/// `valid_until`, whether a programme counted it already (`counted`), and the cycle's `given` validity (none:
/// for good). `None` when it keeps what it has: a certificate one programme made valid longer (or for good)
/// is never shortened by another.
pub fn lengthened(
    valid_until: Option<NaiveDate>,
    counted: bool,
    given: Option<NaiveDate>,
) -> Option<Option<NaiveDate>> {
    match (counted, valid_until, given) {
        (false, _, given) => Some(given),
        (true, None, _) => None,
        (true, Some(_), None) => Some(None),
        (true, Some(held), Some(given)) => (given > held).then_some(Some(given)),
    }
}

/// The certificate with verification `code`, typed any way (lower case, spaces, with or without hyphens).
pub async fn certificate_by_code(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<certificate::Model>, DbErr> {
    let plain: Vec<char> =
        code.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
    if plain.len() != 16 {
        return Ok(None);
    }
    let code = plain.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-");
    certificate::Entity::find().filter(certificate::Column::Code.eq(code)).one(db).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_certificate_counted_again_is_only_ever_lengthened() {
        let (june, july) = (Some(day("2027-06-01")), Some(day("2027-07-01")));
        // Never counted: the first programme sets it, a date or for good.
        assert_eq!(lengthened(None, false, june), Some(june));
        assert_eq!(lengthened(None, false, None), Some(None));
        // Counted: a later date or for good lengthens it; an earlier or equal date changes nothing.
        assert_eq!(lengthened(june, true, july), Some(july));
        assert_eq!(lengthened(july, true, june), None);
        assert_eq!(lengthened(june, true, june), None);
        assert_eq!(lengthened(june, true, None), Some(None));
        assert_eq!(lengthened(None, true, july), None, "valid for good stays so");
    }

    #[test]
    fn a_certificate_is_valid_through_its_last_day() {
        let cert = |valid_until: Option<NaiveDate>| certificate::Model {
            id: 1,
            code: "ABCD-EFGH-JKLM-NPQR".into(),
            user_id: 1,
            course_id: "c".into(),
            full_name: "Lan".into(),
            course_title: "C".into(),
            score_percent: None,
            issued_at: Utc::now(),
            valid_until,
            programme_id: None,
        };
        let until = day("2027-06-01");
        assert_eq!(validity(&cert(None), until), Validity::Lasting);
        assert_eq!(validity(&cert(Some(until)), until), Validity::Until(until));
        assert_eq!(validity(&cert(Some(until)), day("2027-06-02")), Validity::ExpiredOn(until));
    }
}
