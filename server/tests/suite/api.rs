//! The JSON API (`/api/v1`, `/api/openapi.json`, `/api/docs`) over the `catalog` fixture.

use std::collections::BTreeMap;

use daotao_core::entities::user::Role;
use daotao_core::platform::config::Config;
use poem::Response;
use poem::http::{Method, StatusCode, header};
use poem::test::TestResponse;

use crate::helpers::*;

/// In the quiz file only: must never reach an API answer.
const ANSWER: &str = "ca-heo-den-ban-phim-83";

#[tokio::test]
async fn login_returns_a_token_and_the_user() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    let me = app.learner("lan.nguyen").await;
    let resp = app.api_login("  Lan.Nguyen ", PASSWORD).await;
    resp.assert_status(StatusCode::CREATED);
    assert_eq!(header(&resp, header::CACHE_CONTROL), "no-store");
    let json = resp.json().await;
    let body = json.value().object();
    assert_eq!(body.get("token").string().len(), 64);
    body.get("expires_at").assert_not_null();
    let user = body.get("user").object();
    user.get("id").assert_i64(me.id);
    user.get("username").assert_string("lan.nguyen");
    user.get("full_name").assert_string("Trần Văn lan.nguyen");
    user.get("role").assert_string("learner");
    user.get("must_change_password").assert_bool(false);
    user.assert_len(5); // nothing else about the account (never its password hash)
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_401() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    app.learner("lan.nguyen").await;
    let wrong = app.api_login("lan.nguyen", "khong-dung-mat-khau").await;
    assert_json_error(&wrong, StatusCode::UNAUTHORIZED);
    let unknown = app.api_login("khong.ton.tai", PASSWORD).await;
    assert_json_error(&unknown, StatusCode::UNAUTHORIZED);
    let (wrong, unknown) = (text(wrong).await, text(unknown).await);
    assert_eq!(wrong, unknown);
    assert!(wrong.contains("invalid username or password"), "{wrong}");
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    app.learner("lan.nguyen").await;
    let token = app.token("lan.nguyen").await;
    app.api_get("/api/v1/me", &token).await.assert_status_is_ok();
    let resp = app.with_bearer(Method::DELETE, "/api/v1/session", &token).send().await;
    resp.assert_status(StatusCode::NO_CONTENT);
    assert!(resp.0.headers().get(header::SET_COOKIE).is_none(), "a bearer logout sets no cookie");
    let after = app.api_get("/api/v1/me", &token).await;
    assert_json_error(&after, StatusCode::UNAUTHORIZED);
    assert_eq!(header(&after, header::WWW_AUTHENTICATE), "Bearer");
    let again = app.with_bearer(Method::DELETE, "/api/v1/session", &token).send().await;
    assert_json_error(&again, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn personal_endpoints_need_a_session() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    let me = app.cli.get("/api/v1/me").send().await;
    assert_json_error(&me, StatusCode::UNAUTHORIZED);
    assert!(error_message(me).await.contains("login required"));
    let forged = app.api_get("/api/v1/me", &"0".repeat(64)).await;
    assert_json_error(&forged, StatusCode::UNAUTHORIZED);
    let enrol = app.cli.post(format!("/api/v1/courses/{C1}/enrollment")).send().await;
    assert_json_error(&enrol, StatusCode::UNAUTHORIZED);
    let read = app.cli.put(format!("/api/v1/courses/{C1}/lessons/{FIRST}/progress")).send().await;
    assert_json_error(&read, StatusCode::UNAUTHORIZED);
    let logout = app.cli.delete("/api/v1/session").send().await;
    assert_json_error(&logout, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn catalog_lists_the_courses() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    let resp = app.cli.get("/api/v1/courses").send().await;
    resp.assert_status_is_ok();
    assert_eq!(header(&resp, header::CACHE_CONTROL), "no-cache");
    let json = resp.json().await;
    let courses = json.value().object_array();
    assert_eq!(courses.len(), 2);
    let c1 = courses[0];
    c1.get("id").assert_string(C1);
    c1.get("title").assert_string(C1_TITLE);
    c1.get("summary").assert_string(C1_SUMMARY);
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
    let app = TestApp::spawn(Fixture::Catalog).await;
    let resp = app.cli.get(format!("/api/v1/courses/{C1}")).send().await;
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
    let app = TestApp::spawn(Fixture::Catalog).await;
    app.learner("lan.nguyen").await;
    let token = app.token("lan.nguyen").await;
    let before = app.api_get(&format!("/api/v1/courses/{C1}"), &token).await;
    before.assert_status_is_ok();
    assert_eq!(header(&before, header::CACHE_CONTROL), "no-store");
    let json = before.json().await;
    let course = json.value().object();
    course.get("enrolled").assert_bool(false);
    let progress = course.get("progress").object();
    progress.get("read").assert_i64(0);
    progress.get("total").assert_i64(3);
    assert!(course.get("lessons").object_array().iter().all(|l| !l.get("read").bool()));

    app.api_enrol(C1, &token).await.assert_status(StatusCode::CREATED);
    app.api_mark_read(C1, MIDDLE, &token).await.assert_status(StatusCode::NO_CONTENT);
    let json = app.api_get(&format!("/api/v1/courses/{C1}"), &token).await.json().await;
    let course = json.value().object();
    course.get("enrolled").assert_bool(true);
    course.get("progress").object().get("read").assert_i64(1);
    let read: Vec<bool> = course.get("lessons").object_array().iter().map(|l| l.get("read").bool()).collect();
    assert_eq!(read, [false, true, false]);
}

#[tokio::test]
async fn lesson_is_rendered_with_its_contents_and_neighbours() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    let resp = app.cli.get(format!("/api/v1/courses/{C1}/lessons/{MIDDLE}")).send().await;
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
    assert!(html.contains("Mật khẩu là lớp bảo vệ đầu tiên của hộp thư công vụ."), "{html}");
    assert!(html.contains("id=\"xac-thuc\""), "{html}");
    let toc = lesson.get("toc").object_array();
    let entries: Vec<(i64, &str, &str)> =
        toc.iter().map(|t| (t.get("level").i64(), t.get("id").string(), t.get("text").string())).collect();
    assert_eq!(entries.len(), 4, "{entries:?}");
    assert_eq!(entries[1], (2, "xac-thuc", "Xác thực hai lớp"));
    assert_eq!(entries[2].0, 3);
    lesson.get("previous").object().get("id").assert_string(FIRST);
    lesson.get("previous").object().get("title").assert_string("Giới thiệu khoá học");
    lesson.get("next").object().get("id").assert_string(LAST);

    let first = app.cli.get(format!("/api/v1/courses/{C1}/lessons/{FIRST}")).send().await.json().await;
    assert!(
        first.value().object().get_opt("previous").is_none(),
        "an empty `previous` is left out, as the spec says"
    );
    assert!(!first.value().object().get("html").string().contains("<script"), "raw script must be removed");
    let last = app.cli.get(format!("/api/v1/courses/{C1}/lessons/{LAST}")).send().await.json().await;
    assert!(last.value().object().get_opt("next").is_none(), "an empty `next` is left out, as the spec says");
}

