//! A learner's whole journey in a real Chromium (through chromedriver), against
//! the real server binary and a fresh database: screenshots of every step at
//! phone and desktop widths, and axe-core on every page type.
//!
//! Run: `cargo test -p daotao-tests --test browser -- --nocapture` (it prints
//! where the screenshots went: `target/browser-screenshots/<test>/`). Without
//! `chromium` and `chromedriver` on PATH the tests say they were skipped;
//! `DAOTAO_BROWSER_TESTS=require` (as CI sets) makes that a failure.

use std::collections::HashMap;
use std::io::Write;

use daotao_core::accounts::{NewUser, add_user};
use daotao_core::entities::user::Role;
use daotao_core::quiz::{Kind, Question};
use daotao_tests::browser::{Browser, Violation, assert_accessible, tools_or_skip};
use daotao_tests::{Server, bundled_courses, copy_dir};

/// The course the journey takes: found by searching "chinh quyen so".
const COURSE: &str = "chinh-quyen-so";
const QUIZ: &str = "cuoi-khoa";
const NEW_PASSWORD: &str = "Mật khẩu mới 2026";
/// The site's address as configured, printed on certificates.
const PUBLIC_URL: &str = "https://daotao.example.gov.vn";

/// A scratch folder holding a copy of the bundled courses, and the URL of an SQLite file in it.
fn scratch() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&bundled_courses(), &dir.path().join("courses"));
    let url = format!("sqlite://{}/db.sqlite?mode=rwc", dir.path().display());
    (dir, url)
}

/// Creates a learner in the database at `url` (migrating it first); returns the password to log in with.
fn create_learner(url: &str, username: &str, password: Option<&str>) -> String {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = daotao_core::db::connect(url).await.unwrap();
        let (_, one_time) = add_user(
            &db,
            NewUser {
                username: username.into(),
                full_name: "Nguyễn Thị Lan".into(),
                email: None,
                unit_code: None,
                position: "Chuyên viên".into(),
                role: Role::Learner,
                password: password.map(str::to_string),
            },
        )
        .await
        .unwrap();
        one_time.or(password.map(str::to_string)).unwrap()
    })
}

