//! Quizzes through the whole app (poem's `TestClient`, a fresh database per test, SQLite by default and
//! PostgreSQL with `DAOTAO_TEST_BACKEND=postgres`): starting, saving, submitting and reviewing attempts
//! through the API and the pages, and every rule the server enforces: no key before submission, the
//! deadline, the attempt limit, only the owner, one grading however often one submits, course completion.

use std::path::Path;
use std::sync::Arc;

use daotao_core::entities::user::Role;
use daotao_core::entities::{enrollment, quiz_attempt};
use daotao_core::people::accounts::{NewUser, add_user};
use daotao_core::people::auth::Policy;
use daotao_server::state::AppState;
use poem::endpoint::BoxEndpoint;
use poem::http::{StatusCode, header};
use poem::test::{TestClient, TestResponse};
use poem::{EndpointExt, Response};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};
use tempfile::TempDir;

type Client = TestClient<BoxEndpoint<'static, Response>>;

const COURSE: &str = "kiem-tra";
const PASSWORD: &str = "mat-khau-du-dai-2026";
/// Strings that exist only in the quiz files' answer keys and explanations: never before submission.
const SECRETS: &[&str] =
    &["cong-dich-vu-bi-mat", "GIAI-THICH-BI-MAT", "PHAN-HOI-BI-MAT", "weight", "\"right\""];