#[tokio::test]
async fn unknown_courses_and_lessons_are_json_404s() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    for path in [
        "/api/v1/courses/khong-co".to_string(),
        format!("/api/v1/courses/{C1}/lessons/khong-co"),
        format!("/api/v1/courses/{C2}/lessons/{FIRST}"),
        "/api/v1/khong-co".to_string(),
        "/api/khong-co".to_string(),
    ] {
        let resp = app.cli.get(&path).send().await;
        assert_json_error(&resp, StatusCode::NOT_FOUND);
        assert!(!error_message(resp).await.is_empty(), "{path}");
    }
    app.learner("lan.nguyen").await;
    let token = app.token("lan.nguyen").await;
    assert_json_error(&app.api_enrol("khong-co", &token).await, StatusCode::NOT_FOUND);
    assert_json_error(&app.api_mark_read(C1, "khong-co", &token).await, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn anonymous_reading_off_needs_a_session_for_courses_and_lessons() {
    let app =
        TestApp::with_config(Fixture::Catalog, Config { anonymous_reading: false, ..Config::default() })
            .await;
    for path in [format!("/api/v1/courses/{C1}"), format!("/api/v1/courses/{C1}/lessons/{FIRST}")] {
        assert_json_error(&app.cli.get(&path).send().await, StatusCode::UNAUTHORIZED);
    }
    app.cli.get("/api/v1/courses").send().await.assert_status_is_ok();
    app.learner("lan.nguyen").await;
    let token = app.token("lan.nguyen").await;
    app.api_get(&format!("/api/v1/courses/{C1}/lessons/{FIRST}"), &token).await.assert_status_is_ok();
}

#[tokio::test]
async fn self_enrolment_only_where_the_course_allows_it() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    app.learner("lan.nguyen").await;
    let token = app.token("lan.nguyen").await;
    let first = app.api_enrol(C1, &token).await;
    first.assert_status(StatusCode::CREATED);
    let json = first.json().await;
    json.value().object().get("course_id").assert_string(C1);
    assert!(
        json.value().object().get_opt("due_date").is_none(),
        "an empty `due_date` is left out, as the spec says"
    );
    let again = app.api_enrol(C1, &token).await;
    again.assert_status(StatusCode::OK);
    again.json().await.value().object().get("course_id").assert_string(C1);
    let refused = app.api_enrol(C2, &token).await;
    assert_json_error(&refused, StatusCode::FORBIDDEN);
    assert!(error_message(refused).await.contains("self-enrolment"));
    let json = app.api_get("/api/v1/me", &token).await.json().await;
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
    let app = TestApp::spawn(Fixture::Catalog).await;
    app.learner("lan.nguyen").await;
    let token = app.token("lan.nguyen").await;
    let refused = app.api_mark_read(C1, FIRST, &token).await;
    assert_json_error(&refused, StatusCode::FORBIDDEN);
    assert!(error_message(refused).await.contains("not enrolled"));
    app.api_enrol(C1, &token).await.assert_status(StatusCode::CREATED);
    let done = app.api_mark_read(C1, FIRST, &token).await;
    done.assert_status(StatusCode::NO_CONTENT);
    app.api_mark_read(C1, FIRST, &token).await.assert_status(StatusCode::NO_CONTENT);

    let resp = app.api_get("/api/v1/me", &token).await;
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
    let app = TestApp::spawn(Fixture::Catalog).await;
    let lan = app.learner("lan.nguyen").await;
    let minh = app.learner("minh.tran").await;
    let due = chrono::NaiveDate::from_ymd_opt(2020, 1, 31).unwrap();
    daotao_core::learning::enrollment::enroll_users(&app.db, C2, &[minh.id], Some(due), None).await.unwrap();
    let lan_token = app.token("lan.nguyen").await;
    let minh_token = app.token("minh.tran").await;
    app.api_enrol(C1, &lan_token).await.assert_status(StatusCode::CREATED);
    app.api_mark_read(C1, FIRST, &lan_token).await.assert_status(StatusCode::NO_CONTENT);

    let json = app.api_get("/api/v1/me", &lan_token).await.json().await;
    let me = json.value().object();
    me.get("user").object().get("id").assert_i64(lan.id);
    me.get("user").object().get("username").assert_string("lan.nguyen");
    let mine = me.get("enrollments").object_array();
    assert_eq!(mine.len(), 1);
    mine[0].get("course_id").assert_string(C1);
    mine[0].get("lessons_read").assert_i64(1);

    let json = app.api_get("/api/v1/me", &minh_token).await.json().await;
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
    let json = app.api_get(&format!("/api/v1/courses/{C1}"), &minh_token).await.json().await;
    json.value().object().get("enrolled").assert_bool(false);
    json.value().object().get("progress").object().get("read").assert_i64(0);
}

