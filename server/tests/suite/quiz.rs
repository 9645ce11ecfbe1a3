//! Quizzes over the `quiz` fixture: starting, saving, submitting and reviewing attempts through the API
//! and the pages, and every rule the server enforces: no key before submission, the deadline, the attempt
//! limit, only the owner, one grading however often one submits, course completion and its awards.

use daotao_core::entities::user::Role;
use daotao_core::entities::{enrollment, quiz_attempt};
use poem::http::{Method, StatusCode, header};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};

use crate::helpers::*;

const COURSE: &str = "kiem-tra";
/// Strings that exist only in the quiz files' answer keys and explanations: never before submission.
const SECRETS: &[&str] =
    &["cong-dich-vu-bi-mat", "GIAI-THICH-BI-MAT", "PHAN-HOI-BI-MAT", "weight", "\"right\""];

/// An account with a session.
struct Learner {
    id: i64,
    token: String,
    csrf: String,
}

impl TestApp {
    async fn quiz_app() -> TestApp {
        TestApp::spawn(Fixture::Quiz).await
    }

    /// A learner with a session, enrolled in the course or not.
    async fn signed_in(&self, username: &str, enrolled: bool) -> Learner {
        self.signed_in_as(username, Role::Learner, enrolled).await
    }

    async fn signed_in_as(&self, username: &str, role: Role, enrolled: bool) -> Learner {
        let user = self.person(username, role).await;
        if enrolled {
            self.enrol(COURSE, user.id).await;
        }
        let session = self.session(user.id).await;
        Learner { id: user.id, token: session.token, csrf: session.csrf }
    }

    async fn start(&self, who: &Learner, quiz: &str) -> (StatusCode, Value) {
        self.api(Method::POST, &format!("/courses/{COURSE}/quizzes/{quiz}/attempts"), &who.token, None).await
    }

    async fn attempt_row(&self, id: i64) -> quiz_attempt::Model {
        quiz_attempt::Entity::find_by_id(id).one(&self.db).await.unwrap().unwrap()
    }
}

