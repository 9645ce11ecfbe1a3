//! Search over the `search` fixture (two courses, five lessons and a quiz): the `/search` page, the
//! search box on every page and `GET /api/v1/search`.

use std::time::Duration;

use daotao_core::platform::config::Config;
use poem::http::{StatusCode, header};
use serde::Deserialize;

use crate::helpers::*;

/// The `search` fixture once its index is built.
async fn app_with(config: Config) -> TestApp {
    let app = TestApp::with_config(Fixture::Search, config).await;
    app.wait_for_search_index();
    app
}

async fn app() -> TestApp {
    app_with(Config::default()).await
}

/// GET `/search?{query}`: asserts 200 and HTML, returns the page.
async fn search_page(app: &TestApp, query: &str) -> String {
    app.page(&format!("/search?{query}")).await
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
async fn api(app: &TestApp, query: &str) -> ApiResults {
    let path = format!("/api/v1/search?{query}");
    let resp = app.cli.get(&path).send().await;
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
    let body = search_page(&app, "q=chinh+quyen+so").await;
    assert!(body.contains("<title>chinh quyen so · Tìm kiếm"), "{body}");
    // The hits in rank order, each with its lesson title and heading, anchor link, course title and
    // highlighted words; the query stays in the box.
    insta::assert_snapshot!("results", main_of(&body));
}

#[tokio::test]
async fn search_page_states_say_what_to_try() {
    let app = app().await;
    let body = search_page(&app, "").await;
    assert!(body.contains("Nhập từ cần tìm vào ô trên"), "{body}");
    let body = search_page(&app, "q=").await;
    assert!(body.contains("Nhập từ cần tìm vào ô trên"), "{body}");
    let body = search_page(&app, &format!("q={}", enc("quokka xyzzy"))).await;
    assert!(body.contains("Không tìm thấy kết quả nào"), "{body}");
    assert!(body.contains("dùng ít từ hơn"), "{body}");
    let body = search_page(&app, &format!("q={}", enc("\"mã OTP"))).await;
    assert!(body.contains("Thiếu dấu ngoặc kép đóng"), "{body}");
    let body = search_page(&app, &format!("q={}", enc(&"an toàn ".repeat(1500)))).await;
    assert!(body.contains("Câu tìm kiếm quá dài"), "{body}");
}

#[tokio::test]
async fn when_no_section_has_every_word_those_with_some_come_with_a_notice() {
    let app = app().await;
    let all = api(&app, &format!("q={}", enc("mã OTP quokka"))).await;
    assert!(all.total > 0, "the sections with mã and OTP: {all:?}");
    assert_eq!(all.notices, ["some_words"]);
    assert_eq!(all.hits[0].anchor.as_deref(), Some("khong-chia-se-ma-otp"), "{all:?}");
    assert!(all.hits[0].snippet_html.contains("<mark>mã</mark> <mark>OTP</mark>"), "{all:?}");
    let body = search_page(&app, &format!("q={}", enc("mã OTP quokka"))).await;
    assert!(body.contains("Không có mục nào chứa đủ mọi từ bạn gõ"), "{body}");
    assert!(!body.contains("Không tìm thấy kết quả nào"), "{body}");
    let every = api(&app, &format!("q={}", enc("mã OTP"))).await;
    assert!(every.notices.is_empty(), "every word found: no notice");
    let phrase = api(&app, &format!("q={}", enc("\"mã quokka\""))).await;
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
    let body = search_page(&app, "q=quyen&course=an-toan").await;
    assert!(body.contains("<option value=\"an-toan\" selected>"), "{body}");
    assert!(
        body.contains("/courses/an-toan/phan-quyen") && !body.contains("/courses/chinh-quyen-so/"),
        "{body}"
    );
    // An unknown course on the page searches everywhere.
    let body = search_page(&app, "q=quyen&course=khong-co").await;
    assert!(body.contains("/courses/chinh-quyen-so/"), "{body}");
    // No result in the course: offer every course (rather than sections of the course with some of the words).
    let body = search_page(&app, &format!("q={}&course=an-toan", enc("chính quyền số"))).await;
    assert!(body.contains("href=\"/search?q=chính quyền số\""), "{body}");
    assert!(!body.contains("Không có mục nào chứa đủ"), "{body}");
}

#[tokio::test]
async fn lesson_text_that_looks_like_markup_is_escaped() {
    let app = app().await;
    let body = search_page(&app, "q=script+alert").await;
    assert!(body.contains("&lt;<mark>script</mark>&gt;<mark>alert</mark>"), "{body}");
    assert!(!body.contains("<script"), "{body}");
    let found = api(&app, "q=script").await;
    assert!(found.hits[0].snippet_html.contains("&lt;<mark>script</mark>&gt;"), "{found:?}");
}

#[tokio::test]
async fn quizzes_are_not_searchable() {
    let app = app().await;
    for q in ["kỳ lân", "đáp án", "giải thích", "Kiểm tra cuối khoá"] {
        // Words of the quiz may be in lessons one by one; never all together, as they are in the quiz.
        let found = api(&app, &format!("q={}", enc(q))).await;
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
        let body = search_page(&app, query).await;
        assert!(!body.contains("<script>alert(1)"), "{query}");
        let resp = app.cli.get(format!("/api/v1/search?{query}")).send().await;
        let status = resp.0.status();
        assert!(!status.is_server_error(), "{query}: {status}");
    }
    let found = api(&app, &format!("q={long}")).await;
    assert!(found.notices.contains(&"truncated".to_string()), "{:?}", found.notices);
    assert!(found.total > 0, "the beginning of the long query still finds the lesson");
    let found = api(&app, "q=mat+AND+khau").await;
    assert_eq!(found.notices, ["operators_ignored"]);
}

#[tokio::test]
async fn api_answers_the_documented_shape() {
    let app = app().await;
    let found = api(&app, &format!("q={}", enc("DANH CAP MA OTP"))).await;
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
    let all = api(&app, "q=quyen").await;
    assert!(all.total >= 3);
    let narrowed = api(&app, "q=quyen&course=chinh-quyen-so").await;
    assert!(narrowed.hits.iter().all(|h| h.course == "chinh-quyen-so") && narrowed.total < all.total);
    let page = api(&app, "q=quyen&limit=1&offset=1").await;
    assert_eq!(page.hits.len(), 1);
    assert_eq!(page.total, all.total);
    assert_eq!(page.hits[0].url, all.hits[1].url);
    let resp = app.cli.get("/api/v1/search?q=otp&course=khong-co").send().await;
    assert_eq!(resp.0.status(), StatusCode::NOT_FOUND);
    let empty = api(&app, "").await;
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

    app.user("lan.nguyen", "Nguyễn Thị Lan").await;
    let token = app.token("lan.nguyen").await;
    let resp = app.api_get("/api/v1/search?q=otp", &token).await;
    assert_eq!(resp.0.status(), StatusCode::OK);
    assert_eq!(resp.0.headers().get(header::CACHE_CONTROL).unwrap(), "no-store");
    let resp = app.api_get("/search?q=otp", &token).await;
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
    let found = api(&app, "q=quyen").await;
    assert!(found.hits.iter().all(|h| h.course != "chinh-quyen-so"), "{found:?}");
    // The index a search had started with still answers.
    let (hits, _) = before.search(&daotao_server::search::ParsedQuery::parse("quyen"), None, 20, 0).unwrap();
    assert!(hits.iter().any(|h| h.course == "chinh-quyen-so"));
}
