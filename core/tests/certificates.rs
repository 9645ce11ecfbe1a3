//! Certificates that expire (#18), played forward day by day through the programmes' daily pass: a completed
//! cycle gives the certificate that counted its validity (never shortened by another programme; for good from
//! a programme without expiry); a renewal completed by passing the quiz again issues a new certificate, the
//! earlier ones kept and still verifiable, expired after their day; one retake that renews two programmes
//! earns one certificate. On a SQLite file and on PostgreSQL.

use std::collections::HashMap;

use chrono::{NaiveDate, TimeZone, Utc};
use daotao_content::course::Library;
use daotao_core::entities::user::Role;
use daotao_core::entities::{audit_log, certificate, quiz, quiz_attempt};
use daotao_core::learning::awards::{self, Validity, validity};
use daotao_core::learning::programmes::{self, Rule, assign};
use daotao_core::learning::{catalog, completion, enrollment as enrol, progress};
use daotao_core::people::accounts::{self, NewUser};
use daotao_core::platform::db;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

mod support;

const BASIC: &str = "an-toan-thong-tin-co-ban";

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// 10:00 in Viet Nam on `on`.
fn ten_am(on: &str) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&day(on).and_hms_opt(3, 0, 0).unwrap())
}

fn rule(id: &str, positions: &[&str], valid_months: u32) -> Rule {
    Rule {
        id: id.into(),
        title: id.into(),
        courses: vec![BASIC.into()],
        positions: positions.iter().map(|s| s.to_string()).collect(),
        units: vec![],
        roles: vec![Role::Learner],
        due_days: 60,
        valid_months,
        renew_days: 30,
    }
}

/// Yearly (`hang-nam`), every six months (`nua-nam`), and once for good for the one-stop desk (`mot-cua`).
fn rules() -> Vec<Rule> {
    vec![rule("hang-nam", &[], 12), rule("nua-nam", &[], 6), rule("mot-cua", &["Một cửa"], 0)]
}

async fn seed(db: &DatabaseConnection) -> Library {
    let library = daotao_content::course::load_library(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../courses"),
    );
    catalog::sync_library(db, &library).await.unwrap();
    for (username, position) in [("lan", "Chuyên viên"), ("binh", "Công chức Một cửa")] {
        let new = NewUser {
            username: username.into(),
            full_name: format!("Nguyễn Văn {username}"),
            email: None,
            unit_code: None,
            position: position.into(),
            role: Role::Learner,
            password: Some("Mat-khau-thu-2026!".into()),
        };
        accounts::add_user(db, new).await.unwrap();
    }
    library
}

async fn id(db: &DatabaseConnection, username: &str) -> i64 {
    accounts::find_user(db, username).await.unwrap().unwrap().id
}

async fn quiz_id(db: &DatabaseConnection, slug: &str) -> i64 {
    let found = quiz::Entity::find()
        .filter(quiz::Column::CourseId.eq(BASIC))
        .filter(quiz::Column::Slug.eq(slug))
        .one(db)
        .await
        .unwrap();
    found.unwrap().id
}

