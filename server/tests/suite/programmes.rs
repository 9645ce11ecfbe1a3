//! The learner's programmes (#18) on "Khoá học của tôi" and in `GET /api/v1/me`, after the daily pass
//! assigned them: due, overdue, and completed with its validity.

use chrono::NaiveDate;
use daotao_core::learning::programmes::{Rule, assign};
use poem::http::StatusCode;

use crate::helpers::*;

const PROGRAMMES: &str = r#"
[[programme]]
id = "an-toan-hang-nam"
title = "Bồi dưỡng an toàn số hằng năm"
courses = ["an-toan-so"]
due_days = 60
valid_months = 12
renew_days = 30
"#;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The rules of the library the app serves, as the admin command builds them.
fn rules(app: &TestApp) -> Vec<Rule> {
    app.state.library().programmes.iter().map(Rule::from).collect()
}

async fn me_page(app: &TestApp, token: &str) -> String {
    let resp = app.get_as(token, "/me").await;
    assert_status(&resp, StatusCode::OK, "/me");
    text(resp).await
}

#[tokio::test]
async fn a_learner_sees_each_programme_and_where_they_stand() {
    let app = TestApp::with_edit(Fixture::Catalog, |courses| {
        std::fs::write(courses.join("programmes.toml"), PROGRAMMES).unwrap();
    })
    .await;
    let lan = app.learner("lan").await;
    let session = app.session(lan.id).await;
    // Nothing assigned yet: no section.
    let page = me_page(&app, &session.token).await;
    assert_lacks(&page, "Chương trình bồi dưỡng bắt buộc");

    // Assigned long ago, so overdue today (the pass runs with a date, as cron or a test plays it).
    let quizzes = daotao_core::learning::programmes::completion_quizzes(&app.state.library());
    let changes = assign(&app.db, &rules(&app), &quizzes, day("2025-01-02"), "test", false).await.unwrap();
    assert_eq!(changes.assigned.len(), 1);
    let page = me_page(&app, &session.token).await;
    assert_contains(&page, "Bồi dưỡng an toàn số hằng năm");
    assert_contains(&page, "Quá hạn: cần hoàn thành trước ngày 03/03/2025.");
    assert_contains(&page, "href=\"/courses/an-toan-so\"");

    let resp = app.api_get("/api/v1/me", &session.token).await;
    assert_status(&resp, StatusCode::OK, "GET /api/v1/me");
    let me: serde_json::Value = serde_json::from_str(&text(resp).await).unwrap();
    let programme = &me["programmes"][0];
    assert_eq!(programme["id"], "an-toan-hang-nam");
    assert_eq!(programme["title"], "Bồi dưỡng an toàn số hằng năm");
    assert_eq!(programme["status"], "overdue");
    assert_eq!(programme["due_on"], "2025-03-03");
    assert!(programme.get("valid_until").is_none());

    // Completed on 1 February 2025, valid twelve months: expired by now, and the page says since when.
    use daotao_core::entities::enrollment;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let completed_at = chrono::DateTime::parse_from_rfc3339("2025-02-01T03:00:00Z").unwrap().to_utc();
    enrollment::Entity::update_many()
        .col_expr(enrollment::Column::CompletedAt, Expr::value(Some(completed_at)))
        .filter(enrollment::Column::UserId.eq(lan.id))
        .exec(&app.db)
        .await
        .unwrap();
    let changes = assign(&app.db, &rules(&app), &quizzes, day("2025-02-02"), "test", false).await.unwrap();
    assert_eq!(changes.completed.len(), 1);
    let page = me_page(&app, &session.token).await;
    assert_contains(&page, "Đã hết hạn ngày 01/02/2026.");
    let me: serde_json::Value =
        serde_json::from_str(&text(app.api_get("/api/v1/me", &session.token).await).await).unwrap();
    assert_eq!(me["programmes"][0]["status"], "expired");
    assert_eq!(me["programmes"][0]["completed_on"], "2025-02-01");
    assert_eq!(me["programmes"][0]["valid_until"], "2026-02-01");
}

/// The course's completion at 10:00 in Viet Nam on `at`'s day, and the certificate it issues then.
async fn complete_at(app: &TestApp, user_id: i64, at: chrono::DateTime<chrono::Utc>) -> String {
    use daotao_core::entities::{certificate, enrollment};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};
    enrollment::Entity::update_many()
        .col_expr(enrollment::Column::CompletedAt, Expr::value(Some(at)))
        .filter(enrollment::Column::UserId.eq(user_id))
        .exec(&app.db)
        .await
        .unwrap();
    let course = app.state.library().courses["an-toan-so"].clone();
    daotao_core::learning::awards::on_completion(&app.db, user_id, &course, at).await.unwrap();
    let cert = certificate::Entity::find()
        .filter(certificate::Column::UserId.eq(user_id))
        .order_by_desc(certificate::Column::IssuedAt)
        .one(&app.db)
        .await
        .unwrap();
    cert.unwrap().code
}