#[tokio::test]
async fn cookie_authenticated_changes_need_the_csrf_header() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    app.learner("lan.nguyen").await;
    let session = app.login("lan.nguyen").await;
    let csrf = app.csrf(&session).await;
    assert_eq!(csrf.len(), 64);
    let with_csrf = |method: Method, path: &str, csrf: &str| {
        app.with_cookie(method, path, &session).header("X-CSRF-Token", csrf.to_string())
    };

    // Reading needs no CSRF token.
    let me = app.get_as(&session, "/api/v1/me").await;
    me.assert_status_is_ok();
    me.json().await.value().object().get("user").object().get("username").assert_string("lan.nguyen");

    let enrol = format!("/api/v1/courses/{C1}/enrollment");
    let without = app.with_cookie(Method::POST, &enrol, &session).send().await;
    assert_json_error(&without, StatusCode::FORBIDDEN);
    assert!(error_message(without).await.contains("CSRF"));
    let wrong = with_csrf(Method::POST, &enrol, &"0".repeat(64)).send().await;
    assert_json_error(&wrong, StatusCode::FORBIDDEN);
    with_csrf(Method::POST, &enrol, &csrf).send().await.assert_status(StatusCode::CREATED);

    let read = format!("/api/v1/courses/{C1}/lessons/{FIRST}/progress");
    let without = app.with_cookie(Method::PUT, &read, &session).send().await;
    assert_json_error(&without, StatusCode::FORBIDDEN);
    with_csrf(Method::PUT, &read, &csrf).send().await.assert_status(StatusCode::NO_CONTENT);
    let json = app.get_as(&session, "/api/v1/me").await.json().await;
    json.value().object().get("enrollments").object_array()[0].get("lessons_read").assert_i64(1);

    let without = app.with_cookie(Method::DELETE, "/api/v1/session", &session).send().await;
    assert_json_error(&without, StatusCode::FORBIDDEN);
    app.get_as(&session, "/api/v1/me").await.assert_status_is_ok();
    let logout = with_csrf(Method::DELETE, "/api/v1/session", &csrf).send().await;
    logout.assert_status(StatusCode::NO_CONTENT);
    assert_eq!(cookie(&logout, SESSION_COOKIE), "", "the browser forgets the ended session");
    let after = app.get_as(&session, "/api/v1/me").await;
    assert_json_error(&after, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_bearer_token_wins_over_a_cookie_and_needs_no_csrf_token() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    app.learner("lan.nguyen").await;
    app.learner("minh.tran").await;
    let minh_session = app.login("minh.tran").await;
    let lan_token = app.token("lan.nguyen").await;
    let resp = app
        .with_bearer(Method::POST, &format!("/api/v1/courses/{C1}/enrollment"), &lan_token)
        .header(header::COOKIE, format!("{SESSION_COOKIE}={minh_session}"))
        .send()
        .await;
    resp.assert_status(StatusCode::CREATED);
    let json = app.api_get("/api/v1/me", &lan_token).await.json().await;
    json.value().object().get("enrollments").object_array()[0].get("course_id").assert_string(C1);
    let json = app.get_as(&minh_session, "/api/v1/me").await.json().await;
    json.value().object().get("enrollments").array().assert_is_empty();
}

