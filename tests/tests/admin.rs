//! End-to-end: the real `daotao-admin` binary on a real SQLite file, as an
//! admin would use it from a terminal or a script.

use daotao_tests::admin_cli::Admin;
use std::process::{Command, Stdio};

use daotao_tests::{Server, binary};

/// A one-time password as printed: three groups of four letters or digits.
fn is_one_time_password(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 3 && groups.iter().all(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The `username<TAB>password` lines of stdout.
fn passwords(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .map(|l| {
            let (user, password) =
                l.split_once('\t').unwrap_or_else(|| panic!("not username<TAB>password: {l:?}"));
            assert!(is_one_time_password(password), "{l:?}");
            (user.to_string(), password.to_string())
        })
        .collect()
}

const UNITS: &str = "\
code,name,parent_code
SO-NV.TCBM,Phòng Tổ chức bộ máy,SO-NV
TINH,Tỉnh Mẫu,
SO-NV,Sở Nội vụ,TINH
X-TANLAP,UBND xã Tân Lập,TINH
";

const USERS: &str = "\
username,full_name,email,unit_code,position,role
lan.nguyen,Nguyễn Thị Lan,lan.nguyen@tinhmau.gov.vn,SO-NV,Chuyên viên,learner
hung.tran,Trần Văn Hùng,,SO-NV.TCBM,Trưởng phòng,
son.do,Đỗ Văn Sơn,,X-TANLAP,Chủ tịch UBND xã,
ha.pham,Phạm Thu Hà,,TINH,Giảng viên,trainer
";

#[test]
fn demo_seeds_an_empty_database_once_and_status_shows_it() {
    let admin = Admin::new();
    let demo = admin.run(&["demo"]).ok();
    // The table: every account with its one-time password.
    for username in ["admin", "giangvien", "lan.nguyen", "hung.tran", "yen.ngo"] {
        let row = demo
            .stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(username))
            .unwrap_or_else(|| panic!("no row for {username}:\n{}", demo.stdout));
        assert!(is_one_time_password(row.split_whitespace().nth(1).unwrap()), "{row}");
    }
    assert!(demo.stdout.contains("/login"), "{}", demo.stdout);

    let status = admin.status();
    let bundled = std::fs::read_dir(daotao_tests::bundled_courses())
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().path().join("course.toml").is_file())
        .count();
    assert!(
        status.contains(&format!("active courses: {bundled}")),
        "the demo synced the bundled library itself:\n{status}"
    );
    assert!(status.contains("units: 8"), "{status}");
    assert!(
        status
            .contains("accounts: 12 (10 học viên / learners, 1 giảng viên / trainers, 1 quản trị / admins)"),
        "{status}"
    );
    assert!(status.contains("(1 đã quá hạn / past their due date)"), "one enrollment is overdue:\n{status}");
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM units WHERE code = 'TINH' AND parent_id IS NULL"), 1);
    assert_eq!(
        admin.scalar("SELECT COUNT(*) FROM units WHERE name IN ('UBND phường Bình Minh', 'UBND xã Tân Lập')"),
        2
    );
    assert_eq!(
        admin.scalar("SELECT COUNT(*) FROM units WHERE parent_id IS NOT NULL AND name LIKE '%huyện%'"),
        0,
        "no district level"
    );
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM users WHERE must_change_password"), 12);
    let enrolled = admin.scalar("SELECT COUNT(*) FROM enrollments WHERE due_date IS NOT NULL");
    assert!(enrolled >= 10 * 4, "learners are enrolled in the bundled courses: {enrolled}");

    // A second run refuses, and changes nothing.
    let again = admin.run(&["demo"]).failed();
    assert!(again.stderr.contains("not empty"), "{again:#?}");
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM users"), 12);
    // No subcommand at all is `status`.
    assert_eq!(admin.run(&[]).ok().stdout, status);
}

#[test]
fn imports_are_all_or_nothing_and_name_the_bad_line_and_column() {
    let admin = Admin::new();
    let units = admin.file("don-vi.csv", UNITS);
    let dry = admin.run(&["units", "import", units.to_str().unwrap(), "--dry-run"]).ok();
    assert_eq!(dry.stdout.lines().next(), Some("TINH\tTỉnh Mẫu\t"), "parents first:\n{}", dry.stdout);
    assert!(admin.status().contains("units: 0"));
    admin.run(&["units", "import", units.to_str().unwrap()]).ok();
    assert!(admin.status().contains("units: 4"));

    // One bad role on line 3: every problem is listed, nothing is created.
    let bad = admin.file(
        "sai.csv",
        "username,full_name,email,unit_code,position,role\n\
         lan.nguyen,Nguyễn Thị Lan,,SO-NV,,learner\n\
         hung.tran,Trần Văn Hùng,,SO-NV,,truong-phong\n\
         son.do,Đỗ Văn Sơn,,KHONG-CO,,\n",
    );
    let refused = admin.run(&["users", "import", bad.to_str().unwrap()]).failed();
    assert!(refused.stderr.contains("line 3, column role: "), "{refused:#?}");
    assert!(refused.stderr.contains("line 4, column unit_code: "), "{refused:#?}");
    assert!(refused.stderr.contains("nothing was changed"), "{refused:#?}");
    assert!(refused.stdout.is_empty(), "no password for an account that was not created");
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM users"), 0);

    // The good file, with a byte-order mark as spreadsheets save it: one password per account on stdout.
    let good = admin.file("tai-khoan.csv", &format!("\u{FEFF}{USERS}"));
    let dry = admin.run(&["users", "import", good.to_str().unwrap(), "--dry-run"]).ok();
    assert_eq!(dry.stdout.lines().count(), 4, "{dry:#?}");
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM users"), 0, "a dry run changes nothing");
    let done = admin.run(&["users", "import", good.to_str().unwrap()]).ok();
    let created = passwords(&done.stdout);
    let names: Vec<&str> = created.iter().map(|(u, _)| u.as_str()).collect();
    assert_eq!(names, ["lan.nguyen", "hung.tran", "son.do", "ha.pham"]);
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM users WHERE must_change_password"), 4);
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM users WHERE role = 'trainer'"), 1);

    // Importing it again is refused: existing accounts are never updated.
    let again = admin.run(&["users", "import", good.to_str().unwrap()]).failed();
    assert!(again.stderr.contains("line 2, column username: "), "{again:#?}");
    assert!(again.stderr.contains("account `lan.nguyen` already exists"), "{again:#?}");

    let missing = admin.run(&["units", "import", "khong-co.csv"]).failed();
    assert!(missing.stderr.contains("khong-co.csv"), "{missing:#?}");
}

