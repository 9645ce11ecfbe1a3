//! Pages, assets and middleware (routes, languages, compression, caching, error pages) over the
//! `catalog` fixture.

use poem::http::{Method, StatusCode, header};
use poem::middleware::Compression;
use poem::test::TestClient;
use poem::{EndpointExt, Route, handler, post};

use crate::helpers::*;

/// Written next to the courses (and one level up) so a traversal that works would show it.
const DECOY: &str = "[package]\nname = \"bi-mat\"\ntitle = \"tệp không được lộ ra\"\n";

/// The `catalog` fixture, with a decoy file around the library.
async fn app() -> TestApp {
    with_files(&[]).await
}

/// The `catalog` fixture with extra files (path in the first course, contents) and the decoys.
async fn with_files(files: &[(&str, &[u8])]) -> TestApp {
    TestApp::with_edit(Fixture::Catalog, |courses| {
        for (path, contents) in files {
            std::fs::write(courses.join(C1).join(path), contents).unwrap();
        }
        std::fs::write(courses.join("Cargo.toml"), DECOY).unwrap();
        std::fs::write(courses.parent().unwrap().join("Cargo.toml"), DECOY).unwrap();
    })
    .await
}

fn svg() -> String {
    std::fs::read_to_string(fixture_file("catalog/an-toan-so/assets/hinh.svg")).unwrap()
}

fn png() -> Vec<u8> {
    std::fs::read(fixture_file("catalog/an-toan-so/assets/anh.png")).unwrap()
}

/// Asserts a styled error page: the site's frame around the message.
#[track_caller]
fn assert_styled_error(body: &str, lang: &str, title: &str) {
    assert_contains(body, &format!("<html lang=\"{lang}\">"));
    assert_contains(body, "<main");
    assert_contains(body, "<header class=\"site\">");
    assert_contains(body, "<link rel=\"stylesheet\" href=\"/static/site.css?v=");
    assert_contains(body, title);
}

#[tokio::test]
async fn catalog_lists_both_courses_in_vietnamese() {
    let app = app().await;
    let resp = app.cli.get("/").send().await;
    resp.assert_status_is_ok();
    assert_eq!(header(&resp, header::CONTENT_TYPE), "text/html; charset=utf-8");
    assert_security_headers(&resp, "/");
    let body = text(resp).await;
    assert!(body.starts_with("<!doctype html>"), "{body}");
    assert_contains(&body, "<html lang=\"vi\">");
    // Both courses in id order, each with its summary, lesson count and hours.
    insta::assert_snapshot!("catalog", main_of(&body));
}

