//! End-to-end: search in the real `daotao-server` binary follows the course
//! files on disk while it runs, without a restart.

use daotao_tests::{Server, bundled_courses, copy_dir};

const LESSON_FILE: &str = "courses/an-toan-thong-tin-co-ban/01-mat-khau-va-xac-thuc.md";

#[test]
fn edited_added_and_removed_courses_are_searchable_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&bundled_courses(), &dir.path().join("courses"));
    let db = format!("sqlite://{}/t.sqlite", dir.path().display());
    let server = Server::start(dir.path(), &[("DAOTAO_DATABASE_URL", &db)]);
    let api = |q: &str| server.get(&format!("/api/v1/search?q={q}"));

    // The index is built in the background after start; until then search says so, never a 5xx.
    server.wait_for("the first index", |s| {
        let (status, body) = s.get("/api/v1/search?q=mat+khau");
        assert_eq!(status, 200, "{body}");
        !body.contains("\"hits\":[]")
    });
    let (status, page) = server.get("/search?q=chinh+quyen+so");
    assert_eq!(status, 200);
    assert!(page.contains("<mark>"), "{page}");
    // Typed in capitals without diacritics, as on a phone: the section that says "đánh cắp mã OTP" comes first.
    let (_, otp) = api("DANH+CAP+MA+OTP");
    let first = otp.find("\"url\"").expect("a hit");
    assert!(
        otp[first..].starts_with(
            "\"url\":\"/courses/an-toan-thong-tin-co-ban/mat-khau-va-xac-thuc#ba-quy-tac-voi-ma-otp\""
        ),
        "{otp}"
    );
    assert!(otp.contains("<mark>đánh</mark> <mark>cắp</mark> <mark>mã</mark> <mark>OTP</mark>"), "{otp}");
    assert!(otp.contains("\"notices\":[]"), "every word found: {otp}");
    assert!(!api("huou+cao+co").1.contains("huou-cao-co"), "not in the bundled library");

    // A trainer adds a section to a lesson: its words become searchable, linked to the new heading.
    let file = dir.path().join(LESSON_FILE);
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("\n## Hươu cao cổ thông thái\n\nCon hươu cao cổ nhắc mọi người đổi mật khẩu.\n");
    std::fs::write(&file, text).unwrap();
    server.wait_for("the new words in search", |_| api("huou+cao+co").1.contains("\"total\":1"));
    let (_, body) = api("huou+cao+co");
    assert!(
        body.contains(
            "\"url\":\"/courses/an-toan-thong-tin-co-ban/mat-khau-va-xac-thuc#huou-cao-co-thong-thai\""
        ),
        "{body}"
    );
    let (status, page) = server.get("/courses/an-toan-thong-tin-co-ban/mat-khau-va-xac-thuc");
    assert_eq!(status, 200);
    assert!(page.contains("Con hươu cao cổ nhắc mọi người đổi mật khẩu."), "the page is served new too");
    // Only that course was indexed again (#21): the one whole build is the start-up's, and the update
    // added that course's documents, not the library's.
    let log = server.log();
    assert_eq!(log.matches("search index built").count(), 1, "{log}");
    let update = log.lines().find(|l| l.contains("search index updated")).unwrap_or_else(|| panic!("{log}"));
    assert!(update.contains("an-toan-thong-tin-co-ban"), "{update}");
    let number = |key: &str| -> usize {
        let after = update.split(&format!(" {key}=")).nth(1).unwrap_or_else(|| panic!("{key}: {update}"));
        after.split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap()
    };
    let (added, removed, documents) = (number("added"), number("removed"), number("documents"));
    assert!(added > 0 && added.abs_diff(removed) <= 1 && added * 2 < documents, "{update}");

    // A new course folder is searchable; removed, it is gone.
    let new_course = dir.path().join("courses/khoa-moi");
    std::fs::create_dir_all(&new_course).unwrap();
    std::fs::write(new_course.join("course.toml"), "title = \"Khoá mới tinh\"\n").unwrap();
    std::fs::write(new_course.join("01-mo-dau.md"), "# Mở đầu\n\nTê giác một sừng.\n").unwrap();
    server.wait_for("the new course in search", |_| api("te+giac").1.contains("\"course\":\"khoa-moi\""));
    std::fs::remove_dir_all(&new_course).unwrap();
    server.wait_for("the removed course out of search", |_| !api("te+giac").1.contains("khoa-moi"));
    assert_eq!(server.log().matches("search index built").count(), 1, "added and removed course by course");
}
