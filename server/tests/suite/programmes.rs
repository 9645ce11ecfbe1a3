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
