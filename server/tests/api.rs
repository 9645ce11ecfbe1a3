//! Tests of the JSON API (`/api/v1`, `/api/openapi.json`, `/api/docs`) through
//! poem's `TestClient` over the whole app: a fresh SQLite file and a fixture
//! course library per test. (`TestClient` requests have no remote address,
//! so the per-address login throttle is tested end to end elsewhere.)

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use daotao_core::entities::user::{self, Role};
use daotao_core::people::accounts::{NewUser, add_user};
use daotao_core::platform::config::Config;
use poem::endpoint::BoxEndpoint;
use poem::http::{StatusCode, header};
use poem::test::{TestClient, TestResponse};
use poem::{EndpointExt, Response};
use sea_orm::DatabaseConnection;
use tempfile::TempDir;

type Client = TestClient<BoxEndpoint<'static, Response>>;

const C1: &str = "an-toan-so";
const C1_TITLE: &str = "An toàn số cho cán bộ, công chức";
const C2: &str = "dich-vu-cong";
const C2_TITLE: &str = "Dịch vụ công trực tuyến";
const FIRST: &str = "gioi-thieu";
const MIDDLE: &str = "mat-khau";
const LAST: &str = "bao-cao-su-co";

const PASSWORD: &str = "mat-khau-du-dai-2026";
/// In the quiz file only: must never reach an API answer.
const ANSWER: &str = "ca-heo-den-ban-phim-83";