fn write(path: &Path, contents: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

/// One course: two lessons, a completion quiz (markdown: single, multiple, short answer, true/false; two
/// attempts, 10 minutes) and a GIFT quiz (numerical, matching, true/false with feedback).
fn write_fixture(root: &Path) {
    let c = root.join(COURSE);
    write(
        &root.join("competencies.toml"),
        "[[competency]]\ncode = \"ATTT.1\"\nname = \"An toàn thông tin\"\narea = \"An toàn\"\n\
         levels = [\"Cơ bản\", \"Thành thạo\"]\n",
    );
    write(
        &c.join("course.toml"),
        "title = \"Kiểm tra\"\nhours = 3\nself_enrol = true\ncompetencies = [{ code = \"ATTT.1\", level = 1 }]\n\
         [completion]\nlessons = \"all\"\nquiz = \"cuoi-khoa\"\n",
    );
    write(&c.join("01-mot.md"), "# Bài một\n\nNội dung.\n");
    write(&c.join("02-hai.md"), "# Bài hai\n\nNội dung.\n");
    write(
        &c.join("quiz/cuoi-khoa.md"),
        "+++\ntitle = \"Cuối khoá\"\npass_percent = 75\nattempts = 2\ntime_limit_minutes = 10\n+++\n\n\
         ## Chọn một\n\n- [ ] Sai một\n- [x] Đúng một\n- [ ] Sai hai\n\n> GIAI-THICH-BI-MAT một\n\n\
         ## Chọn nhiều\n\n- [x] Đúng A\n- [x] Đúng B\n- [ ] Sai C\n\n\
         ## Địa chỉ cổng?\n\n= cong-dich-vu-bi-mat.gov.vn\n\n\
         ## Dùng chung tài khoản là an toàn.\n\n- [ ] Đúng\n- [x] Sai\n",
    );
    write(
        &c.join("quiz/on-tap.gift"),
        "::Số::Bao nhiêu cấp độ?{#5:0}\n\n\
         ::Ghép::Ghép cơ quan với việc.{=Sở Nội vụ -> nhân sự =Sở Tài chính -> ngân sách}\n\n\
         ::ĐS::Mật khẩu 123456 là mạnh.{F#PHAN-HOI-BI-MAT sai#PHAN-HOI-BI-MAT đúng}\n",
    );
    write(&c.join("quiz/on-tap.toml"), "title = \"Ôn tập\"\npass_percent = 50\n");
}

struct Env {
    cli: Client,
    db: DatabaseConnection,
    state: Arc<AppState>,
    courses: std::path::PathBuf,
    _tmp: TempDir,
}

struct Learner {
    id: i64,
    token: String,
    csrf: String,
}

async fn env() -> Env {
    let tmp = tempfile::tempdir().unwrap();
    let courses = tmp.path().join("courses");
    write_fixture(&courses);
    let library = daotao_content::course::load_library(&courses);
    assert!(library.problems.is_empty(), "{:?}", library.problems);
    let db =
        daotao_core::platform::db::connect(&daotao_tests::test_database_url(tmp.path()).await).await.unwrap();
    daotao_core::learning::catalog::sync_library(&db, &library).await.unwrap();
    let state = Arc::new(AppState::new(library, db.clone()));
    let cli = TestClient::new(daotao_server::app::app(state.clone()).map_to_response().boxed());
    Env { cli, db, state, courses, _tmp: tmp }
}

impl Env {
    /// A learner with a session (its token works as a bearer token and as the session cookie).
    async fn learner(&self, username: &str, enrolled: bool) -> Learner {
        self.person(username, Role::Learner, enrolled).await
    }

    /// An account of any role with a session.
    async fn person(&self, username: &str, role: Role, enrolled: bool) -> Learner {
        let new = NewUser {
            username: username.into(),
            full_name: format!("Trần Văn {username}"),
            email: None,
            unit_code: None,
            position: "Chuyên viên".into(),
            role,
            password: Some(PASSWORD.into()),
        };
        let user = add_user(&self.db, new).await.unwrap().0;
        if enrolled {
            daotao_core::learning::enrollment::enroll_users(&self.db, COURSE, &[user.id], None, None)
                .await
                .unwrap();
        }
        let session =
            daotao_core::people::auth::session::create(&self.db, user.id, "127.0.0.1", &Policy::default())
                .await
                .unwrap();
        Learner { id: user.id, token: session.token, csrf: session.csrf_token }
    }

    async fn api(&self, method: &str, path: &str, who: &Learner, body: Option<Value>) -> (StatusCode, Value) {
        let path = format!("/api/v1{path}");
        let req = match method {
            "GET" => self.cli.get(path),
            "POST" => self.cli.post(path),
            "PUT" => self.cli.put(path),
            _ => unreachable!(),
        };
        let req = req.header(header::AUTHORIZATION, format!("Bearer {}", who.token));
        let resp = match body {
            Some(b) => req.body_json(&b).send().await,
            None => req.send().await,
        };
        let status = resp.0.status();
        let text = resp.0.into_body().into_string().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    async fn start(&self, who: &Learner, quiz: &str) -> (StatusCode, Value) {
        self.api("POST", &format!("/courses/{COURSE}/quizzes/{quiz}/attempts"), who, None).await
    }

    async fn page(&self, path: &str, who: &Learner) -> TestResponse {
        self.cli.get(path).header(header::COOKIE, format!("daotao_session={}", who.token)).send().await
    }

    async fn form(&self, path: &str, who: &Learner, fields: &[(&str, &str)]) -> TestResponse {
        let body: String = form_body(fields);
        self.cli
            .post(path)
            .header(header::COOKIE, format!("daotao_session={}", who.token))
            .content_type("application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
    }

    async fn attempt_row(&self, id: i64) -> quiz_attempt::Model {
        quiz_attempt::Entity::find_by_id(id).one(&self.db).await.unwrap().unwrap()
    }
}

fn as_refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn form_body(fields: &[(&str, &str)]) -> String {
    let mut s = String::new();
    for (k, v) in fields {
        if !s.is_empty() {
            s.push('&');
        }
        for (i, part) in [k, v].iter().enumerate() {
            if i == 1 {
                s.push('=');
            }
            for b in part.bytes() {
                if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    s.push(b as char);
                } else {
                    s.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    s
}

async fn body(resp: TestResponse) -> String {
    resp.0.into_body().into_string().await.unwrap()
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
    let env = env().await;
    let lan = env.learner("lan", true).await;
    let (status, attempt) = env.start(&lan, "cuoi-khoa").await;
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
    let (status, again) = env.start(&lan, "cuoi-khoa").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["id"], attempt["id"]);

    let id = attempt["id"].as_i64().unwrap();
    let (status, saved) =
        env.api("PUT", &format!("/attempts/{id}/answers"), &lan, Some(answers(&attempt, true))).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert!(!saved.to_string().contains("GIAI-THICH-BI-MAT"));
    // No body: the answers saved are graded (DESIGN.md's shape, result at the top level).
    let (status, graded) = env.api("POST", &format!("/attempts/{id}/submit"), &lan, None).await;
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
    let env = env().await;
    let lan = env.learner("lan", true).await;
    let (_, attempt) = env.start(&lan, "cuoi-khoa").await;
    let id = attempt["id"].as_i64().unwrap();
    let (q1, o) = option_id(&attempt, "Chọn một", "Đúng một");
    env.api("PUT", &format!("/attempts/{id}/answers"), &lan, Some(json!({ q1.clone(): [o.clone()] }))).await;
    for bad in [
        json!({ "q99": ["o1"] }),
        json!({ q1.clone(): ["o99"] }),
        json!({ q1.clone(): ["o1", "o2"] }),
        json!({ q1.clone(): "chữ" }),
        json!({ q1.clone(): ["x".repeat(600)] }),
    ] {
        let (status, err) = env.api("PUT", &format!("/attempts/{id}/answers"), &lan, Some(bad.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad} -> {err}");
        assert!(err["error"].is_string());
    }
    let (status, _) = env.api("PUT", &format!("/attempts/{id}/answers"), &lan, Some(json!([1, 2]))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let stored: Value = serde_json::from_str(&env.attempt_row(id).await.answers).unwrap();
    assert_eq!(stored, json!({ q1: [o] }), "the answer saved before is intact");
}

#[tokio::test]
async fn only_enrolled_learners_start_and_only_the_owner_sees_an_attempt() {
    let env = env().await;
    let lan = env.learner("lan", true).await;
    let minh = env.learner("minh", false).await;
    let (status, err) = env.start(&minh, "cuoi-khoa").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    let (status, _) = env.start(&lan, "khong-co").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, attempt) = env.start(&lan, "cuoi-khoa").await;
    let id = attempt["id"].as_i64().unwrap();
    let (status, _) = env.api("GET", &format!("/attempts/{id}"), &minh, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another learner's attempt does not exist for them");
    let (status, _) =
        env.api("PUT", &format!("/attempts/{id}/answers"), &minh, Some(answers(&attempt, false))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = env.api("POST", &format!("/attempts/{id}/submit"), &minh, Some(json!({}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(env.attempt_row(id).await.submitted_at.is_none(), "nothing changed");
    let resp = env.page(&format!("/attempts/{id}"), &minh).await;
    resp.assert_status(StatusCode::NOT_FOUND);
    let resp = env.cli.get(format!("/api/v1/attempts/{id}")).send().await;
    resp.assert_status(StatusCode::UNAUTHORIZED);
    let resp = env.page("/attempts/abc", &lan).await;
    resp.assert_status(StatusCode::NOT_FOUND);
    assert!(body(resp).await.contains("<html"), "a malformed address gets the site's 404 page");
}

#[tokio::test]
async fn submitting_twice_grades_once_and_answers_freeze() {
    let env = env().await;
    let lan = env.learner("lan", true).await;
    let (_, attempt) = env.start(&lan, "cuoi-khoa").await;
    let id = attempt["id"].as_i64().unwrap();
    let path = format!("/attempts/{id}/submit");
    let right = answers(&attempt, true);
    let wrong = answers(&attempt, false);
    // A double click and a retry race: both arrive together, with different answers.
    let (a, b) = tokio::join!(
        env.api("POST", &path, &lan, Some(wrong.clone())),
        env.api("POST", &path, &lan, Some(right.clone()))
    );
    assert_eq!(a.0, StatusCode::OK);
    assert_eq!(b.0, StatusCode::OK);
    assert_eq!(a.1, b.1, "both get the one result");
    assert_eq!(a.1["submitted_at"], b.1["submitted_at"]);
    let first = a.1["percent"].clone();
    let (_, third) = env.api("POST", &path, &lan, Some(right.clone())).await;
    assert_eq!(third, a.1, "a later retry returns the same result");
    let (status, _) = env.api("PUT", &format!("/attempts/{id}/answers"), &lan, Some(right)).await;
    assert_eq!(status, StatusCode::CONFLICT, "answers cannot change after submission");
    assert_eq!(env.attempt_row(id).await.percent, first.as_f64());
}

#[tokio::test]
async fn the_attempt_limit_is_enforced_and_the_best_attempt_counts() {
    let env = env().await;
    let lan = env.learner("lan", true).await;
    let mut ids = Vec::new();
    for right in [false, true] {
        let (status, attempt) = env.start(&lan, "cuoi-khoa").await;
        assert_eq!(status, StatusCode::CREATED);
        let id = attempt["id"].as_i64().unwrap();
        env.api("POST", &format!("/attempts/{id}/submit"), &lan, Some(answers(&attempt, right))).await;
        ids.push(id);
        // A failed attempt's result offers another try while attempts are left; a pass does not.
        let result = body(env.page(&format!("/attempts/{id}"), &lan).await).await;
        assert_eq!(result.contains("Làm lại bài kiểm tra"), !right, "{result}");
        assert_eq!(result.contains("Còn lại: 1"), !right, "{result}");
    }
    let failed = body(env.page(&format!("/attempts/{}", ids[0]), &lan).await).await;
    assert!(!failed.contains("Làm lại bài kiểm tra"), "no attempts left: {failed}");
    let (status, err) = env.start(&lan, "cuoi-khoa").await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert!(err["error"].as_str().unwrap().contains("allows 2"));
    let page = body(env.page(&format!("/courses/{COURSE}/quizzes/cuoi-khoa"), &lan).await).await;
    assert!(page.contains("Kết quả được tính (cao nhất): <strong>100%</strong>"), "{page}");
    assert!(!page.contains("Bắt đầu làm bài"), "no start button without attempts left");
}

#[tokio::test]
async fn past_the_deadline_only_answers_saved_in_time_count() {
    let env = env().await;
    let lan = env.learner("lan", true).await;
    let (_, attempt) = env.start(&lan, "cuoi-khoa").await;
    let id = attempt["id"].as_i64().unwrap();
    // One right answer saved in time.
    let (q1, right1) = option_id(&attempt, "Chọn một", "Đúng một");
    env.api("PUT", &format!("/attempts/{id}/answers"), &lan, Some(json!({ q1: [right1] }))).await;
    // Then the clock runs out (moved back in the database: the server's clock decides).
    let mut row: quiz_attempt::ActiveModel = env.attempt_row(id).await.into();
    let past = chrono::Utc::now() - chrono::Duration::minutes(11);
    row.started_at = Set(past - chrono::Duration::minutes(10));
    row.deadline = Set(Some(past));
    row.update(&env.db).await.unwrap();

    let (status, _) =
        env.api("PUT", &format!("/attempts/{id}/answers"), &lan, Some(answers(&attempt, true))).await;
    assert_eq!(status, StatusCode::CONFLICT, "no saving after the deadline");
    let (status, graded) =
        env.api("POST", &format!("/attempts/{id}/submit"), &lan, Some(answers(&attempt, true))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(graded["score"], 1.0, "only the answer saved in time: {graded}");
    assert_eq!(graded["closed_by_server"], true);
    assert_eq!(graded["passed"], false);
}

#[tokio::test]
async fn the_server_closes_an_abandoned_attempt_at_its_deadline() {
    let env = env().await;
    let lan = env.learner("lan", true).await;
    let (_, attempt) = env.start(&lan, "cuoi-khoa").await;
    let id = attempt["id"].as_i64().unwrap();
    env.api("PUT", &format!("/attempts/{id}/answers"), &lan, Some(answers(&attempt, true))).await;
    assert_eq!(daotao_server::attempt_closer::close_once(&env.state).await.unwrap(), 0, "still running");
    // Another abandoned attempt whose stored questions cannot be read does not stop this one being closed.
    let minh = env.learner("minh", true).await;
    let (_, broken) = env.start(&minh, "cuoi-khoa").await;
    let broken = broken["id"].as_i64().unwrap();
    let deadline = chrono::Utc::now() - chrono::Duration::minutes(1);
    for (attempt, questions) in [(broken, Some("{ không phải JSON")), (id, None)] {
        let mut row: quiz_attempt::ActiveModel = env.attempt_row(attempt).await.into();
        row.deadline = Set(Some(deadline));
        if let Some(q) = questions {
            row.questions = Set(q.into());
        }
        row.update(&env.db).await.unwrap();
    }
    assert_eq!(daotao_server::attempt_closer::close_once(&env.state).await.unwrap(), 1);
    assert!(env.attempt_row(broken).await.submitted_at.is_none(), "left for an admin to look at");
    let row = env.attempt_row(id).await;
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
    let env = env().await;
    let lan = env.learner("lan", true).await;
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
    let (_, attempt) = env.start(&lan, "cuoi-khoa").await;
    let id = attempt["id"].as_i64().unwrap();
    env.api("POST", &format!("/attempts/{id}/submit"), &lan, Some(answers(&attempt, true))).await;
    assert!(!completed(env.db.clone(), lan.id).await, "lessons not read yet");
    env.api("PUT", &format!("/courses/{COURSE}/lessons/mot/progress"), &lan, None).await;
    assert!(!completed(env.db.clone(), lan.id).await);
    env.api("PUT", &format!("/courses/{COURSE}/lessons/hai/progress"), &lan, None).await;
    assert!(completed(env.db.clone(), lan.id).await);
    let (_, me) = env.api("GET", "/me", &lan, None).await;
    assert_eq!(me["enrollments"][0]["completed"], true, "{me}");

    // Failing the quiz after reading everything does not complete it.
    let hoa = env.learner("hoa", true).await;
    env.api("PUT", &format!("/courses/{COURSE}/lessons/mot/progress"), &hoa, None).await;
    env.api("PUT", &format!("/courses/{COURSE}/lessons/hai/progress"), &hoa, None).await;
    let (_, attempt) = env.start(&hoa, "cuoi-khoa").await;
    let id = attempt["id"].as_i64().unwrap();
    env.api("POST", &format!("/attempts/{id}/submit"), &hoa, Some(answers(&attempt, false))).await;
    assert!(!completed(env.db.clone(), hoa.id).await);
}

#[tokio::test]
async fn editing_the_quiz_file_never_changes_a_past_attempt() {
    let env = env().await;
    let lan = env.learner("lan", true).await;
    let (_, attempt) = env.start(&lan, "cuoi-khoa").await;
    let id = attempt["id"].as_i64().unwrap();
    let (_, before) =
        env.api("POST", &format!("/attempts/{id}/submit"), &lan, Some(answers(&attempt, true))).await;
    write(
        &env.courses.join(COURSE).join("quiz/cuoi-khoa.md"),
        "+++\ntitle = \"Cuối khoá\"\n+++\n\n## Một câu mới hẳn\n\n- [x] A\n- [ ] B\n",
    );
    let library = daotao_content::course::load_library(&env.courses);
    assert!(library.problems.is_empty());
    daotao_core::learning::catalog::sync_library(&env.db, &library).await.unwrap();
    env.state.update_library(|l| *l = library);
    let (_, after) = env.api("GET", &format!("/attempts/{id}"), &lan, None).await;
    assert_eq!(after["result"]["percent"], before["percent"]);
    assert_eq!(after["result"]["questions"], before["questions"], "the same questions, graded the same");
}

#[tokio::test]
async fn an_assigned_trainer_sees_the_learners_progress_and_best_scores() {
    let env = env().await;
    let lan = env.learner("lan", true).await;
    for right in [false, true] {
        let (_, attempt) = env.start(&lan, "cuoi-khoa").await;
        let id = attempt["id"].as_i64().unwrap();
        env.api("POST", &format!("/attempts/{id}/submit"), &lan, Some(answers(&attempt, right))).await;
    }
    let trainer = env.person("giang.vien", Role::Trainer, false).await;
    let other = env.person("giang.vien2", Role::Trainer, false).await;
    let path = format!("/courses/{COURSE}/learners");
    env.page(&path, &trainer).await.assert_status(StatusCode::FORBIDDEN);

    assert!(daotao_core::people::trainers::assign(&env.db, COURSE, "giang.vien").await.unwrap());
    assert!(
        !daotao_core::people::trainers::assign(&env.db, COURSE, "giang.vien").await.unwrap(),
        "assigning twice changes nothing"
    );
    let resp = env.page(&path, &trainer).await;
    resp.assert_status_is_ok();
    let page = body(resp).await;
    assert!(page.contains("Trần Văn lan"), "{page}");
    assert!(page.contains("100% (2 lần)"), "the best of two attempts: {page}");
    env.page(&path, &other).await.assert_status(StatusCode::FORBIDDEN);
    let refused = daotao_core::people::trainers::assign(&env.db, COURSE, "lan").await;
    assert!(
        matches!(refused, Err(daotao_core::people::trainers::TrainerError::NotTrainer(..))),
        "{refused:?}"
    );

    assert!(daotao_core::people::trainers::unassign(&env.db, COURSE, "giang.vien").await.unwrap());
    env.page(&path, &trainer).await.assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn gift_questions_are_asked_and_graded() {
    let env = env().await;
    let lan = env.learner("lan", true).await;
    let (status, attempt) = env.start(&lan, "on-tap").await;
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
    let (status, graded) = env.api("POST", &format!("/attempts/{id}/submit"), &lan, Some(answers)).await;
    assert_eq!(status, StatusCode::OK, "{graded}");
    assert_eq!(graded["percent"], 100.0, "{graded}");
    assert!(graded["questions"][2]["feedback_html"].to_string().contains("PHAN-HOI-BI-MAT đúng"));
}

#[tokio::test]
async fn the_quiz_works_as_plain_html_forms() {
    let env = env().await;
    let lan = env.learner("lan", true).await;
    let quiz_page = body(env.page(&format!("/courses/{COURSE}/quizzes/cuoi-khoa"), &lan).await).await;
    assert!(quiz_page.contains("Bắt đầu làm bài"), "{quiz_page}");
    let start = format!("/courses/{COURSE}/quizzes/cuoi-khoa/attempts");
    env.form(&start, &lan, &[]).await.assert_status(StatusCode::FORBIDDEN);
    let resp = env.form(&start, &lan, &[("csrf", &lan.csrf)]).await;
    resp.assert_status(StatusCode::SEE_OTHER);
    let to = resp.0.headers()[header::LOCATION].to_str().unwrap().to_string();
    let id: i64 = to.strip_prefix("/attempts/").unwrap().parse().unwrap();

    let page = body(env.page(&to, &lan).await).await;
    for secret in SECRETS {
        assert!(!page.contains(secret), "{secret} in the attempt page");
    }
    assert!(page.contains("type=\"radio\""));
    assert!(page.contains("type=\"checkbox\""));
    assert!(page.contains("id=\"countdown\""));
    // Answers as the browser posts them without JavaScript.
    let row = env.attempt_row(id).await;
    let questions: Vec<daotao_content::quiz::Question> = serde_json::from_str(&row.questions).unwrap();
    let mut fields: Vec<(String, String)> =
        vec![("csrf".into(), lan.csrf.clone()), ("action".into(), "save".into())];
    for q in &questions {
        match &q.kind {
            daotao_content::quiz::Kind::Single { options }
            | daotao_content::quiz::Kind::Multiple { options, .. } => {
                for o in options.iter().filter(|o| o.weight > 0.0) {
                    fields.push((q.id.clone(), o.id.clone()));
                }
            }
            daotao_content::quiz::Kind::Short { .. } => {
                fields.push((q.id.clone(), "cong-dich-vu-bi-mat.gov.vn".into()))
            }
            daotao_content::quiz::Kind::TrueFalse { .. } => fields.push((q.id.clone(), "true".into())),
            _ => {}
        }
    }
    let resp = env.form(&to, &lan, &as_refs(&fields)).await;
    resp.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(resp.0.headers()[header::LOCATION], format!("{to}?saved=1").as_str());
    let page = body(env.page(&format!("{to}?saved=1"), &lan).await).await;
    assert!(page.contains("Đã lưu câu trả lời."));
    assert!(page.contains("checked"), "saved answers are shown again");

    fields[1].1 = "submit".into();
    let resp = env.form(&to, &lan, &as_refs(&fields)).await;
    resp.assert_status(StatusCode::SEE_OTHER);
    let result = body(env.page(&to, &lan).await).await;
    assert!(result.contains("<strong>75%</strong> (3/4)"), "three of four right: {result}");
    assert!(result.contains("Đạt"));
    assert!(result.contains("GIAI-THICH-BI-MAT"), "explanations after submission");
    assert!(result.contains("✗ Chưa đúng"), "the wrong true/false answer is marked");
    // The same form again changes nothing.
    env.form(&to, &lan, &as_refs(&fields)).await.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(env.attempt_row(id).await.percent, Some(75.0));
    let missing_csrf = env.form(&to, &lan, &[("action", "submit")]).await;
    missing_csrf.assert_status(StatusCode::FORBIDDEN);
}

/// Completes the course for `who`: reads both lessons and passes the completion quiz; returns the attempt.
async fn complete(env: &Env, who: &Learner) -> Value {
    env.api("PUT", &format!("/courses/{COURSE}/lessons/mot/progress"), who, None).await;
    env.api("PUT", &format!("/courses/{COURSE}/lessons/hai/progress"), who, None).await;
    let (_, attempt) = env.start(who, "cuoi-khoa").await;
    let id = attempt["id"].as_i64().unwrap();
    let (_, graded) =
        env.api("POST", &format!("/attempts/{id}/submit"), who, Some(answers(&attempt, true))).await;
    graded
}

#[tokio::test]
async fn completing_a_course_awards_its_competencies_and_a_certificate_anyone_can_verify() {
    let env = env().await;
    let lan = env.learner("lan", true).await;
    let minh = env.learner("minh", true).await;
    let graded = complete(&env, &lan).await;
    let (_, me) = env.api("GET", "/me", &lan, None).await;
    let held = &me["competencies"];
    assert_eq!(held.as_array().unwrap().len(), 1, "{me}");
    assert_eq!(held[0]["code"], "ATTT.1");
    assert_eq!(held[0]["level"], 1);
    assert_eq!(held[0]["level_name"], "Cơ bản");
    assert_eq!(held[0]["score_percent"], 100.0, "the evidence: the passing attempt's score");
    assert_eq!(held[0]["attempt_id"], graded["id"], "and the attempt itself");
    let award = daotao_core::entities::competency_award::Entity::find().all(&env.db).await.unwrap();
    assert_eq!(award.len(), 1);
    assert_eq!(award[0].attempt_id, graded["id"].as_i64());
    let (_, me) = env.api("GET", "/me", &minh, None).await;
    assert_eq!(me["competencies"], json!([]), "another learner holds nothing");

    // Checking completion again awards nothing twice.
    let course = env.state.library().courses[COURSE].clone();
    let again =
        daotao_core::learning::completion::check(&env.db, lan.id, &course, chrono::Utc::now()).await.unwrap();
    assert!(!again);
    daotao_core::learning::awards::on_completion(&env.db, lan.id, &course, chrono::Utc::now()).await.unwrap();
    assert_eq!(daotao_core::entities::competency_award::Entity::find().all(&env.db).await.unwrap().len(), 1);
    let certs = daotao_core::entities::certificate::Entity::find().all(&env.db).await.unwrap();
    assert_eq!(certs.len(), 1);
    let code = certs[0].code.clone();
    assert_eq!(code.len(), 19);

    let page = body(env.page("/me/competencies", &lan).await).await;
    assert!(page.contains("ATTT.1"), "{page}");
    assert!(page.contains(&format!("/certificates/{code}")));
    assert!(page.contains(&format!("<a href=\"/attempts/{}\">Điểm 100%</a>", graded["id"])), "{page}");
    let cert = env.page(&format!("/certificates/{code}"), &lan).await;
    cert.assert_status_is_ok();
    let cert = body(cert).await;
    assert!(cert.contains("Trần Văn lan") && cert.contains(&code) && cert.contains("/verify/"));
    assert!(cert.contains("Năng lực được công nhận"), "what the course recognised: {cert}");
    assert!(cert.contains("(ATTT.1): Mức 1: Cơ bản"), "{cert}");
    assert!(cert.contains("Thời lượng: 3 giờ"), "{cert}");
    env.page(&format!("/certificates/{code}"), &minh).await.assert_status(StatusCode::NOT_FOUND);

    // Anyone can verify, without logging in; only name, course, date and code are shown.
    let verify = env.cli.get(format!("/verify/{}", code.to_lowercase())).send().await;
    verify.assert_status_is_ok();
    let verify = body(verify).await;
    assert!(
        verify.contains("Chứng nhận hợp lệ")
            && verify.contains("Trần Văn lan")
            && verify.contains("Kiểm tra")
    );
    assert!(!verify.contains("lan@") && !verify.contains("Chuyên viên"), "nothing else about the holder");
    let forged = env.cli.get("/verify/ABCD-EFGH-JKLM-NPQR").send().await;
    forged.assert_status(StatusCode::NOT_FOUND);
    assert!(body(forged).await.contains("Không có chứng nhận nào mang mã này"));
    let typed = env.cli.get(format!("/verify?code={}", code.replace('-', "+").to_lowercase())).send().await;
    typed.assert_status_is_ok();
    env.cli.get("/verify").send().await.assert_status_is_ok();
}

#[tokio::test]
async fn a_higher_level_supersedes_and_a_later_mapping_change_never_rewrites_awards() {
    let env = env().await;
    let lan = env.learner("lan", true).await;
    complete(&env, &lan).await;
    // The trainer raises the course's level afterwards: past awards stay as they were.
    let toml = env.courses.join(COURSE).join("course.toml");
    let text = std::fs::read_to_string(&toml).unwrap().replace("level = 1", "level = 2");
    write(&toml, &text);
    let library = daotao_content::course::load_library(&env.courses);
    assert!(library.problems.is_empty(), "{:?}", library.problems);
    daotao_core::learning::catalog::sync_library(&env.db, &library).await.unwrap();
    env.state.update_library(|l| *l = library);
    let (_, me) = env.api("GET", "/me", &lan, None).await;
    assert_eq!(me["competencies"][0]["level"], 1, "the award is not rewritten");

    // A second learner completes under the new mapping and holds level 2; an award of a higher level (from
    // another course) supersedes a lower one for the first learner.
    let hoa = env.learner("hoa", true).await;
    complete(&env, &hoa).await;
    let (_, me) = env.api("GET", "/me", &hoa, None).await;
    assert_eq!(me["competencies"][0]["level"], 2);
    assert_eq!(me["competencies"][0]["level_name"], "Thành thạo");
    // Each certificate names the level its completion awarded.
    let certificate_of = |who: &Learner| {
        let id = who.id;
        let db = env.db.clone();
        async move {
            let all = daotao_core::entities::certificate::Entity::find().all(&db).await.unwrap();
            all.into_iter().find(|c| c.user_id == id).unwrap().code
        }
    };
    let page = body(env.page(&format!("/certificates/{}", certificate_of(&lan).await), &lan).await).await;
    assert!(page.contains("Mức 1: Cơ bản") && !page.contains("Mức 2"), "{page}");
    let page = body(env.page(&format!("/certificates/{}", certificate_of(&hoa).await), &hoa).await).await;
    assert!(page.contains("Mức 2: Thành thạo"), "{page}");
    let course = env.state.library().courses[COURSE].clone();
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
    .exec(&env.db)
    .await
    .unwrap();
    daotao_core::learning::awards::on_completion(&env.db, lan.id, &other, chrono::Utc::now()).await.unwrap();
    let (_, me) = env.api("GET", "/me", &lan, None).await;
    assert_eq!(me["competencies"].as_array().unwrap().len(), 1);
    assert_eq!(me["competencies"][0]["level"], 2, "{me}");
    assert_eq!(me["competencies"][0]["course_id"], "khoa-khac");
}