async fn verify_page(app: &TestApp, code: &str, lang: &str) -> String {
    let resp = app.cli.get(format!("/verify/{code}")).header("Accept-Language", lang).send().await;
    assert_status(&resp, StatusCode::OK, "/verify");
    text(resp).await
}

#[tokio::test]
async fn a_certificate_and_its_verification_say_until_when_it_is_valid_or_since_when_it_expired() {
    let app = TestApp::with_edit(Fixture::Catalog, |courses| {
        std::fs::write(courses.join("programmes.toml"), PROGRAMMES).unwrap();
    })
    .await;
    let lan = app.learner("lan").await;
    let hoa = app.learner("hoa").await;
    let quizzes = daotao_core::learning::programmes::completion_quizzes(&app.state.library());
    let pass = |as_of: NaiveDate| {
        let (db, rules, quizzes) = (app.db.clone(), rules(&app), quizzes.clone());
        async move { assign(&db, &rules, &quizzes, as_of, "test", false).await.unwrap() }
    };
    pass(day("2025-01-02")).await;

    // hoa completed on 1 February 2025; the yearly programme made her certificate valid a year: expired now.
    let at = chrono::DateTime::parse_from_rfc3339("2025-02-01T03:00:00Z").unwrap().to_utc();
    let expired = complete_at(&app, hoa.id, at).await;
    assert_eq!(pass(day("2025-02-02")).await.completed.len(), 1);
    let page = verify_page(&app, &expired, "vi").await;
    assert_contains(
        &page,
        "<dt>Hiệu lực</dt><dd><strong class=\"badge\">Đã hết hạn ngày 01/02/2026</strong></dd>",
    );
    assert_lacks(&page, "Còn hiệu lực");
    insta::assert_snapshot!("verify_expired", main_of(&page));
    assert_contains(&verify_page(&app, &expired, "en").await, "Expired on 01/02/2026");

    // lan completes today: until a programme counts it, her certificate says nothing of an expiry.
    let today = daotao_core::platform::local_time::today();
    let valid = complete_at(&app, lan.id, chrono::Utc::now()).await;
    let page = verify_page(&app, &valid, "vi").await;
    assert_contains(&page, "Chứng nhận hợp lệ");
    assert_lacks(&page, "Hiệu lực");
    assert_lacks(&page, "hết hạn");
    // The pass completes her cycle: valid twelve months, on the verification page and on her certificate.
    assert_eq!(pass(today).await.completed.len(), 1);
    let until = today.checked_add_months(chrono::Months::new(12)).unwrap().format("%d/%m/%Y").to_string();
    let page = verify_page(&app, &valid, "vi").await;
    assert_contains(&page, &format!("<dt>Hiệu lực</dt><dd>Còn hiệu lực đến {until}</dd>"));
    assert_lacks(&page, "hết hạn");
    insta::assert_snapshot!("verify_valid", main_of(&page));
    assert_contains(&verify_page(&app, &valid, "en").await, &format!("Valid until {until}"));
    let session = app.session(lan.id).await;
    let resp = app.get_as(&session.token, &format!("/certificates/{valid}")).await;
    assert_status(&resp, StatusCode::OK, "/certificates");
    let page = text(resp).await;
    assert_contains(&page, &format!("<p class=\"validity\">Còn hiệu lực đến {until}</p>"));
    insta::assert_snapshot!("certificate_valid", main_of(&page));

    // A renewal's certificate (as the pass issues it) is the one her course card links; her transcript keeps
    // both, newest first.
    use daotao_core::entities::certificate;
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
    let first = certificate::Entity::find().filter(certificate::Column::Code.eq(&valid)).one(&app.db).await;
    let mut renewal: certificate::ActiveModel = first.unwrap().unwrap().into();
    renewal.id = sea_orm::ActiveValue::NotSet;
    renewal.code = sea_orm::ActiveValue::Set("RENE-WALC-ERTI-F1CA".into());
    renewal.issued_at = sea_orm::ActiveValue::Set(chrono::Utc::now() + chrono::Duration::seconds(1));
    renewal.insert(&app.db).await.unwrap();
    let page = me_page(&app, &session.token).await;
    assert_contains(&page, "href=\"/certificates/RENE-WALC-ERTI-F1CA\"");
    assert_lacks(&page, &format!("href=\"/certificates/{valid}\""));
    let page = text(app.get_as(&session.token, "/me/competencies").await).await;
    let (new, old) =
        (page.find("/certificates/RENE-WALC-ERTI-F1CA"), page.find(&format!("/certificates/{valid}")));
    assert!(new.is_some() && old.is_some() && new < old, "{page}");
}
