//! HTTP tests of search: the `/search` page, the search box on every page and
//! `GET /api/v1/search`, over the fixture library in `tests/fixtures/search`
//! (two courses, five lessons and a quiz), through poem's `TestClient`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use daotao_core::entities::user::Role;
use daotao_core::people::accounts::{NewUser, add_user};
use daotao_core::platform::config::Config;
use daotao_server::state::AppState;
use poem::endpoint::BoxEndpoint;
use poem::http::{StatusCode, header};
use poem::test::{TestClient, TestResponse};
use poem::{EndpointExt, Response};
use serde::Deserialize;
use tempfile::TempDir;

type Client = TestClient<BoxEndpoint<'static, Response>>;

const PASSWORD: &str = "mat-khau-du-dai-2026";

struct App {
    _tmp: TempDir,
    cli: Client,
    state: Arc<AppState>,
}

async fn app_with(config: Config) -> App {
    let tmp = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/search");
    let library = daotao_content::course::load_library(&root);
    assert!(library.problems.is_empty(), "the library has problems: {:?}", library.problems);
    let db =
        daotao_core::platform::db::connect(&daotao_tests::test_database_url(tmp.path()).await).await.unwrap();
    daotao_core::learning::catalog::sync_library(&db, &library).await.unwrap();
    let state = Arc::new(AppState::with_config(library, db, &config));
    // Only a bound on waiting for the background build, never a speed check.
    assert!(state.search.wait_until_current(Duration::from_secs(60)), "the search index was not built");
    let cli = TestClient::new(daotao_server::app::app(state.clone()).map_to_response().boxed());
    App { _tmp: tmp, cli, state }
}

async fn app() -> App {
    app_with(Config::default()).await
}

async fn text(resp: TestResponse) -> String {
    resp.0.into_body().into_string().await.unwrap()
}

/// Percent-encodes a query value (everything but unreserved ASCII).
fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// GET `/search?q=`: asserts 200 and HTML, returns the page.
async fn search_page(cli: &Client, query: &str) -> String {
    let path = format!("/search?{query}");
    let resp = cli.get(&path).send().await;
    assert_eq!(resp.0.status(), StatusCode::OK, "{path}");
    assert_eq!(resp.0.headers().get(header::CONTENT_TYPE).unwrap(), "text/html; charset=utf-8", "{path}");
    text(resp).await
}

