//! End-to-end: the real `daotao-server` binary, a real SQLite file or
//! PostgreSQL database, a course folder on disk edited while it runs.

use std::path::Path;
use std::process::Command;

use daotao_tests::{Server, binary, bundled_courses, copy_dir};

const LESSON: &str = "/courses/an-toan-thong-tin-co-ban/mat-khau-va-xac-thuc";
const LESSON_FILE: &str = "courses/an-toan-thong-tin-co-ban/01-mat-khau-va-xac-thuc.md";

/// A scratch folder holding a copy of the bundled courses, like a fresh clone.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&bundled_courses(), &dir.path().join("courses"));
    dir
}

/// How many courses the bundled library holds (each folder with a course.toml).
fn bundled_course_count() -> usize {
    std::fs::read_dir(bundled_courses())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().join("course.toml").is_file())
        .count()
}

fn append(path: &Path, text: &str) {
    let mut content = std::fs::read_to_string(path).unwrap();
    content.push_str(text);
    std::fs::write(path, content).unwrap();
}

#[test]
fn fresh_start_with_defaults_creates_the_sqlite_file_and_serves_the_catalog() {
    let dir = scratch();
    let server = Server::start(dir.path(), &[]);
    assert!(dir.path().join("data/daotao.sqlite").is_file(), "the default database file is created");
    let (status, body) = server.get("/");
    assert_eq!(status, 200);
    assert!(body.contains("<html lang=\"vi\">"));
    assert!(body.contains("An toàn thông tin cơ bản cho cán bộ, công chức"), "{body}");
    let (status, body) = server.get(LESSON);
    assert_eq!(status, 200);
    assert!(body.contains("Mật khẩu"), "{body}");
    let (status, _) = server.get("/courses/an-toan-thong-tin-co-ban/assets/bao-cao-su-co.svg");
    assert_eq!(status, 200);
}

#[test]
fn edits_on_disk_show_without_a_restart_and_broken_edits_keep_the_last_good_version() {
    let dir = scratch();
    let db = format!("sqlite://{}/db/t.sqlite", dir.path().display());
    let server = Server::start(dir.path(), &[("DAOTAO_DATABASE_URL", &db)]);

    // A trainer edits a lesson: the page changes.
    append(&dir.path().join(LESSON_FILE), "\n## Mục mới thêm khi máy chủ đang chạy\n\nNội dung vừa viết.\n");
    let took = server
        .wait_for("the edited lesson", |s| s.get(LESSON).1.contains("Mục mới thêm khi máy chủ đang chạy"));
    println!("edit visible after {took:?}");
    assert!(server.get(LESSON).1.contains("id=\"muc-moi-them-khi-may-chu-dang-chay\""));

    // A trainer adds a lesson: it is served and linked from the course page.
    std::fs::write(
        dir.path().join("courses/an-toan-thong-tin-co-ban/07-bai-them.md"),
        "+++\ntitle = \"Bài học thêm\"\n+++\n\nXin chào.\n",
    )
    .unwrap();
    server.wait_for("the new lesson", |s| s.get("/courses/an-toan-thong-tin-co-ban/bai-them").0 == 200);
    assert!(server.get("/courses/an-toan-thong-tin-co-ban").1.contains("Bài học thêm"));

    // A broken edit: the course keeps serving its last good version, and the log says why, with file and line.
    std::fs::write(
        dir.path().join("courses/an-toan-thong-tin-co-ban/07-bai-them.md"),
        "+++\ntitle = \"Bài học thêm\"\ntittle = \"lỗi gõ\"\n+++\n\nĐã sửa.\n",
    )
    .unwrap();
    server
        .wait_for("the problem in the log", |s| s.log().contains("07-bai-them.md:3: unknown field `tittle`"));
    assert!(server.log().contains("still serving its last good version"), "{}", server.log());
    let (status, body) = server.get("/courses/an-toan-thong-tin-co-ban/bai-them");
    assert_eq!(status, 200);
    assert!(body.contains("Xin chào.") && !body.contains("Đã sửa."));

    // Fixed again: the new version is served.
    std::fs::write(
        dir.path().join("courses/an-toan-thong-tin-co-ban/07-bai-them.md"),
        "+++\ntitle = \"Bài học thêm\"\n+++\n\nĐã sửa.\n",
    )
    .unwrap();
    server.wait_for("the fixed lesson", |s| {
        s.get("/courses/an-toan-thong-tin-co-ban/bai-them").1.contains("Đã sửa.")
    });

    // A new course folder appears in the catalog; a removed one disappears.
    let new_course = dir.path().join("courses/khoa-moi");
    std::fs::create_dir_all(&new_course).unwrap();
    std::fs::write(new_course.join("course.toml"), "title = \"Khoá mới tinh\"\n").unwrap();
    std::fs::write(new_course.join("01-mo-dau.md"), "# Mở đầu\n\nChào mừng.\n").unwrap();
    server.wait_for("the new course", |s| s.get("/").1.contains("Khoá mới tinh"));
    std::fs::remove_dir_all(&new_course).unwrap();
    server.wait_for("the removed course to go", |s| s.get("/courses/khoa-moi").0 == 404);
}

