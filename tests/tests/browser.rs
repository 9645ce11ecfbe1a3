//! A learner's whole journey in a real Chromium (through chromedriver), against
//! the real server binary and a fresh database: screenshots of every step at
//! phone and desktop widths, and axe-core on every page type in every state the
//! journey meets.
//!
//! Run: `cargo test -p daotao-tests --test browser -- --nocapture` (it prints
//! where the screenshots went: `target/browser-screenshots/<test>/`). Without
//! `chromium` and `chromedriver` on PATH the tests say they were skipped;
//! `DAOTAO_TEST_BROWSER=require` (as CI sets) makes that a failure.

use std::collections::HashMap;
use std::io::Write;

use daotao_content::quiz::{Kind, Question};
use daotao_core::entities::user::Role;
use daotao_core::people::accounts::{NewUser, add_user};
use daotao_tests::browser::{Audit, Browser, Tools, WIDTHS, tools_or_skip};
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
        let db = daotao_core::platform::db::connect(url).await.unwrap();
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
    let library = daotao_content::course::load_library(courses);
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

/// A step a person can look at and axe can check: photographed at both widths, then checked,
/// the axe report named after the step.
async fn see(b: &Browser, audit: &mut Audit, step: &str) {
    b.screenshot(step).await;
    audit.check(b, step).await;
}

/// Whether the header offers to log in (nobody is logged in) rather than to log out.
async fn is_anonymous(b: &Browser) -> bool {
    !b.find_all("nav.account a[href^='/login']").await.is_empty()
        && b.find_all("nav.account form[action='/logout']").await.is_empty()
}

/// On an open attempt: answers every question (right or wrong), photographs the answered attempt
/// as `attempt_step`, and submits it; the result page is shown.
async fn take_quiz(b: &Browser, key: &HashMap<String, Question>, right: bool, attempt_step: &str) {
    answer(b, key, right).await;
    b.screenshot(attempt_step).await;
    b.click_through("button[value=submit]").await;
    b.find("section.score").await;
}

/// Asserts the result of a failed attempt explains the questions answered wrong.
async fn assert_explained(b: &Browser) {
    let explained = b.find_all("ol.review li.question.incorrect .explanation").await;
    assert!(!explained.is_empty(), "no explanation of the wrong answers: {}", b.main_text().await);
    assert!(explained[0].is_displayed().await.unwrap(), "the explanations are shown");
}

/// The `href` of every element `css` selects.
async fn hrefs(b: &Browser, css: &str) -> Vec<String> {
    let mut hrefs = Vec::new();
    for link in b.find_all(css).await {
        hrefs.push(link.attr("href").await.unwrap().unwrap_or_default());
    }
    hrefs
}

#[test]
fn a_learners_whole_journey() {
    let Some(tools) = tools_or_skip() else { return };
    let (dir, url) = scratch();
    let one_time = create_learner(&url, "lan.nguyen", None);
    let key = answer_key(&dir.path().join("courses"));
    let server =
        Server::start(dir.path(), &[("DAOTAO_DATABASE_URL", &url), ("DAOTAO_PUBLIC_URL", PUBLIC_URL)]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let b = Browser::open(&tools, "a_learners_whole_journey", true).await;
        let mut audit = Audit::default();
        log_in_and_change_password(&b, &mut audit, &server, &one_time).await;
        find_the_course_and_enrol(&b, &mut audit, &server).await;
        read_every_lesson(&b, &mut audit).await;
        fail_then_pass_the_quiz(&b, &mut audit, &key).await;
        let code = see_competency_and_certificate(&b, &mut audit, &server).await;
        verify_anonymously(&b, &mut audit, &server, &tools, &code).await;
        log_out(&b, &mut audit, &server).await;

        let shots = b.screenshots().to_path_buf();
        b.close().await;
        let _ = writeln!(std::io::stderr(), "screenshots and axe reports: {}", shots.display());
        audit.assert_clean();
    });
}

/// The journey's course page.
fn course_path() -> String {
    format!("/courses/{COURSE}")
}