fn write(path: &Path, contents: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

/// Two courses: the first (self-enrol) with three lessons and a quiz, the second (assigned only) with one lesson.
fn write_fixture(root: &Path) {
    let c1 = root.join(C1);
    write(
        &c1.join("course.toml"),
        &format!(
            "title = \"{C1_TITLE}\"\nsummary = \"Thói quen an toàn trên môi trường số.\"\n\
             audience = [\"all-staff\"]\nhours = 2\nself_enrol = true\n"
        ),
    );
    write(
        &c1.join(format!("01-{FIRST}.md")),
        "+++\ntitle = \"Giới thiệu khoá học\"\nminutes = 5\n+++\n\nChào mừng anh chị.\n\n\
         <script>alert(\"xss\")</script>\n\n## Mục tiêu\n\nHiểu vì sao.\n",
    );
    write(
        &c1.join(format!("02-{MIDDLE}.md")),
        "+++\ntitle = \"Mật khẩu và xác thực nhiều yếu tố\"\nminutes = 20\n+++\n\n\
         Mật khẩu là lớp bảo vệ đầu tiên.\n\n## Mật khẩu mạnh\n\nDài, khó đoán.\n\n\
         ## Xác thực hai lớp {#xac-thuc}\n\nMã OTP.\n\n### Ứng dụng xác thực\n\nDùng ứng dụng.\n",
    );
    write(&c1.join(format!("03-{LAST}.md")), "+++\ntitle = \"Báo cáo sự cố\"\n+++\n\nBáo ngay.\n");
    write(
        &c1.join("quiz/cuoi-khoa.md"),
        &format!(
            "+++\ntitle = \"Kiểm tra cuối khoá\"\npass_percent = 80\ntime_limit_minutes = 15\n+++\n\n\
             ## Mật khẩu nào an toàn nhất?\n\n- [ ] `123456`\n- [x] `{ANSWER}`\n"
        ),
    );
    let c2 = root.join(C2);
    write(&c2.join("course.toml"), &format!("title = \"{C2_TITLE}\"\nsummary = \"Nộp hồ sơ trực tuyến.\"\n"));
    write(&c2.join("01-tong-quan.md"), "+++\ntitle = \"Tổng quan\"\n+++\n\nCổng Dịch vụ công.\n");
}

struct Env {
    cli: Client,
    db: DatabaseConnection,
    _tmp: TempDir,
}

async fn env() -> Env {
    env_with(Config::default()).await
}

async fn env_with(config: Config) -> Env {
    let tmp = tempfile::tempdir().unwrap();
    let courses = tmp.path().join("courses");
    write_fixture(&courses);
    let library = daotao_content::course::load_library(&courses);
    assert!(library.problems.is_empty(), "the library has problems: {:?}", library.problems);
    let db =
        daotao_core::platform::db::connect(&daotao_tests::test_database_url(tmp.path()).await).await.unwrap();
    daotao_core::learning::catalog::sync_library(&db, &library).await.unwrap();
    let state = Arc::new(daotao_server::state::AppState::with_config(library, db.clone(), &config));
    let cli = TestClient::new(daotao_server::app::app(state).map_to_response().boxed());
    Env { cli, db, _tmp: tmp }
}

impl Env {
    /// A learner with a password of their own.
    async fn user(&self, username: &str) -> user::Model {
        let new = NewUser {
            username: username.into(),
            full_name: format!("Nguyễn Văn {username}"),
            email: None,
            unit_code: None,
            position: "Chuyên viên".into(),
            role: Role::Learner,
            password: Some(PASSWORD.into()),
        };
        add_user(&self.db, new).await.unwrap().0
    }

    /// Logs `username` in through the API; returns the bearer token.
    async fn token(&self, username: &str) -> String {
        let resp = self.login(username, PASSWORD).await;
        resp.assert_status(StatusCode::CREATED);
        resp.json().await.value().object().get("token").string().to_string()
    }

    async fn login(&self, username: &str, password: &str) -> TestResponse {
        let body = BTreeMap::from([("username", username), ("password", password)]);
        self.cli.post("/api/v1/session").body_json(&body).send().await
    }

    async fn get(&self, path: &str, token: &str) -> TestResponse {
        self.cli.get(path).header(header::AUTHORIZATION, bearer(token)).send().await
    }

    async fn enrol(&self, course: &str, token: &str) -> TestResponse {
        let path = format!("/api/v1/courses/{course}/enrollment");
        self.cli.post(path).header(header::AUTHORIZATION, bearer(token)).send().await
    }

    async fn mark_read(&self, course: &str, lesson: &str, token: &str) -> TestResponse {
        let path = format!("/api/v1/courses/{course}/lessons/{lesson}/progress");
        self.cli.put(path).header(header::AUTHORIZATION, bearer(token)).send().await
    }
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn header(resp: &TestResponse, name: impl header::AsHeaderName) -> &str {
    resp.0.headers().get(name).map(|v| v.to_str().unwrap()).unwrap_or_default()
}

async fn text(resp: TestResponse) -> String {
    resp.0.into_body().into_string().await.unwrap()
}

/// Asserts a JSON error with `status`.
#[track_caller]
fn assert_json_error(resp: &TestResponse, status: StatusCode) {
    resp.assert_status(status);
    assert_eq!(header(resp, header::CONTENT_TYPE), "application/json; charset=utf-8");
}

async fn error_message(resp: TestResponse) -> String {
    let json = resp.json().await;
    let object = json.value().object();
    object.assert_len(1);
    object.get("error").string().to_string()
}

#[tokio::test]
async fn login_returns_a_token_and_the_user() {
    let env = env().await;
    let me = env.user("lan.nguyen").await;
    let resp = env.login("  Lan.Nguyen ", PASSWORD).await;
    resp.assert_status(StatusCode::CREATED);
    assert_eq!(header(&resp, header::CACHE_CONTROL), "no-store");
    let json = resp.json().await;
    let body = json.value().object();
    assert_eq!(body.get("token").string().len(), 64);
    body.get("expires_at").assert_not_null();
    let user = body.get("user").object();
    user.get("id").assert_i64(me.id);
    user.get("username").assert_string("lan.nguyen");
    user.get("full_name").assert_string("Nguyễn Văn lan.nguyen");
    user.get("role").assert_string("learner");
    user.get("must_change_password").assert_bool(false);
    user.assert_len(5); // nothing else about the account (never its password hash)
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_401() {
    let env = env().await;
    env.user("lan.nguyen").await;
    let wrong = env.login("lan.nguyen", "khong-dung-mat-khau").await;
    assert_json_error(&wrong, StatusCode::UNAUTHORIZED);
    let unknown = env.login("khong.ton.tai", PASSWORD).await;
    assert_json_error(&unknown, StatusCode::UNAUTHORIZED);
    let (wrong, unknown) = (text(wrong).await, text(unknown).await);
    assert_eq!(wrong, unknown);
    assert!(wrong.contains("invalid username or password"), "{wrong}");
}

#[tokio::test]
async fn logout_ends_the_session() {
    let env = env().await;
    env.user("lan.nguyen").await;
    let token = env.token("lan.nguyen").await;
    env.get("/api/v1/me", &token).await.assert_status_is_ok();
    let resp = env.cli.delete("/api/v1/session").header(header::AUTHORIZATION, bearer(&token)).send().await;
    resp.assert_status(StatusCode::NO_CONTENT);
    assert!(resp.0.headers().get(header::SET_COOKIE).is_none(), "a bearer logout sets no cookie");
    let after = env.get("/api/v1/me", &token).await;
    assert_json_error(&after, StatusCode::UNAUTHORIZED);
    assert_eq!(header(&after, header::WWW_AUTHENTICATE), "Bearer");
    let again = env.cli.delete("/api/v1/session").header(header::AUTHORIZATION, bearer(&token)).send().await;
    assert_json_error(&again, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn personal_endpoints_need_a_session() {
    let env = env().await;
    let me = env.cli.get("/api/v1/me").send().await;
    assert_json_error(&me, StatusCode::UNAUTHORIZED);
    assert!(error_message(me).await.contains("login required"));
    let forged = env.get("/api/v1/me", &"0".repeat(64)).await;
    assert_json_error(&forged, StatusCode::UNAUTHORIZED);
    let enrol = env.cli.post(format!("/api/v1/courses/{C1}/enrollment")).send().await;
    assert_json_error(&enrol, StatusCode::UNAUTHORIZED);
    let read = env.cli.put(format!("/api/v1/courses/{C1}/lessons/{FIRST}/progress")).send().await;
    assert_json_error(&read, StatusCode::UNAUTHORIZED);
    let logout = env.cli.delete("/api/v1/session").send().await;
    assert_json_error(&logout, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn catalog_lists_the_courses() {
    let env = env().await;
    let resp = env.cli.get("/api/v1/courses").send().await;
    resp.assert_status_is_ok();
    assert_eq!(header(&resp, header::CACHE_CONTROL), "no-cache");
    let json = resp.json().await;
    let courses = json.value().object_array();
    assert_eq!(courses.len(), 2);
    let c1 = courses[0];
    c1.get("id").assert_string(C1);
    c1.get("title").assert_string(C1_TITLE);
    c1.get("summary").assert_string("Thói quen an toàn trên môi trường số.");
    c1.get("hours").assert_i64(2);
    c1.get("self_enrol").assert_bool(true);
    c1.get("lessons").assert_i64(3);
    c1.get("audience").assert_string_array(&["all-staff"]);
    let c2 = courses[1];
    c2.get("id").assert_string(C2);
    c2.get("self_enrol").assert_bool(false);
    c2.get("lessons").assert_i64(1);
    c2.get("audience").assert_string_array(&[]);
}

#[tokio::test]
async fn course_without_a_token_has_no_personal_parts_and_no_answers() {
    let env = env().await;
    let resp = env.cli.get(format!("/api/v1/courses/{C1}")).send().await;
    resp.assert_status_is_ok();
    assert_eq!(header(&resp, header::CACHE_CONTROL), "no-cache");
    let body = text(resp).await;
    assert!(!body.contains(ANSWER) && !body.contains("123456"), "quiz content leaked: {body}");
    assert!(!body.contains("Mật khẩu nào"), "quiz question leaked: {body}");
    let json: poem::test::TestJson = TestResponse(Response::builder().body(body)).json().await;
    let course = json.value().object();
    course.get("id").assert_string(C1);
    course.get("title").assert_string(C1_TITLE);
    assert!(course.get_opt("enrolled").is_none());
    assert!(course.get_opt("progress").is_none());
    let lessons = course.get("lessons").object_array();
    let ids: Vec<&str> = lessons.iter().map(|l| l.get("id").string()).collect();
    assert_eq!(ids, [FIRST, MIDDLE, LAST]);
    lessons[0].get("title").assert_string("Giới thiệu khoá học");
    lessons[0].get("minutes").assert_i64(5);
    assert!(lessons[2].get_opt("minutes").is_none(), "an empty `minutes` is left out, as the spec says");
    assert!(lessons.iter().all(|l| l.get_opt("read").is_none()));
    let quizzes = course.get("quizzes").object_array();
    assert_eq!(quizzes.len(), 1);
    let quiz = quizzes[0];
    quiz.assert_len(4);
    quiz.get("id").assert_string("cuoi-khoa");
    quiz.get("title").assert_string("Kiểm tra cuối khoá");
    quiz.get("pass_percent").assert_i64(80);
    quiz.get("time_limit_minutes").assert_i64(15);
}

#[tokio::test]
async fn course_with_a_token_shows_my_enrolment_and_progress() {
    let env = env().await;
    env.user("lan.nguyen").await;
    let token = env.token("lan.nguyen").await;
    let before = env.get(&format!("/api/v1/courses/{C1}"), &token).await;
    before.assert_status_is_ok();
    assert_eq!(header(&before, header::CACHE_CONTROL), "no-store");
    let json = before.json().await;
    let course = json.value().object();
    course.get("enrolled").assert_bool(false);
    let progress = course.get("progress").object();
    progress.get("read").assert_i64(0);
    progress.get("total").assert_i64(3);
    assert!(course.get("lessons").object_array().iter().all(|l| !l.get("read").bool()));

    env.enrol(C1, &token).await.assert_status(StatusCode::CREATED);
    env.mark_read(C1, MIDDLE, &token).await.assert_status(StatusCode::NO_CONTENT);
    let json = env.get(&format!("/api/v1/courses/{C1}"), &token).await.json().await;
    let course = json.value().object();
    course.get("enrolled").assert_bool(true);
    course.get("progress").object().get("read").assert_i64(1);
    let read: Vec<bool> = course.get("lessons").object_array().iter().map(|l| l.get("read").bool()).collect();
    assert_eq!(read, [false, true, false]);
}

#[tokio::test]
async fn lesson_is_rendered_with_its_contents_and_neighbours() {
    let env = env().await;
    let resp = env.cli.get(format!("/api/v1/courses/{C1}/lessons/{MIDDLE}")).send().await;
    resp.assert_status_is_ok();
    let json = resp.json().await;
    let lesson = json.value().object();
    lesson.get("id").assert_string(MIDDLE);
    lesson.get("course_id").assert_string(C1);
    lesson.get("title").assert_string("Mật khẩu và xác thực nhiều yếu tố");
    lesson.get("number").assert_i64(2);
    lesson.get("minutes").assert_i64(20);
    lesson.get("page").assert_string(&format!("/courses/{C1}/{MIDDLE}"));
    let html = lesson.get("html").string();
    assert!(html.contains("Mật khẩu là lớp bảo vệ đầu tiên."), "{html}");
    assert!(html.contains("id=\"xac-thuc\""), "{html}");
    let toc = lesson.get("toc").object_array();
    let entries: Vec<(i64, &str, &str)> =
        toc.iter().map(|t| (t.get("level").i64(), t.get("id").string(), t.get("text").string())).collect();
    assert_eq!(entries.len(), 3, "{entries:?}");
    assert_eq!(entries[1], (2, "xac-thuc", "Xác thực hai lớp"));
    assert_eq!(entries[2].0, 3);
    lesson.get("previous").object().get("id").assert_string(FIRST);
    lesson.get("previous").object().get("title").assert_string("Giới thiệu khoá học");
    lesson.get("next").object().get("id").assert_string(LAST);

    let first = env.cli.get(format!("/api/v1/courses/{C1}/lessons/{FIRST}")).send().await.json().await;
    assert!(
        first.value().object().get_opt("previous").is_none(),
        "an empty `previous` is left out, as the spec says"
    );
    assert!(!first.value().object().get("html").string().contains("<script"), "raw script must be removed");
    let last = env.cli.get(format!("/api/v1/courses/{C1}/lessons/{LAST}")).send().await.json().await;
    assert!(last.value().object().get_opt("next").is_none(), "an empty `next` is left out, as the spec says");
}

#[tokio::test]
async fn unknown_courses_and_lessons_are_json_404s() {
    let env = env().await;
    for path in [
        "/api/v1/courses/khong-co".to_string(),
        format!("/api/v1/courses/{C1}/lessons/khong-co"),
        format!("/api/v1/courses/{C2}/lessons/{FIRST}"),
        "/api/v1/khong-co".to_string(),
        "/api/khong-co".to_string(),
    ] {
        let resp = env.cli.get(&path).send().await;
        assert_json_error(&resp, StatusCode::NOT_FOUND);
        assert!(!error_message(resp).await.is_empty(), "{path}");
    }
    env.user("lan.nguyen").await;
    let token = env.token("lan.nguyen").await;
    assert_json_error(&env.enrol("khong-co", &token).await, StatusCode::NOT_FOUND);
    assert_json_error(&env.mark_read(C1, "khong-co", &token).await, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn anonymous_reading_off_needs_a_session_for_courses_and_lessons() {
    let env = env_with(Config { anonymous_reading: false, ..Config::default() }).await;
    for path in [format!("/api/v1/courses/{C1}"), format!("/api/v1/courses/{C1}/lessons/{FIRST}")] {
        assert_json_error(&env.cli.get(&path).send().await, StatusCode::UNAUTHORIZED);
    }
    env.cli.get("/api/v1/courses").send().await.assert_status_is_ok();
    env.user("lan.nguyen").await;
    let token = env.token("lan.nguyen").await;
    env.get(&format!("/api/v1/courses/{C1}/lessons/{FIRST}"), &token).await.assert_status_is_ok();
}

#[tokio::test]
async fn self_enrolment_only_where_the_course_allows_it() {
    let env = env().await;
    env.user("lan.nguyen").await;
    let token = env.token("lan.nguyen").await;
    let first = env.enrol(C1, &token).await;
    first.assert_status(StatusCode::CREATED);
    let json = first.json().await;
    json.value().object().get("course_id").assert_string(C1);
    assert!(
        json.value().object().get_opt("due_date").is_none(),
        "an empty `due_date` is left out, as the spec says"
    );
    let again = env.enrol(C1, &token).await;
    again.assert_status(StatusCode::OK);
    again.json().await.value().object().get("course_id").assert_string(C1);
    let refused = env.enrol(C2, &token).await;
    assert_json_error(&refused, StatusCode::FORBIDDEN);
    assert!(error_message(refused).await.contains("self-enrolment"));
    let json = env.get("/api/v1/me", &token).await.json().await;
    let enrolled: Vec<&str> = json
        .value()
        .object()
        .get("enrollments")
        .object_array()
        .iter()
        .map(|e| e.get("course_id").string())
        .collect();
    assert_eq!(enrolled, [C1]);
}

#[tokio::test]
async fn marking_read_needs_an_enrolment_and_shows_in_me() {
    let env = env().await;
    env.user("lan.nguyen").await;
    let token = env.token("lan.nguyen").await;
    let refused = env.mark_read(C1, FIRST, &token).await;
    assert_json_error(&refused, StatusCode::FORBIDDEN);
    assert!(error_message(refused).await.contains("not enrolled"));
    env.enrol(C1, &token).await.assert_status(StatusCode::CREATED);
    let done = env.mark_read(C1, FIRST, &token).await;
    done.assert_status(StatusCode::NO_CONTENT);
    env.mark_read(C1, FIRST, &token).await.assert_status(StatusCode::NO_CONTENT);

    let resp = env.get("/api/v1/me", &token).await;
    resp.assert_status_is_ok();
    assert_eq!(header(&resp, header::CACHE_CONTROL), "no-store");
    let json = resp.json().await;
    let enrollments = json.value().object().get("enrollments").object_array();
    assert_eq!(enrollments.len(), 1);
    let e = enrollments[0];
    e.get("course_id").assert_string(C1);
    e.get("title").assert_string(C1_TITLE);
    e.get("lessons_read").assert_i64(1);
    e.get("lessons_total").assert_i64(3);
    e.get("overdue").assert_bool(false);
    e.get("next_lesson").assert_string(MIDDLE);
    assert!(e.get_opt("due_date").is_none(), "an empty `due_date` is left out, as the spec says");
}

#[tokio::test]
async fn me_shows_only_my_own_records() {
    let env = env().await;
    let lan = env.user("lan.nguyen").await;
    let minh = env.user("minh.tran").await;
    let due = chrono::NaiveDate::from_ymd_opt(2020, 1, 31).unwrap();
    daotao_core::learning::enrollment::enroll_users(&env.db, C2, &[minh.id], Some(due), None).await.unwrap();
    let lan_token = env.token("lan.nguyen").await;
    let minh_token = env.token("minh.tran").await;
    env.enrol(C1, &lan_token).await.assert_status(StatusCode::CREATED);
    env.mark_read(C1, FIRST, &lan_token).await.assert_status(StatusCode::NO_CONTENT);

    let json = env.get("/api/v1/me", &lan_token).await.json().await;
    let me = json.value().object();
    me.get("user").object().get("id").assert_i64(lan.id);
    me.get("user").object().get("username").assert_string("lan.nguyen");
    let mine = me.get("enrollments").object_array();
    assert_eq!(mine.len(), 1);
    mine[0].get("course_id").assert_string(C1);
    mine[0].get("lessons_read").assert_i64(1);

    let json = env.get("/api/v1/me", &minh_token).await.json().await;
    let me = json.value().object();
    me.get("user").object().get("id").assert_i64(minh.id);
    let mine = me.get("enrollments").object_array();
    assert_eq!(mine.len(), 1);
    mine[0].get("course_id").assert_string(C2);
    mine[0].get("due_date").assert_string("2020-01-31");
    mine[0].get("overdue").assert_bool(true);
    mine[0].get("lessons_read").assert_i64(0);
    mine[0].get("next_lesson").assert_string("tong-quan");

    // Lan's reading is not Minh's: the course page shows each their own.
    let json = env.get(&format!("/api/v1/courses/{C1}"), &minh_token).await.json().await;
    json.value().object().get("enrolled").assert_bool(false);
    json.value().object().get("progress").object().get("read").assert_i64(0);
}

/// The value of `name=` in a `Set-Cookie` header of `resp`.
fn cookie(resp: &TestResponse, name: &str) -> String {
    let prefix = format!("{name}=");
    resp.0
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&prefix).map(|rest| rest.split(';').next().unwrap().to_string()))
        .unwrap_or_else(|| panic!("no {name} cookie in {:?}", resp.0.headers()))
}

/// The first hidden `csrf` field's value in an HTML page.
fn csrf_field(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).unwrap_or_else(|| panic!("no csrf field in:\n{html}")) + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// Logs in through the HTML form, as a browser would: returns the `Cookie`
/// header value of the session and the session's CSRF token (from a page).
async fn browser_login(env: &Env, username: &str) -> (String, String) {
    let form = env.cli.get("/login").send().await;
    form.assert_status_is_ok();
    let login_cookie = format!("daotao_login_csrf={}", cookie(&form, "daotao_login_csrf"));
    let login_csrf = csrf_field(&text(form).await);
    let resp = env
        .cli
        .post("/login")
        .header(header::COOKIE, &login_cookie)
        .form(&[
            ("csrf", login_csrf.as_str()),
            ("next", "/me"),
            ("username", username),
            ("password", PASSWORD),
        ])
        .send()
        .await;
    resp.assert_status(StatusCode::SEE_OTHER);
    let session = format!("daotao_session={}", cookie(&resp, "daotao_session"));
    let page = env.cli.get("/me").header(header::COOKIE, &session).send().await;
    page.assert_status_is_ok();
    let csrf = csrf_field(&text(page).await);
    (session, csrf)
}

#[tokio::test]
async fn cookie_authenticated_changes_need_the_csrf_header() {
    let env = env().await;
    env.user("lan.nguyen").await;
    let (session, csrf) = browser_login(&env, "lan.nguyen").await;
    assert_eq!(csrf.len(), 64);

    // Reading needs no CSRF token.
    let me = env.cli.get("/api/v1/me").header(header::COOKIE, &session).send().await;
    me.assert_status_is_ok();
    me.json().await.value().object().get("user").object().get("username").assert_string("lan.nguyen");

    let enrol = format!("/api/v1/courses/{C1}/enrollment");
    let without = env.cli.post(&enrol).header(header::COOKIE, &session).send().await;
    assert_json_error(&without, StatusCode::FORBIDDEN);
    assert!(error_message(without).await.contains("CSRF"));
    let wrong = env
        .cli
        .post(&enrol)
        .header(header::COOKIE, &session)
        .header("X-CSRF-Token", "0".repeat(64))
        .send()
        .await;
    assert_json_error(&wrong, StatusCode::FORBIDDEN);
    let with =
        env.cli.post(&enrol).header(header::COOKIE, &session).header("X-CSRF-Token", &csrf).send().await;
    with.assert_status(StatusCode::CREATED);

    let read = format!("/api/v1/courses/{C1}/lessons/{FIRST}/progress");
    let without = env.cli.put(&read).header(header::COOKIE, &session).send().await;
    assert_json_error(&without, StatusCode::FORBIDDEN);
    let with = env.cli.put(&read).header(header::COOKIE, &session).header("X-CSRF-Token", &csrf).send().await;
    with.assert_status(StatusCode::NO_CONTENT);
    let json = env.cli.get("/api/v1/me").header(header::COOKIE, &session).send().await.json().await;
    json.value().object().get("enrollments").object_array()[0].get("lessons_read").assert_i64(1);

    let without = env.cli.delete("/api/v1/session").header(header::COOKIE, &session).send().await;
    assert_json_error(&without, StatusCode::FORBIDDEN);
    env.cli.get("/api/v1/me").header(header::COOKIE, &session).send().await.assert_status_is_ok();
    let logout = env
        .cli
        .delete("/api/v1/session")
        .header(header::COOKIE, &session)
        .header("X-CSRF-Token", &csrf)
        .send()
        .await;
    logout.assert_status(StatusCode::NO_CONTENT);
    assert_eq!(cookie(&logout, "daotao_session"), "", "the browser forgets the ended session");
    let after = env.cli.get("/api/v1/me").header(header::COOKIE, &session).send().await;
    assert_json_error(&after, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_bearer_token_wins_over_a_cookie_and_needs_no_csrf_token() {
    let env = env().await;
    env.user("lan.nguyen").await;
    env.user("minh.tran").await;
    let (minh_session, _) = browser_login(&env, "minh.tran").await;
    let lan_token = env.token("lan.nguyen").await;
    let resp = env
        .cli
        .post(format!("/api/v1/courses/{C1}/enrollment"))
        .header(header::AUTHORIZATION, bearer(&lan_token))
        .header(header::COOKIE, &minh_session)
        .send()
        .await;
    resp.assert_status(StatusCode::CREATED);
    let json = env.get("/api/v1/me", &lan_token).await.json().await;
    json.value().object().get("enrollments").object_array()[0].get("course_id").assert_string(C1);
    let json = env.cli.get("/api/v1/me").header(header::COOKIE, &minh_session).send().await.json().await;
    json.value().object().get("enrollments").array().assert_is_empty();
}

#[tokio::test]
async fn a_user_who_must_change_the_password_gets_403() {
    let env = env().await;
    let new = NewUser {
        username: "moi.vao".into(),
        full_name: "Người mới".into(),
        email: None,
        unit_code: None,
        position: String::new(),
        role: Role::Learner,
        password: None,
    };
    let (_, one_time) = add_user(&env.db, new).await.unwrap();
    let resp = env.login("moi.vao", &one_time.unwrap()).await;
    resp.assert_status(StatusCode::CREATED);
    let json = resp.json().await;
    let body = json.value().object();
    body.get("user").object().get("must_change_password").assert_bool(true);
    let token = body.get("token").string();
    env.get("/api/v1/me", token).await.assert_status(StatusCode::FORBIDDEN);
    env.enrol(C1, token).await.assert_status(StatusCode::FORBIDDEN);
    // Logging out is still possible.
    let resp = env.cli.delete("/api/v1/session").header(header::AUTHORIZATION, bearer(token)).send().await;
    resp.assert_status(StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn bad_requests_get_json_errors() {
    let env = env().await;
    let not_json =
        env.cli.post("/api/v1/session").content_type("text/plain").body("username=a&password=b").send().await;
    assert!(not_json.0.status().is_client_error(), "{:?}", not_json.0.status());
    assert_eq!(header(&not_json, header::CONTENT_TYPE), "application/json; charset=utf-8");
    let missing =
        env.cli.post("/api/v1/session").body_json(&BTreeMap::from([("username", "a")])).send().await;
    assert_json_error(&missing, StatusCode::BAD_REQUEST);
    let huge = "x".repeat(daotao_server::api::MAX_BODY_BYTES + 1);
    let resp = env
        .cli
        .post("/api/v1/session")
        .body_json(&BTreeMap::from([("username", "a"), ("password", huge.as_str())]))
        .send()
        .await;
    assert_json_error(&resp, StatusCode::PAYLOAD_TOO_LARGE);
    let wrong_method = env.cli.put("/api/v1/courses").send().await;
    assert_json_error(&wrong_method, StatusCode::METHOD_NOT_ALLOWED);
}

#[derive(serde::Deserialize)]
struct Spec {
    openapi: String,
    servers: Vec<BTreeMap<String, String>>,
    paths: BTreeMap<String, BTreeMap<String, serde::de::IgnoredAny>>,
    components: Components,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Components {
    security_schemes: BTreeMap<String, serde::de::IgnoredAny>,
}

#[tokio::test]
async fn openapi_document_lists_every_path() {
    let env = env().await;
    let resp = env.cli.get("/api/openapi.json").send().await;
    resp.assert_status_is_ok();
    assert_eq!(header(&resp, header::CONTENT_TYPE), "application/json");
    let spec: Spec = resp.json().await.value().deserialize();
    assert!(spec.openapi.starts_with("3."), "{}", spec.openapi);
    assert_eq!(spec.servers[0]["url"], "/api/v1");
    let paths: Vec<(String, Vec<String>)> =
        spec.paths.iter().map(|(path, ops)| (path.clone(), ops.keys().cloned().collect())).collect();
    let expected = [
        ("/attempts/{id}", vec!["get"]),
        ("/attempts/{id}/answers", vec!["put"]),
        ("/attempts/{id}/submit", vec!["post"]),
        ("/courses", vec!["get"]),
        ("/courses/{course}", vec!["get"]),
        ("/courses/{course}/enrollment", vec!["post"]),
        ("/courses/{course}/lessons/{lesson}", vec!["get"]),
        ("/courses/{course}/lessons/{lesson}/progress", vec!["put"]),
        ("/courses/{course}/quizzes/{quiz}/attempts", vec!["post"]),
        ("/me", vec!["get"]),
        ("/search", vec!["get"]),
        ("/session", vec!["delete", "post"]),
    ];
    let expected: Vec<(String, Vec<String>)> = expected
        .iter()
        .map(|(p, ops)| (p.to_string(), ops.iter().map(|o| o.to_string()).collect()))
        .collect();
    assert_eq!(paths, expected);
    assert!(spec.components.security_schemes.contains_key("bearer"));
    assert!(spec.components.security_schemes.contains_key("session_cookie"));
}

#[tokio::test]
async fn docs_page_is_served_with_its_own_nonce_policy() {
    let env = env().await;
    let resp = env.cli.get("/api/docs").send().await;
    resp.assert_status_is_ok();
    assert_eq!(header(&resp, header::CONTENT_TYPE), "text/html; charset=utf-8");
    let csp = header(&resp, header::CONTENT_SECURITY_POLICY).to_string();
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let nonce =
        csp.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce").to_string();
    assert_eq!(nonce.len(), 64);
    let html = text(resp).await;
    assert!(html.contains("SwaggerUIBundle"));
    assert_eq!(html.matches(&format!("nonce=\"{nonce}\"")).count(), 3, "the style and both scripts");
    assert!(!html.contains("src=\"http"), "nothing is fetched from elsewhere");
    let again = env.cli.get("/api/docs").send().await;
    assert!(!header(&again, header::CONTENT_SECURITY_POLICY).contains(&nonce), "a fresh nonce per response");
}