/// Text as a person reads it: tags dropped, the entities pulldown-cmark writes decoded, spaces collapsed.
fn text_of(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The completion quiz's questions by the text of their stem, read from the quiz file.
fn answer_key(courses: &std::path::Path) -> HashMap<String, Question> {
    let library = daotao_core::course::load_library(courses);
    let quiz = library.courses[COURSE].quizzes.iter().find(|q| q.id == QUIZ).expect("the completion quiz");
    quiz.questions.iter().map(|q| (text_of(&q.stem_html), q.clone())).collect()
}

/// Answers every question on the attempt page: all right from the key, or all wrong.
async fn answer(b: &Browser, key: &HashMap<String, Question>, right: bool) {
    let questions = b.find_all("fieldset.question").await;
    assert!(!questions.is_empty(), "no questions on the attempt page");
    for fieldset in questions {
        let stem = fieldset.find(fantoccini::Locator::Css(".stem")).await.unwrap().text().await.unwrap();
        let stem = stem.split_whitespace().collect::<Vec<_>>().join(" ");
        let q = key.get(&stem).unwrap_or_else(|| panic!("asked a question not in the quiz file: {stem}"));
        let right_texts: Vec<String> = match &q.kind {
            Kind::Single { options } => {
                let best = options.iter().max_by(|a, b| a.weight.total_cmp(&b.weight)).unwrap();
                vec![text_of(&best.html)]
            }
            Kind::Multiple { options, .. } => {
                options.iter().filter(|o| o.weight > 0.0).map(|o| text_of(&o.html)).collect()
            }
            Kind::TrueFalse { answer, .. } => vec![answer.to_string()],
            Kind::Short { answers } => {
                let typed = if right { answers[0].text.clone() } else { "không nhớ".to_string() };
                let field = fieldset.find(fantoccini::Locator::Css("input[type=text]")).await.unwrap();
                field.send_keys(&typed).await.unwrap();
                continue;
            }
            other => panic!("the journey does not answer {other:?} questions"),
        };
        let mut wrong_picked = false;
        for label in fieldset.find_all(fantoccini::Locator::Css("label.option")).await.unwrap() {
            let input = label.find(fantoccini::Locator::Css("input")).await.unwrap();
            let value = input.attr("value").await.unwrap().unwrap_or_default();
            let text = label.text().await.unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
            let is_right = if matches!(q.kind, Kind::TrueFalse { .. }) {
                right_texts.contains(&value)
            } else {
                right_texts.contains(&text)
            };
            let pick =
                if right { is_right } else { !is_right && !std::mem::replace(&mut wrong_picked, true) };
            if pick {
                input.click().await.unwrap();
            }
        }
    }
}

/// Logs in through the form.
async fn log_in(b: &Browser, server: &Server, username: &str, password: &str) {
    b.goto(&server.url("/login")).await;
    b.fill("#username", username).await;
    b.fill("#password", password).await;
    b.click_through("form.stack button[type=submit]").await;
}

/// Runs axe on the page and keeps what it found under the page's name.
async fn check(b: &Browser, page: &str, found: &mut Vec<(String, Vec<Violation>)>) {
    let violations = b.accessibility(page).await;
    if !violations.is_empty() {
        found.push((page.to_string(), violations));
    }
}

#[test]
fn a_learners_whole_journey() {
    let Some(tools) = tools_or_skip("a_learners_whole_journey") else { return };
    let (dir, url) = scratch();
    let one_time = create_learner(&url, "lan.nguyen", None);
    let key = answer_key(&dir.path().join("courses"));
    let server =
        Server::start(dir.path(), &[("DAOTAO_DATABASE_URL", &url), ("DAOTAO_PUBLIC_URL", PUBLIC_URL)]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let mut b = Browser::open(&tools, "a_learners_whole_journey", true).await;
        let mut a11y = Vec::new();

        // Log in with the one-time password; the password must be changed first.
        b.goto(&server.url("/login")).await;
        b.screenshot("login").await;
        check(&b, "login", &mut a11y).await;
        log_in(&b, &server, "lan.nguyen", &one_time).await;
        assert!(b.main_text().await.contains("Đổi mật khẩu"), "{}", b.main_text().await);
        b.screenshot("change-password").await;
        check(&b, "password", &mut a11y).await;
        b.fill("#current", &one_time).await;
        b.fill("#new", NEW_PASSWORD).await;
        b.fill("#confirm", NEW_PASSWORD).await;
        b.click_through("form.stack button[type=submit]").await;
        b.wait_for_path("/me").await;
        assert!(b.main_text().await.contains("Khoá học của tôi"));

        // The catalog, then a search typed without diacritics finds the course.
        b.goto(&server.url("/")).await;
        b.screenshot("catalog").await;
        check(&b, "catalog", &mut a11y).await;
        b.fill("#site-q", "chinh quyen so").await;
        b.click_through("form.site-search button").await;
        b.wait_for_path("/search").await;
        b.screenshot("search").await;
        check(&b, "search", &mut a11y).await;
        let first = b.find("ol.results li h3 a").await;
        let href = first.attr("href").await.unwrap().unwrap_or_default();
        assert!(href.starts_with(&format!("/courses/{COURSE}")), "first hit for 'chinh quyen so': {href}");
        assert!(b.find("ol.results mark").await.text().await.unwrap().to_lowercase().contains("chính"));
        b.goto(&server.url(&format!("/courses/{COURSE}"))).await;

        // Enrol, then read every lesson, marking each read.
        b.click_through(".track form button").await;
        b.wait_for_path(&format!("/courses/{COURSE}")).await;
        assert!(b.main_text().await.contains("Bạn đã ghi danh"));
        b.screenshot("course-enrolled").await;
        check(&b, "course", &mut a11y).await;
        let lessons = b.find_all("ol.lessons li a").await.len();
        assert!(lessons >= 4, "{lessons} lessons");
        b.click_through(".track a.button").await;
        for n in 0..lessons {
            b.find("main form button[type=submit]").await;
            if n == 0 {
                b.screenshot("lesson").await;
                check(&b, "lesson", &mut a11y).await;
            }
            b.click_through("main form button[type=submit]").await;
        }
        b.goto(&server.url(&format!("/courses/{COURSE}"))).await;
        assert!(
            b.main_text().await.contains(&format!("{lessons}/{lessons}")),
            "every lesson read: {}",
            b.main_text().await
        );

        // The course page points to the quiz; a first attempt answered wrong fails and explains why.
        assert!(b.main_text().await.contains("Bạn đã đọc hết các bài học"), "{}", b.main_text().await);
        b.click_through(&format!(".track a[href='/courses/{COURSE}/quizzes/{QUIZ}']")).await;
        b.wait_for_path(&format!("/courses/{COURSE}/quizzes/{QUIZ}")).await;
        b.screenshot("quiz-start").await;
        b.click_through("main form button[type=submit]").await;
        b.wait_for_path("/attempts/").await;
        assert!(
            b.find("#time-left").await.is_displayed().await.unwrap(),
            "the countdown shows with JavaScript"
        );
        b.screenshot("quiz-attempt").await;
        check(&b, "quiz", &mut a11y).await;
        answer(&b, &key, false).await;
        b.click_through("button[value=submit]").await;
        b.find("section.score").await;
        let result = b.main_text().await;
        assert!(result.contains("Chưa đạt"), "{result}");
        assert!(!b.find_all(".explanation").await.is_empty(), "explanations after submitting");
        b.screenshot("result-failed").await;
        check(&b, "result", &mut a11y).await;

        // Try again from the result page; answered right, it passes and completes the course.
        b.click_through("form.retake button").await;
        b.wait_for_path("/attempts/").await;
        answer(&b, &key, true).await;
        b.click_through("button[value=submit]").await;
        b.find("section.score").await;
        let result = b.main_text().await;
        assert!(result.contains("100%") && result.contains("Đạt"), "{result}");
        assert!(result.contains("hoàn thành khoá học"), "{result}");
        b.screenshot("result-passed").await;

        b.goto(&server.url(&format!("/courses/{COURSE}"))).await;
        assert!(b.main_text().await.contains("hoàn thành khoá học"));
        b.goto(&server.url("/me")).await;
        assert!(
            !b.find_all(".card a[href^='/certificates/']").await.is_empty(),
            "the card links the certificate"
        );
        b.screenshot("dashboard").await;
        check(&b, "dashboard", &mut a11y).await;

        // The competency and the certificate.
        b.goto(&server.url("/me/competencies")).await;
        let page = b.main_text().await;
        assert!(page.contains("CQS.1"), "{page}");
        b.screenshot("competencies").await;
        check(&b, "competencies", &mut a11y).await;
        b.click_through("a[href^='/certificates/']").await;
        b.wait_for_path("/certificates/").await;
        let code = b.path().await.trim_start_matches("/certificates/").to_string();
        let page = b.main_text().await;
        assert!(page.contains("Nguyễn Thị Lan"), "{page}");
        assert!(page.contains(&format!("{PUBLIC_URL}/verify/{code}")), "the address to check it: {page}");
        b.screenshot("certificate").await;
        check(&b, "certificate", &mut a11y).await;

        // Log out; an anonymous visitor verifies the certificate, and a forged code is refused.
        b.click_through("nav.account form button").await;
        b.wait_for_path("/").await;
        b.goto(&server.url("/me")).await;
        b.wait_for_path("/login").await;
        b.goto(&server.url(&format!("/verify/{code}"))).await;
        let page = b.main_text().await;
        assert!(page.contains("Nguyễn Thị Lan") && page.contains("Chính quyền số"), "{page}");
        b.screenshot("verify").await;
        check(&b, "verify", &mut a11y).await;
        b.goto(&server.url("/verify/ABCD-EFGH-JKLM")).await;
        let page = b.main_text().await;
        assert!(!page.contains("Nguyễn Thị Lan"), "{page}");
        b.screenshot("verify-unknown").await;

        let shots = b.screenshots().to_path_buf();
        b.close().await;
        let _ = writeln!(std::io::stderr(), "screenshots and axe reports: {}", shots.display());
        for (page, violations) in &a11y {
            eprintln!("{page}: {violations:#?}");
        }
        if let Some((page, violations)) = a11y.first() {
            assert_accessible(page, violations);
        }
    });
}