#[derive(Debug, Deserialize)]
struct ApiResults {
    hits: Vec<ApiHit>,
    total: u32,
    notices: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct ApiHit {
    course: String,
    course_title: String,
    lesson: Option<String>,
    title: String,
    heading: Option<String>,
    anchor: Option<String>,
    url: String,
    snippet_html: String,
    score: f64,
}

/// GET `/api/v1/search?{query}`: asserts 200, returns the results.
async fn api(cli: &Client, query: &str) -> ApiResults {
    let path = format!("/api/v1/search?{query}");
    let resp = cli.get(&path).send().await;
    assert_eq!(resp.0.status(), StatusCode::OK, "{path}");
    resp.json().await.value().deserialize()
}

#[tokio::test]
async fn every_page_has_a_labelled_search_box_that_works_without_javascript() {
    let app = app().await;
    for path in ["/", "/courses/an-toan", "/courses/an-toan/mat-khau", "/search", "/khong-co"] {
        let body = text(app.cli.get(path).send().await).await;
        assert!(
            body.contains(
                "<form class=\"site-search\" method=\"get\" action=\"/search\" role=\"search\" \
                 aria-label=\"Tìm kiếm trong các bài học\">"
            ),
            "{path}"
        );
        assert!(body.contains("<label for=\"site-q\""), "{path}");
        assert!(body.contains("<input id=\"site-q\" type=\"search\" name=\"q\""), "{path}");
    }
}

#[tokio::test]
async fn search_page_lists_ranked_hits_with_titles_heading_links_and_highlights() {
    let app = app().await;
    let body = search_page(&app.cli, "q=chinh+quyen+so").await;
    let first = body.find("<ol class=\"results\"").expect("a result list");
    let hit = &body[first..];
    assert!(
        hit.find("href=\"/courses/chinh-quyen-so/khai-niem#chinh-quyen-so-la-gi\"").unwrap()
            < hit.find("href=\"/courses/chinh-quyen-so/nen-tang#cap-quyen-su-dung\"").unwrap(),
        "{body}"
    );
    assert!(body.contains("Khái niệm cơ bản › Chính quyền số là gì"), "lesson title and heading: {body}");
    assert!(body.contains("Chuyển đổi số trong cơ quan nhà nước"), "the course title");
    assert!(body.contains("<mark>Chính</mark> <mark>quyền</mark> <mark>số</mark>"), "{body}");
    assert!(body.contains("value=\"chinh quyen so\""), "the query stays in the box");
    assert!(body.contains("<title>chinh quyen so · Tìm kiếm"), "{body}");
}

#[tokio::test]
async fn search_page_states_say_what_to_try() {
    let app = app().await;
    let body = search_page(&app.cli, "").await;
    assert!(body.contains("Nhập từ cần tìm vào ô trên"), "{body}");
    let body = search_page(&app.cli, "q=").await;
    assert!(body.contains("Nhập từ cần tìm vào ô trên"), "{body}");
    let body = search_page(&app.cli, &format!("q={}", enc("quokka xyzzy"))).await;
    assert!(body.contains("Không tìm thấy kết quả nào"), "{body}");
    assert!(body.contains("dùng ít từ hơn"), "{body}");
    let body = search_page(&app.cli, &format!("q={}", enc("\"mã OTP"))).await;
    assert!(body.contains("Thiếu dấu ngoặc kép đóng"), "{body}");
    let body = search_page(&app.cli, &format!("q={}", enc(&"an toàn ".repeat(1500)))).await;
    assert!(body.contains("Câu tìm kiếm quá dài"), "{body}");
}

#[tokio::test]
async fn when_no_section_has_every_word_those_with_some_come_with_a_notice() {
    let app = app().await;
    let all = api(&app.cli, &format!("q={}", enc("mã OTP quokka"))).await;
    assert!(all.total > 0, "the sections with mã and OTP: {all:?}");
    assert_eq!(all.notices, ["some_words"]);
    assert_eq!(all.hits[0].anchor.as_deref(), Some("khong-chia-se-ma-otp"), "{all:?}");
    assert!(all.hits[0].snippet_html.contains("<mark>mã</mark> <mark>OTP</mark>"), "{all:?}");
    let body = search_page(&app.cli, &format!("q={}", enc("mã OTP quokka"))).await;
    assert!(body.contains("Không có mục nào chứa đủ mọi từ bạn gõ"), "{body}");
    assert!(!body.contains("Không tìm thấy kết quả nào"), "{body}");
    let every = api(&app.cli, &format!("q={}", enc("mã OTP"))).await;
    assert!(every.notices.is_empty(), "every word found: no notice");
    let phrase = api(&app.cli, &format!("q={}", enc("\"mã quokka\""))).await;
    assert_eq!(phrase.total, 0, "a phrase is never split");
}

#[tokio::test]
async fn search_page_in_english() {
    let app = app().await;
    let resp = app.cli.get("/search?q=otp").header(header::ACCEPT_LANGUAGE, "en").send().await;
    let body = text(resp).await;
    assert!(body.contains("<h1>Search</h1>") && body.contains("results"), "{body}");
    let resp = app.cli.get("/search?q=xyzzy").header(header::ACCEPT_LANGUAGE, "en").send().await;
    assert!(text(resp).await.contains("No results"));
}

#[tokio::test]
async fn search_can_be_narrowed_to_one_course() {
    let app = app().await;
    let body = search_page(&app.cli, "q=quyen&course=an-toan").await;
    assert!(body.contains("<option value=\"an-toan\" selected>"), "{body}");
    assert!(
        body.contains("/courses/an-toan/phan-quyen") && !body.contains("/courses/chinh-quyen-so/"),
        "{body}"
    );
    // An unknown course on the page searches everywhere.
    let body = search_page(&app.cli, "q=quyen&course=khong-co").await;
    assert!(body.contains("/courses/chinh-quyen-so/"), "{body}");
    // No result in the course: offer every course (rather than sections of the course with some of the words).
    let body = search_page(&app.cli, &format!("q={}&course=an-toan", enc("chính quyền số"))).await;
    assert!(body.contains("href=\"/search?q=chính quyền số\""), "{body}");
    assert!(!body.contains("Không có mục nào chứa đủ"), "{body}");
}

#[tokio::test]
async fn lesson_text_that_looks_like_markup_is_escaped() {
    let app = app().await;
    let body = search_page(&app.cli, "q=script+alert").await;
    assert!(body.contains("&lt;<mark>script</mark>&gt;<mark>alert</mark>"), "{body}");
    assert!(!body.contains("<script"), "{body}");
    let found = api(&app.cli, "q=script").await;
    assert!(found.hits[0].snippet_html.contains("&lt;<mark>script</mark>&gt;"), "{found:?}");
}

#[tokio::test]
async fn quizzes_are_not_searchable() {
    let app = app().await;
    for q in ["kỳ lân", "đáp án", "giải thích", "Kiểm tra cuối khoá"] {
        // Words of the quiz may be in lessons one by one; never all together, as they are in the quiz.
        let found = api(&app.cli, &format!("q={}", enc(q))).await;
        assert!(found.total == 0 || found.notices == ["some_words"], "{q}: {found:?}");
        assert!(!format!("{found:?}").contains("/quizzes/"), "{q}: {found:?}");
    }
}

#[tokio::test]
async fn hostile_input_never_gets_an_error() {
    let app = app().await;
    let long = enc(&"đánh cắp mã OTP ".repeat(700));
    let queries = [
        "q=%22".to_string(),
        "q=((".into(),
        "q=AND+OR".into(),
        "q=*".into(),
        "q=%00".into(),
        "q=%FF%FE".into(),
        "q=%".into(),
        format!("q={long}"),
        "q=a&q=b&q=c".into(),
        "q=otp&page=abc".into(),
        "q=otp&page=-1".into(),
        "q=otp&page=99999999999999999999999".into(),
        "q=otp&course=..%2F..%2Fetc".into(),
        "course=&page=".into(),
        "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E".into(),
    ];
    for query in &queries {
        let body = search_page(&app.cli, query).await;
        assert!(!body.contains("<script>alert(1)"), "{query}");
        let resp = app.cli.get(format!("/api/v1/search?{query}")).send().await;
        let status = resp.0.status();
        assert!(!status.is_server_error(), "{query}: {status}");
    }
    let found = api(&app.cli, &format!("q={long}")).await;
    assert!(found.notices.contains(&"truncated".to_string()), "{:?}", found.notices);
    assert!(found.total > 0, "the beginning of the long query still finds the lesson");
    let found = api(&app.cli, "q=mat+AND+khau").await;
    assert_eq!(found.notices, ["operators_ignored"]);
}

#[tokio::test]
async fn api_answers_the_documented_shape() {
    let app = app().await;
    let found = api(&app.cli, &format!("q={}", enc("DANH CAP MA OTP"))).await;
    assert_eq!(found.total, 1, "{found:?}");
    let hit = &found.hits[0];
    assert_eq!(hit.course, "an-toan");
    assert_eq!(hit.lesson.as_deref(), Some("mat-khau"));
    assert_eq!(hit.title, "Mật khẩu và xác thực");
    assert_eq!(hit.heading.as_deref(), Some("Không chia sẻ mã OTP"));
    assert_eq!(hit.anchor.as_deref(), Some("khong-chia-se-ma-otp"));
    assert_eq!(hit.url, "/courses/an-toan/mat-khau#khong-chia-se-ma-otp");
    assert!(hit.snippet_html.contains("<mark>đánh</mark> <mark>cắp</mark> <mark>mã</mark> <mark>OTP</mark>"));
    assert!(hit.score > 0.0);

    let resp = app.cli.get("/api/v1/search?q=otp").send().await;
    assert_eq!(resp.0.headers().get(header::CACHE_CONTROL).unwrap(), "no-cache", "the same for everyone");

    // Narrowed, paged, and an unknown course.
    let all = api(&app.cli, "q=quyen").await;
    assert!(all.total >= 3);
    let narrowed = api(&app.cli, "q=quyen&course=chinh-quyen-so").await;
    assert!(narrowed.hits.iter().all(|h| h.course == "chinh-quyen-so") && narrowed.total < all.total);
    let page = api(&app.cli, "q=quyen&limit=1&offset=1").await;
    assert_eq!(page.hits.len(), 1);
    assert_eq!(page.total, all.total);
    assert_eq!(page.hits[0].url, all.hits[1].url);
    let resp = app.cli.get("/api/v1/search?q=otp&course=khong-co").send().await;
    assert_eq!(resp.0.status(), StatusCode::NOT_FOUND);
    let empty = api(&app.cli, "").await;
    assert_eq!((empty.total, empty.hits.len()), (0, 0));

    let spec = text(app.cli.get("/api/openapi.json").send().await).await;
    assert!(spec.contains("\"/search\"") && spec.contains("snippet_html"), "in the OpenAPI document");
}

#[tokio::test]
async fn anonymous_reading_off_needs_a_login_to_search() {
    let app = app_with(Config { anonymous_reading: false, ..Config::default() }).await;
    let resp = app.cli.get("/search?q=otp").send().await;
    assert_eq!(resp.0.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.0.headers().get(header::LOCATION).unwrap(), "/login?next=/search?q=otp");
    let resp = app.cli.get("/api/v1/search?q=otp").send().await;
    assert_eq!(resp.0.status(), StatusCode::UNAUTHORIZED);

    let new = NewUser {
        username: "lan.nguyen".into(),
        full_name: "Nguyễn Thị Lan".into(),
        email: None,
        unit_code: None,
        position: "Chuyên viên".into(),
        role: Role::Learner,
        password: Some(PASSWORD.into()),
    };
    add_user(&app.state.db, new).await.unwrap();
    let body = BTreeMap::from([("username", "lan.nguyen"), ("password", PASSWORD)]);
    let resp = app.cli.post("/api/v1/session").body_json(&body).send().await;
    resp.assert_status(StatusCode::CREATED);
    let token = resp.json().await.value().object().get("token").string().to_string();
    let bearer = format!("Bearer {token}");
    let resp = app.cli.get("/api/v1/search?q=otp").header(header::AUTHORIZATION, &bearer).send().await;
    assert_eq!(resp.0.status(), StatusCode::OK);
    assert_eq!(resp.0.headers().get(header::CACHE_CONTROL).unwrap(), "no-store");
    let resp = app.cli.get("/search?q=otp").header(header::AUTHORIZATION, &bearer).send().await;
    assert_eq!(resp.0.status(), StatusCode::OK);
    assert!(text(resp).await.contains("/courses/an-toan/mat-khau#khong-chia-se-ma-otp"));
}

#[tokio::test]
async fn a_library_change_is_searchable_after_the_rebuild_and_old_answers_until_then() {
    let app = app().await;
    let before = app.state.search.current().unwrap();
    app.state.update_library(|library| {
        library.courses.remove("chinh-quyen-so");
    });
    assert!(app.state.search.wait_until_current(Duration::from_secs(60)));
    let found = api(&app.cli, "q=quyen").await;
    assert!(found.hits.iter().all(|h| h.course != "chinh-quyen-so"), "{found:?}");
    // The index a search had started with still answers.
    let (hits, _) = before.search(&daotao_server::search::ParsedQuery::parse("quyen"), None, 20, 0).unwrap();
    assert!(hits.iter().any(|h| h.course == "chinh-quyen-so"));
}