/// Logs in with the one-time password; the password must be changed first, then the (empty) dashboard
/// shows. Steps `login`, `change-password`, `dashboard-new`.
async fn log_in_and_change_password(b: &Browser, audit: &mut Audit, server: &Server, one_time: &str) {
    b.goto(&server.url("/login")).await;
    see(b, audit, "login").await;
    log_in(b, server, "lan.nguyen", one_time).await;
    assert!(b.main_text().await.contains("Đổi mật khẩu"), "{}", b.main_text().await);
    see(b, audit, "change-password").await;
    b.fill("#current", one_time).await;
    b.fill("#new", NEW_PASSWORD).await;
    b.fill("#confirm", NEW_PASSWORD).await;
    b.click_through("form.stack button[type=submit]").await;
    assert_eq!(b.path().await, "/me");
    assert!(b.main_text().await.contains("Khoá học của tôi"));
    see(b, audit, "dashboard-new").await;
}

/// The catalog, then a search typed without diacritics finds the course; its result leads there, and
/// the learner enrols. Steps `catalog`, `search`, `course`, `course-enrolled`.
async fn find_the_course_and_enrol(b: &Browser, audit: &mut Audit, server: &Server) {
    let course_path = course_path();
    b.goto(&server.url("/")).await;
    see(b, audit, "catalog").await;
    b.fill("#site-q", "chinh quyen so").await;
    b.click_through("form.site-search button").await;
    b.wait_for_path("/search").await;
    see(b, audit, "search").await;
    let first = b.find("ol.results li h3 a").await;
    let href = first.attr("href").await.unwrap().unwrap_or_default();
    assert!(href.starts_with(&course_path), "first hit for 'chinh quyen so': {href}");
    assert!(b.find("ol.results mark").await.text().await.unwrap().to_lowercase().contains("chính"));
    // The first hits are the course's lessons and the course itself; the learner takes the course.
    let top = hrefs(b, "ol.results li:nth-child(-n+3) h3 a").await;
    assert!(top.contains(&course_path), "the course among the first three hits: {top:?}");
    b.click_through(&format!("ol.results li h3 a[href='{course_path}']")).await;
    assert_eq!(b.path().await, course_path);
    assert_eq!(b.find_all(".track form[action$='/enrol'] button").await.len(), 1, "an enrol button");
    see(b, audit, "course").await;

    b.click_through(".track form button").await;
    assert_eq!(b.path().await, course_path);
    assert!(b.main_text().await.contains("Bạn đã ghi danh"));
    see(b, audit, "course-enrolled").await;
}

/// From the enrolled course page, reads every lesson, marking each read; the last one leads back to the
/// course, which says so. Steps `lesson-1` … `lesson-N`, `course-all-read`.
async fn read_every_lesson(b: &Browser, audit: &mut Audit) {
    let course_path = course_path();
    let lesson_paths = hrefs(b, "ol.lessons li a").await;
    let lessons = lesson_paths.len();
    assert!(lessons >= 4, "{lessons} lessons");
    b.click_through(".track a.button").await;
    for (n, lesson) in lesson_paths.iter().enumerate() {
        assert_eq!(&b.path().await, lesson, "lesson {} of {lessons}", n + 1);
        see(b, audit, &format!("lesson-{}", n + 1)).await;
        b.click_through("main form button[type=submit]").await;
    }
    assert_eq!(b.path().await, course_path);
    let page = b.main_text().await;
    assert!(page.contains(&format!("{lessons}/{lessons}")), "every lesson read: {page}");
    assert!(page.contains("Bạn đã đọc hết các bài học"), "{page}");
    see(b, audit, "course-all-read").await;
}