#[test]
fn the_quiz_works_without_javascript() {
    let Some(tools) = tools_or_skip("the_quiz_works_without_javascript") else { return };
    let (dir, url) = scratch();
    create_learner(&url, "binh.tran", Some(NEW_PASSWORD));
    let key = answer_key(&dir.path().join("courses"));
    let server = Server::start(dir.path(), &[("DAOTAO_DATABASE_URL", &url)]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let mut b = Browser::open(&tools, "the_quiz_works_without_javascript", false).await;
        log_in(&b, &server, "binh.tran", NEW_PASSWORD).await;
        b.wait_for_path("/me").await;
        b.goto(&server.url(&format!("/courses/{COURSE}"))).await;
        b.click_through(".track form button").await;
        b.wait_for_path(&format!("/courses/{COURSE}")).await;
        b.goto(&server.url(&format!("/courses/{COURSE}/quizzes/{QUIZ}"))).await;
        b.click_through("main form button[type=submit]").await;
        b.wait_for_path("/attempts/").await;
        assert!(
            !b.find("#time-left").await.is_displayed().await.unwrap(),
            "the countdown is JavaScript's; without it the deadline shows as a time"
        );
        assert!(b.main_text().await.contains("Hạn nộp"), "{}", b.main_text().await);

        // Save without JavaScript: the answers come back checked.
        answer(&b, &key, true).await;
        b.click_through("button[value=save]").await;
        b.find("p.notice.ok").await;
        let checked = b.find_all("fieldset.question input:checked").await.len();
        assert!(checked > 0, "saved answers are shown again");
        b.screenshot("quiz-saved-no-js").await;

        b.click_through("button[value=submit]").await;
        b.find("section.score").await;
        let result = b.main_text().await;
        assert!(result.contains("100%") && result.contains("Đạt"), "{result}");
        b.screenshot("result-no-js").await;
        b.close().await;
    });
}