#[test]
fn a_broken_course_is_left_out_at_start_and_the_others_are_served() {
    let dir = scratch();
    let broken = dir.path().join("courses/hong");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(broken.join("course.toml"), "title = \"Hỏng\"\nhours = \"nhiều\"\n").unwrap();
    std::fs::write(broken.join("01-a.md"), "# A\n").unwrap();
    let server = Server::start(dir.path(), &[("DAOTAO_DATABASE_URL", "sqlite://db.sqlite")]);
    assert_eq!(server.get("/courses/hong").0, 404);
    assert_eq!(server.get(LESSON).0, 200);
    assert!(server.log().contains("hong/course.toml:2:"), "{}", server.log());
}

#[test]
fn sigterm_shuts_down_gracefully() {
    let dir = scratch();
    let server = Server::start(dir.path(), &[]);
    let status = server.terminate();
    assert!(status.success(), "exit status {status}");
}

#[test]
fn unsupported_database_scheme_is_a_clear_error() {
    let dir = scratch();
    let out = Command::new(binary("daotao-server"))
        .current_dir(dir.path())
        .env("DAOTAO_DATABASE_URL", "mysql://root:mat-khau@127.0.0.1/test")
        .env("DAOTAO_BIND", "127.0.0.1:0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unsupported database URL scheme `mysql:`"), "{stderr}");
    assert!(!stderr.contains("mat-khau"), "the password stays out of the log: {stderr}");
}