#[test]
fn users_add_and_set_password_print_one_time_passwords_or_read_stdin() {
    let admin = Admin::new();
    let units = admin.file("don-vi.csv", UNITS);
    admin.run(&["units", "import", units.to_str().unwrap()]).ok();

    let add = admin
        .run(&[
            "users",
            "add",
            "lan.nguyen",
            "--name",
            "Nguyễn Thị Lan",
            "--unit",
            "SO-NV",
            "--position",
            "Chuyên viên",
        ])
        .ok();
    let (user, first) = passwords(&add.stdout).pop().unwrap();
    assert_eq!(user, "lan.nguyen");
    assert!(add.stderr.contains("must be changed at first login"), "{add:#?}");
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM users WHERE username = 'lan.nguyen' AND must_change_password AND role = 'learner'"), 1);

    // A password from a script, on stdin: nothing printed, nothing to change.
    let add = admin.run_with_stdin(
        &[
            "users",
            "add",
            "quan.tri",
            "--name",
            "Quản trị",
            "--unit",
            "TINH",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some("mật khẩu đủ dài\n"),
    );
    let add = add.ok();
    assert!(add.stdout.is_empty(), "{add:#?}");
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM users WHERE username = 'quan.tri' AND NOT must_change_password AND role = 'admin'"), 1);

    // Clear one-line errors and a non-zero exit.
    let weak = admin.run_with_stdin(
        &["users", "add", "yeu", "--name", "Yếu", "--unit", "TINH", "--password-stdin"],
        Some("ngan\n"),
    );
    assert!(weak.failed().stderr.contains("at least 8 characters"));
    let taken = admin.run(&["users", "add", "LAN.NGUYEN", "--name", "Trùng", "--unit", "TINH"]).failed();
    assert!(taken.stderr.contains("account `lan.nguyen` already exists"), "{taken:#?}");
    let unit = admin.run(&["users", "add", "minh.le", "--name", "Lê Minh", "--unit", "SO-LA"]).failed();
    assert!(unit.stderr.contains("no unit with code `SO-LA`"), "{unit:#?}");
    let role = admin
        .run(&["users", "add", "minh.le", "--name", "Lê Minh", "--unit", "TINH", "--role", "boss"])
        .failed();
    assert!(role.stderr.contains("`boss` is not a role"), "{role:#?}");
    let name = admin.run(&["users", "add", "minh nguyễn", "--name", "Minh", "--unit", "TINH"]).failed();
    assert!(name.stderr.contains("(`minh.nguyen`?)"), "{name:#?}");
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM users"), 2);

    // Resetting: a new one-time password, or the one given on stdin.
    let hash_before = admin.scalar("SELECT LENGTH(password_hash) FROM users WHERE username = 'quan.tri'");
    let reset = admin.run(&["users", "set-password", "quan.tri"]).ok();
    let (user, second) = passwords(&reset.stdout).pop().unwrap();
    assert_eq!(user, "quan.tri");
    assert_ne!(second, first);
    assert!(hash_before > 0);
    assert_eq!(
        admin.scalar("SELECT COUNT(*) FROM users WHERE username = 'quan.tri' AND must_change_password"),
        1
    );
    let given = admin.run_with_stdin(
        &["users", "set-password", "lan.nguyen", "--password-stdin"],
        Some("mật khẩu mới của Lan\r\n"),
    );
    assert!(given.ok().stdout.is_empty());
    assert_eq!(
        admin.scalar("SELECT COUNT(*) FROM users WHERE username = 'lan.nguyen' AND NOT must_change_password"),
        1
    );
    let unknown = admin.run(&["users", "set-password", "khong.co"]).failed();
    assert!(unknown.stderr.contains("no account `khong.co`"), "{unknown:#?}");
    let empty = admin.run_with_stdin(&["users", "set-password", "lan.nguyen", "--password-stdin"], Some(""));
    assert!(empty.failed().stderr.contains("no password on standard input"));

    // Every action is in the audit log, never a password.
    assert!(
        admin.scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'user.%' AND actor LIKE 'daotao-admin%'"
        ) >= 4
    );
    assert_eq!(admin.scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%{second}%'")), 0);
}

#[test]
fn enroll_a_person_or_a_unit_with_its_sub_units_and_count_only_the_new() {
    let admin = Admin::new();
    admin.run(&["units", "import", admin.file("don-vi.csv", UNITS).to_str().unwrap()]).ok();
    admin.run(&["users", "import", admin.file("tai-khoan.csv", USERS).to_str().unwrap()]).ok();
    // The running server syncs the catalog; the admin tool works beside it on the same file.
    let server = Server::start(admin.dir.path(), &[("DAOTAO_DATABASE_URL", &admin.url)]);
    const COURSE: &str = "an-toan-thong-tin-co-ban";

    let one = admin.run(&["enroll", "--course", COURSE, "--user", "hung.tran", "--due", "2027-03-31"]).ok();
    assert!(one.stdout.starts_with("Ghi danh mới / newly enrolled: 1 "), "{one:#?}");
    // The unit SO-NV with its sub-unit SO-NV.TCBM: lan.nguyen is new, hung.tran already enrolled.
    let unit = admin.run(&["enroll", "--course", COURSE, "--unit", "SO-NV"]).ok();
    assert!(unit.stdout.starts_with("Ghi danh mới / newly enrolled: 1 "), "{unit:#?}");
    assert!(unit.stdout.contains("of 2 people in SO-NV and its sub-units"), "{unit:#?}");
    let again = admin.run(&["enroll", "--course", COURSE, "--unit", "SO-NV", "--due", "2027-06-30"]).ok();
    assert!(again.stdout.starts_with("Ghi danh mới / newly enrolled: 0 "), "{again:#?}");
    let province = admin.run(&["enroll", "--course", COURSE, "--unit", "TINH", "--due", "2027-06-30"]).ok();
    assert!(province.stdout.starts_with("Ghi danh mới / newly enrolled: 2 "), "{province:#?}");
    assert!(province.stdout.contains("of 4 people in TINH"), "{province:#?}");
    assert_eq!(admin.scalar(&format!("SELECT COUNT(*) FROM enrollments WHERE course_id = '{COURSE}'")), 4);
    assert_eq!(
        admin.scalar("SELECT COUNT(*) FROM enrollments e JOIN users u ON u.id = e.user_id WHERE u.username = 'hung.tran' AND e.due_date = '2027-03-31'"),
        1,
        "re-enrolling keeps the first due date"
    );
    let person = admin.run(&["enroll", "--course", COURSE, "--user", "lan.nguyen"]).ok();
    assert!(
        person.stdout.contains("newly enrolled: 0 ") && person.stdout.contains("already enrolled"),
        "{person:#?}"
    );

    let date =
        admin.run(&["enroll", "--course", COURSE, "--user", "lan.nguyen", "--due", "31/12/2026"]).failed();
    assert!(date.stderr.contains("`31/12/2026` is not a date: use YYYY-MM-DD"), "{date:#?}");
    let course = admin.run(&["enroll", "--course", "khong-co", "--user", "lan.nguyen"]).failed();
    assert!(course.stderr.contains("no active course `khong-co`"), "{course:#?}");
    let who = admin.run(&["enroll", "--course", COURSE, "--user", "khong.co"]).failed();
    assert!(who.stderr.contains("no account `khong.co`"), "{who:#?}");
    let nowhere = admin.run(&["enroll", "--course", COURSE, "--unit", "KHONG-CO"]).failed();
    assert!(nowhere.stderr.contains("no unit with code `KHONG-CO`"), "{nowhere:#?}");
    admin.run(&["enroll", "--course", COURSE]).failed();
    admin.run(&["enroll", "--course", COURSE, "--user", "lan.nguyen", "--unit", "TINH"]).failed();
    assert!(admin.status().contains("enrollments: 4 (0 đã quá hạn"));
    drop(server);
}

#[test]
fn reports_export_csv_for_excel_and_xlsx_and_refuse_bad_options() {
    let admin = Admin::new();
    admin.run(&["demo"]).ok();
    let out = admin.dir.path().join("nang-luc.csv");
    let run = admin
        .run(&["report", "competency", "--format", "csv", "--by", "unit", "--output", out.to_str().unwrap()])
        .ok();
    assert!(run.stderr.contains("Đã ghi"), "{run:#?}");
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM for Excel");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.starts_with("Mã đơn vị,Đơn vị,Đơn vị cấp trên,Số người,Tỉ lệ có CQS.1"), "{header}");
    assert!(text.contains("TINH,Tỉnh Mẫu,,"), "the province's row: {text}");

    let out = admin.dir.path().join("tien-do.xlsx");
    admin
        .run(&[
            "report",
            "progress",
            "--unit",
            "SO-KHCN",
            "--format",
            "xlsx",
            "--output",
            out.to_str().unwrap(),
        ])
        .ok();
    assert!(std::fs::read(&out).unwrap().starts_with(b"PK"), "an xlsx is a zip file");

    admin.run(&["report", "competency", "--format", "pdf", "--output", "x.pdf"]).failed();
    let run = admin
        .run(&["report", "competency", "--unit", "KHONG-CO", "--format", "csv", "--output", "x.csv"])
        .failed();
    assert!(run.stderr.contains("KHONG-CO"), "{run:#?}");
    admin
        .run(&["report", "progress", "--course", "khong-co", "--format", "csv", "--output", "x.csv"])
        .failed();
}

#[test]
fn report_options_are_checked_before_anything_is_read() {
    // A fresh folder: no database file yet. A bad --format or --by is refused by the argument parser
    // (usage error, exit code 2, the accepted values listed) before the database is opened or created.
    let admin = Admin::new();
    let refused: [(&[&str], &str); 2] = [
        (&["report", "competency", "--format", "pdf", "--output", "x.pdf"], "[possible values: csv, xlsx]"),
        (
            &["report", "progress", "--format", "csv", "--by", "khoa-hoc", "--output", "x.csv"],
            "[possible values: learner, unit]",
        ),
    ];
    for (args, expected) in refused {
        let run = admin.run(args).failed();
        assert_eq!(run.code, 2, "{run:#?}");
        assert!(run.stderr.contains(expected), "{run:#?}");
    }
    assert!(!admin.dir.path().join("data/daotao.sqlite").exists(), "nothing was opened");
    assert!(!admin.dir.path().join("x.pdf").exists() && !admin.dir.path().join("x.csv").exists());
}

const COURSE: &str = "an-toan-thong-tin-co-ban";

#[test]
fn enroll_from_a_csv_list_all_or_nothing_with_a_dry_run() {
    let admin = Admin::new();
    admin.run(&["demo"]).ok();
    const CNTT: &str = "an-toan-thong-tin-cntt";
    let before = admin.scalar(&format!("SELECT COUNT(*) FROM enrollments WHERE course_id = '{CNTT}'"));
    // minh.le is enrolled already by the demo; the others are not.
    let good = admin.file("ds.csv", "username\nLan.Nguyen\nminh.le\n\nhung.tran\n");
    let dry = admin.run(&["enroll", "--course", CNTT, "--file", good.to_str().unwrap(), "--dry-run"]).ok();
    assert!(dry.stderr.contains("would newly enrol 2 of 3 people"), "{dry:#?}");
    assert_eq!(admin.scalar(&format!("SELECT COUNT(*) FROM enrollments WHERE course_id = '{CNTT}'")), before);

    admin.exec("UPDATE users SET active = FALSE WHERE username = 'son.do'");
    let bad = admin.file("sai.csv", "username\nlan.nguyen\nkhong.co\nlan.nguyen\nson.do\n");
    let refused = admin.run(&["enroll", "--course", CNTT, "--file", bad.to_str().unwrap()]).failed();
    for expected in [
        "line 3, column username: không có tài khoản `khong.co` / no account `khong.co`",
        "line 4, column username: `lan.nguyen` đã có ở dòng 2 / `lan.nguyen` is already on line 2",
        "line 5, column username: tài khoản `son.do` đã ngừng hoạt động / account `son.do` is deactivated",
        "3 problems in",
    ] {
        assert!(refused.stderr.contains(expected), "{expected}\n{refused:#?}");
    }
    let header = admin.file("cot.csv", "user\nlan.nguyen\n");
    let wrong = admin.run(&["enroll", "--course", CNTT, "--file", header.to_str().unwrap()]).failed();
    assert!(wrong.stderr.contains("line 1, column user: "), "{wrong:#?}");
    assert_eq!(admin.scalar(&format!("SELECT COUNT(*) FROM enrollments WHERE course_id = '{CNTT}'")), before);

    let done = admin
        .run(&["enroll", "--course", CNTT, "--file", good.to_str().unwrap(), "--due", "2027-01-31"])
        .ok();
    assert!(done.stdout.starts_with("Ghi danh mới / newly enrolled: 2 "), "{done:#?}");
    let again = admin.run(&["enroll", "--course", CNTT, "--file", good.to_str().unwrap()]).ok();
    assert!(again.stdout.starts_with("Ghi danh mới / newly enrolled: 0 "), "{again:#?}");
    assert_eq!(
        admin.scalar(&format!("SELECT COUNT(*) FROM enrollments WHERE course_id = '{CNTT}'")),
        before + 2
    );
    assert_eq!(
        admin.scalar(&format!(
            "SELECT COUNT(*) FROM enrollments WHERE course_id = '{CNTT}' AND due_date = '2027-01-31'"
        )),
        2
    );
    let unknown = admin.run(&["enroll", "--course", "khong-co", "--file", good.to_str().unwrap()]).failed();
    assert!(unknown.stderr.contains("no active course `khong-co`"), "{unknown:#?}");
}

#[test]
fn due_dates_change_and_people_withdraw_by_person_or_unit_tree() {
    let admin = Admin::new();
    admin.run(&["demo"]).ok();
    let due = |who: &str| {
        admin.scalar(&format!(
            "SELECT COUNT(*) FROM enrollments e JOIN users u ON u.id = e.user_id \
             WHERE e.course_id = '{COURSE}' AND u.username = '{who}' AND e.due_date = '2027-02-28'"
        ))
    };
    // SO-KHCN with its sub-unit SO-KHCN.CDS: thao.pham, minh.le, duc.hoang (and the trainer and admin, not enrolled).
    let unit =
        admin.run(&["enroll", "--course", COURSE, "--unit", "SO-KHCN", "--set-due", "2027-02-28"]).ok();
    assert!(unit.stdout.contains("due date changed: 3 "), "{unit:#?}");
    assert_eq!((due("thao.pham"), due("minh.le"), due("lan.nguyen")), (1, 1, 0));
    let none = admin.run(&["enroll", "--course", COURSE, "--user", "minh.le", "--set-due", "none"]).ok();
    assert!(none.stdout.contains("due date changed: 1 "), "{none:#?}");
    assert_eq!(due("minh.le"), 0);
    assert_eq!(
        admin.scalar(&format!(
            "SELECT COUNT(*) FROM enrollments e JOIN users u ON u.id = e.user_id WHERE e.course_id = '{COURSE}' AND u.username = 'minh.le' AND e.due_date IS NULL"
        )),
        1
    );

    let enrolled = || admin.scalar(&format!("SELECT COUNT(*) FROM enrollments WHERE course_id = '{COURSE}'"));
    let before = enrolled();
    let one = admin.run(&["enroll", "--course", COURSE, "--user", "lan.nguyen", "--withdraw"]).ok();
    assert!(one.stdout.contains("withdrawn: 1 lan.nguyen"), "{one:#?}");
    let again = admin.run(&["enroll", "--course", COURSE, "--user", "lan.nguyen", "--withdraw"]).ok();
    assert!(again.stdout.contains("withdrawn: 0 "), "{again:#?}");
    let tree = admin.run(&["enroll", "--course", COURSE, "--unit", "SO-KHCN", "--withdraw"]).ok();
    assert!(tree.stdout.contains("withdrawn: 3 "), "{tree:#?}");
    assert_eq!(enrolled(), before - 4);
    admin
        .run(&["enroll", "--course", COURSE, "--user", "lan.nguyen", "--withdraw", "--due", "2027-01-01"])
        .failed();
    admin.run(&["enroll", "--course", COURSE, "--unit", "SO-KHCN", "--dry-run"]).failed();
    assert!(
        admin.scalar("SELECT COUNT(*) FROM audit_log WHERE action IN ('enroll.withdraw', 'enroll.due')") >= 4
    );
}

#[test]
fn deactivate_ends_sessions_activate_and_unlock() {
    let admin = Admin::new();
    admin.run(&["demo"]).ok();
    let lan = admin.scalar("SELECT id FROM users WHERE username = 'lan.nguyen'");
    admin.exec(&format!(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip) \
         VALUES ('{}', {lan}, 'x', '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00', '2099-01-01 00:00:00+00:00', '127.0.0.1')",
        "a".repeat(64)
    ));
    let off = admin.run(&["users", "deactivate", "Lan.Nguyen"]).ok();
    assert!(off.stderr.contains("deactivated account lan.nguyen, 1 sessions ended"), "{off:#?}");
    assert_eq!(admin.scalar(&format!("SELECT COUNT(*) FROM sessions WHERE user_id = {lan}")), 0);
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM users WHERE username = 'lan.nguyen' AND NOT active"), 1);
    admin.run(&["users", "activate", "lan.nguyen"]).ok();
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM users WHERE username = 'lan.nguyen' AND active"), 1);

    admin.exec("UPDATE users SET failed_logins = 5, locked_until = '2099-01-01 00:00:00+00:00' WHERE username = 'lan.nguyen'");
    let unlocked = admin.run(&["users", "unlock", "lan.nguyen"]).ok();
    assert!(unlocked.stderr.contains("unlocked account lan.nguyen"), "{unlocked:#?}");
    assert_eq!(
        admin.scalar("SELECT COUNT(*) FROM users WHERE username = 'lan.nguyen' AND locked_until IS NULL AND failed_logins = 0"),
        1
    );
    let unknown = admin.run(&["users", "deactivate", "khong.co"]).failed();
    assert!(unknown.stderr.contains("no account `khong.co`"), "{unknown:#?}");
    assert_eq!(
        admin.scalar("SELECT COUNT(*) FROM audit_log WHERE action IN ('user.deactivate', 'user.activate', 'user.unlock')"),
        3
    );
    // Every account has its folded filter key, from the demo's import path.
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM users WHERE search_key = 'nguyen thi lan lan.nguyen'"), 1);
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM users WHERE search_key = ''"), 0);
}