/// A passed attempt (`number`, `percent`) at the completion quiz, submitted at 10:00 in Viet Nam on `on`.
async fn pass(db: &DatabaseConnection, user_id: i64, slug: &str, number: i32, percent: f64, on: &str) {
    let at = ten_am(on);
    quiz_attempt::Entity::insert(quiz_attempt::ActiveModel {
        id: NotSet,
        user_id: Set(user_id),
        quiz_id: Set(quiz_id(db, slug).await),
        course_id: Set(BASIC.into()),
        number: Set(number),
        questions: Set("[]".into()),
        answers: Set("{}".into()),
        pass_percent: Set(80),
        started_at: Set(at),
        deadline: Set(None),
        submitted_at: Set(Some(at)),
        closed_by_server: Set(false),
        marks: Set(None),
        score: Set(Some(percent / 10.0)),
        max_score: Set(10.0),
        percent: Set(Some(percent)),
        passed: Set(Some(true)),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
}

/// `username` reads every lesson and passes the completion quiz on `on`: the course completes at 10:00 and
/// its certificate is issued, as the server does.
async fn complete_course(db: &DatabaseConnection, library: &Library, slug: &str, username: &str, on: &str) {
    let user_id = id(db, username).await;
    let course = &library.courses[BASIC];
    enrol::enroll_users(db, BASIC, &[user_id], None, None).await.unwrap();
    for lesson in &course.lessons {
        progress::mark_read(db, user_id, BASIC, &lesson.id).await.unwrap();
    }
    pass(db, user_id, slug, 1, 90.0, on).await;
    assert!(completion::check(db, user_id, course, ten_am(on)).await.unwrap());
}

/// `username`'s certificates, oldest first.
async fn certificates(db: &DatabaseConnection, username: &str) -> Vec<certificate::Model> {
    certificate::Entity::find()
        .filter(certificate::Column::UserId.eq(id(db, username).await))
        .order_by_asc(certificate::Column::IssuedAt)
        .order_by_asc(certificate::Column::Id)
        .all(db)
        .await
        .unwrap()
}

/// `valid_until programme` of a certificate, `-` for none.
fn held(c: &certificate::Model) -> String {
    let until = c.valid_until.map_or("-".to_string(), |d| d.to_string());
    format!("{until} {}", c.programme_id.as_deref().unwrap_or("-"))
}

async fn run(db: &DatabaseConnection, q: &HashMap<String, String>, as_of: &str) -> programmes::Changes {
    assign(db, &rules(), q, day(as_of), "daotao-admin", false).await.unwrap()
}

async fn story(db: DatabaseConnection) {
    let db = &db;
    let library = seed(db).await;
    let q = &programmes::completion_quizzes(&library);
    let slug = q[BASIC].clone();
    complete_course(db, &library, &slug, "lan", "2027-01-10").await;
    complete_course(db, &library, &slug, "binh", "2027-01-10").await;
    // Before any programme counts it, a certificate does not expire.
    let lan = certificates(db, "lan").await;
    assert_eq!(held(&lan[0]), "- -");
    assert_eq!(validity(&lan[0], day("2030-01-01")), Validity::Lasting);

    // The pass completes every cycle: the yearly programme gives a year; the six-month one does not shorten it;
    // binh's one-stop programme makes his valid for good.
    let done = run(db, q, "2027-01-11").await;
    assert_eq!(done.completed.len(), 5);
    let lan = certificates(db, "lan").await;
    assert_eq!(lan.len(), 1);
    assert_eq!(held(&lan[0]), "2028-01-10 hang-nam");
    assert_eq!(validity(&lan[0], day("2028-01-10")), Validity::Until(day("2028-01-10")));
    assert_eq!(validity(&lan[0], day("2028-01-11")), Validity::ExpiredOn(day("2028-01-10")));
    let binh = certificates(db, "binh").await;
    assert_eq!(binh.iter().map(held).collect::<Vec<_>>(), ["- mot-cua"]);
    assert_eq!(validity(&binh[0], day("2040-01-01")), Validity::Lasting);
    assert!(run(db, q, "2027-01-12").await.is_empty(), "a second pass changes nothing");
    assert_eq!(certificates(db, "lan").await, lan);

    // The six-month programme's renewal opens a month before it expires; lan passes the quiz again (her
    // lessons stay read) and gets a new certificate: today's name, the retake's score and day, six months.
    let renewed = run(db, q, "2027-06-10").await;
    assert_eq!(renewed.renewed.len(), 2);
    let lan_id = id(db, "lan").await;
    pass(db, lan_id, &slug, 2, 75.0, "2027-06-20").await;
    let again = run(db, q, "2027-06-21").await;
    assert_eq!(again.completed.len(), 1);
    let lan = certificates(db, "lan").await;
    assert_eq!(lan.iter().map(held).collect::<Vec<_>>(), ["2028-01-10 hang-nam", "2027-12-20 nua-nam"]);
    let second = &lan[1];
    assert_ne!(second.code, lan[0].code);
    assert_eq!((second.issued_at, second.score_percent), (ten_am("2027-06-20"), Some(75.0)));
    assert_eq!(
        (second.full_name.as_str(), second.course_title.as_str()),
        ("Nguyễn Văn lan", lan[0].course_title.as_str())
    );
    assert_eq!(audited(db, "certificate.renew").await, 1);

    // Both programmes renew in December; one retake completes both and earns one certificate, valid a year.
    let renewed = run(db, q, "2027-12-11").await;
    assert!(renewed.renewed.iter().any(|c| c.username == "lan" && c.programme_id == "hang-nam"));
    assert!(renewed.renewed.iter().any(|c| c.username == "lan" && c.programme_id == "nua-nam"));
    pass(db, lan_id, &slug, 3, 95.0, "2027-12-15").await;
    let again = run(db, q, "2027-12-16").await;
    assert_eq!(again.completed.len(), 2, "{again:?}");
    let lan = certificates(db, "lan").await;
    assert_eq!(
        lan.iter().map(held).collect::<Vec<_>>(),
        ["2028-01-10 hang-nam", "2027-12-20 nua-nam", "2028-12-15 hang-nam"],
        "the earlier certificates stay as they were"
    );
    assert_eq!(lan[2].score_percent, Some(95.0));
    assert_eq!(audited(db, "certificate.renew").await, 2);

    // The old ones still verify, expired after their day; the transcript shows the newest first, with the rest.
    let old = awards::certificate_by_code(db, &lan[0].code).await.unwrap().unwrap();
    assert_eq!(validity(&old, day("2028-02-01")), Validity::ExpiredOn(day("2028-01-10")));
    let transcript = awards::transcript(db, lan_id).await.unwrap();
    assert_eq!(transcript.len(), 1);
    assert_eq!(transcript[0].latest().map(|c| c.code.clone()), Some(lan[2].code.clone()));
    assert_eq!(transcript[0].certificates.len(), 3);

    // Completing the course again (a check after a lesson or a quiz) issues nothing more.
    let course = &library.courses[BASIC];
    assert!(!completion::check(db, lan_id, course, Utc::now()).await.unwrap());
    awards::on_completion(db, lan_id, course, Utc::now()).await.unwrap();
    assert_eq!(certificates(db, "lan").await.len(), 3);
    assert_eq!(certificates(db, "binh").await.iter().map(held).collect::<Vec<_>>(), ["- mot-cua"]);
}

async fn audited(db: &DatabaseConnection, action: &str) -> u64 {
    audit_log::Entity::find().filter(audit_log::Column::Action.eq(action)).count(db).await.unwrap()
}

#[tokio::test]
async fn certificates_follow_programme_cycles_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display())).await.unwrap();
    story(db).await;
}

#[tokio::test]
async fn certificates_follow_programme_cycles_on_postgres() {
    let Some(db) = support::fresh_postgres_database().await else { return };
    story(db).await;
}

/// The migration undoes cleanly on a database without renewals and applies again.
#[tokio::test]
async fn certificate_validity_migration_down_and_up_on_sqlite() {
    use daotao_migrations::{Migrator, MigratorTrait};
    let dir = tempfile::tempdir().unwrap();
    let db = db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display())).await.unwrap();
    let steps =
        Migrator::migrations().iter().rev().position(|m| m.name() == "m20261203_000008_certificate_validity");
    Migrator::down(&db, Some(steps.unwrap() as u32 + 1)).await.unwrap();
    assert!(certificate::Entity::find().all(&db).await.is_err(), "the new columns are gone");
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(certificate::Entity::find().count(&db).await.unwrap(), 0);
}