#[test]
fn check_reports_every_problem_with_file_and_line_and_fails() {
    let dir = scratch();
    let courses = dir.path().join("courses");
    let ok =
        Command::new(binary("daotao-server")).args(["check", courses.to_str().unwrap()]).output().unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stdout));
    let total = bundled_course_count();
    assert!(String::from_utf8_lossy(&ok.stdout).starts_with(&format!("OK: {total} courses")));

    append(&courses.join("an-toan-thong-tin-co-ban/course.toml"), "\nbogus = 1\n");
    std::fs::write(
        courses.join("an-toan-thong-tin-co-ban/02-nhan-dien-lua-dao.md"),
        "# A\n\n![](assets/khong-co.png)\n",
    )
    .unwrap();
    // A question bank dropped in from Moodle with an essay (a warning, said once the bank parses) and a
    // question nobody marked right.
    std::fs::write(
        courses.join("chinh-quyen-so/quiz/ngan-hang.gift"),
        "// từ Moodle\n::Luận::Hãy trình bày ý kiến.{}\n\nTrời xanh?{~có ~không}\n",
    )
    .unwrap();
    let out = Command::new(binary("daotao-server"))
        .current_dir(dir.path())
        .args(["check", "courses"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let toml_lines = std::fs::read_to_string(courses.join("an-toan-thong-tin-co-ban/course.toml"))
        .unwrap()
        .lines()
        .count();
    // The yearly security programme lists the broken course, so it is left out too.
    let programmes_toml = std::fs::read_to_string(courses.join("programmes.toml")).unwrap();
    let programme_line = programmes_toml
        .lines()
        .position(|l| l.starts_with("courses = [\"an-toan-thong-tin-co-ban\"]"))
        .unwrap()
        + 1;
    let programmes = programmes_toml.lines().filter(|l| l.trim() == "[[programme]]").count();
    assert_eq!(
        lines,
        [
            format!("courses/an-toan-thong-tin-co-ban/course.toml:{toml_lines}: unknown field `bogus`, expected `lessons` or `quiz`").as_str(),
            "courses/an-toan-thong-tin-co-ban/02-nhan-dien-lua-dao.md:3: links to assets/khong-co.png, which does not exist in the course's assets folder",
            "courses/chinh-quyen-so/quiz/ngan-hang.gift:4: no option is marked right: mark one with `[x]` (markdown) or `=` (GIFT)",
            format!("courses/programmes.toml:{programme_line}: programme `attt-hang-nam` lists course `an-toan-thong-tin-co-ban`, which has problems and is left out").as_str(),
            format!("4 problems in 2 courses; {} courses OK, {} programmes OK", total - 2, programmes - 1).as_str(),
        ]
    );

    // The essay is no problem but a warning (as Moodle imports it), said once the bank has no error left.
    std::fs::write(
        courses.join("chinh-quyen-so/quiz/ngan-hang.gift"),
        "// từ Moodle\n::Luận::Hãy trình bày ý kiến.{}\n\nTrời xanh?{=có ~không}\n",
    )
    .unwrap();
    let out = Command::new(binary("daotao-server"))
        .current_dir(dir.path())
        .args(["check", "courses"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.lines().any(|l| l
            == "courses/chinh-quyen-so/quiz/ngan-hang.gift:2: warning: an essay question cannot be graded: it is left out, the other questions are served"),
        "{stdout}"
    );
    assert!(stdout.contains("3 problems in 1 course"), "the bank is served now: {stdout}");

    // A bank whose right option is the longest in more than 40% of its single-choice questions is a warning
    // too (#20): a test-wise learner would pass it by length.
    std::fs::write(
        courses.join("chinh-quyen-so/quiz/ngan-hang.gift"),
        "Trời xanh?{=Có, vì hôm nay trời quang mây ~Không ~Mưa}\n\nNước mặn?{=Có ~Không, nước ở đây là nước ngọt}\n",
    )
    .unwrap();
    let out = Command::new(binary("daotao-server"))
        .current_dir(dir.path())
        .args(["check", "courses"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.lines().any(|l| l
            == "courses/chinh-quyen-so/quiz/ngan-hang.gift: warning: the right option is the longest in 1 of 2 single-choice questions (50%, more than 40%): a learner who always picks the longest option passes; make the wrong options as long and specific as the right one"),
        "{stdout}"
    );
    assert!(stdout.contains("3 problems in 1 course"), "a warning is not a problem: {stdout}");

    // The library's shared footnotes (#20) are a file of the library, not a course: a problem in it is
    // reported at its line and counted as no course.
    let references = courses.join("references.md");
    let shared = std::fs::read_to_string(&references).unwrap();
    let first = shared.lines().position(|l| l.starts_with("[^nd-45-2020]: ")).unwrap() + 1;
    append(&references, "\n[^ND-45-2020]: Lặp lại.\n");
    let twice = shared.lines().count() + 2;
    let out = Command::new(binary("daotao-server"))
        .current_dir(dir.path())
        .args(["check", "courses"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let expected = format!(
        "courses/references.md:{twice}: [^ND-45-2020] is defined twice: the first is on line {first}"
    );
    assert!(stdout.lines().any(|l| l == expected), "{expected}\n{stdout}");
    assert!(stdout.contains("4 problems in 1 course"), "{stdout}");
}

#[test]
fn runs_on_postgres_and_syncs_the_catalog() {
    let Some(url) = tokio::runtime::Runtime::new().unwrap().block_on(daotao_tests::fresh_postgres_database())
    else {
        return;
    };
    let dir = scratch();
    let server = Server::start(dir.path(), &[("DAOTAO_DATABASE_URL", &url)]);
    assert_eq!(server.get(LESSON).0, 200);
    // Ready or not (the search index may still be building), the database answered.
    let (_, ready) = server.get("/readyz");
    assert!(ready.contains("\"database\":true"), "{ready}");

    // The admin tool sees the catalog the server synced, in the same database.
    let out = Command::new(binary("daotao-admin")).args(["--database-url", &url, "status"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&format!("active courses: {}", bundled_course_count())), "{stdout}");
    assert!(stdout.contains("an-toan-thong-tin-co-ban"), "{stdout}");
}