#[test]
fn trainers_are_assigned_to_courses_once_listed_and_removed() {
    let admin = Admin::new();
    admin.run(&["demo"]).ok();
    admin
        .run_with_stdin(
            &[
                "users",
                "add",
                "gv.moi",
                "--name",
                "Lý Giảng Viên",
                "--unit",
                "SO-KHCN",
                "--role",
                "trainer",
                "--password-stdin",
            ],
            Some("mat-khau-du-dai-1\n"),
        )
        .ok();
    let course = "an-toan-thong-tin-co-ban";
    let assigned = |who: &str| {
        admin.scalar(&format!(
            "SELECT COUNT(*) FROM course_trainers t JOIN users u ON u.id = t.user_id \
             WHERE u.username = '{who}' AND t.course_id = '{course}'"
        ))
    };
    assert_eq!(assigned("gv.moi"), 0);
    let added = admin.run(&["trainers", "add", "--course", course, "--user", "GV.Moi"]).ok();
    assert!(added.stderr.contains("trainer gv.moi, course an-toan-thong-tin-co-ban: assigned"), "{added:#?}");
    assert_eq!(assigned("gv.moi"), 1);
    let again = admin.run(&["trainers", "add", "--course", course, "--user", "gv.moi"]).ok();
    assert!(again.stderr.contains("already assigned, nothing changed"), "{again:#?}");
    assert_eq!(assigned("gv.moi"), 1);

    let listed = admin.run(&["trainers", "list", "--course", course]).ok();
    assert_eq!(
        listed.stdout,
        format!("{course}\tgiangvien\tPhạm Thu Hà\n{course}\tgv.moi\tLý Giảng Viên\n"),
        "the demo's trainer and the new one, by username"
    );

    let learner = admin.run(&["trainers", "add", "--course", course, "--user", "lan.nguyen"]).failed();
    assert!(learner.stderr.contains("`lan.nguyen` is a learner, not a trainer"), "{learner:#?}");
    let unknown = admin.run(&["trainers", "add", "--course", "khong-co", "--user", "gv.moi"]).failed();
    assert!(unknown.stderr.contains("no active course `khong-co`"), "{unknown:#?}");
    let nobody = admin.run(&["trainers", "add", "--course", course, "--user", "khong.co"]).failed();
    assert!(nobody.stderr.contains("no account `khong.co`"), "{nobody:#?}");
    assert_eq!(assigned("lan.nguyen"), 0);

    let removed = admin.run(&["trainers", "remove", "--course", course, "--user", "gv.moi"]).ok();
    assert!(removed.stderr.contains("unassigned"), "{removed:#?}");
    assert_eq!(assigned("gv.moi"), 0);
    let twice = admin.run(&["trainers", "remove", "--course", course, "--user", "gv.moi"]).ok();
    assert!(twice.stderr.contains("was not assigned, nothing changed"), "{twice:#?}");
    assert_eq!(
        admin.scalar("SELECT COUNT(*) FROM audit_log WHERE action IN ('trainer.assign', 'trainer.unassign')"),
        2,
        "only changes are audited"
    );
}