/// The id of the option whose html is `text` in question `q` of an attempt's JSON.
fn option_id(attempt: &Value, stem: &str, text: &str) -> (String, String) {
    let q = attempt["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["stem_html"].as_str().unwrap().contains(stem))
        .unwrap_or_else(|| panic!("no question {stem} in {attempt}"));
    let o = q["options"].as_array().unwrap().iter().find(|o| o["html"] == text);
    (
        q["id"].as_str().unwrap().to_string(),
        o.map(|o| o["id"].as_str().unwrap().to_string()).unwrap_or_default(),
    )
}

/// Answers to the completion quiz: all right, or all wrong.
fn answers(attempt: &Value, right: bool) -> Value {
    let (q1, right1) = option_id(attempt, "Chọn một", "Đúng một");
    let (_, wrong1) = option_id(attempt, "Chọn một", "Sai một");
    let (q2, a) = option_id(attempt, "Chọn nhiều", "Đúng A");
    let (_, b) = option_id(attempt, "Chọn nhiều", "Đúng B");
    let (q3, _) = option_id(attempt, "Địa chỉ cổng?", "");
    let (q4, _) = option_id(attempt, "Dùng chung", "");
    if right {
        json!({ q1: [right1], q2: [a, b], q3: "  CONG-DICH-VU-BI-MAT.gov.vn ", q4: ["false"] })
    } else {
        json!({ q1: [wrong1], q2: [a], q3: "không biết", q4: ["true"] })
    }
}

#[tokio::test]
async fn an_attempt_asks_without_keys_and_grades_on_submit() {
    let app = TestApp::quiz_app().await;
    let lan = app.signed_in("lan", true).await;
    let (status, attempt) = app.start(&lan, "cuoi-khoa").await;
    assert_eq!(status, StatusCode::CREATED, "{attempt}");
    let text = attempt.to_string();
    for secret in SECRETS {
        assert!(!text.contains(secret), "{secret} leaked before submission: {text}");
    }
    assert_eq!(attempt["questions"].as_array().unwrap().len(), 4);
    assert!(attempt["deadline"].is_string(), "a 10-minute limit has a deadline");
    assert!(attempt.get("result").is_none(), "no result before submitting: {attempt}");
    let kinds: Vec<&str> =
        attempt["questions"].as_array().unwrap().iter().map(|q| q["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["single", "multiple", "short", "true_false"]);

    // Starting again resumes the running attempt.
    let (status, again) = app.start(&lan, "cuoi-khoa").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["id"], attempt["id"]);

    let id = attempt["id"].as_i64().unwrap();
    let (status, saved) = app
        .api(Method::PUT, &format!("/attempts/{id}/answers"), &lan.token, Some(answers(&attempt, true)))
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert!(!saved.to_string().contains("GIAI-THICH-BI-MAT"));
    // No body: the answers saved are graded (DESIGN.md's shape, result at the top level).
    let (status, graded) = app.api(Method::POST, &format!("/attempts/{id}/submit"), &lan.token, None).await;
    assert_eq!(status, StatusCode::OK, "{graded}");
    let result = &graded;
    assert_eq!(result["percent"], 100.0);
    assert_eq!(result["passed"], true);
    assert_eq!(result["score"], 4.0);
    let review = result["questions"].to_string();
    assert!(review.contains("GIAI-THICH-BI-MAT"), "the explanation after submission: {review}");
    assert!(review.contains("cong-dich-vu-bi-mat.gov.vn"), "the accepted answer after submission");
}

#[tokio::test]
async fn bad_answers_are_refused_and_change_nothing() {
    let app = TestApp::quiz_app().await;
    let lan = app.signed_in("lan", true).await;
    let (_, attempt) = app.start(&lan, "cuoi-khoa").await;
    let id = attempt["id"].as_i64().unwrap();
    let (q1, o) = option_id(&attempt, "Chọn một", "Đúng một");
    app.api(
        Method::PUT,
        &format!("/attempts/{id}/answers"),
        &lan.token,
        Some(json!({ q1.clone(): [o.clone()] })),
    )
    .await;
    for bad in [
        json!({ "q99": ["o1"] }),
        json!({ q1.clone(): ["o99"] }),
        json!({ q1.clone(): ["o1", "o2"] }),
        json!({ q1.clone(): "chữ" }),
        json!({ q1.clone(): ["x".repeat(600)] }),
    ] {
        let (status, err) =
            app.api(Method::PUT, &format!("/attempts/{id}/answers"), &lan.token, Some(bad.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad} -> {err}");
        assert!(err["error"].is_string());
    }
    let (status, _) =
        app.api(Method::PUT, &format!("/attempts/{id}/answers"), &lan.token, Some(json!([1, 2]))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let stored: Value = serde_json::from_str(&app.attempt_row(id).await.answers).unwrap();
    assert_eq!(stored, json!({ q1: [o] }), "the answer saved before is intact");
}

#[tokio::test]
async fn only_enrolled_learners_start_and_only_the_owner_sees_an_attempt() {
    let app = TestApp::quiz_app().await;
    let lan = app.signed_in("lan", true).await;
    let minh = app.signed_in("minh", false).await;
    let (status, err) = app.start(&minh, "cuoi-khoa").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    let (status, _) = app.start(&lan, "khong-co").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, attempt) = app.start(&lan, "cuoi-khoa").await;
    let id = attempt["id"].as_i64().unwrap();
    let (status, _) = app.api(Method::GET, &format!("/attempts/{id}"), &minh.token, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another learner's attempt does not exist for them");
    let (status, _) = app
        .api(Method::PUT, &format!("/attempts/{id}/answers"), &minh.token, Some(answers(&attempt, false)))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) =
        app.api(Method::POST, &format!("/attempts/{id}/submit"), &minh.token, Some(json!({}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(app.attempt_row(id).await.submitted_at.is_none(), "nothing changed");
    let resp = app.get_as(&minh.token, &format!("/attempts/{id}")).await;
    resp.assert_status(StatusCode::NOT_FOUND);
    let resp = app.cli.get(format!("/api/v1/attempts/{id}")).send().await;
    resp.assert_status(StatusCode::UNAUTHORIZED);
    let resp = app.get_as(&lan.token, "/attempts/abc").await;
    resp.assert_status(StatusCode::NOT_FOUND);
    assert!(text(resp).await.contains("<html"), "a malformed address gets the site's 404 page");
}

#[tokio::test]
async fn submitting_twice_grades_once_and_answers_freeze() {
    let app = TestApp::quiz_app().await;
    let lan = app.signed_in("lan", true).await;
    let (_, attempt) = app.start(&lan, "cuoi-khoa").await;
    let id = attempt["id"].as_i64().unwrap();
    let path = format!("/attempts/{id}/submit");
    let right = answers(&attempt, true);
    let wrong = answers(&attempt, false);
    // A double click and a retry race: both arrive together, with different answers.
    let (a, b) = tokio::join!(
        app.api(Method::POST, &path, &lan.token, Some(wrong.clone())),
        app.api(Method::POST, &path, &lan.token, Some(right.clone()))
    );
    assert_eq!(a.0, StatusCode::OK);
    assert_eq!(b.0, StatusCode::OK);
    assert_eq!(a.1, b.1, "both get the one result");
    assert_eq!(a.1["submitted_at"], b.1["submitted_at"]);
    let first = a.1["percent"].clone();
    let (_, third) = app.api(Method::POST, &path, &lan.token, Some(right.clone())).await;
    assert_eq!(third, a.1, "a later retry returns the same result");
    let (status, _) = app.api(Method::PUT, &format!("/attempts/{id}/answers"), &lan.token, Some(right)).await;
    assert_eq!(status, StatusCode::CONFLICT, "answers cannot change after submission");
    assert_eq!(app.attempt_row(id).await.percent, first.as_f64());
}

#[tokio::test]
async fn the_attempt_limit_is_enforced_and_the_best_attempt_counts() {
    let app = TestApp::quiz_app().await;
    let lan = app.signed_in("lan", true).await;
    let mut ids = Vec::new();
    for right in [false, true] {
        let (status, attempt) = app.start(&lan, "cuoi-khoa").await;
        assert_eq!(status, StatusCode::CREATED);
        let id = attempt["id"].as_i64().unwrap();
        app.api(Method::POST, &format!("/attempts/{id}/submit"), &lan.token, Some(answers(&attempt, right)))
            .await;
        ids.push(id);
        // A failed attempt's result offers another try while attempts are left; a pass does not.
        let result = text(app.get_as(&lan.token, &format!("/attempts/{id}")).await).await;
        assert_eq!(result.contains("Làm lại bài kiểm tra"), !right, "{result}");
        assert_eq!(result.contains("Còn lại: 1"), !right, "{result}");
    }
    let failed = text(app.get_as(&lan.token, &format!("/attempts/{}", ids[0])).await).await;
    assert!(!failed.contains("Làm lại bài kiểm tra"), "no attempts left: {failed}");
    let (status, err) = app.start(&lan, "cuoi-khoa").await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert!(err["error"].as_str().unwrap().contains("allows 2"));
    let page = text(app.get_as(&lan.token, &format!("/courses/{COURSE}/quizzes/cuoi-khoa")).await).await;
    assert!(page.contains("Kết quả được tính (cao nhất): <strong>100%</strong>"), "{page}");
    assert!(!page.contains("Bắt đầu làm bài"), "no start button without attempts left");
}

#[tokio::test]
async fn past_the_deadline_only_answers_saved_in_time_count() {
    let app = TestApp::quiz_app().await;
    let lan = app.signed_in("lan", true).await;
    let (_, attempt) = app.start(&lan, "cuoi-khoa").await;
    let id = attempt["id"].as_i64().unwrap();
    // One right answer saved in time.
    let (q1, right1) = option_id(&attempt, "Chọn một", "Đúng một");
    app.api(Method::PUT, &format!("/attempts/{id}/answers"), &lan.token, Some(json!({ q1: [right1] }))).await;
    // Then the clock runs out (moved back in the database: the server's clock decides).
    let mut row: quiz_attempt::ActiveModel = app.attempt_row(id).await.into();
    let past = chrono::Utc::now() - chrono::Duration::minutes(11);
    row.started_at = Set(past - chrono::Duration::minutes(10));
    row.deadline = Set(Some(past));
    row.update(&app.db).await.unwrap();

    let (status, _) = app
        .api(Method::PUT, &format!("/attempts/{id}/answers"), &lan.token, Some(answers(&attempt, true)))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "no saving after the deadline");
    let (status, graded) = app
        .api(Method::POST, &format!("/attempts/{id}/submit"), &lan.token, Some(answers(&attempt, true)))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(graded["score"], 1.0, "only the answer saved in time: {graded}");
    assert_eq!(graded["closed_by_server"], true);
    assert_eq!(graded["passed"], false);
}

#[tokio::test]
async fn the_server_closes_an_abandoned_attempt_at_its_deadline() {
    let app = TestApp::quiz_app().await;
    let lan = app.signed_in("lan", true).await;
    let (_, attempt) = app.start(&lan, "cuoi-khoa").await;
    let id = attempt["id"].as_i64().unwrap();
    app.api(Method::PUT, &format!("/attempts/{id}/answers"), &lan.token, Some(answers(&attempt, true))).await;
    assert_eq!(daotao_server::attempt_closer::close_once(&app.state).await.unwrap(), 0, "still running");
    // Another abandoned attempt whose stored questions cannot be read does not stop this one being closed.
    let minh = app.signed_in("minh", true).await;
    let (_, broken) = app.start(&minh, "cuoi-khoa").await;
    let broken = broken["id"].as_i64().unwrap();
    let deadline = chrono::Utc::now() - chrono::Duration::minutes(1);
    for (attempt, questions) in [(broken, Some("{ không phải JSON")), (id, None)] {
        let mut row: quiz_attempt::ActiveModel = app.attempt_row(attempt).await.into();
        row.deadline = Set(Some(deadline));
        if let Some(q) = questions {
            row.questions = Set(q.into());
        }
        row.update(&app.db).await.unwrap();
    }
    assert_eq!(daotao_server::attempt_closer::close_once(&app.state).await.unwrap(), 1);
    assert!(app.attempt_row(broken).await.submitted_at.is_none(), "left for an admin to look at");
    let row = app.attempt_row(id).await;
    assert!(row.closed_by_server);
    assert_eq!(row.percent, Some(100.0), "graded on the answers saved");
    assert_eq!(
        row.submitted_at.map(|t| t.timestamp()),
        Some(deadline.timestamp()),
        "closed as of the deadline"
    );
}

#[tokio::test]
async fn reading_every_lesson_and_passing_the_completion_quiz_completes_the_course() {
    let app = TestApp::quiz_app().await;
    let lan = app.signed_in("lan", true).await;
    let completed = |db: DatabaseConnection, user: i64| async move {
        enrollment::Entity::find()
            .filter(enrollment::Column::UserId.eq(user))
            .one(&db)
            .await
            .unwrap()
            .unwrap()
            .completed_at
            .is_some()
    };
    // Passing first, lessons after: complete only once both are done.
    let (_, attempt) = app.start(&lan, "cuoi-khoa").await;
    let id = attempt["id"].as_i64().unwrap();
    app.api(Method::POST, &format!("/attempts/{id}/submit"), &lan.token, Some(answers(&attempt, true))).await;
    assert!(!completed(app.db.clone(), lan.id).await, "lessons not read yet");
    app.api(Method::PUT, &format!("/courses/{COURSE}/lessons/mot/progress"), &lan.token, None).await;
    assert!(!completed(app.db.clone(), lan.id).await);
    app.api(Method::PUT, &format!("/courses/{COURSE}/lessons/hai/progress"), &lan.token, None).await;
    assert!(completed(app.db.clone(), lan.id).await);
    let (_, me) = app.api(Method::GET, "/me", &lan.token, None).await;
    assert_eq!(me["enrollments"][0]["completed"], true, "{me}");

    // Failing the quiz after reading everything does not complete it.
    let hoa = app.signed_in("hoa", true).await;
    app.api(Method::PUT, &format!("/courses/{COURSE}/lessons/mot/progress"), &hoa.token, None).await;
    app.api(Method::PUT, &format!("/courses/{COURSE}/lessons/hai/progress"), &hoa.token, None).await;
    let (_, attempt) = app.start(&hoa, "cuoi-khoa").await;
    let id = attempt["id"].as_i64().unwrap();
    app.api(Method::POST, &format!("/attempts/{id}/submit"), &hoa.token, Some(answers(&attempt, false)))
        .await;
    assert!(!completed(app.db.clone(), hoa.id).await);
}

#[tokio::test]
async fn editing_the_quiz_file_never_changes_a_past_attempt() {
    let app = TestApp::quiz_app().await;
    let lan = app.signed_in("lan", true).await;
    let (_, attempt) = app.start(&lan, "cuoi-khoa").await;
    let id = attempt["id"].as_i64().unwrap();
    let (_, before) = app
        .api(Method::POST, &format!("/attempts/{id}/submit"), &lan.token, Some(answers(&attempt, true)))
        .await;
    std::fs::write(
        app.courses.join(COURSE).join("quiz/cuoi-khoa.md"),
        "+++\ntitle = \"Cuối khoá\"\n+++\n\n## Một câu mới hẳn\n\n- [x] A\n- [ ] B\n",
    )
    .unwrap();
    app.reload().await;
    let (_, after) = app.api(Method::GET, &format!("/attempts/{id}"), &lan.token, None).await;
    assert_eq!(after["result"]["percent"], before["percent"]);
    assert_eq!(after["result"]["questions"], before["questions"], "the same questions, graded the same");
}

#[tokio::test]
async fn an_attempt_graded_before_the_punctuation_rule_keeps_its_marks() {
    let app = TestApp::quiz_app().await;
    let lan = app.signed_in("lan", true).await;
    let (_, attempt) = app.start(&lan, "cuoi-khoa").await;
    let id = attempt["id"].as_i64().unwrap();
    let mut given = answers(&attempt, true);
    let (q3, _) = option_id(&attempt, "Địa chỉ cổng?", "");
    given[&q3] = json!("cong-dich-vu-bi-mat.gov.vn/.");
    let (_, graded) = app.api(Method::POST, &format!("/attempts/{id}/submit"), &lan.token, Some(given)).await;
    assert_eq!(graded["percent"], 100.0, "today a trailing slash and full stop are forgiven: {graded}");

    // The same attempt as the rule before #19 graded it: the typed address wrong, 3 of 4.
    let row = app.attempt_row(id).await;
    let position =
        attempt["questions"].as_array().unwrap().iter().position(|q| q["id"] == q3.as_str()).unwrap();
    let mut marks: Vec<f64> = serde_json::from_str(row.marks.as_deref().unwrap()).unwrap();
    marks[position] = 0.0;
    let mut old: quiz_attempt::ActiveModel = row.into();
    old.marks = Set(Some(serde_json::to_string(&marks).unwrap()));
    old.score = Set(Some(3.0));
    old.percent = Set(Some(75.0));
    old.passed = Set(Some(false));
    old.update(&app.db).await.unwrap();

    let (_, after) = app.api(Method::GET, &format!("/attempts/{id}"), &lan.token, None).await;
    assert_eq!(after["result"]["percent"], 75.0, "{after}");
    let reviewed = &after["result"]["questions"][position];
    assert_eq!(
        (reviewed["marks"].as_f64(), reviewed["correct"].as_bool()),
        (Some(0.0), Some(false)),
        "{reviewed}"
    );
    let (_, again) = app.api(Method::POST, &format!("/attempts/{id}/submit"), &lan.token, None).await;
    assert_eq!(again["percent"], 75.0, "submitting again never grades again: {again}");
    let page = text(app.get_as(&lan.token, &format!("/attempts/{id}")).await).await;
    assert!(page.contains("<strong>75%</strong>"), "{page}");
    assert_eq!(
        page.matches("<li class=\"question incorrect\"").count(),
        1,
        "the typed address, as graded: {page}"
    );
}

#[tokio::test]
async fn extra_time_lengthens_the_deadline_and_the_attempt_page_says_so() {
    let app = TestApp::quiz_app().await;
    let lan = app.signed_in("lan", true).await;
    let hoa = app.signed_in("hoa", true).await;
    daotao_core::people::accounts::set_extra_time(&app.db, "lan", 50, "quan.tri", "cli").await.unwrap();
    for (who, minutes, extra) in [(&lan, 15, true), (&hoa, 10, false)] {
        let (_, attempt) = app.start(who, "cuoi-khoa").await;
        let id = attempt["id"].as_i64().unwrap();
        let row = app.attempt_row(id).await;
        assert_eq!(
            row.deadline.unwrap() - row.started_at,
            chrono::Duration::minutes(minutes),
            "10 × (1 + p/100)"
        );
        let page = text(app.get_as(&who.token, &format!("/attempts/{id}")).await).await;
        assert!(page.contains(&format!("Thời gian làm bài: <strong>{minutes} phút</strong>")), "{page}");
        assert_eq!(page.contains("đã gồm thời gian thêm dành cho bạn"), extra, "{page}");
    }
}

#[tokio::test]
async fn an_assigned_trainer_sees_the_learners_progress_and_best_scores() {
    let app = TestApp::quiz_app().await;
    let lan = app.signed_in("lan", true).await;
    for right in [false, true] {
        let (_, attempt) = app.start(&lan, "cuoi-khoa").await;
        let id = attempt["id"].as_i64().unwrap();
        app.api(Method::POST, &format!("/attempts/{id}/submit"), &lan.token, Some(answers(&attempt, right)))
            .await;
    }
    let trainer = app.signed_in_as("giang.vien", Role::Trainer, false).await;
    let other = app.signed_in_as("giang.vien2", Role::Trainer, false).await;
    let path = format!("/courses/{COURSE}/learners");
    app.get_as(&trainer.token, &path).await.assert_status(StatusCode::FORBIDDEN);

    assert!(daotao_core::people::trainers::assign(&app.db, COURSE, "giang.vien").await.unwrap());
    assert!(
        !daotao_core::people::trainers::assign(&app.db, COURSE, "giang.vien").await.unwrap(),
        "assigning twice changes nothing"
    );
    let resp = app.get_as(&trainer.token, &path).await;
    resp.assert_status_is_ok();
    let page = text(resp).await;
    assert!(page.contains("Trần Văn lan"), "{page}");
    assert!(page.contains("100% (2 lần)"), "the best of two attempts: {page}");
    app.get_as(&other.token, &path).await.assert_status(StatusCode::FORBIDDEN);
    let refused = daotao_core::people::trainers::assign(&app.db, COURSE, "lan").await;
    assert!(
        matches!(refused, Err(daotao_core::people::trainers::TrainerError::NotTrainer(..))),
        "{refused:?}"
    );

    assert!(daotao_core::people::trainers::unassign(&app.db, COURSE, "giang.vien").await.unwrap());
    app.get_as(&trainer.token, &path).await.assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn gift_questions_are_asked_and_graded() {
    let app = TestApp::quiz_app().await;
    let lan = app.signed_in("lan", true).await;
    let (status, attempt) = app.start(&lan, "on-tap").await;
    assert_eq!(status, StatusCode::CREATED, "{attempt}");
    assert!(!attempt.to_string().contains("PHAN-HOI-BI-MAT"));
    let qs = attempt["questions"].as_array().unwrap();
    let kinds: Vec<&str> = qs.iter().map(|q| q["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["numerical", "matching", "true_false"]);
    assert_eq!(qs[1]["choices"], json!(["ngân sách", "nhân sự"]));
    let left = |text: &str| {
        qs[1]["options"].as_array().unwrap().iter().find(|o| o["html"] == text).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let answers = json!({
        "q1": "5,0",
        "q2": { left("Sở Nội vụ"): "nhân sự", left("Sở Tài chính"): "ngân sách" },
        "q3": ["false"],
    });
    let id = attempt["id"].as_i64().unwrap();
    let (status, graded) =
        app.api(Method::POST, &format!("/attempts/{id}/submit"), &lan.token, Some(answers)).await;
    assert_eq!(status, StatusCode::OK, "{graded}");
    assert_eq!(graded["percent"], 100.0, "{graded}");
    assert!(graded["questions"][2]["feedback_html"].to_string().contains("PHAN-HOI-BI-MAT đúng"));
}

#[tokio::test]
async fn the_quiz_works_as_plain_html_forms() {
    let app = TestApp::quiz_app().await;
    let lan = app.signed_in("lan", true).await;
    let quiz_page = text(app.get_as(&lan.token, &format!("/courses/{COURSE}/quizzes/cuoi-khoa")).await).await;
    assert!(quiz_page.contains("Bắt đầu làm bài"), "{quiz_page}");
    let start = format!("/courses/{COURSE}/quizzes/cuoi-khoa/attempts");
    app.post_as(&lan.token, &start, &[]).await.assert_status(StatusCode::FORBIDDEN);
    let resp = app.post_as(&lan.token, &start, &[("csrf", &lan.csrf)]).await;
    resp.assert_status(StatusCode::SEE_OTHER);
    let to = resp.0.headers()[header::LOCATION].to_str().unwrap().to_string();
    let id: i64 = to.strip_prefix("/attempts/").unwrap().parse().unwrap();

    let page = text(app.get_as(&lan.token, &to).await).await;
    for secret in SECRETS {
        assert!(!page.contains(secret), "{secret} in the attempt page");
    }
    assert!(page.contains("type=\"radio\""));
    assert!(page.contains("type=\"checkbox\""));
    assert!(page.contains("id=\"countdown\""));
    // Answers as the browser posts them without JavaScript.
    let row = app.attempt_row(id).await;
    let questions: Vec<daotao_content::quiz::Question> = serde_json::from_str(&row.questions).unwrap();
    let mut fields = vec![("csrf", lan.csrf.as_str()), ("action", "save")];
    for q in &questions {
        match &q.kind {
            daotao_content::quiz::Kind::Single { options }
            | daotao_content::quiz::Kind::Multiple { options, .. } => {
                for o in options.iter().filter(|o| o.weight > 0.0) {
                    fields.push((&q.id, &o.id));
                }
            }
            daotao_content::quiz::Kind::Short { .. } => fields.push((&q.id, "cong-dich-vu-bi-mat.gov.vn")),
            daotao_content::quiz::Kind::TrueFalse { .. } => fields.push((&q.id, "true")),
            _ => {}
        }
    }
    let resp = app.post_as(&lan.token, &to, &fields).await;
    resp.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(resp.0.headers()[header::LOCATION], format!("{to}?saved=1").as_str());
    let page = text(app.get_as(&lan.token, &format!("{to}?saved=1")).await).await;
    assert!(page.contains("Đã lưu câu trả lời."));
    assert!(page.contains("checked"), "saved answers are shown again");

    fields[1].1 = "submit";
    let resp = app.post_as(&lan.token, &to, &fields).await;
    resp.assert_status(StatusCode::SEE_OTHER);
    let result = text(app.get_as(&lan.token, &to).await).await;
    // Three of four right, passed; explanations after submission; the wrong true/false answer marked.
    insta::assert_snapshot!("result", main_of(&result));
    // The same form again changes nothing.
    app.post_as(&lan.token, &to, &fields).await.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(app.attempt_row(id).await.percent, Some(75.0));
    let missing_csrf = app.post_as(&lan.token, &to, &[("action", "submit")]).await;
    missing_csrf.assert_status(StatusCode::FORBIDDEN);
}

/// Completes the course for `who`: reads both lessons and passes the completion quiz; returns the attempt.
async fn complete(app: &TestApp, who: &Learner) -> Value {
    app.api(Method::PUT, &format!("/courses/{COURSE}/lessons/mot/progress"), &who.token, None).await;
    app.api(Method::PUT, &format!("/courses/{COURSE}/lessons/hai/progress"), &who.token, None).await;
    let (_, attempt) = app.start(who, "cuoi-khoa").await;
    let id = attempt["id"].as_i64().unwrap();
    let (_, graded) = app
        .api(Method::POST, &format!("/attempts/{id}/submit"), &who.token, Some(answers(&attempt, true)))
        .await;
    graded
}

#[tokio::test]
async fn completing_a_course_awards_its_competencies_and_a_certificate_anyone_can_verify() {
    let app = TestApp::quiz_app().await;
    let lan = app.signed_in("lan", true).await;
    let minh = app.signed_in("minh", true).await;
    let graded = complete(&app, &lan).await;
    let (_, me) = app.api(Method::GET, "/me", &lan.token, None).await;
    let held = &me["competencies"];
    assert_eq!(held.as_array().unwrap().len(), 1, "{me}");
    assert_eq!(held[0]["code"], "ATTT.1");
    assert_eq!(held[0]["level"], 1);
    assert_eq!(held[0]["level_name"], "Cơ bản");
    assert_eq!(held[0]["score_percent"], 100.0, "the evidence: the passing attempt's score");
    assert_eq!(held[0]["attempt_id"], graded["id"], "and the attempt itself");
    let award = daotao_core::entities::competency_award::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(award.len(), 1);
    assert_eq!(award[0].attempt_id, graded["id"].as_i64());
    let (_, me) = app.api(Method::GET, "/me", &minh.token, None).await;
    assert_eq!(me["competencies"], json!([]), "another learner holds nothing");

    // Checking completion again awards nothing twice.
    let course = app.state.library().courses[COURSE].clone();
    let again =
        daotao_core::learning::completion::check(&app.db, lan.id, &course, chrono::Utc::now()).await.unwrap();
    assert!(!again);
    daotao_core::learning::awards::on_completion(&app.db, lan.id, &course, chrono::Utc::now()).await.unwrap();
    assert_eq!(daotao_core::entities::competency_award::Entity::find().all(&app.db).await.unwrap().len(), 1);
    let certs = daotao_core::entities::certificate::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(certs.len(), 1);
    let code = certs[0].code.clone();
    assert_eq!(code.len(), 19);

    let page = text(app.get_as(&lan.token, "/me/competencies").await).await;
    assert!(page.contains("ATTT.1"), "{page}");
    assert!(page.contains(&format!("/certificates/{code}")));
    assert!(page.contains(&format!("<a href=\"/attempts/{}\">Điểm 100%</a>", graded["id"])), "{page}");
    let cert = app.get_as(&lan.token, &format!("/certificates/{code}")).await;
    cert.assert_status_is_ok();
    let cert = text(cert).await;
    assert!(cert.contains(&code) && cert.contains(&format!("/verify/{code}")), "{cert}");
    // The holder, the course, its hours and the competency it recognised.
    insta::assert_snapshot!("certificate", main_of(&cert));
    app.get_as(&minh.token, &format!("/certificates/{code}")).await.assert_status(StatusCode::NOT_FOUND);

    // Anyone can verify, without logging in; only name, course, date and code are shown.
    let verify = app.cli.get(format!("/verify/{}", code.to_lowercase())).send().await;
    verify.assert_status_is_ok();
    let verify = text(verify).await;
    // Valid: the holder's name, the course, the date and the code.
    insta::assert_snapshot!("verify", main_of(&verify));
    assert!(!verify.contains("lan@") && !verify.contains("Chuyên viên"), "nothing else about the holder");
    let forged = app.cli.get("/verify/ABCD-EFGH-JKLM-NPQR").send().await;
    forged.assert_status(StatusCode::NOT_FOUND);
    assert!(text(forged).await.contains("Không có chứng nhận nào mang mã này"));
    let typed = app.cli.get(format!("/verify?code={}", code.replace('-', "+").to_lowercase())).send().await;
    typed.assert_status_is_ok();
    app.cli.get("/verify").send().await.assert_status_is_ok();
}

/// The quiz fixture's competency, mapped (#20) to a framework with a short name and areas and to one that
/// lists no areas, with a note.
const MAPPED_COMPETENCIES: &str = r#"
[[framework]]
id = "digcomp-3"
name = "DigComp 3.0, Khung năng lực số châu Âu (Trung tâm Nghiên cứu chung của Ủy ban châu Âu, 11/2025)"
short_name = "DigComp 3.0"
areas = ["1. Information", "2. Communication", "3. Content", "4. Safety", "5. Problems"]

[[framework]]
id = "757-bkhcn"
name = "Khung kiến thức, kỹ năng số cơ bản (757/QĐ-BKHCN)"

[[competency]]
code = "ATTT.1"
name = "An toàn thông tin"
area = "An toàn"
levels = ["Cơ bản", "Thành thạo"]
maps_to = [
  { framework = "757-bkhcn", note = "an toàn, bảo mật trên môi trường số <b>" },
  { framework = "digcomp-3", areas = [4, 2] },
]
"#;

#[tokio::test]
async fn my_competencies_say_where_each_sits_in_the_reference_frameworks() {
    let app = TestApp::with_edit(Fixture::Quiz, |courses| {
        std::fs::write(courses.join("competencies.toml"), MAPPED_COMPETENCIES).unwrap();
    })
    .await;
    let lan = app.signed_in("lan", true).await;
    complete(&app, &lan).await;
    let page = text(app.get_as(&lan.token, "/me/competencies").await).await;
    // Under the competency's name, in the file's order: the framework's short name (or its name), then the
    // area names and the note; the note is text, escaped like the rest.
    insta::assert_snapshot!("competencies_maps_to", main_of(&page));
    assert!(
        page.contains(
            "<div class=\"maps-to\">Tương ứng với:<ul><li>Khung kiến thức, kỹ năng số cơ bản (757/QĐ-BKHCN) — \
             an toàn, bảo mật trên môi trường số &#60;b&#62;</li><li>DigComp 3.0 — 4. Safety; 2. Communication</li>\
             </ul></div>"
        ),
        "{page}"
    );
    let english = app
        .with_cookie(Method::GET, "/me/competencies", &lan.token)
        .header(header::ACCEPT_LANGUAGE, "en")
        .send()
        .await;
    assert!(text(english).await.contains("<div class=\"maps-to\">Corresponds to:<ul>"));

    // A competency mapped to nothing shows no empty line.
    std::fs::write(
        app.courses.join("competencies.toml"),
        "[[competency]]\ncode = \"ATTT.1\"\nname = \"An toàn thông tin\"\narea = \"An toàn\"\n\
         levels = [\"Cơ bản\", \"Thành thạo\"]\n",
    )
    .unwrap();
    app.reload().await;
    let page = text(app.get_as(&lan.token, "/me/competencies").await).await;
    assert!(page.contains("ATTT.1") && !page.contains("class=\"maps-to\""), "{page}");
}

#[tokio::test]
async fn a_higher_level_supersedes_and_a_later_mapping_change_never_rewrites_awards() {
    let app = TestApp::quiz_app().await;
    let lan = app.signed_in("lan", true).await;
    complete(&app, &lan).await;
    // The trainer raises the course's level afterwards: past awards stay as they were.
    let toml = app.courses.join(COURSE).join("course.toml");
    let raised = std::fs::read_to_string(&toml).unwrap().replace("level = 1", "level = 2");
    std::fs::write(&toml, raised).unwrap();
    app.reload().await;
    let (_, me) = app.api(Method::GET, "/me", &lan.token, None).await;
    assert_eq!(me["competencies"][0]["level"], 1, "the award is not rewritten");

    // A second learner completes under the new mapping and holds level 2; an award of a higher level (from
    // another course) supersedes a lower one for the first learner.
    let hoa = app.signed_in("hoa", true).await;
    complete(&app, &hoa).await;
    let (_, me) = app.api(Method::GET, "/me", &hoa.token, None).await;
    assert_eq!(me["competencies"][0]["level"], 2);
    assert_eq!(me["competencies"][0]["level_name"], "Thành thạo");
    // Each certificate names the level its completion awarded.
    let certificate_of = |who: &Learner| {
        let id = who.id;
        let db = app.db.clone();
        async move {
            let all = daotao_core::entities::certificate::Entity::find().all(&db).await.unwrap();
            all.into_iter().find(|c| c.user_id == id).unwrap().code
        }
    };
    let page =
        text(app.get_as(&lan.token, &format!("/certificates/{}", certificate_of(&lan).await)).await).await;
    assert!(page.contains("Mức 1: Cơ bản") && !page.contains("Mức 2"), "{page}");
    let page =
        text(app.get_as(&hoa.token, &format!("/certificates/{}", certificate_of(&hoa).await)).await).await;
    assert!(page.contains("Mức 2: Thành thạo"), "{page}");
    let course = app.state.library().courses[COURSE].clone();
    let mut other = (*course).clone();
    other.id = "khoa-khac".into();
    daotao_core::entities::course::Entity::insert(daotao_core::entities::course::ActiveModel {
        id: Set("khoa-khac".into()),
        title: Set("Khoá khác".into()),
        summary: Set(String::new()),
        hours: Set(1),
        self_enrol: Set(false),
        content_hash: Set(String::new()),
        active: Set(true),
        synced_at: Set(chrono::Utc::now()),
    })
    .exec(&app.db)
    .await
    .unwrap();
    daotao_core::learning::awards::on_completion(&app.db, lan.id, &other, chrono::Utc::now()).await.unwrap();
    let (_, me) = app.api(Method::GET, "/me", &lan.token, None).await;
    assert_eq!(me["competencies"].as_array().unwrap().len(), 1);
    assert_eq!(me["competencies"][0]["level"], 2, "{me}");
    assert_eq!(me["competencies"][0]["course_id"], "khoa-khac");
}