/// The quiz page, then a first attempt answered wrong fails and explains why; tried again from the
/// result page and answered right, it passes and completes the course. Steps `quiz-start`,
/// `attempt-1-answered`, `result-failed`, `attempt-2-answered`, `result-passed`, `course-completed`.
async fn fail_then_pass_the_quiz(b: &Browser, audit: &mut Audit, key: &HashMap<String, Question>) {
    let course_path = course_path();
    b.click_through(&format!(".track a[href='{course_path}/quizzes/{QUIZ}']")).await;
    assert_eq!(b.path().await, format!("{course_path}/quizzes/{QUIZ}"));
    see(b, audit, "quiz-start").await;
    b.click_through("main form button[type=submit]").await;
    b.wait_for_path("/attempts/").await;
    assert!(b.find("#time-left").await.is_displayed().await.unwrap(), "the countdown shows with JavaScript");
    audit.check(b, "quiz-attempt").await;
    take_quiz(b, key, false, "attempt-1-answered").await;
    let result = b.main_text().await;
    assert!(result.contains("Chưa đạt"), "{result}");
    assert_explained(b).await;
    see(b, audit, "result-failed").await;

    b.click_through("form.retake button").await;
    b.wait_for_path("/attempts/").await;
    take_quiz(b, key, true, "attempt-2-answered").await;
    let result = b.main_text().await;
    assert!(result.contains("100%") && result.contains("Đạt"), "{result}");
    assert!(b.find("section.score .completed").await.text().await.unwrap().contains("hoàn thành khoá học"));
    see(b, audit, "result-passed").await;
    b.click_through(&format!("ol.review ~ p a[href='{course_path}']")).await;
    assert!(b.find(".track .completed").await.text().await.unwrap().contains("hoàn thành khoá học"));
    see(b, audit, "course-completed").await;
}

/// The dashboard, the competency and the certificate (with the public address to check it). Steps
/// `dashboard`, `competencies`, `certificate`. Returns the certificate's code.
async fn see_competency_and_certificate(b: &Browser, audit: &mut Audit, server: &Server) -> String {
    b.goto(&server.url("/me")).await;
    assert!(
        !b.find_all(".card a[href^='/certificates/']").await.is_empty(),
        "the card links the certificate"
    );
    see(b, audit, "dashboard").await;
    b.goto(&server.url("/me/competencies")).await;
    let page = b.main_text().await;
    assert!(page.contains("CQS.1"), "{page}");
    see(b, audit, "competencies").await;
    b.click_through("a[href^='/certificates/']").await;
    b.wait_for_path("/certificates/").await;
    let code = b.path().await.trim_start_matches("/certificates/").to_string();
    let page = b.main_text().await;
    assert!(page.contains("Nguyễn Thị Lan"), "{page}");
    assert!(page.contains(&format!("{PUBLIC_URL}/verify/{code}")), "the address to check it: {page}");
    see(b, audit, "certificate").await;
    code
}

/// Someone else, in a browser of their own and logged in as nobody, checks the certificate `code`
/// while the learner is still logged in in `b`; a forged code is refused. Steps
/// `anonymous-verify`, `anonymous-verify-unknown`.
async fn verify_anonymously(b: &Browser, audit: &mut Audit, server: &Server, tools: &Tools, code: &str) {
    let visitor = b.another_visitor(tools).await;
    visitor.goto(&server.url(&format!("/verify/{code}"))).await;
    assert!(is_anonymous(&visitor).await, "the visitor's browser is logged in as nobody");
    let page = visitor.main_text().await;
    assert!(page.contains("Nguyễn Thị Lan") && page.contains("Chính quyền số"), "{page}");
    assert_eq!(visitor.find_all("section.score.pass").await.len(), 1, "genuine: {page}");
    see(&visitor, audit, "anonymous-verify").await;
    visitor.goto(&server.url("/verify/ABCD-EFGH-JKLM")).await;
    let page = visitor.main_text().await;
    assert!(!page.contains("Nguyễn Thị Lan"), "{page}");
    assert_eq!(visitor.find_all("p.notice.warn").await.len(), 1, "refused: {page}");
    see(&visitor, audit, "anonymous-verify-unknown").await;
    visitor.close().await;
}

/// Last, the learner logs out: back on the catalog as nobody, and /me asks to log in again. Steps
/// `logged-out`, `me-after-logout`.
async fn log_out(b: &Browser, audit: &mut Audit, server: &Server) {
    assert!(!is_anonymous(b).await, "the learner is still logged in");
    b.click_through("nav.account form button").await;
    assert_eq!(b.path().await, "/");
    assert!(is_anonymous(b).await, "logged out: {}", b.find("nav.account").await.text().await.unwrap());
    see(b, audit, "logged-out").await;
    b.goto(&server.url("/me")).await;
    let path = b.path().await;
    assert!(path.starts_with("/login"), "/me after logging out shows {path}");
    b.find("#password").await;
    b.screenshot("me-after-logout").await; // the login page, checked by axe at the start
}