#[test]
fn report_targets_must_name_a_competency_and_level_of_the_framework() {
    let admin = Admin::new();
    admin.run(&["demo"]).ok();
    let out = admin.dir.path().join("muc-tieu.csv");
    let args = ["report", "competency", "--format", "csv", "--by", "unit", "--output", out.to_str().unwrap()];
    let good = admin.file("dung.toml", "[[targets]]\ncompetency = \"ATTT.1\"\nlevel = 1\npercent = 100\n");
    admin.run_with_config(&args, &good).ok();
    let header = std::fs::read_to_string(&out).unwrap();
    assert!(header.contains("Còn thiếu ATTT.1 mức 1"), "the target and its gap: {header}");
    std::fs::remove_file(&out).unwrap();

    let bad = admin.file(
        "sai.toml",
        "[[targets]]\ncompetency = \"ATTT.1\"\nlevel = 9\npercent = 100\n\n[[targets]]\ncompetency = \"KHONG.1\"\npercent = 50\n",
    );
    let refused = admin.run_with_config(&args, &bad).failed();
    assert!(refused.stderr.contains("target 1: ATTT.1 has levels 1 to"), "{refused:#?}");
    assert!(refused.stderr.contains("target 2: no competency `KHONG.1` in the framework"), "{refused:#?}");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn a_command_whose_reader_goes_away_ends_quietly() {
    // `daotao-admin status | head -n 1`, at its worst: the reader is gone before the first line.
    // `status` after `demo`, then `demo` itself (its table of logins) on a database of its own.
    let seeded = Admin::new();
    seeded.run(&["demo"]).ok();
    for (admin, args) in [(&seeded, "status"), (&Admin::new(), "demo")] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(binary("daotao-admin"))
            .arg(args)
            .current_dir(admin.dir.path())
            .env_remove("DAOTAO_CONFIG")
            .env("DAOTAO_DATABASE_URL", &admin.url)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args}: {:?}\n{stderr}", out.status);
        assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{args}: {stderr}");
    }
}