/// A request (method, path, an extra header) and the status it gets.
type Case = (Method, String, Option<(&'static str, String)>, StatusCode);

#[tokio::test]
async fn security_headers_are_on_every_response() {
    let app = app().await;
    let svg = format!("/courses/{C1}/assets/hinh.svg");
    let etag = header(&app.cli.get(&svg).send().await, header::ETAG).to_string();
    let cases: Vec<Case> = vec![
        (Method::GET, "/".into(), None, StatusCode::OK),
        (Method::GET, format!("/courses/{C1}"), None, StatusCode::OK),
        (Method::GET, format!("/courses/{C1}/{MIDDLE}"), None, StatusCode::OK),
        (Method::GET, svg.clone(), None, StatusCode::OK),
        (Method::GET, svg, Some(("if-none-match", etag)), StatusCode::NOT_MODIFIED),
        (Method::GET, format!("/courses/{C1}/assets/anh.png"), None, StatusCode::OK),
        (Method::GET, "/static/favicon.svg".into(), None, StatusCode::OK),
        (Method::GET, "/healthz".into(), None, StatusCode::OK),
        (Method::GET, "/lang/en?next=/".into(), None, StatusCode::SEE_OTHER),
        (Method::GET, "/khong-co".into(), None, StatusCode::NOT_FOUND),
        (Method::GET, format!("/courses/{C1}/assets/khong-co.png"), None, StatusCode::NOT_FOUND),
        (Method::GET, "/static/khong-co.css".into(), None, StatusCode::NOT_FOUND),
        (Method::POST, "/".into(), None, StatusCode::METHOD_NOT_ALLOWED),
        (Method::GET, "/".into(), Some(("accept-encoding", "gzip".into())), StatusCode::OK),
    ];
    for (method, path, extra, status) in cases {
        let mut req = app.cli.request(method.clone(), path.clone());
        if let Some((name, value)) = extra {
            req = req.header(name, value);
        }
        let resp = req.send().await;
        assert_eq!(resp.0.status(), status, "{method} {path}");
        assert_security_headers(&resp, &format!("{method} {path}"));
        assert_eq!(header(&resp, "x-frame-options"), "DENY", "{method} {path}");
    }
}

#[tokio::test]
async fn course_page_shows_title_summary_and_lessons_in_file_order() {
    let app = app().await;
    let body = app.page(&format!("/courses/{C1}")).await;
    assert_contains(&body, "<html lang=\"vi\">");
    assert_contains(&body, &format!("<title>{C1_TITLE} · Đào tạo số</title>"));
    // Title, summary, the lessons in file-name order, the quiz and the button to start.
    insta::assert_snapshot!("course", main_of(&body));

    assert_contains(&body, "<nav class=\"crumbs wrap\" aria-label=\"Đường dẫn\">");
    let crumbs = &body[body.find("aria-label=\"Đường dẫn\"").unwrap()..];
    let crumbs = &crumbs[..crumbs.find("</nav>").unwrap()];
    assert_contains(crumbs, "<a href=\"/\">Trang chủ</a>");
    assert_contains(crumbs, &format!("<a href=\"/courses/{C1}\" aria-current=\"page\">{C1_TITLE}</a>"));

    let body = app.page(&format!("/courses/{C2}")).await;
    insta::assert_snapshot!("course_admin_enrols", main_of(&body));
}

#[tokio::test]
async fn lesson_page_renders_markdown_with_heading_ids_and_a_table_of_contents() {
    let app = app().await;
    let body = app.page(&format!("/courses/{C1}/{MIDDLE}")).await;
    assert_contains(&body, "<title>Mật khẩu và xác thực nhiều yếu tố · ");
    // Lesson 2 of 3, 20 minutes; headings with ids (one given in the markdown), the image, the table of
    // contents of four entries.
    insta::assert_snapshot!("lesson", main_of(&body));
    let toc = &body[body.find("<nav class=\"toc\"").unwrap()..];
    let ids: Vec<&str> = toc[..toc.find("</nav>").unwrap()]
        .split("href=\"#")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    assert_eq!(ids.len(), 4, "{toc}");
    for id in ids {
        // Every entry points at a heading of the page.
        assert_contains(&body, &format!(" id=\"{id}\""));
    }
}

#[tokio::test]
async fn lesson_html_needs_no_inline_style_the_csp_would_block() {
    let app = app().await;
    let body = app.page(&format!("/courses/{C1}/{MIDDLE}")).await;
    // The aligned table is there, aligned by classes (the CSP has no 'unsafe-inline').
    assert_contains(&body, "<table>");
    assert_contains(&body, "Đổi mật khẩu");
    assert_lacks(&body, "style=");
    assert_lacks(&body, "<style");
}

#[tokio::test]
async fn short_lesson_has_no_table_of_contents() {
    let app = app().await;
    for lesson in [FIRST, LAST] {
        let body = app.page(&format!("/courses/{C1}/{lesson}")).await;
        assert_lacks(&body, "class=\"toc\"");
        assert_lacks(&body, "Mục lục");
    }
    // One `##` section: the heading still gets its id.
    let body = app.page(&format!("/courses/{C1}/{FIRST}")).await;
    assert_contains(&body, "<h2 id=\"muc-tieu\">Mục tiêu</h2>");
}

#[tokio::test]
async fn lesson_pages_link_to_previous_and_next_lessons() {
    let app = app().await;
    let course = format!("/courses/{C1}");

    let first = app.page(&format!("{course}/{FIRST}")).await;
    assert_lacks(&first, "rel=\"prev\"");
    assert_eq!(attr_after(&first, "rel=\"next\"", "href"), format!("{course}/{MIDDLE}"));
    assert_contains(&first, "← Về trang khoá học");

    let middle = app.page(&format!("{course}/{MIDDLE}")).await;
    assert_eq!(attr_after(&middle, "rel=\"prev\"", "href"), format!("{course}/{FIRST}"));
    assert_eq!(attr_after(&middle, "rel=\"next\"", "href"), format!("{course}/{LAST}"));
    assert_contains(&middle, "Bài trước</span> Giới thiệu khoá học</a>");
    assert_contains(&middle, "Bài tiếp theo →</span> Báo cáo sự cố</a>");

    let last = app.page(&format!("{course}/{LAST}")).await;
    assert_eq!(attr_after(&last, "rel=\"prev\"", "href"), format!("{course}/{MIDDLE}"));
    assert_lacks(&last, "rel=\"next\"");
    assert_contains(&last, "Về trang khoá học →");

    // A one-lesson course: neither.
    let only = app.page(&format!("/courses/{C2}/tong-quan")).await;
    assert_lacks(&only, "rel=\"prev\"");
    assert_lacks(&only, "rel=\"next\"");
}

#[tokio::test]
async fn lesson_page_has_breadcrumbs() {
    let app = app().await;
    let body = app.page(&format!("/courses/{C1}/{LAST}")).await;
    let start = body.find("<nav class=\"crumbs wrap\" aria-label=\"Đường dẫn\">").expect("breadcrumbs");
    let crumbs = &body[start..];
    let crumbs = &crumbs[..crumbs.find("</nav>").unwrap()];
    let home = crumbs.find("<a href=\"/\">Trang chủ</a>").expect("home crumb");
    let course = crumbs.find(&format!("<a href=\"/courses/{C1}\">{C1_TITLE}</a>")).expect("course crumb");
    let lesson = crumbs
        .find(&format!("<a href=\"/courses/{C1}/{LAST}\" aria-current=\"page\">Báo cáo sự cố</a>"))
        .expect("lesson crumb");
    assert!(home < course && course < lesson, "{crumbs}");
}

#[tokio::test]
async fn lesson_page_shows_the_image_and_its_src_resolves_to_the_asset() {
    let app = app().await;
    let lesson_path = format!("/courses/{C1}/{FIRST}");
    let body = app.page(&lesson_path).await;
    assert_contains(&body, "<img src=\"assets/hinh.svg\" alt=\"Sơ đồ quy trình báo cáo\"");
    // The relative src, resolved against the lesson URL, is the asset route.
    let src = attr_after(&body, "<img ", "src");
    let resolved = format!("{}/{src}", &lesson_path[..lesson_path.rfind('/').unwrap()]);
    assert_eq!(resolved, format!("/courses/{C1}/assets/hinh.svg"));
    app.cli.get(&resolved).send().await.assert_status_is_ok();
}

#[tokio::test]
async fn raw_script_in_a_lesson_does_not_reach_the_page() {
    let app = app().await;
    let body = app.page(&format!("/courses/{C1}/{FIRST}")).await;
    assert_lacks(&body, "<script");
    assert_lacks(&body, "alert(");
    assert_lacks(&body, "onclick");
    assert_lacks(&body, "javascript:");
    // The harmless text around it is kept.
    assert_contains(&body, "Đoạn văn có thuộc tính sự kiện.");
    assert_contains(&body, "Liên kết lạ");
}

#[tokio::test]
async fn svg_asset_is_served_with_its_type_and_an_etag() {
    let app = app().await;
    let path = format!("/courses/{C1}/assets/hinh.svg");
    let resp = app.cli.get(&path).send().await;
    resp.assert_status_is_ok();
    assert!(header(&resp, header::CONTENT_TYPE).starts_with("image/svg+xml"), "{:?}", resp.0.headers());
    assert!(!header(&resp, header::CACHE_CONTROL).is_empty(), "no cache-control");
    let etag = header(&resp, header::ETAG).to_string();
    assert!(!etag.is_empty(), "no etag");
    assert_security_headers(&resp, &path);
    assert_eq!(text(resp).await, svg());

    let resp = app.cli.get(&path).header(header::IF_NONE_MATCH, &etag).send().await;
    resp.assert_status(StatusCode::NOT_MODIFIED);
    assert!(resp.0.into_body().into_vec().await.unwrap().is_empty());

    // Another ETag: the full file again.
    let resp = app.cli.get(&path).header(header::IF_NONE_MATCH, "\"khac\"").send().await;
    resp.assert_status_is_ok();
}

#[tokio::test]
async fn png_asset_is_served_byte_for_byte() {
    let app = app().await;
    let path = format!("/courses/{C1}/assets/anh.png");
    let resp = app.cli.get(&path).send().await;
    resp.assert_status_is_ok();
    assert_eq!(header(&resp, header::CONTENT_TYPE), "image/png");
    assert!(!header(&resp, header::CACHE_CONTROL).is_empty(), "no cache-control");
    let etag = header(&resp, header::ETAG).to_string();
    assert!(!etag.is_empty(), "no etag");
    resp.assert_bytes(png()).await;

    let resp = app.cli.get(&path).header(header::IF_NONE_MATCH, &etag).send().await;
    resp.assert_status(StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn asset_with_a_vietnamese_file_name_is_served() {
    let lesson = "+++\ntitle = \"Sơ đồ\"\n+++\n\n![Sơ đồ](<assets/sơ đồ 1.png>)\n";
    let app = with_files(&[("assets/sơ đồ 1.png", &png()), ("04-so-do.md", lesson.as_bytes())]).await;
    let body = app.page(&format!("/courses/{C1}/so-do")).await;
    let src = attr_after(&body, "<img ", "src");
    assert!(src.starts_with("assets/") && !src.contains(' '), "src is a URL: {src:?}");
    let resp = app.cli.get(format!("/courses/{C1}/{src}")).send().await;
    resp.assert_status_is_ok();
    resp.assert_bytes(png()).await;
}

#[tokio::test]
async fn unknown_pages_get_the_styled_404_in_vietnamese() {
    let app = app().await;
    for path in [
        "/courses/khong-co".to_string(),
        format!("/courses/{C1}/khong-co"),
        format!("/courses/khong-co/{FIRST}"),
        format!("/courses/{C1}/assets/khong-co.svg"),
        "/courses/khong-co/assets/hinh.svg".to_string(),
        "/trang-khong-co".to_string(),
        "/static/khong-co.css".to_string(),
    ] {
        let resp = app.cli.get(&path).send().await;
        resp.assert_status(StatusCode::NOT_FOUND);
        assert_eq!(header(&resp, header::CONTENT_TYPE), "text/html; charset=utf-8", "{path}");
        assert_security_headers(&resp, &path);
        let body = text(resp).await;
        assert_styled_error(&body, "vi", "Không tìm thấy trang");
        assert_contains(&body, "HTTP 404");
        // The language switch on the error page comes back to the same path.
        assert_contains(&body, &format!("href=\"/lang/en?next={path}\""));
    }
}

#[tokio::test]
async fn unknown_pages_get_the_styled_404_in_english() {
    let app = app().await;
    for path in [
        "/courses/khong-co".to_string(),
        format!("/courses/{C1}/khong-co"),
        format!("/courses/{C1}/assets/khong-co.svg"),
        "/trang-khong-co".to_string(),
    ] {
        let resp = app.cli.get(&path).header(header::ACCEPT_LANGUAGE, "en").send().await;
        resp.assert_status(StatusCode::NOT_FOUND);
        let body = text(resp).await;
        assert_styled_error(&body, "en", "Page not found");
        assert_lacks(&body, "Không tìm thấy trang");
    }
}

#[tokio::test]
async fn path_traversal_attempts_are_404_and_leak_nothing() {
    let app = app().await;
    for path in [
        format!("/courses/{C1}/assets/../course.toml"),
        format!("/courses/{C1}/assets/..%2fcourse.toml"),
        format!("/courses/{C1}/assets/..%2Fcourse.toml"),
        format!("/courses/{C1}/assets/%2e%2e/course.toml"),
        format!("/courses/{C1}/assets/%2e%2e/%2e%2e/Cargo.toml"),
        format!("/courses/{C1}/assets/%2e%2e/%2e%2e/%2e%2e/Cargo.toml"),
        format!("/courses/{C1}/assets/..\\course.toml"),
        format!("/courses/{C1}/assets/..\\..\\Cargo.toml"),
        format!("/courses/{C1}/assets/..%5Ccourse.toml"),
        format!("/courses/{C1}/assets/..%5C..%5CCargo.toml"),
        format!("/courses/{C1}/assets/%2fetc%2fpasswd"),
        format!("/courses/{C1}/assets//etc/passwd"),
        format!("/courses/{C1}/assets/./hinh.svg/../../course.toml"),
        format!("/courses/{C1}/assets/..%2f{FIRST}.md"),
        format!("/courses/{C1}/assets/%2e%2e%2f01-{FIRST}.md"),
        "/courses/..%2f..%2fetc/passwd".to_string(),
        "/courses/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd".to_string(),
        "/courses/..%2fCargo.toml".to_string(),
        format!("/courses/{C1}/..%2fcourse.toml"),
        "/static/..%2fsrc%2fmain.rs".to_string(),
        "/static/..%2f..%2fCargo.toml".to_string(),
        "/static/%2e%2e%2fsite.css".to_string(),
    ] {
        let resp = app.cli.get(&path).send().await;
        assert_eq!(resp.0.status(), StatusCode::NOT_FOUND, "{path}");
        let body = text(resp).await;
        for secret in ["title =", "root:", "[package]", "bi-mat", "fn main", "+++"] {
            assert!(!body.contains(secret), "{path} leaked {secret:?}:\n{body}");
        }
        assert_contains(&body, "Không tìm thấy trang");
    }
}

#[tokio::test]
async fn accept_language_english_gives_english_pages() {
    let app = app().await;
    for path in ["/".to_string(), format!("/courses/{C1}"), format!("/courses/{C1}/{MIDDLE}")] {
        let resp = app.cli.get(&path).header(header::ACCEPT_LANGUAGE, "en-US,en;q=0.9").send().await;
        resp.assert_status_is_ok();
        let body = text(resp).await;
        assert_contains(&body, "<html lang=\"en\">");
        assert_contains(&body, "Skip to main content");
        assert_lacks(&body, "Bỏ qua, đến nội dung chính");
    }
    let body = text(app.cli.get("/").header(header::ACCEPT_LANGUAGE, "en-US,en;q=0.9").send().await).await;
    assert_contains(&body, "Course catalog");
    // Course content stays in the language it was written in.
    assert_contains(&body, C1_TITLE);
    let body = text(
        app.cli
            .get(format!("/courses/{C1}/{MIDDLE}"))
            .header(header::ACCEPT_LANGUAGE, "en-US,en;q=0.9")
            .send()
            .await,
    )
    .await;
    assert_contains(&body, "<nav class=\"toc\" aria-label=\"Contents\">");
    assert_contains(&body, "aria-label=\"Breadcrumbs\"");
    assert_contains(&body, "Previous lesson");

    // Vietnamese preferred, or a language we do not speak: Vietnamese.
    for accept in ["vi-VN,vi;q=0.9,en;q=0.8", "fr-FR,fr;q=0.9", ""] {
        let body = text(app.cli.get("/").header(header::ACCEPT_LANGUAGE, accept).send().await).await;
        assert_contains(&body, "<html lang=\"vi\">");
    }
}

#[tokio::test]
async fn lang_cookie_chooses_the_language_over_accept_language() {
    let app = app().await;
    let body = text(app.cli.get("/").header(header::COOKIE, "lang=en").send().await).await;
    assert_contains(&body, "<html lang=\"en\">");
    assert_contains(&body, "Course catalog");
    assert_contains(&body, "<a href=\"/lang/en?next=/\" lang=\"en\" hreflang=\"en\" aria-current=\"true\">");

    let body = text(
        app.cli.get("/").header(header::COOKIE, "lang=vi").header(header::ACCEPT_LANGUAGE, "en").send().await,
    )
    .await;
    assert_contains(&body, "<html lang=\"vi\">");

    // An unknown value is ignored.
    let body = text(
        app.cli.get("/").header(header::COOKIE, "lang=xx").header(header::ACCEPT_LANGUAGE, "en").send().await,
    )
    .await;
    assert_contains(&body, "<html lang=\"en\">");
}

#[tokio::test]
async fn language_switch_sets_the_cookie_and_goes_back() {
    let app = app().await;
    let body = app.page(&format!("/courses/{C1}")).await;
    assert_contains(
        &body,
        &format!("<a href=\"/lang/en?next=/courses/{C1}\" lang=\"en\" hreflang=\"en\">English</a>"),
    );

    let resp = app.cli.get("/lang/en?next=/courses/x").send().await;
    resp.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(header(&resp, header::LOCATION), "/courses/x");
    let cookie = header(&resp, header::SET_COOKIE).to_string();
    assert!(cookie.starts_with("lang=en;"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(cookie.contains("Max-Age="), "a lasting preference: {cookie}");

    // The cookie, sent back, gives English.
    let pair = cookie.split(';').next().unwrap();
    let body = text(app.cli.get("/courses/x").header(header::COOKIE, pair).send().await).await;
    assert_contains(&body, "<html lang=\"en\">");
    assert_contains(&body, "Page not found");

    let resp = app.cli.get("/lang/vi?next=/").send().await;
    resp.assert_status(StatusCode::SEE_OTHER);
    assert!(header(&resp, header::SET_COOKIE).starts_with("lang=vi;"));

    // Without `next`: home.
    let resp = app.cli.get("/lang/en").send().await;
    resp.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(header(&resp, header::LOCATION), "/");
}

#[tokio::test]
async fn language_switch_never_redirects_off_site() {
    let app = app().await;
    for next in [
        "https://evil.example",
        "https%3A%2F%2Fevil.example%2Fx",
        "//evil.example",
        "%2F%2Fevil.example",
        "/%5Cevil.example",
        "%5C%5Cevil.example",
        "evil.example",
        "javascript:alert(1)",
        "/%0D%0ASet-Cookie:%20x=1",
    ] {
        let resp = app.cli.get(format!("/lang/en?next={next}")).send().await;
        resp.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(header(&resp, header::LOCATION), "/", "next={next}");
    }
}

#[tokio::test]
async fn language_switch_does_not_redirect_off_site_through_a_tab() {
    let app = app().await;
    for next in ["/%09/evil.example", "/%09%09/evil.example", "%09//evil.example"] {
        let resp = app.cli.get(format!("/lang/en?next={next}")).send().await;
        resp.assert_status(StatusCode::SEE_OTHER);
        let location = header(&resp, header::LOCATION);
        // What a browser does with the Location (WHATWG URL: remove tab and newline).
        let followed: String = location.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
        assert!(!followed.starts_with("//"), "next={next} redirects to {location:?}, i.e. {followed:?}");
    }
}

#[tokio::test]
async fn unknown_language_is_404() {
    let app = app().await;
    for path in ["/lang/xx", "/lang/xx?next=/", "/lang/EN", "/lang/"] {
        let resp = app.cli.get(path).send().await;
        resp.assert_status(StatusCode::NOT_FOUND);
        assert!(resp.0.headers().get(header::SET_COOKIE).is_none(), "{path}");
        assert_styled_error(&text(resp).await, "vi", "Không tìm thấy trang");
    }
}

#[tokio::test]
async fn stylesheet_is_immutable_and_small() {
    let app = app().await;
    let body = app.page("/").await;
    let css_url = attr_after(&body, "<link rel=\"stylesheet\"", "href").to_string();
    assert!(css_url.starts_with("/static/site.css?v="), "{css_url}");
    let resp = app.cli.get(&css_url).send().await;
    resp.assert_status_is_ok();
    assert_eq!(header(&resp, header::CONTENT_TYPE), "text/css; charset=utf-8");
    let cache = header(&resp, header::CACHE_CONTROL);
    assert!(cache.contains("immutable") && cache.contains("max-age=31536000"), "{cache}");
    let css = resp.0.into_body().into_vec().await.unwrap();
    // Lessons, quizzes, certificates and search: about 3 KB compressed, cached for a year.
    assert!(css.len() < 12 * 1024, "site.css is {} bytes: keep it under 12 KiB for slow links", css.len());
    assert!(String::from_utf8(css).unwrap().contains("body"));

    // Every page links the same URL, and so does the favicon's.
    let favicon = attr_after(&body, "<link rel=\"icon\"", "href").to_string();
    assert!(favicon.starts_with("/static/favicon.svg?v="), "{favicon}");
    let resp = app.cli.get(&favicon).send().await;
    resp.assert_status_is_ok();
    assert_eq!(header(&resp, header::CONTENT_TYPE), "image/svg+xml");
    for path in [format!("/courses/{C1}"), format!("/courses/{C1}/{FIRST}"), "/khong-co".to_string()] {
        let body = text(app.cli.get(&path).send().await).await;
        assert_contains(&body, &format!("<link rel=\"stylesheet\" href=\"{css_url}\">"));
    }
}

/// Decompresses gzip the way poem does for request bodies (no extra dependency).
async fn gunzip(gz: Vec<u8>) -> String {
    #[handler]
    fn echo(body: Vec<u8>) -> Vec<u8> {
        body
    }
    let cli = TestClient::new(Route::new().at("/", post(echo)).with(Compression::new()));
    let resp = cli.post("/").header(header::CONTENT_ENCODING, "gzip").body(gz).send().await;
    resp.assert_status_is_ok();
    text(resp).await
}

#[tokio::test]
async fn pages_are_gzipped_when_the_browser_accepts_it() {
    let app = app().await;
    let path = format!("/courses/{C1}/{MIDDLE}");
    let plain = app.page(&path).await;

    let resp = app.cli.get(&path).header(header::ACCEPT_ENCODING, "gzip").send().await;
    resp.assert_status_is_ok();
    assert_eq!(header(&resp, header::CONTENT_ENCODING), "gzip");
    assert_eq!(header(&resp, header::CONTENT_TYPE), "text/html; charset=utf-8");
    let gz = resp.0.into_body().into_vec().await.unwrap();
    assert_eq!(&gz[..2], &[0x1f, 0x8b], "a gzip stream");
    assert!(gz.len() < plain.len(), "{} compressed bytes for {} bytes", gz.len(), plain.len());
    assert_eq!(gunzip(gz).await, plain);

    // Without Accept-Encoding: not compressed.
    let resp = app.cli.get(&path).send().await;
    assert!(resp.0.headers().get(header::CONTENT_ENCODING).is_none());
}

#[tokio::test]
async fn compressed_cacheable_responses_vary_on_accept_encoding() {
    let app = app().await;
    let body = app.page("/").await;
    let css_url = attr_after(&body, "<link rel=\"stylesheet\"", "href").to_string();
    // Course assets are never compressed (see a_byte_range_of_an_asset_is_not_compressed).
    for path in [css_url, format!("/courses/{C1}/{FIRST}")] {
        let resp = app.cli.get(&path).header(header::ACCEPT_ENCODING, "gzip").send().await;
        resp.assert_status_is_ok();
        assert_eq!(header(&resp, header::CONTENT_ENCODING), "gzip", "{path}");
        let vary = header(&resp, header::VARY).to_ascii_lowercase();
        assert!(vary.contains("accept-encoding") || vary == "*", "{path}: vary = {vary:?}");
    }
}

#[tokio::test]
async fn healthz_reports_ok_and_the_course_count_without_asking_the_database() {
    let app = app().await;
    let resp = app.cli.get("/healthz").send().await;
    resp.assert_status_is_ok();
    assert!(header(&resp, header::CONTENT_TYPE).starts_with("application/json"), "{:?}", resp.0.headers());
    assert_eq!(header(&resp, header::CACHE_CONTROL), "no-store");
    let body = text(resp).await;
    assert_contains(&body, "\"status\":\"ok\"");
    assert_contains(&body, "\"courses\":2");
    // The process lives: a database that is gone or hangs is /readyz's business, not a reason to restart.
    assert!(!body.contains("database"), "{body}");
}

#[tokio::test]
async fn readyz_names_what_it_checked_and_is_ready_once_the_index_is_built() {
    let app = app().await;
    assert!(app.state.search.wait_until_current(std::time::Duration::from_secs(60)));
    let resp = app.cli.get("/readyz").send().await;
    resp.assert_status_is_ok();
    assert_eq!(header(&resp, header::CACHE_CONTROL), "no-store");
    let body: serde_json::Value = serde_json::from_str(&text(resp).await).unwrap();
    assert_eq!(body["ready"], true, "{body}");
    assert_eq!(body["not_ready"], serde_json::json!([]), "{body}");
    assert_eq!(body["database"], true, "{body}");
    assert_eq!(body["courses"], 2, "{body}");
    assert!(body["search_documents"].as_u64().unwrap() > 0, "{body}");

    // No course at all is not a library to serve: 503, and the body says why.
    app.state.update_library(|library| library.courses.clear());
    let resp = app.cli.get("/readyz").send().await;
    resp.assert_status(StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = serde_json::from_str(&text(resp).await).unwrap();
    assert_eq!(body["ready"], false, "{body}");
    let reasons = body["not_ready"].to_string();
    assert!(reasons.contains("library: no course loaded"), "{body}");
}

#[tokio::test]
async fn post_is_405_with_the_styled_page() {
    let app = app().await;
    for path in [
        "/".to_string(),
        format!("/courses/{C1}"),
        format!("/courses/{C1}/{FIRST}"),
        "/lang/en?next=/".to_string(),
    ] {
        let resp = app.cli.post(&path).body("a=1").send().await;
        resp.assert_status(StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(header(&resp, header::ALLOW), "GET, HEAD", "{path}");
        assert_eq!(header(&resp, header::CONTENT_TYPE), "text/html; charset=utf-8");
        assert!(resp.0.headers().get(header::SET_COOKIE).is_none(), "POST {path} changed no state");
        assert_security_headers(&resp, &path);
        let body = text(resp).await;
        assert_styled_error(&body, "vi", "Đã có lỗi xảy ra");
        assert_contains(&body, "HTTP 405");
    }
    let resp = app.cli.post("/").header(header::ACCEPT_LANGUAGE, "en").send().await;
    resp.assert_status(StatusCode::METHOD_NOT_ALLOWED);
    assert_styled_error(&text(resp).await, "en", "Something went wrong");
}

#[tokio::test]
async fn head_is_answered_like_get_without_a_body() {
    let app = app().await;
    for path in ["/".to_string(), format!("/courses/{C1}/{MIDDLE}"), format!("/courses/{C1}/assets/anh.png")]
    {
        let resp = app.cli.head(&path).send().await;
        resp.assert_status_is_ok();
        assert!(!header(&resp, header::CONTENT_TYPE).is_empty(), "{path}");
        assert!(resp.0.into_body().into_vec().await.unwrap().is_empty(), "{path}");
    }
}

/// `s` as a URL path: each segment percent-encoded (a space as `%20`: `+` is a plus sign in a path).
fn encode_path(s: &str) -> String {
    s.split('/').map(|segment| enc(segment).replace('+', "%20")).collect::<Vec<_>>().join("/")
}

#[tokio::test]
async fn every_page_of_the_bundled_library_is_served() {
    let courses = daotao_tests::bundled_courses();
    let library = daotao_content::course::load_library(&courses);
    assert!(!library.courses.is_empty(), "no course in {}", courses.display());
    // Courses with problems are left out (and reported by `daotao-server check`); every course served is tested.
    let app = TestApp::serving(&courses, library.clone()).await;

    let catalog = app.page("/").await;
    let mut pages = 1;
    for course in library.courses.values() {
        let course_path = format!("/courses/{}", course.id);
        assert_contains(&catalog, &format!("<a href=\"{course_path}\">"));
        let body = app.page(&course_path).await;
        assert_contains(&body, &course.meta.title);
        pages += 1;
        for lesson in &course.lessons {
            let lesson_path = format!("{course_path}/{}", lesson.id);
            assert_contains(&body, &format!("<a href=\"{lesson_path}\">"));
            let html = app.page(&lesson_path).await;
            assert_contains(&html, "<article class=\"lesson\">");
            pages += 1;
            // Every image the lesson shows is served.
            for part in html.split("<img ").skip(1) {
                let src = attr_after(part, "", "src");
                if let Some(asset) = src.strip_prefix("assets/") {
                    let resp = app.cli.get(format!("{course_path}/assets/{asset}")).send().await;
                    assert_eq!(resp.0.status(), StatusCode::OK, "{lesson_path}: image {src}");
                }
            }
        }
        for asset in &course.assets {
            let resp = app.cli.get(format!("{course_path}/assets/{}", encode_path(asset))).send().await;
            assert_eq!(resp.0.status(), StatusCode::OK, "{course_path}/assets/{asset}");
        }
    }
    println!("{pages} pages of the bundled library served");
}

/// A footnote from the library's `references.md` (#20) is in the lesson page like one of the lesson's own, and a
/// diagram scrolls sideways at its own size on a phone.
#[tokio::test]
async fn a_lesson_page_shows_a_shared_footnote_and_a_scrolling_diagram() {
    let courses = daotao_tests::bundled_courses();
    let library = daotao_content::course::load_library(&courses);
    let shared = std::fs::read_to_string(courses.join("references.md")).unwrap();
    let entry =
        "Nghị định số 118/2025/NĐ-CP của Chính phủ về thực hiện thủ tục hành chính theo cơ chế một cửa";
    assert_contains(&shared, &format!("[^nd-118-2025]: {entry}"));
    let lesson = courses.join("dich-vu-cong-truc-tuyen/02-cong-dich-vu-cong-va-trung-tam.md");
    let source = std::fs::read_to_string(lesson).unwrap();
    assert!(
        source.contains("[^nd-118-2025]") && !source.contains(entry),
        "the lesson cites the shared entry"
    );
    let app = TestApp::serving(&courses, library).await;

    let html = app.page("/courses/dich-vu-cong-truc-tuyen/cong-dich-vu-cong-va-trung-tam").await;
    assert_contains(
        &html,
        "<sup class=\"footnote-reference\" id=\"fnref-nd-118-2025\"><a href=\"#fn-nd-118-2025\"",
    );
    assert_contains(&html, "<div class=\"footnote-definition\" id=\"fn-nd-118-2025\">");
    assert_contains(&html, &format!("<p>{entry}"));
    assert_contains(&html, "<a href=\"#fnref-nd-118-2025\" class=\"footnote-backref\"");

    let html = app.page("/courses/chinh-quyen-so/chu-truong-va-lo-trinh").await;
    assert_contains(&html, "<div class=\"scroll figure\" tabindex=\"0\"><img src=\"assets/lo-trinh.svg\"");
    let css = text(app.cli.get(attr_after(&html, "<link rel=\"stylesheet\"", "href")).send().await).await;
    assert_contains(&css, "@media (max-width:48rem){.figure>img{max-width:none}}");
}

#[tokio::test]
async fn a_byte_range_of_an_asset_is_not_compressed() {
    let app = app().await;
    let path = format!("/courses/{C1}/assets/hinh.svg");
    let resp = app.cli.get(&path).header(header::RANGE, "bytes=0-9").send().await;
    resp.assert_status(StatusCode::PARTIAL_CONTENT);
    assert_eq!(header(&resp, header::CONTENT_RANGE), format!("bytes 0-9/{}", svg().len()));
    assert_eq!(text(resp).await, svg()[..10]);

    let resp = app
        .cli
        .get(&path)
        .header(header::RANGE, "bytes=0-9")
        .header(header::ACCEPT_ENCODING, "gzip, deflate, br")
        .send()
        .await;
    resp.assert_status(StatusCode::PARTIAL_CONTENT);
    assert!(resp.0.headers().get(header::CONTENT_ENCODING).is_none(), "{:?}", resp.0.headers());
    assert_eq!(text(resp).await, svg()[..10]);
}

#[tokio::test]
async fn unsatisfiable_range_says_the_asset_size() {
    let app = app().await;
    let resp = app
        .cli
        .get(format!("/courses/{C1}/assets/hinh.svg"))
        .header(header::RANGE, "bytes=5000-6000")
        .send()
        .await;
    resp.assert_status(StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(header(&resp, header::CONTENT_RANGE), format!("bytes */{}", svg().len()));
}

#[tokio::test]
async fn html_assets_cannot_run_script_on_the_site() {
    let app = with_files(&[
        (
            "assets/trang.html",
            "<!doctype html><p>Trang đính kèm</p><script src=\"kich-ban.js\"></script>\n".as_bytes(),
        ),
        ("assets/kich-ban.js", b"document.title = document.cookie;\n"),
    ])
    .await;
    let resp = app.cli.get(format!("/courses/{C1}/assets/trang.html")).send().await;
    resp.assert_status_is_ok();
    let content_type = header(&resp, header::CONTENT_TYPE);
    let disposition = header(&resp, header::CONTENT_DISPOSITION);
    let csp = header(&resp, header::CONTENT_SECURITY_POLICY);
    let inert = !content_type.starts_with("text/html")
        || disposition.starts_with("attachment")
        || csp.split(';').any(|d| d.trim().starts_with("sandbox"));
    assert!(inert, "content-type {content_type:?}, content-disposition {disposition:?}, csp {csp:?}");
}