/// With JavaScript off, the quiz still works: no countdown, a failing attempt graded and explained,
/// then (attempts allowing) a second one saved by the plain form, shown again, and passed. axe is not run here: WebDriver can
/// still inject its script, but with the page's JavaScript off its timers never fire, so `axe.run`
/// never finishes; the pages are the same HTML the journey above checks with JavaScript on.
#[test]
fn the_quiz_works_without_javascript() {
    let Some(tools) = tools_or_skip() else { return };
    let (dir, url) = scratch();
    create_learner(&url, "binh.tran", Some(NEW_PASSWORD));
    let key = answer_key(&dir.path().join("courses"));
    let server = Server::start(dir.path(), &[("DAOTAO_DATABASE_URL", &url)]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let b = Browser::open(&tools, "the_quiz_works_without_javascript", false).await;
        let course_path = format!("/courses/{COURSE}");
        let quiz_path = format!("{course_path}/quizzes/{QUIZ}");
        b.goto(&server.url("/login")).await;
        b.screenshot("login-no-js").await;
        log_in(&b, &server, "binh.tran", NEW_PASSWORD).await;
        assert_eq!(b.path().await, "/me");
        b.screenshot("dashboard-no-js").await;
        b.goto(&server.url(&course_path)).await;
        b.screenshot("course-no-js").await;
        b.click_through(".track form button").await;
        assert!(b.main_text().await.contains("Bạn đã ghi danh"));
        b.screenshot("course-enrolled-no-js").await;
        b.click_through(&format!("ul.quizzes a[href='{quiz_path}']")).await;
        assert_eq!(b.path().await, quiz_path);
        b.screenshot("quiz-start-no-js").await;

        // A first attempt, answered wrong: no countdown, the deadline as a time; it fails, explained.
        b.click_through("main form button[type=submit]").await;
        b.wait_for_path("/attempts/").await;
        assert!(
            !b.find("#time-left").await.is_displayed().await.unwrap(),
            "the countdown is JavaScript's; without it the deadline shows as a time"
        );
        assert!(b.main_text().await.contains("Hạn nộp"), "{}", b.main_text().await);
        take_quiz(&b, &key, false, "attempt-1-answered-no-js").await;
        let result = b.main_text().await;
        assert!(result.contains("Chưa đạt"), "{result}");
        assert_explained(&b).await;
        b.screenshot("result-failed-no-js").await;

        // If the quiz allows another attempt (the result page offers it): try again, save without
        // JavaScript (the answers come back checked), then submit and pass.
        if !b.find_all("form.retake button").await.is_empty() {
            b.click_through("form.retake button").await;
            b.wait_for_path("/attempts/").await;
            answer(&b, &key, true).await;
            b.click_through("button[value=save]").await;
            b.find("p.notice.ok").await;
            let checked = b.find_all("fieldset.question input:checked").await.len();
            assert!(checked > 0, "saved answers are shown again");
            b.screenshot("attempt-2-saved-no-js").await;
            b.click_through("button[value=submit]").await;
            b.find("section.score").await;
            let result = b.main_text().await;
            assert!(result.contains("100%") && result.contains("Đạt"), "{result}");
            b.screenshot("result-passed-no-js").await;
        }

        let shots = b.screenshots().to_path_buf();
        b.close().await;
        let _ = writeln!(std::io::stderr(), "screenshots: {}", shots.display());
    });
}