const PROGRAMMES: &str = r#"
[[programme]]
id = "attt-cntt"
title = "An toàn thông tin cho cán bộ công nghệ thông tin"
courses = ["an-toan-thong-tin-cntt"]
positions = ["cong nghe thong tin", "An toàn thông tin"]
units = ["SO-KHCN"]
due_days = 60
valid_months = 12
renew_days = 30

[[programme]]
id = "dvc-mot-cua"
title = "Dịch vụ công trực tuyến cho bộ phận một cửa"
courses = ["dich-vu-cong-truc-tuyen"]
units = ["TT-PVHCC", "X-TANLAP"]
due_days = 60
valid_months = 0
"#;

#[test]
fn programmes_assign_enrol_withdraw_and_complete_played_forward_by_date() {
    let admin = Admin::new();
    admin.run(&["demo"]).ok();
    admin.file("courses/programmes.toml", PROGRAMMES);
    let assigned = "assigned\tduc.hoang\tattt-cntt\tdue 2027-03-06\n\
                    assigned\tminh.le\tattt-cntt\tdue 2027-03-06\n\
                    assigned\thoa.vu\tdvc-mot-cua\tdue 2027-03-06\n\
                    assigned\tnam.dang\tdvc-mot-cua\tdue 2027-03-06\n\
                    assigned\tson.do\tdvc-mot-cua\tdue 2027-03-06\n\
                    assigned\tyen.ngo\tdvc-mot-cua\tdue 2027-03-06\n";

    let dry = admin.run(&["programmes", "assign", "--dry-run", "--as-of", "2027-01-05"]).ok();
    assert!(dry.stdout.starts_with(assigned), "{dry:#?}");
    assert!(dry.stdout.contains("dry run, nothing changed: 6 assigned, 0 withdrawn"), "{dry:#?}");
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM programme_assignments"), 0);

    let run = admin.run(&["programmes", "assign", "--as-of", "2027-01-05"]).ok();
    assert!(run.stdout.starts_with(assigned), "{run:#?}");
    assert!(run.stdout.contains("2 programmes applied: 6 assigned, 0 withdrawn, 0 completed"), "{run:#?}");
    // son.do is newly enrolled with the programme's due date; the demo's earlier due date of the others stays.
    let due = |who: &str, course: &str| {
        admin.scalar(&format!(
            "SELECT COUNT(*) FROM enrollments e JOIN users u ON u.id = e.user_id \
             WHERE u.username = '{who}' AND e.course_id = '{course}' AND e.due_date = '2027-03-06'"
        ))
    };
    assert_eq!((due("son.do", "dich-vu-cong-truc-tuyen"), due("minh.le", "an-toan-thong-tin-cntt")), (1, 0));
    let again = admin.run(&["programmes", "assign", "--as-of", "2027-01-05"]).ok();
    assert!(
        again.stdout.starts_with("Đã áp dụng 2 chương trình / 2 programmes applied: 0 assigned"),
        "{again:#?}"
    );

    // Played forward: hoa.vu completes the course, minh.le leaves.
    admin.exec(
        "UPDATE enrollments SET completed_at = '2027-01-08T03:00:00+00:00' WHERE course_id = 'dich-vu-cong-truc-tuyen' \
         AND user_id = (SELECT id FROM users WHERE username = 'hoa.vu')",
    );
    admin.run(&["users", "deactivate", "minh.le"]).ok();
    let later = admin.run(&["programmes", "assign", "--as-of", "2027-01-10"]).ok();
    assert_eq!(
        later.stdout.lines().take(2).collect::<Vec<_>>(),
        ["withdrawn\tminh.le\tattt-cntt\ton 2027-01-10", "completed\thoa.vu\tdvc-mot-cua\ton 2027-01-08"],
        "{later:#?}"
    );
    assert_eq!(
        admin.scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('programme.assign', 'programme.withdraw', 'programme.complete')"
        ),
        8
    );
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'programmes.assign'"), 3);

    // A bad file: a clear error, exit 1, nothing changed.
    admin
        .file("courses/programmes.toml", "[[programme]]\nid = \"x\"\ncourses = [\"a\"]\ndue_days = \"60\"\n");
    let bad = admin.run(&["programmes", "assign", "--as-of", "2027-01-11"]).failed();
    assert_eq!(bad.code, 1, "{bad:#?}");
    assert!(
        bad.stderr.contains("the programmes file is not valid") && bad.stderr.contains("programmes.toml:4:"),
        "{bad:#?}"
    );
    admin.file(
        "courses/programmes.toml",
        PROGRAMMES.replace("valid_months = 0", "valid_months = 0\nroles = [\"boss\"]").as_str(),
    );
    let role = admin.run(&["programmes", "assign"]).failed();
    assert!(role.stderr.contains("boss"), "{role:#?}");
    std::fs::remove_file(admin.dir.path().join("courses/programmes.toml")).unwrap();
    let missing = admin.run(&["programmes", "assign"]).failed();
    assert!(
        missing.stderr.contains("cannot read") && missing.stderr.contains("programmes.toml"),
        "{missing:#?}"
    );
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM programme_assignments"), 6);
}

