//! A person's attempts and competencies (`user_detail`) and the catalog's completion and score figures
//! (`course_stats`), on the demo province, on a SQLite file and on PostgreSQL (`DAOTAO_TEST_POSTGRES_URL`).

use chrono::{NaiveDate, TimeZone, Utc};
use daotao_core::admin_views::{course_stats, user_detail};
use daotao_core::demo;
use daotao_core::entities::{competency_award, enrollment, quiz, quiz_attempt};
use daotao_core::people::accounts;
use daotao_core::platform::db;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

mod support;

const COURSE: &str = "an-toan-thong-tin-co-ban";

async fn attempt(db: &DatabaseConnection, user_id: i64, quiz_id: i64, number: i32, percent: Option<f64>) {
    let started = Utc.with_ymd_and_hms(2026, 11, 20 + number as u32, 8, 0, 0).unwrap();
    quiz_attempt::Entity::insert(quiz_attempt::ActiveModel {
        id: NotSet,
        user_id: Set(user_id),
        quiz_id: Set(quiz_id),
        course_id: Set(COURSE.into()),
        number: Set(number),
        questions: Set("[]".into()),
        answers: Set("{}".into()),
        pass_percent: Set(80),
        started_at: Set(started),
        deadline: Set(None),
        submitted_at: Set(percent.map(|_| started + chrono::Duration::minutes(20))),
        closed_by_server: Set(false),
        marks: Set(None),
        score: Set(percent.map(|p| p / 10.0)),
        max_score: Set(10.0),
        percent: Set(percent),
        passed: Set(percent.map(|p| p >= 80.0)),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
}

async fn story(db: &DatabaseConnection) {
    let library = daotao_content::course::load_library(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../courses"),
    );
    demo::seed(db, &library, NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()).await.unwrap();
    let lan = accounts::find_user(db, "lan.nguyen").await.unwrap().unwrap();
    let mai = accounts::find_user(db, "mai.bui").await.unwrap().unwrap();
    let quiz = quiz::Entity::find().filter(quiz::Column::CourseId.eq(COURSE)).one(db).await.unwrap().unwrap();

    // Nothing yet: no completions, no score.
    let basic =
        |catalog: Vec<course_stats::CourseStats>| catalog.into_iter().find(|c| c.id == COURSE).unwrap();
    let before = basic(course_stats::catalog(db).await.unwrap());
    assert_eq!((before.completed, before.average_best, before.scored), (0, None, 0));
    let empty = user_detail::attempts(db, lan.id, 0, 10).await.unwrap();
    assert_eq!((empty.total, empty.lines.len(), empty.pages()), (0, 0, 1));

    // Lan: 50 then 90 then one in progress; Mai: 70. The mean of the best per learner is (90 + 70) / 2.
    attempt(db, lan.id, quiz.id, 1, Some(50.0)).await;
    attempt(db, lan.id, quiz.id, 2, Some(90.0)).await;
    attempt(db, lan.id, quiz.id, 3, None).await;
    attempt(db, mai.id, quiz.id, 1, Some(70.0)).await;
    enrollment::Entity::update_many()
        .col_expr(
            enrollment::Column::CompletedAt,
            Expr::value(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap()),
        )
        .filter(enrollment::Column::UserId.eq(lan.id))
        .filter(enrollment::Column::CourseId.eq(COURSE))
        .exec(db)
        .await
        .unwrap();
    let after = basic(course_stats::catalog(db).await.unwrap());
    assert_eq!((after.completed, after.scored), (1, 2));
    assert!((after.average_best.unwrap() - 80.0).abs() < 1e-9, "{after:?}");

    // Lan's attempts, newest first, two to a page; a page past the end is the last.
    let first = user_detail::attempts(db, lan.id, 0, 2).await.unwrap();
    assert_eq!((first.total, first.pages()), (3, 2));
    assert_eq!(first.lines.iter().map(|a| a.number).collect::<Vec<_>>(), [3, 2]);
    assert_eq!(first.lines[0].percent, None);
    assert_eq!((first.lines[1].percent, first.lines[1].passed), (Some(90.0), Some(true)));
    assert_eq!(first.lines[1].quiz_title.as_deref(), Some(quiz.title.as_str()));
    assert!(first.lines[1].course_title.is_some());
    let last = user_detail::attempts(db, lan.id, 9, 2).await.unwrap();
    assert_eq!((last.page, last.lines.len(), last.lines[0].number), (1, 1, 1));
    assert_eq!(last.lines[0].passed, Some(false));

    // Competencies with their evidence and the framework's names.
    let framework = daotao_content::course::loader::load_competencies(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../courses"),
    )
    .unwrap();
    let code = framework[0].code.clone();
    for (level, course) in [(1, COURSE), (2, "chinh-quyen-so")] {
        competency_award::Entity::insert(competency_award::ActiveModel {
            id: NotSet,
            user_id: Set(lan.id),
            code: Set(code.clone()),
            level: Set(level),
            course_id: Set(course.into()),
            attempt_id: Set(None),
            score_percent: Set(Some(90.0)),
            awarded_at: Set(Utc.with_ymd_and_hms(2026, 11, 22, 9, level as u32, 0).unwrap()),
        })
        .exec_without_returning(db)
        .await
        .unwrap();
    }
    let held = user_detail::competencies(db, lan.id, &framework, 0, 10).await.unwrap();
    assert_eq!(held.total, 2);
    assert_eq!(
        held.lines.iter().map(|c| (c.level, c.course_id.as_str())).collect::<Vec<_>>(),
        [(2, "chinh-quyen-so"), (1, COURSE)]
    );
    assert_eq!(held.lines[0].name.as_deref(), Some(framework[0].name.as_str()));
    assert!(user_detail::competencies(db, mai.id, &framework, 0, 10).await.unwrap().lines.is_empty());
}

#[tokio::test]
async fn user_detail_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display())).await.unwrap();
    story(&db).await;
}

#[tokio::test]
async fn user_detail_on_postgres() {
    let Some(db) = support::fresh_postgres_database().await else { return };
    story(&db).await;
}