/// Waits (up to half a minute) until the text of `css` starts with `prefix`; returns it.
async fn wait_for_text(b: &Browser, css: &str, prefix: &str) -> String {
    for _ in 0..300 {
        let text = b.find(css).await.text().await.unwrap_or_default();
        if text.starts_with(prefix) {
            return text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{css} never read {prefix:?}: {}", b.main_text().await);
}

#[test]
fn with_javascript_answers_save_themselves_and_the_countdown_submits_at_zero() {
    use daotao_core::entities::quiz_attempt;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

    let Some(tools) = tools_or_skip() else {
        return;
    };
    let (dir, url) = scratch();
    create_learner(&url, "cuc.le", Some(NEW_PASSWORD));
    let key = answer_key(&dir.path().join("courses"));
    let server = Server::start(dir.path(), &[("DAOTAO_DATABASE_URL", &url)]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let b = Browser::open(&tools, "with_javascript_answers_save_themselves", true).await;
        log_in(&b, &server, "cuc.le", NEW_PASSWORD).await;
        b.goto(&server.url(&format!("/courses/{COURSE}"))).await;
        b.click_through(".track form button").await;
        b.goto(&server.url(&format!("/courses/{COURSE}/quizzes/{QUIZ}"))).await;
        b.click_through("main form button[type=submit]").await;
        let attempt_path = b.wait_for_path("/attempts/").await;
        let id: i64 = attempt_path.trim_start_matches("/attempts/").parse().expect("an attempt id");
        assert!(b.find("#time-left").await.is_displayed().await.unwrap(), "the countdown shows");

        // Answers are saved without pressing anything: the status says so, and a reload brings them back.
        answer(&b, &key, true).await;
        let saved = wait_for_text(&b, "#autosave", "Đã tự động lưu").await;
        b.screenshot("autosaved").await;
        let _ = writeln!(std::io::stderr(), "autosave status: {saved}");
        b.goto(&server.url(&attempt_path)).await;
        assert!(
            !b.find_all("fieldset.question input:checked").await.is_empty(),
            "the saved answers come back"
        );

        // The time runs out (the deadline moved to a few seconds from now, on the server's clock): the page
        // submits itself at zero and shows the result, graded on the answers saved.
        let db = daotao_core::platform::db::connect(&url).await.unwrap();
        let row = quiz_attempt::Entity::find_by_id(id).one(&db).await.unwrap().expect("the attempt row");
        let mut row: quiz_attempt::ActiveModel = row.into();
        row.deadline = Set(Some(chrono::Utc::now() + chrono::Duration::seconds(4)));
        row.update(&db).await.unwrap();
        b.goto(&server.url(&attempt_path)).await;
        b.screenshot("seconds-left").await;
        for _ in 0..300 {
            if !b.find_all("section.score").await.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let result = b.main_text().await;
        assert!(result.contains("100%") && result.contains("Đạt"), "submitted at zero, all right: {result}");
        b.screenshot("submitted-at-zero").await;
        let row = quiz_attempt::Entity::find_by_id(id).one(&db).await.unwrap().unwrap();
        assert!(row.submitted_at.is_some() && row.percent == Some(100.0), "{row:?}");
        b.close().await;
    });
}

/// The single sign-on in Chromium, through each provider's own login form: a civil servant opens a
/// page that needs them logged in, presses the button, signs in at the provider, comes back to that
/// page logged in, and logs out through the provider. Steps `sso-*` for CAS and OpenID Connect.
#[test]
fn signs_in_and_out_through_each_identity_provider() {
    use daotao_tests::idp::cas::{CasServer, CasUser};
    use daotao_tests::idp::oidc::{Layout, OidcAccount, OidcClient, OidcProvider};

    let Some(tools) = tools_or_skip() else { return };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut audit = Audit::default();
    let name = "Nguyễn Thị Hoa";
    let next = format!("/courses/{COURSE}");

    // CAS, as Đà Nẵng runs it.
    let port = daotao_tests::free_port();
    let users = [CasUser {
        username: "hoa.nt".into(),
        password: "Mat-khau-CAS-2026".into(),
        attributes: vec![("name".into(), name.into())],
    }];
    let slo = format!("http://127.0.0.1:{port}/sso/logout");
    let Some(cas) = runtime.block_on(CasServer::start(&users, Some(&slo))) else { return };
    let (dir, url) = scratch();
    add_the_city(&url);
    let cas_url = cas.base_url();
    let env = [
        ("DAOTAO_DATABASE_URL", url.as_str()),
        ("DAOTAO_SSO_DEFAULT_UNIT", "DN"),
        ("DAOTAO_SSO_PROVIDER", "cas"),
        ("DAOTAO_SSO_CAS_URL", cas_url.as_str()),
        ("DAOTAO_SSO_LABEL", "Đăng nhập bằng tài khoản Đà Nẵng"),
    ];
    let server = Server::start_on(port, dir.path(), &env);
    runtime.block_on(async {
        let b = Browser::open(&tools, "sso_cas", true).await;
        sign_in_at_the_login_page(&b, &mut audit, &server, &next, "Đăng nhập bằng tài khoản Đà Nẵng").await;
        b.fill("input[name=username]", "hoa.nt").await;
        b.fill("input[name=password]", "Mat-khau-CAS-2026").await;
        b.screenshot("sso-cas-login-form").await;
        b.click_through("form button[type=submit], form input[type=submit]").await;
        assert_eq!(
            b.path().await,
            next,
            "back on the page the sign-in started from: {}",
            b.main_text().await
        );
        assert!(!is_anonymous(&b).await, "logged in through CAS");
        see(&b, &mut audit, "sso-cas-back").await;
        // Logging out passes through CAS's logout (which sends the browser back here): the city's
        // session has ended too, so signing in again asks for the password at CAS.
        b.click_through("nav.account form button").await;
        assert!(is_anonymous(&b).await, "logged out");
        b.screenshot("sso-cas-logged-out").await;
        b.goto(&server.url("/login")).await;
        b.click_through("a.sso").await;
        let url = b.url().await;
        assert!(url.starts_with(&format!("{cas_url}/login")), "CAS asks again: {url}");
        b.find("input[name=password]").await;
        b.close().await;
    });
    drop(server);
    drop(cas);

    // OpenID Connect, in WSO2's layout, endpoints set one by one.
    let port = daotao_tests::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let clients = [OidcClient {
        client_id: "daotao".into(),
        client_secret: "bi-mat-trinh-duyet".into(),
        redirect_uri: format!("{base}/sso/callback"),
        post_logout_redirect_uri: format!("{base}/"),
        backchannel_logout_uri: Some(format!("{base}/sso/logout")),
    }];
    let accounts = [OidcAccount {
        login: "hoa.nt".into(),
        claims: serde_json::json!({"preferred_username": "hoa.nt", "name": name}),
    }];
    let Some(provider) = runtime.block_on(OidcProvider::start(Layout::Wso2, &clients, &accounts)) else {
        return;
    };
    let e = provider.endpoints();
    let (dir, url) = scratch();
    add_the_city(&url);
    let env = [
        ("DAOTAO_DATABASE_URL", url.as_str()),
        ("DAOTAO_SSO_DEFAULT_UNIT", "DN"),
        ("DAOTAO_SSO_PROVIDER", "oidc"),
        ("DAOTAO_SSO_ISSUER", e.issuer.as_str()),
        ("DAOTAO_SSO_AUTHORIZATION_URL", e.authorization.as_str()),
        ("DAOTAO_SSO_TOKEN_URL", e.token.as_str()),
        ("DAOTAO_SSO_JWKS_URL", e.jwks.as_str()),
        ("DAOTAO_SSO_USERINFO_URL", e.userinfo.as_str()),
        ("DAOTAO_SSO_END_SESSION_URL", e.end_session.as_str()),
        ("DAOTAO_SSO_CLIENT_ID", "daotao"),
        ("DAOTAO_SSO_CLIENT_SECRET", "bi-mat-trinh-duyet"),
    ];
    let server = Server::start_on(port, dir.path(), &env);
    runtime.block_on(async {
        let b = Browser::open(&tools, "sso_oidc", true).await;
        sign_in_at_the_login_page(&b, &mut audit, &server, &next, "Đăng nhập một lần").await;
        b.fill("input[name=login]", "hoa.nt").await;
        b.fill("input[name=password]", "any").await;
        b.screenshot("sso-oidc-login-form").await;
        b.click_through("form button[type=submit]").await;
        // The provider asks once to let this application see the profile.
        if !b.url().await.starts_with(&base) {
            b.screenshot("sso-oidc-consent").await;
            b.click_through("form button[type=submit]").await;
        }
        assert_eq!(b.path().await, next, "back on the page the sign-in started from");
        assert!(!is_anonymous(&b).await, "logged in through OpenID Connect");
        see(&b, &mut audit, "sso-oidc-back").await;
        b.click_through("nav.account form button").await;
        let url = b.url().await;
        assert!(url.starts_with(&e.end_session), "logging out goes on to the provider: {url}");
        b.screenshot("sso-oidc-logout-confirm").await;
        b.click_through("button[name=logout][value=yes]").await;
        assert_eq!(b.url().await, format!("{base}/"), "the provider sends the person back home");
        assert!(is_anonymous(&b).await);
        b.close().await;
    });
    audit.assert_clean();
}

/// The city as the one unit of the database at `url`: where people the provider places nowhere land.
fn add_the_city(url: &str) {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = daotao_core::platform::db::connect(url).await.unwrap();
        let csv = "code,name,parent_code\nDN,Thành phố Đà Nẵng,\n";
        daotao_core::import::units::import_units(&db, csv.as_bytes(), false).await.unwrap();
    });
}