#[test]
fn report_compliance_per_person_and_per_unit_as_csv_and_xlsx_on_a_day() {
    use calamine::{Data, Reader, open_workbook_auto};

    let admin = Admin::new();
    admin.run(&["demo"]).ok();
    admin.file("courses/programmes.toml", PROGRAMMES);
    admin.run(&["programmes", "assign", "--as-of", "2027-01-05"]).ok();
    // duc.hoang's IT course was completed ten months before (valid twelve): it holds until 2027-03-20.
    // hoa.vu completes the one-stop-shop course (valid for good).
    let completed = |who: &str, course: &str, at: &str| {
        admin.exec(&format!(
            "UPDATE enrollments SET completed_at = '{at}' WHERE course_id = '{course}' \
             AND user_id = (SELECT id FROM users WHERE username = '{who}')"
        ))
    };
    completed("duc.hoang", "an-toan-thong-tin-cntt", "2026-03-20T03:00:00+00:00");
    completed("hoa.vu", "dich-vu-cong-truc-tuyen", "2027-01-08T03:00:00+00:00");
    admin.run(&["programmes", "assign", "--as-of", "2027-01-10"]).ok();

    // The day after the due date (2027-03-06): one holds, one expires within 30 days, the rest are overdue.
    let csv = |args: &[&str], name: &str| {
        let out = admin.dir.path().join(name);
        let mut all = vec!["report", "compliance", "--as-of", "2027-03-07", "--format", "csv"];
        all.extend(args);
        all.extend(["--output", out.to_str().unwrap()]);
        let run = admin.run(&all).ok();
        assert!(run.stderr.contains("Đã ghi"), "{run:#?}");
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM for Excel");
        String::from_utf8(bytes[3..].to_vec()).unwrap()
    };
    let people = csv(&[], "tuan-thu.csv");
    let lines: Vec<&str> = people.lines().collect();
    assert_eq!(
        lines[0],
        "Mã đơn vị,Đơn vị,Tài khoản,Họ và tên,Chức vụ,Mã chương trình,Chương trình,Tình trạng,Chu kỳ,\
         Hạn hoàn thành,Ngày hoàn thành,Hiệu lực đến"
    );
    assert_eq!(lines.len(), 7, "one row per person and programme: {people}");
    let status: Vec<String> = lines[1..]
        .iter()
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            format!("{} {} {}", cells[2], cells[5], cells[7])
        })
        .collect();
    assert_eq!(
        status,
        [
            "duc.hoang attt-cntt Sắp hết hạn",
            "hoa.vu dvc-mot-cua Còn hiệu lực",
            "minh.le attt-cntt Quá hạn",
            "nam.dang dvc-mot-cua Quá hạn",
            "son.do dvc-mot-cua Quá hạn",
            "yen.ngo dvc-mot-cua Quá hạn",
        ]
    );
    assert!(
        people.contains(
            "SO-KHCN.CDS,Trung tâm Chuyển đổi số,duc.hoang,Hoàng Anh Đức,Kỹ sư an toàn thông tin,attt-cntt,\
             An toàn thông tin cho cán bộ công nghệ thông tin,Sắp hết hạn,1,2027-03-06,2026-03-20,2027-03-20\r\n"
        ),
        "{people}"
    );

    // Per unit, rolled up the tree: the province counts everyone of its sub-units.
    let units = csv(&["--by", "unit"], "tuan-thu-don-vi.csv");
    assert!(units.starts_with(
        "Mã đơn vị,Đơn vị,Mã chương trình,Chương trình,Số người,Còn hiệu lực,Sắp hết hạn,Đã hết hạn,Quá hạn,\
         Chưa đến hạn,Tỉ lệ còn hiệu lực\r\n"
    ));
    for row in [
        "TINH,Tỉnh Mẫu,attt-cntt,An toàn thông tin cho cán bộ công nghệ thông tin,2,0,1,0,1,0,50%",
        "TINH,Tỉnh Mẫu,dvc-mot-cua,Dịch vụ công trực tuyến cho bộ phận một cửa,4,1,0,0,3,0,25%",
        "SO-KHCN,  Sở Khoa học và Công nghệ,attt-cntt,An toàn thông tin cho cán bộ công nghệ thông tin,2,0,1,0,1,0,50%",
        "X-TANLAP,  UBND xã Tân Lập,dvc-mot-cua,Dịch vụ công trực tuyến cho bộ phận một cửa,2,0,0,0,2,0,0%",
    ] {
        assert!(units.contains(&format!("{row}\r\n")), "{row} in {units}");
    }
    assert_eq!(units.lines().count(), 7, "{units}");

    // XLSX of one unit and one programme: both sheets, numbers and dates as such.
    let out = admin.dir.path().join("tuan-thu.xlsx");
    let args = ["--unit", "SO-KHCN", "--programme", "attt-cntt", "--format", "xlsx", "--output"];
    let mut all = vec!["report", "compliance", "--as-of", "2027-03-07"];
    all.extend(args);
    all.push(out.to_str().unwrap());
    admin.run(&all).ok();
    let mut book = open_workbook_auto(&out).unwrap();
    assert_eq!(book.sheet_names(), ["Tổng hợp theo đơn vị", "Chi tiết theo người"]);
    let summary = book.worksheet_range("Tổng hợp theo đơn vị").unwrap();
    assert_eq!(summary.height(), 3, "SO-KHCN and its sub-unit");
    assert_eq!(summary.get((1, 0)), Some(&Data::String("SO-KHCN".into())));
    let counts: Vec<&Data> = (4..=10).map(|c| summary.get((1, c)).unwrap()).collect();
    let expected = [2.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.5].map(Data::Float);
    assert_eq!(counts, expected.iter().collect::<Vec<_>>());
    let detail = book.worksheet_range("Chi tiết theo người").unwrap();
    assert_eq!(detail.height(), 3, "a header and two people");
    assert_eq!(detail.get((1, 2)), Some(&Data::String("duc.hoang".into())));
    assert_eq!(detail.get((1, 8)), Some(&Data::Float(1.0)), "the cycle is a number");
    assert!(matches!(detail.get((1, 11)), Some(Data::DateTime(_))), "valid until is a date");

    // An unknown unit or programme: a clear error, exit 1, no file written.
    for (flag, value) in [("--unit", "KHONG-CO"), ("--programme", "khong-co")] {
        let run = admin
            .run(&["report", "compliance", flag, value, "--format", "csv", "--output", "sai.csv"])
            .failed();
        assert_eq!(run.code, 1, "{run:#?}");
        assert!(run.stderr.contains(value), "{run:#?}");
    }
    assert!(!admin.dir.path().join("sai.csv").exists());
}