#[tokio::test]
async fn a_user_who_must_change_the_password_gets_403() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    let (_, one_time) = app.add_user("moi.vao", "Người mới", Role::Learner, None).await;
    let resp = app.api_login("moi.vao", &one_time.unwrap()).await;
    resp.assert_status(StatusCode::CREATED);
    let json = resp.json().await;
    let body = json.value().object();
    body.get("user").object().get("must_change_password").assert_bool(true);
    let token = body.get("token").string();
    app.api_get("/api/v1/me", token).await.assert_status(StatusCode::FORBIDDEN);
    app.api_enrol(C1, token).await.assert_status(StatusCode::FORBIDDEN);
    // Logging out is still possible.
    let resp = app.with_bearer(Method::DELETE, "/api/v1/session", token).send().await;
    resp.assert_status(StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn bad_requests_get_json_errors() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    let not_json =
        app.cli.post("/api/v1/session").content_type("text/plain").body("username=a&password=b").send().await;
    assert!(not_json.0.status().is_client_error(), "{:?}", not_json.0.status());
    assert_eq!(header(&not_json, header::CONTENT_TYPE), "application/json; charset=utf-8");
    let missing =
        app.cli.post("/api/v1/session").body_json(&BTreeMap::from([("username", "a")])).send().await;
    assert_json_error(&missing, StatusCode::BAD_REQUEST);
    let huge = "x".repeat(daotao_server::api::MAX_BODY_BYTES + 1);
    let resp = app
        .cli
        .post("/api/v1/session")
        .body_json(&BTreeMap::from([("username", "a"), ("password", huge.as_str())]))
        .send()
        .await;
    assert_json_error(&resp, StatusCode::PAYLOAD_TOO_LARGE);
    let wrong_method = app.cli.put("/api/v1/courses").send().await;
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
    let app = TestApp::spawn(Fixture::Catalog).await;
    let resp = app.cli.get("/api/openapi.json").send().await;
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
        ("/courses/{course}/quizzes/{quiz}/statistics", vec!["get"]),
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
    let app = TestApp::spawn(Fixture::Catalog).await;
    let resp = app.cli.get("/api/docs").send().await;
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
    let again = app.cli.get("/api/docs").send().await;
    assert!(!header(&again, header::CONTENT_SECURITY_POLICY).contains(&nonce), "a fresh nonce per response");
}