/// Opens `next` as nobody, is sent to the login page, and presses the single sign-on button `label`.
async fn sign_in_at_the_login_page(b: &Browser, audit: &mut Audit, server: &Server, next: &str, label: &str) {
    b.goto(&server.url(&format!("/login?next={next}"))).await;
    let button = b.find("a.sso").await;
    assert_eq!(button.text().await.unwrap(), label);
    see(b, audit, "sso-login-page").await;
    b.click_through("a.sso").await;
}

/// Course feedback (#19) in Chromium: a learner completes the course, is asked on the course page, answers
/// the questionnaire (five levels per statement, a comment), gets the thank-you and is not asked again; four
/// colleagues answered before, so the fifth answer publishes the group and the course's trainer reads the
/// results, then the quiz's statistics. Steps `feedback-asked`, `feedback-form`, `feedback-answered`,
/// `feedback-thanks`, `feedback-results`, `quiz-statistics`.
#[test]
fn a_learner_completes_a_course_and_gives_feedback_that_the_trainer_reads() {
    let Some(tools) = tools_or_skip() else { return };
    let (dir, url) = scratch();
    create_learner(&url, "mai.le", Some(NEW_PASSWORD));
    let key = answer_key(&dir.path().join("courses"));
    let server = Server::start(dir.path(), &[("DAOTAO_DATABASE_URL", &url)]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // Once the server has synced the catalog: a trainer of the course, and four colleagues who completed it
    // and answered (each statement 4: satisfied).
    runtime.block_on(seed_feedback(&url, &dir.path().join("courses")));
    runtime.block_on(async {
        let b = Browser::open(&tools, "a_learner_completes_a_course_and_gives_feedback", true).await;
        let mut audit = Audit::default();
        let course_path = course_path();
        let feedback_path = format!("{course_path}/feedback");
        log_in(&b, &server, "mai.le", NEW_PASSWORD).await;
        b.goto(&server.url(&course_path)).await;
        b.click_through(".track form button").await;
        read_every_lesson(&b, &mut audit).await;
        b.click_through(&format!(".track a[href='{course_path}/quizzes/{QUIZ}']")).await;
        b.click_through("main form button[type=submit]").await;
        b.wait_for_path("/attempts/").await;
        take_quiz(&b, &key, true, "feedback-quiz-passed").await;
        b.click_through(&format!("ol.review ~ p a[href='{course_path}']")).await;

        // Asked once the course is completed.
        assert_eq!(hrefs(&b, ".feedback-prompt a.button").await, std::slice::from_ref(&feedback_path));
        see(&b, &mut audit, "feedback-asked").await;
        b.click_through(".feedback-prompt a.button").await;
        assert_eq!(b.path().await, feedback_path);
        let statements = b.find_all("form.feedback fieldset.question").await;
        assert_eq!(statements.len(), 6, "the bundled questionnaire's six statements");
        see(&b, &mut audit, "feedback-form").await;
        for (n, fieldset) in statements.iter().enumerate() {
            let level = if n % 2 == 0 { "5" } else { "4" };
            let radio =
                fieldset.find(fantoccini::Locator::Css(&format!("input[value='{level}']"))).await.unwrap();
            radio.click().await.unwrap();
        }
        b.fill("#comment", "Nên có thêm tình huống thực tế ở phường.").await;
        b.screenshot("feedback-answered").await;
        b.click_through("form.feedback button[type=submit]").await;
        assert_eq!(b.path().await, feedback_path);
        assert!(b.main_text().await.contains("Cảm ơn anh/chị đã góp ý"), "{}", b.main_text().await);
        assert!(b.find_all("form.feedback").await.is_empty(), "asked once only");
        see(&b, &mut audit, "feedback-thanks").await;
        b.goto(&server.url("/me")).await;
        assert!(hrefs(&b, "main a").await.iter().all(|h| h != &feedback_path), "not asked again");

        // The trainer reads the results: five answers, all satisfied, the comment.
        b.click_through("nav.account form[action='/logout'] button").await;
        log_in(&b, &server, "gv.hoa", NEW_PASSWORD).await;
        b.goto(&server.url(&course_path)).await;
        b.click_through(&format!("a[href='{feedback_path}/results']")).await;
        let results = b.main_text().await;
        assert!(results.contains("Tỷ lệ hài lòng: 100,0%"), "{results}");
        assert!(results.contains("5 người trả lời"), "{results}");
        assert!(results.contains("Nên có thêm tình huống thực tế ở phường."), "{results}");
        see(&b, &mut audit, "feedback-results").await;

        // The quiz statistics (#19), reached from the course's learners page: mai.le's first attempt, all right,
        // so every question asked is too easy on this one attempt.
        b.goto(&server.url(&format!("{course_path}/learners"))).await;
        b.click_through(&format!("a[href='{course_path}/quizzes/{QUIZ}/statistics']")).await;
        let figures = b.find_all("table.facts-table td").await;
        assert_eq!(figures[0].text().await.unwrap(), "1", "attempts counted: mai.le's first");
        let statistics = b.main_text().await;
        assert!(statistics.contains("Quá dễ"), "{statistics}");
        // On a phone the table scrolls sideways rather than squeeze the questions into a column of a
        // few letters: the question column keeps 16rem (256 px).
        let question_column = b.width_at(WIDTHS[0], "table.statistics tbody td:nth-child(2)").await;
        assert!(question_column >= 256.0, "the question column is {question_column} px wide on a phone");
        see(&b, &mut audit, "quiz-statistics").await;

        let shots = b.screenshots().to_path_buf();
        b.close().await;
        let _ = writeln!(std::io::stderr(), "screenshots and axe reports: {}", shots.display());
        audit.assert_clean();
    });
}

/// The trainer `gv.hoa` of the journey's course, and four learners who completed it and answered its
/// questionnaire through `daotao_core::learning::feedback::submit`, as the server does.
async fn seed_feedback(url: &str, courses: &std::path::Path) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let db = daotao_core::platform::db::connect(url).await.unwrap();
    let person = |username: &str, role| NewUser {
        username: username.into(),
        full_name: format!("Trần {username}"),
        email: None,
        unit_code: None,
        position: "Chuyên viên".into(),
        role,
        password: Some(NEW_PASSWORD.into()),
    };
    add_user(&db, person("gv.hoa", Role::Trainer)).await.unwrap();
    daotao_core::people::trainers::assign(&db, COURSE, "gv.hoa").await.unwrap();
    let library = daotao_content::course::load_library(courses);
    let questionnaire =
        library.questionnaire(&library.courses[COURSE]).expect("the bundled questionnaire").clone();
    let answer = daotao_core::learning::feedback::Answer {
        scores: questionnaire.items.iter().map(|i| (i.id.clone(), 4)).collect(),
        comment: String::new(),
    };
    for n in 1..=4 {
        let (colleague, _) = add_user(&db, person(&format!("dong.nghiep{n}"), Role::Learner)).await.unwrap();
        daotao_core::learning::enrollment::enroll_users(&db, COURSE, &[colleague.id], None, None)
            .await
            .unwrap();
        daotao_core::entities::enrollment::Entity::update_many()
            .col_expr(
                daotao_core::entities::enrollment::Column::CompletedAt,
                sea_orm::sea_query::Expr::value(chrono::Utc::now()),
            )
            .filter(daotao_core::entities::enrollment::Column::UserId.eq(colleague.id))
            .exec(&db)
            .await
            .unwrap();
        daotao_core::learning::feedback::submit(
            &db,
            colleague.id,
            COURSE,
            &questionnaire,
            &answer,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    }
}
