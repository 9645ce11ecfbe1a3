//! Every screen drawn at 80x24 and compared with a reviewed snapshot, and the
//! key handling: what each key changes and which requests it sends.
//! The data is built here, so the snapshots do not depend on the clock.

use chrono::{NaiveDate, TimeZone, Utc};
use daotao_core::admin_views::course_enrollments::{EnrolledLine, EnrolledPage};
use daotao_core::admin_views::course_stats::CourseStats;
use daotao_core::admin_views::overview::{Activity, Overdue, Overview, Totals, UnitProgress};
use daotao_core::admin_views::user_detail::{AttemptLine, CompetencyLine};
use daotao_core::admin_views::user_search::{UserLine, UserPage};
use daotao_core::entities::unit;
use daotao_core::entities::user::{self, Provider, Role};
use daotao_core::learning::progress::MyCourse;
use daotao_core::platform::paging::Page;
use daotao_core::report::{Cell, Table};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{App, Popup};
use super::worker::{ExportFormat, Reply, ReportKind, Request, Response, UserDetail};

pub(super) fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

pub(super) fn app() -> App {
    let mut app = App::new(today(), "sqlite://data/daotao.sqlite".into());
    app.now = Some(Utc.with_ymd_and_hms(2026, 11, 26, 9, 30, 0).unwrap());
    app
}

fn render(app: &mut App) -> Terminal<TestBackend> {
    render_at(app, 80, 24)
}

pub(super) fn render_at(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| app.draw(frame)).unwrap();
    terminal
}

pub(super) fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

pub(super) fn press(app: &mut App, codes: &[KeyCode]) {
    for &code in codes {
        app.handle_key(key(code));
    }
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.handle_key(key(KeyCode::Char(c)));
    }
}

fn line(id: i64, username: &str, full_name: &str, unit: &str, role: Role) -> UserLine {
    UserLine {
        id,
        username: username.into(),
        full_name: full_name.into(),
        email: None,
        unit_code: Some(unit.into()),
        unit_name: None,
        position: "Chuyên viên".into(),
        role,
        active: true,
        locked_until: None,
        sso_provider: None,
    }
}

pub(super) fn users_page() -> UserPage {
    let mut locked = line(3, "hung.tran", "Trần Văn Hùng", "VP-UBND", Role::Learner);
    locked.locked_until = Some(Utc.with_ymd_and_hms(2026, 11, 26, 9, 45, 0).unwrap());
    let mut gone = line(4, "son.do", "Đỗ Văn Sơn", "X-TANLAP", Role::Learner);
    gone.active = false;
    let mut mai = line(1, "mai.bui", "Bùi Thị Mai", "P-BINHMINH", Role::Learner);
    mai.sso_provider = Some(Provider::Oidc);
    let mut lan = line(5, "lan.nguyen", "Nguyễn Thị Lan", "SO-NV", Role::Learner);
    lan.sso_provider = Some(Provider::Cas);
    UserPage {
        lines: vec![
            mai,
            line(2, "giangvien", "Phạm Thu Hà", "SO-KHCN", Role::Trainer),
            locked,
            gone,
            lan,
            line(6, "admin", "Quản trị hệ thống", "SO-KHCN.CDS", Role::Admin),
        ],
        total: 1234,
        page: 0,
        per_page: 100,
    }
}

pub(super) fn catalog() -> Vec<CourseStats> {
    vec![
        CourseStats {
            id: "an-toan-thong-tin-co-ban".into(),
            title: "An toàn thông tin cơ bản cho cán bộ, công chức".into(),
            hours: 6,
            self_enrol: true,
            lessons: vec![
                "Mật khẩu và xác thực".into(),
                "Nhận diện lừa đảo".into(),
                "Mã độc và thiết bị lưu trữ".into(),
            ],
            quizzes: vec!["Kiểm tra cuối khoá".into()],
            enrolled: 1520,
            completed: 312,
            average_best: Some(84.25),
            scored: 640,
        },
        CourseStats {
            id: "chinh-quyen-so".into(),
            title: "Chính quyền số: khái niệm, lợi ích, lộ trình".into(),
            hours: 4,
            self_enrol: false,
            lessons: vec!["Từ điện tử đến số".into(), "Chủ trương và lộ trình".into()],
            quizzes: vec![],
            enrolled: 0,
            completed: 0,
            average_best: None,
            scored: 0,
        },
    ]
}

pub(super) fn enrolled_page() -> EnrolledPage {
    let person = |id, username: &str, full_name: &str, read, due: Option<(i32, u32, u32)>| EnrolledLine {
        user_id: id,
        username: username.into(),
        full_name: full_name.into(),
        unit_code: Some("SO-NV".into()),
        due_date: due.map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap()),
        lessons_read: read,
        lessons_total: 3,
    };
    EnrolledPage {
        course_id: "an-toan-thong-tin-co-ban".into(),
        lines: vec![
            person(1, "mai.bui", "Bùi Thị Mai", 3, Some((2026, 11, 1))),
            person(3, "hung.tran", "Trần Văn Hùng", 1, Some((2026, 11, 19))),
            person(5, "lan.nguyen", "Nguyễn Thị Lan", 0, None),
        ],
        total: 3,
        page: 0,
        per_page: 100,
    }
}

/// A page of attempts (page `page` of `total`, 50 a page), newest first.
pub(super) fn attempts_page(page: u64) -> Page<AttemptLine> {
    let at = |d, h| Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap();
    let attempt = |id, number, percent: Option<f64>, day| AttemptLine {
        id,
        course_id: "an-toan-thong-tin-co-ban".into(),
        course_title: Some("An toàn thông tin cơ bản cho cán bộ, công chức".into()),
        quiz_title: Some("Kiểm tra cuối khoá".into()),
        number,
        percent,
        passed: percent.map(|p| p >= 80.0),
        // 20:00 UTC is the next morning in Viet Nam: the date shown is the next day.
        started_at: at(day, 19),
        submitted_at: percent.map(|_| at(day, 20)),
    };
    Page {
        lines: vec![attempt(9, 3, None, 25), attempt(8, 2, Some(86.5), 21), attempt(7, 1, Some(62.0), 18)],
        total: 3,
        page,
        per_page: 50,
    }
}

fn competencies_page() -> Page<CompetencyLine> {
    Page {
        lines: vec![CompetencyLine {
            code: "ATTT.1".into(),
            name: Some("Bảo vệ thiết bị và dữ liệu".into()),
            level: 1,
            awarded_at: Utc.with_ymd_and_hms(2026, 11, 21, 20, 0, 0).unwrap(),
            course_id: "an-toan-thong-tin-co-ban".into(),
            course_title: Some("An toàn thông tin cơ bản cho cán bộ, công chức".into()),
            score_percent: Some(86.5),
        }],
        total: 1,
        page: 0,
        per_page: 50,
    }
}

/// The app on the enrollments screen with the catalog and a page loaded.
pub(super) fn on_enrollments() -> App {
    let mut app = app();
    press(&mut app, &[KeyCode::Char('5')]);
    app.take_requests();
    app.apply(Response::Courses(catalog()));
    let requests = app.take_requests();
    assert_eq!(
        requests,
        [Request::Enrolled { course: "an-toan-thong-tin-co-ban".into(), filter: String::new(), page: 0 }]
    );
    app.apply(Response::Enrolled { filter: String::new(), page: enrolled_page() });
    app
}

#[test]
fn overview_screen() {
    let mut app = app();
    app.start();
    assert_eq!(app.take_requests(), [Request::Overview, Request::OverviewByUnit]);
    let progress = |code: &str, enrolled, completed| UnitProgress {
        code: code.into(),
        name: code.into(),
        enrolled,
        completed,
    };
    app.apply(Response::OverviewByUnit(vec![
        progress("SO-NV", 100, 100),
        progress("SO-KHCN", 200, 50),
        progress("X-TANLAP", 30, 0),
    ]));
    app.apply(Response::Overview(Box::new(Overview {
        totals: Totals {
            units: 500,
            active_users: 99_000,
            inactive_users: 1000,
            locked_users: 3,
            courses: 6,
            enrollments: 250_000,
            overdue: 1234,
        },
        overdue: vec![Overdue {
            username: "hung.tran".into(),
            full_name: "Trần Văn Hùng".into(),
            course_id: "an-toan-thong-tin-co-ban".into(),
            due_date: NaiveDate::from_ymd_opt(2026, 11, 19).unwrap(),
            lessons_read: 1,
            lessons_total: 6,
        }],
        activity: vec![
            Activity {
                at: Utc.with_ymd_and_hms(2026, 11, 26, 9, 12, 0).unwrap(),
                actor: "daotao-admin (root)".into(),
                action: "enroll".into(),
                target: "chinh-quyen-so SO-NV".into(),
                result: "success".into(),
            },
            Activity {
                at: Utc.with_ymd_and_hms(2026, 11, 26, 9, 1, 0).unwrap(),
                actor: "lan.nguyen".into(),
                action: "login".into(),
                target: "lan.nguyen".into(),
                result: "failure".into(),
            },
        ],
    })));
    insta::assert_snapshot!(render(&mut app).backend());
    // `r` computes everything again; the bars say so meanwhile.
    press(&mut app, &[KeyCode::Char('r')]);
    assert_eq!(app.take_requests(), [Request::Overview, Request::OverviewByUnit]);
    assert!(render(&mut app).backend().to_string().contains("Đang tính…"));
}

#[test]
fn units_screen() {
    let mut app = app();
    press(&mut app, &[KeyCode::Char('2')]);
    assert_eq!(app.take_requests(), [Request::Units]);
    let unit = |id, code: &str, name: &str, parent| unit::Model {
        id,
        code: code.into(),
        name: name.into(),
        parent_id: parent,
    };
    let units = vec![
        unit(1, "TINH", "Tỉnh Mẫu", None),
        unit(2, "SO-NV", "Sở Nội vụ", Some(1)),
        unit(3, "SO-NV.TCBM", "Phòng Tổ chức bộ máy", Some(2)),
        unit(4, "X-TANLAP", "UBND xã Tân Lập", Some(1)),
    ];
    let members = std::collections::HashMap::from([(1, 2), (2, 40), (3, 12), (4, 1250)]);
    app.apply(Response::Units(daotao_core::admin_views::unit_tree::arrange(units, &members)));
    press(&mut app, &[KeyCode::Down]);
    insta::assert_snapshot!(render(&mut app).backend());

    // Enter lists the selected unit's people.
    press(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.tab, 2);
    assert_eq!(app.take_requests(), [Request::Users { filter: "SO-NV".into(), page: 0 }]);
}

#[test]
fn users_screen_and_filter() {
    let mut app = app();
    press(&mut app, &[KeyCode::Char('3')]);
    assert_eq!(app.take_requests(), [Request::Users { filter: String::new(), page: 0 }]);
    app.apply(Response::Users { filter: String::new(), page: users_page() });
    press(&mut app, &[KeyCode::Down, KeyCode::Down]);
    insta::assert_snapshot!("users", render(&mut app).backend());

    // `/` then typing: one request per keystroke; `q` and digits are typed, not obeyed.
    press(&mut app, &[KeyCode::Char('/')]);
    type_text(&mut app, "nguyen q1");
    assert!(!app.quit);
    assert_eq!(app.tab, 2);
    let requests = app.take_requests();
    assert_eq!(requests.len(), 9);
    assert_eq!(requests.last(), Some(&Request::Users { filter: "nguyen q1".into(), page: 0 }));
    // A late reply to an older keystroke is dropped; the current one is shown.
    app.apply(Response::Users { filter: "ng".into(), page: UserPage::default() });
    assert_eq!(app.users.page.total, 1234);
    press(&mut app, &[KeyCode::Backspace, KeyCode::Backspace, KeyCode::Backspace]);
    app.take_requests();
    let found = UserPage { lines: vec![users_page().lines[4].clone()], total: 1, page: 0, per_page: 100 };
    app.apply(Response::Users { filter: "nguyen".into(), page: found });
    press(&mut app, &[KeyCode::Enter]);
    assert!(!app.users.editing_filter);
    insta::assert_snapshot!("users_filtered", render(&mut app).backend());

    // Esc clears the filter.
    press(&mut app, &[KeyCode::Esc]);
    assert_eq!(app.take_requests(), [Request::Users { filter: String::new(), page: 0 }]);
}

#[test]
fn users_paging_detail_and_actions() {
    let mut app = app();
    press(&mut app, &[KeyCode::Char('3')]);
    app.take_requests();
    app.apply(Response::Users { filter: String::new(), page: users_page() });
    press(&mut app, &[KeyCode::PageDown]);
    assert_eq!(app.take_requests(), [Request::Users { filter: String::new(), page: 1 }]);
    press(&mut app, &[KeyCode::PageUp]);
    assert!(app.take_requests().is_empty(), "the page shown is still the first");

    press(&mut app, &[KeyCode::Down, KeyCode::Down, KeyCode::Enter]);
    assert_eq!(app.take_requests(), [Request::UserDetail(3)]);
    let user = user::Model {
        id: 3,
        username: "hung.tran".into(),
        full_name: "Trần Văn Hùng".into(),
        email: Some("hung.tran@tinhmau.gov.vn".into()),
        unit_id: Some(7),
        position: "Phó Chánh Văn phòng".into(),
        role: Role::Learner,
        password_hash: String::new(),
        must_change_password: false,
        active: true,
        failed_logins: 0,
        locked_until: Some(Utc.with_ymd_and_hms(2026, 11, 26, 9, 45, 0).unwrap()),
        created_at: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        search_key: "tran van hung hung.tran".into(),
        sso_provider: None,
        sso_subject: None,
        extra_time_percent: 0,
    };
    let course = |id: &str, title: &str, read, total, overdue| MyCourse {
        course_id: id.into(),
        title: title.into(),
        due_date: NaiveDate::from_ymd_opt(2026, 11, 19),
        lessons_total: total,
        lessons_read: read,
        overdue,
        completed: false,
        next_lesson: None,
    };
    app.apply(Response::UserDetail(Box::new(UserDetail {
        user,
        unit: Some(("VP-UBND".into(), "Văn phòng UBND tỉnh".into())),
        courses: vec![
            course("an-toan-thong-tin-co-ban", "An toàn thông tin cơ bản cho cán bộ, công chức", 1, 6, true),
            course("chinh-quyen-so", "Chính quyền số: khái niệm, lợi ích, lộ trình", 5, 5, false),
        ],
        attempts: attempts_page(0),
        competencies: competencies_page(),
    })));
    insta::assert_snapshot!("user_detail", render(&mut app).backend());
    // → the quiz attempts, → the competencies, → back to the courses.
    press(&mut app, &[KeyCode::Right]);
    insta::assert_snapshot!("user_detail_attempts", render(&mut app).backend());
    press(&mut app, &[KeyCode::Char('l')]);
    insta::assert_snapshot!("user_detail_competencies", render(&mut app).backend());
    press(&mut app, &[KeyCode::Right]);
    assert_eq!(app.users.section, super::screens::users::Section::Courses);
    assert!(app.take_requests().is_empty(), "a single page: nothing to fetch");

    // Unlock acts at once; deactivation asks first.
    press(&mut app, &[KeyCode::Char('u')]);
    assert_eq!(app.take_requests(), [Request::Unlock("hung.tran".into())]);
    app.receive(Reply::to(
        &Request::Unlock("hung.tran".into()),
        Response::Done("Đã mở khoá hung.tran".into()),
    ));
    app.take_requests();
    press(&mut app, &[KeyCode::Char('x')]);
    assert!(matches!(app.popup, Popup::Confirm(_)));
    insta::assert_snapshot!("confirm_deactivate", render(&mut app).backend());
    press(&mut app, &[KeyCode::Char('n')]);
    assert!(app.take_requests().is_empty());
    assert_eq!(app.status, "Đã huỷ.");
    press(&mut app, &[KeyCode::Char('x'), KeyCode::Char('y')]);
    let deactivate = Request::SetActive { username: "hung.tran".into(), active: false };
    assert_eq!(app.take_requests(), std::slice::from_ref(&deactivate));
    assert_eq!(app.work.len(), 1, "the change shows as work in progress until the reply");
    let done = Response::Done("Đã ngừng hoạt động hung.tran, 2 phiên đăng nhập đã kết thúc".into());
    app.receive(Reply::to(&deactivate, done));
    assert!(app.work.is_empty());
    assert_eq!(
        app.take_requests(),
        [Request::Users { filter: String::new(), page: 0 }, Request::UserDetail(3)],
        "the screen reloads after a change"
    );

    // A reset password shows the one-time password once.
    press(&mut app, &[KeyCode::Char('p'), KeyCode::Enter]);
    let reset = Request::ResetPassword("hung.tran".into());
    assert_eq!(app.take_requests(), std::slice::from_ref(&reset));
    let password = Response::Password {
        username: "hung.tran".into(),
        password: "ABCD-EFGH-JKLM".into(),
        created: false,
    };
    app.receive(Reply::to(&reset, password));
    insta::assert_snapshot!("one_time_password", render(&mut app).backend());
    press(&mut app, &[KeyCode::Enter]);
    assert!(matches!(app.popup, Popup::None));
    press(&mut app, &[KeyCode::Esc]);
    assert!(app.users.detail.is_none());
}

#[test]
fn add_user_form_checks_before_sending() {
    let mut app = app();
    press(&mut app, &[KeyCode::Char('3')]);
    app.take_requests();
    press(&mut app, &[KeyCode::Char('a')]);
    type_text(&mut app, "lan.nguyen");
    press(&mut app, &[KeyCode::Tab]);
    type_text(&mut app, "Nguyễn Thị Lan");
    press(&mut app, &[KeyCode::Enter]);
    assert!(app.take_requests().is_empty(), "the unit is missing");
    press(&mut app, &[KeyCode::Tab]);
    type_text(&mut app, "SO-NV");
    press(&mut app, &[KeyCode::Tab, KeyCode::Tab]);
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    type_text(&mut app, "sếp");
    press(&mut app, &[KeyCode::Enter]);
    insta::assert_snapshot!("add_user_form", render(&mut app).backend());
    assert!(app.take_requests().is_empty(), "not a role");
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    type_text(&mut app, "giảng viên");
    press(&mut app, &[KeyCode::Enter]);
    let requests = app.take_requests();
    let [Request::AddUser(new)] = requests.as_slice() else { panic!("{requests:?}") };
    assert_eq!(
        (new.username.as_str(), new.unit_code.as_str(), new.role),
        ("lan.nguyen", "SO-NV", Role::Trainer)
    );
}

#[test]
fn courses_screen() {
    let mut app = app();
    press(&mut app, &[KeyCode::Char('4')]);
    assert_eq!(app.take_requests(), [Request::Courses]);
    app.apply(Response::Courses(catalog()));
    app.take_requests();
    insta::assert_snapshot!(render(&mut app).backend());
    // Enter opens the course's enrollments.
    press(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    assert_eq!(app.tab, 4);
    assert_eq!(
        app.take_requests(),
        [
            Request::Courses,
            Request::Enrolled { course: "chinh-quyen-so".into(), filter: String::new(), page: 0 }
        ]
    );
}

#[test]
fn enrollments_screen_enrols_a_person() {
    let mut app = on_enrollments();
    press(&mut app, &[KeyCode::Right, KeyCode::Down]);
    insta::assert_snapshot!("enrollments", render(&mut app).backend());

    press(&mut app, &[KeyCode::Char('a')]);
    type_text(&mut app, "son.do");
    press(&mut app, &[KeyCode::Tab]);
    type_text(&mut app, "31/12/2026");
    press(&mut app, &[KeyCode::Enter]);
    assert!(app.take_requests().is_empty());
    insta::assert_snapshot!("enrol_form_bad_date", render(&mut app).backend());
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    type_text(&mut app, "2026-12-31");
    press(&mut app, &[KeyCode::Enter]);
    assert_eq!(
        app.take_requests(),
        [Request::EnrolUser {
            course: "an-toan-thong-tin-co-ban".into(),
            username: "son.do".into(),
            due: NaiveDate::from_ymd_opt(2026, 12, 31),
        }]
    );
    app.apply(Response::Done("Đã ghi danh son.do vào an-toan-thong-tin-co-ban, hạn 2026-12-31".into()));
    assert_eq!(app.status, "Đã ghi danh son.do vào an-toan-thong-tin-co-ban, hạn 2026-12-31");
    assert_eq!(
        app.take_requests(),
        [
            Request::Courses,
            Request::Enrolled { course: "an-toan-thong-tin-co-ban".into(), filter: String::new(), page: 0 }
        ]
    );
}

#[test]
fn enrollments_unit_due_date_and_withdraw() {
    let mut app = on_enrollments();
    press(&mut app, &[KeyCode::Char('u')]);
    type_text(&mut app, "SO-NV");
    press(&mut app, &[KeyCode::Enter]);
    assert_eq!(
        app.take_requests(),
        [Request::EnrolUnit { course: "an-toan-thong-tin-co-ban".into(), unit: "SO-NV".into(), due: None }]
    );
    // The selected person (second row): change the due date, then withdraw.
    press(&mut app, &[KeyCode::Char('l'), KeyCode::Char('j'), KeyCode::Char('d')]);
    let Popup::Form(form) = &app.popup else { panic!("a form") };
    assert_eq!(form.values(), ["2026-11-19"]);
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    press(&mut app, &[KeyCode::Enter]);
    assert_eq!(
        app.take_requests(),
        [Request::SetDue {
            course: "an-toan-thong-tin-co-ban".into(),
            user_id: 3,
            username: "hung.tran".into(),
            due: None
        }]
    );
    press(&mut app, &[KeyCode::Char('x')]);
    press(&mut app, &[KeyCode::Esc]);
    assert!(app.take_requests().is_empty());
    press(&mut app, &[KeyCode::Char('x'), KeyCode::Char('y')]);
    assert_eq!(
        app.take_requests(),
        [Request::Withdraw {
            course: "an-toan-thong-tin-co-ban".into(),
            user_id: 3,
            username: "hung.tran".into()
        }]
    );
    // Moving in the course list shows another course.
    press(&mut app, &[KeyCode::Char('h'), KeyCode::Char('j')]);
    assert_eq!(
        app.take_requests(),
        [Request::Enrolled { course: "chinh-quyen-so".into(), filter: String::new(), page: 0 }]
    );
    // A page for the course no longer shown is dropped.
    app.apply(Response::Enrolled { filter: String::new(), page: enrolled_page() });
    assert!(app.enrollments.page.lines.is_empty());
}

#[test]
fn refused_file_lists_every_problem() {
    let mut app = on_enrollments();
    press(&mut app, &[KeyCode::Char('f')]);
    type_text(&mut app, "ds.csv");
    press(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.work.len(), 1);
    let requests = app.take_requests();
    let problems = Response::Problems {
        title: "2 lỗi trong ds.csv, không thay đổi gì".into(),
        lines: vec![
            "line 3, column username: không có tài khoản `khong.co` / no account `khong.co`".into(),
            "line 5, column username: `lan.nguyen` đã có ở dòng 2 / `lan.nguyen` is already on line 2".into(),
        ],
    };
    app.receive(Reply::to(&requests[0], problems));
    assert!(app.work.is_empty());
    insta::assert_snapshot!(render(&mut app).backend());
}

#[test]
fn help_lists_the_keys_of_the_screen() {
    let mut app = on_enrollments();
    press(&mut app, &[KeyCode::Char('?')]);
    insta::assert_snapshot!(render(&mut app).backend());
    // Any key closes it and does nothing else.
    press(&mut app, &[KeyCode::Char('q')]);
    assert!(matches!(app.popup, Popup::None));
    assert!(!app.quit);
}

#[test]
fn tabs_numbers_and_quitting() {
    let mut app = app();
    press(&mut app, &[KeyCode::Tab]);
    assert_eq!((app.tab, app.take_requests()), (1, vec![Request::Units]));
    press(&mut app, &[KeyCode::BackTab, KeyCode::BackTab]);
    assert_eq!(app.tab, 6, "Shift-Tab from the first screen goes round to the last");
    app.take_requests();
    press(&mut app, &[KeyCode::Char('1')]);
    assert_eq!((app.tab, app.take_requests()), (0, vec![Request::Overview, Request::OverviewByUnit]));
    // Ctrl-C quits from anywhere, even a form.
    press(&mut app, &[KeyCode::Char('5')]);
    app.apply(Response::Courses(catalog()));
    press(&mut app, &[KeyCode::Char('a')]);
    assert!(matches!(app.popup, Popup::Form(_)));
    press(&mut app, &[KeyCode::Char('q')]);
    assert!(!app.quit, "q is typed into the form");
    app.handle_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(app.quit);
    let mut app = self::app();
    press(&mut app, &[KeyCode::Char('q')]);
    assert!(app.quit);
}

#[test]
fn larger_terminals_are_used() {
    let mut app = on_enrollments();
    let terminal = render_at(&mut app, 120, 30);
    let text = terminal.backend().to_string();
    assert!(
        text.contains("sqlite://data/daotao.sqlite"),
        "the database is named when there is room:\n{text}"
    );
    assert!(text.contains("An toàn thông tin cơ bản cho cán bộ, công chức"));
    // And tiny ones do not panic.
    render_at(&mut app, 20, 5);
}

#[test]
fn the_database_password_is_never_on_screen() {
    let mut app = App::new(today(), "postgres://daotao:Mat-khau!2026@db.tinhmau.gov.vn/daotao".into());
    app.now = Some(Utc.with_ymd_and_hms(2026, 11, 26, 9, 30, 0).unwrap());
    let text = render_at(&mut app, 160, 30).backend().to_string();
    assert!(text.contains("postgres://daotao:***@db.tinhmau.gov.vn/daotao"), "{text}");
    assert!(!text.contains("Mat-khau"), "{text}");
}

#[test]
fn edit_form_starts_from_the_account_and_keeps_the_username() {
    let mut app = app();
    press(&mut app, &[KeyCode::Char('3')]);
    app.apply(Response::Users { filter: String::new(), page: users_page() });
    press(&mut app, &[KeyCode::Down, KeyCode::Char('e')]);
    let Popup::Form(form) = &app.popup else { panic!("a form") };
    assert_eq!(form.values(), ["Phạm Thu Hà", "SO-KHCN", "Chuyên viên", "giảng viên", ""]);
    press(&mut app, &[KeyCode::Tab, KeyCode::Tab, KeyCode::Char('!'), KeyCode::Enter]);
    app.take_requests();
    assert!(matches!(app.popup, Popup::None));
    let mut app = self::app();
    press(&mut app, &[KeyCode::Char('3')]);
    app.apply(Response::Users { filter: String::new(), page: users_page() });
    app.take_requests();
    press(&mut app, &[KeyCode::Down, KeyCode::Char('e'), KeyCode::Tab]);
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    type_text(&mut app, "SO-NV");
    press(&mut app, &[KeyCode::Enter]);
    let requests = app.take_requests();
    let [Request::EditUser { username, details }] = requests.as_slice() else { panic!("{requests:?}") };
    assert_eq!(
        (username.as_str(), details.unit_code.as_str(), details.role),
        ("giangvien", "SO-NV", Role::Trainer)
    );
}

#[test]
fn unit_actions_prefill_what_they_can() {
    let mut app = app();
    press(&mut app, &[KeyCode::Char('2')]);
    let unit =
        |id, code: &str, parent| unit::Model { id, code: code.into(), name: code.into(), parent_id: parent };
    let units = vec![unit(1, "TINH", None), unit(2, "SO-NV", Some(1))];
    app.apply(Response::Units(daotao_core::admin_views::unit_tree::arrange(units, &Default::default())));
    app.take_requests();
    press(&mut app, &[KeyCode::Char('j'), KeyCode::Char('a')]);
    let Popup::Form(form) = &app.popup else { panic!("a form") };
    assert_eq!(form.values(), ["", "", "SO-NV"], "a new unit goes below the selected one");
    type_text(&mut app, "SO-NV.VP");
    press(&mut app, &[KeyCode::Tab]);
    type_text(&mut app, "Văn phòng Sở");
    press(&mut app, &[KeyCode::Enter]);
    let add = Request::AddUnit(daotao_core::people::units::NewUnit {
        code: "SO-NV.VP".into(),
        name: "Văn phòng Sở".into(),
        parent_code: Some("SO-NV".into()),
    });
    assert_eq!(app.take_requests(), std::slice::from_ref(&add));
    let done = |app: &mut App, request: Request| {
        app.receive(Reply::to(&request, Response::Done("Xong".into())));
        assert_eq!(app.take_requests(), [Request::Units]);
    };
    done(&mut app, add);
    press(&mut app, &[KeyCode::Char('m')]);
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    press(&mut app, &[KeyCode::Enter]);
    let move_up = Request::MoveUnit { code: "SO-NV".into(), parent: None };
    assert_eq!(app.take_requests(), std::slice::from_ref(&move_up));
    done(&mut app, move_up);
    press(&mut app, &[KeyCode::Char('r')]);
    type_text(&mut app, " tỉnh");
    press(&mut app, &[KeyCode::Enter]);
    let rename = Request::RenameUnit { code: "SO-NV".into(), name: "SO-NV tỉnh".into() };
    assert_eq!(app.take_requests(), std::slice::from_ref(&rename));
    done(&mut app, rename);
    press(&mut app, &[KeyCode::Char('i')]);
    type_text(&mut app, "don-vi.csv");
    press(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.take_requests(), [Request::ImportUnits("don-vi.csv".into())]);
    // The import shows as work under way, with a spinner, until its reply.
    let text = render(&mut app).backend().to_string();
    assert!(text.contains("Đang nhập đơn vị từ don-vi.csv…"), "{text}");
}

#[test]
fn user_detail_pages_attempts() {
    let mut app = app();
    press(&mut app, &[KeyCode::Char('3')]);
    app.apply(Response::Users { filter: String::new(), page: users_page() });
    press(&mut app, &[KeyCode::Enter]);
    app.take_requests();
    let user = learner();
    let mut many = attempts_page(0);
    many.total = 120;
    app.apply(Response::UserDetail(Box::new(UserDetail {
        user,
        unit: None,
        courses: vec![],
        attempts: many,
        competencies: Page { per_page: 50, ..Page::default() },
    })));
    // PgDn on the courses section does nothing; on the attempts it asks for the next page.
    press(&mut app, &[KeyCode::PageDown]);
    assert!(app.take_requests().is_empty());
    press(&mut app, &[KeyCode::Right, KeyCode::Down, KeyCode::PageDown]);
    assert_eq!(app.take_requests(), [Request::UserAttempts { user_id: 1, page: 1 }]);
    assert_eq!(app.users.detail_scroll, 1);
    let mut second = attempts_page(1);
    second.total = 120;
    app.apply(Response::UserAttempts { user_id: 1, page: second.clone() });
    assert_eq!(app.users.detail.as_ref().unwrap().attempts.page, 1);
    assert_eq!(app.users.detail_scroll, 0);
    // Another person's page is dropped.
    app.apply(Response::UserAttempts { user_id: 2, page: attempts_page(2) });
    assert_eq!(app.users.detail.as_ref().unwrap().attempts.page, 1);
    let text = render(&mut app).backend().to_string();
    assert!(text.contains("Bài kiểm tra (120) 2/3"), "{text}");
    assert!(text.contains("Chưa có năng lực nào") || !text.contains("Năng lực (0) 1"), "{text}");
    press(&mut app, &[KeyCode::Right]);
    let text = render(&mut app).backend().to_string();
    assert!(text.contains("Chưa có năng lực nào được công nhận."), "{text}");
}

/// A person who signs on through a provider shows it and the subject the provider knows them by.
#[test]
fn user_detail_shows_the_sign_in_source() {
    let mut app = app();
    press(&mut app, &[KeyCode::Char('3')]);
    app.apply(Response::Users { filter: String::new(), page: users_page() });
    press(&mut app, &[KeyCode::Enter]);
    app.take_requests();
    let mut user = learner();
    user.sso_provider = Some(Provider::Oidc);
    user.sso_subject = Some("8f2c-41d7".into());
    let detail = |user| UserDetail {
        user,
        unit: None,
        courses: vec![],
        attempts: Page { per_page: 50, ..Page::default() },
        competencies: Page { per_page: 50, ..Page::default() },
    };
    app.apply(Response::UserDetail(Box::new(detail(user.clone()))));
    insta::assert_snapshot!("user_detail_single_sign_on", render(&mut app).backend());
    user.sso_provider = Some(Provider::Cas);
    user.sso_subject = Some("mai.bui".into());
    app.apply(Response::UserDetail(Box::new(detail(user))));
    let text = render(&mut app).backend().to_string();
    assert!(text.contains("Đăng nhập: CAS (mai.bui)"), "{text}");
    app.apply(Response::UserDetail(Box::new(detail(learner()))));
    let text = render(&mut app).backend().to_string();
    assert!(text.contains("Đăng nhập: Mật khẩu"), "{text}");
}

pub(super) fn tree() -> Vec<daotao_core::admin_views::unit_tree::TreeUnit> {
    let unit = |id, code: &str, name: &str, parent| unit::Model {
        id,
        code: code.into(),
        name: name.into(),
        parent_id: parent,
    };
    let units = vec![
        unit(1, "TINH", "Tỉnh Mẫu", None),
        unit(2, "SO-NV", "Sở Nội vụ", Some(1)),
        unit(3, "SO-NV.TCBM", "Phòng Tổ chức bộ máy", Some(2)),
        unit(4, "X-TANLAP", "UBND xã Tân Lập", Some(1)),
    ];
    daotao_core::admin_views::unit_tree::arrange(units, &Default::default())
}

/// A competency summary as `core::report::competency` shapes it (wider than 80 columns).
pub(super) fn summary_table() -> Table {
    let columns = [
        "Mã đơn vị",
        "Đơn vị",
        "Đơn vị cấp trên",
        "Số người",
        "Tỉ lệ có ATTT.1",
        "Tỉ lệ có CQS.1",
        "Tỉ lệ hoàn thành an-toan-thong-tin-co-ban",
        "Ghi danh quá hạn",
    ];
    let row = |code: &str, name: &str, parent: &str, n, a, c, done, late| {
        vec![
            Cell::Text(code.into()),
            Cell::Text(name.into()),
            Cell::Text(parent.into()),
            Cell::Int(n),
            Cell::Percent(a),
            Cell::Percent(c),
            Cell::Percent(done),
            Cell::Int(late),
        ]
    };
    let mut rows = vec![
        row("SO-NV", "Sở Nội vụ", "TINH", 40, 0.25, 0.1, 0.5, 3),
        row("SO-NV.TCBM", "  Phòng Tổ chức bộ máy", "SO-NV", 12, 0.5, 0.0, 0.75, 0),
    ];
    // Enough rows to scroll.
    for i in 0..40 {
        rows.push(row(&format!("SO-NV.P{i:02}"), &format!("  Phòng {i:02}"), "SO-NV", i, 0.0, 0.0, 0.0, 0));
    }
    Table { name: "Tổng hợp theo đơn vị".into(), columns: columns.map(String::from).to_vec(), rows }
}

/// The app on the reports screen with the unit tree loaded.
pub(super) fn on_reports() -> App {
    let mut app = app();
    press(&mut app, &[KeyCode::Char('6')]);
    assert_eq!(app.take_requests(), [Request::Units]);
    app.apply(Response::Units(tree()));
    app
}

/// The app on the reports screen showing the competency summary of every unit (Enter, then its answer).
pub(super) fn on_report_preview() -> App {
    let mut app = on_reports();
    press(&mut app, &[KeyCode::Enter]);
    app.apply(Response::ReportPreview {
        unit: None,
        kind: ReportKind::CompetencyByUnit,
        table: Ok(std::sync::Arc::new(summary_table())),
    });
    app
}

#[test]
fn reports_screen_previews_a_unit() {
    let mut app = on_reports();
    insta::assert_snapshot!("reports_choose", render(&mut app).backend());

    // Choose Sở Nội vụ (the list starts with every unit), Enter computes the report.
    press(&mut app, &[KeyCode::Down, KeyCode::Down, KeyCode::Enter]);
    let asked = Request::ReportPreview { unit: Some("SO-NV".into()), kind: ReportKind::CompetencyByUnit };
    assert_eq!(app.take_requests(), std::slice::from_ref(&asked));
    assert_eq!(app.work.len(), 1, "computing shows as work under way");
    app.apply(Response::Progress {
        job: "Đang tính báo cáo năng lực theo đơn vị (SO-NV)".into(),
        stage: "tải dữ liệu và tính".into(),
    });
    insta::assert_snapshot!("reports_computing", render(&mut app).backend());

    let preview = Response::ReportPreview {
        unit: Some("SO-NV".into()),
        kind: ReportKind::CompetencyByUnit,
        table: Ok(std::sync::Arc::new(summary_table())),
    };
    app.receive(Reply::to(&asked, preview));
    assert!(app.work.is_empty());
    assert_eq!(app.status, "Báo cáo năng lực theo đơn vị (SO-NV): 42 dòng");
    press(&mut app, &[KeyCode::Down]);
    insta::assert_snapshot!("reports_preview", render(&mut app).backend());

    // Columns scroll with the unit's name kept on the left; rows page; End goes to the last.
    press(&mut app, &[KeyCode::Right, KeyCode::Right]);
    let text = render(&mut app).backend().to_string();
    assert!(
        text.contains("Đơn vị") && !text.contains("Đơn vị cấp trên") && !text.contains("Mã đơn vị"),
        "{text}"
    );
    press(&mut app, &[KeyCode::PageDown]);
    assert!(app.reports.row > 10, "{}", app.reports.row);
    press(&mut app, &[KeyCode::End]);
    let text = render(&mut app).backend().to_string();
    assert!(text.contains("Phòng 39") && text.contains("/42"), "{text}");
    // ← back to the first column, then once more to the unit list.
    press(&mut app, &[KeyCode::Left, KeyCode::Left, KeyCode::Left]);
    assert_eq!(app.reports.pane, super::screens::reports::Pane::Units);

    // r changes the report and recomputes it; an answer for the old one is dropped.
    press(&mut app, &[KeyCode::Char('r')]);
    let by_learner =
        Request::ReportPreview { unit: Some("SO-NV".into()), kind: ReportKind::CompetencyByLearner };
    assert_eq!(app.take_requests(), [by_learner]);
    app.apply(Response::ReportPreview {
        unit: Some("SO-NV".into()),
        kind: ReportKind::CompetencyByUnit,
        table: Ok(std::sync::Arc::new(summary_table())),
    });
    assert!(app.reports.pending.is_some());
    app.apply(Response::ReportPreview {
        unit: Some("SO-NV".into()),
        kind: ReportKind::CompetencyByLearner,
        table: Err("khung năng lực / competency framework: courses/competencies.toml: dòng 3".into()),
    });
    let text = render(&mut app).backend().to_string();
    assert!(text.contains("Không tính được báo cáo: khung năng lực"), "{text}");
    assert!(app.status.starts_with("Lỗi: không tính được báo cáo"), "{}", app.status);
    press(&mut app, &[KeyCode::Char('R'), KeyCode::Char('R')]);
    assert_eq!(app.reports.kind, ReportKind::Progress);
}

#[test]
fn a_reply_ends_only_the_job_it_answers() {
    let mut app = on_reports();
    // Two jobs run at once: a preview, then an export.
    press(&mut app, &[KeyCode::Enter, KeyCode::Char('c'), KeyCode::Enter]);
    let queued = app.take_requests();
    assert_eq!(queued.len(), 2, "{queued:?}");
    assert_eq!(app.work.len(), 2);

    // A screen's read that fails leaves both in sight.
    app.receive(Reply::to(&Request::Units, Response::Failed("mất kết nối".into())));
    assert_eq!(app.status, "Lỗi: mất kết nối");
    assert_eq!(app.work.len(), 2);

    // The export fails: the preview is still under way, the export is not.
    app.receive(Reply::to(&queued[1], Response::Failed("đĩa đầy".into())));
    let left: Vec<String> = app.work.iter().map(|w| w.what.clone()).collect();
    assert_eq!(left, [queued[0].describe()], "still computing the preview");

    // A change made meanwhile ends itself, not the preview started before it.
    press(&mut app, &[KeyCode::Char('3')]);
    app.take_requests();
    app.apply(Response::Users { filter: String::new(), page: users_page() });
    press(&mut app, &[KeyCode::Char('u')]);
    let unlock = app.take_requests();
    assert!(matches!(unlock.as_slice(), [Request::Unlock(_)]), "{unlock:?}");
    assert_eq!(app.work.len(), 2);
    app.receive(Reply::to(&unlock[0], Response::Done("Đã mở khoá".into())));
    let left: Vec<String> = app.work.iter().map(|w| w.what.clone()).collect();
    assert_eq!(left, [queued[0].describe()], "the preview is still under way");
}

#[test]
fn reports_export_asks_for_a_path_and_reports_where_it_wrote() {
    let mut app = on_reports();
    press(&mut app, &[KeyCode::Char('j'), KeyCode::Char('c')]);
    let Popup::Form(form) = &app.popup else { panic!("a form") };
    assert_eq!(form.values(), ["bao-cao-nang-luc-theo-don-vi-tinh-2026-11-26.csv"]);
    insta::assert_snapshot!("reports_export_form", render(&mut app).backend());
    press(&mut app, &[KeyCode::Enter]);
    let path = std::path::PathBuf::from("bao-cao-nang-luc-theo-don-vi-tinh-2026-11-26.csv");
    let export = Request::ExportReport {
        unit: Some("TINH".into()),
        kind: ReportKind::CompetencyByUnit,
        format: ExportFormat::Csv,
        path: path.clone(),
    };
    assert_eq!(app.take_requests(), std::slice::from_ref(&export));
    app.apply(Response::Progress {
        job: "Đang xuất báo cáo ra bao-cao-nang-luc-theo-don-vi-tinh-2026-11-26.csv".into(),
        stage: "ghi 1.234 dòng vào tệp".into(),
    });
    let text = render(&mut app).backend().to_string();
    assert!(
        text.contains("│ Đang xuất ra bao-cao-nang-luc-theo-don-vi-tinh-"),
        "the screen says so:\n{text}"
    );
    assert!(text.contains(": ghi 1.234 dòng vào tệp… "), "the stage stays in sight:\n{text}");
    // Keys keep working while it runs.
    press(&mut app, &[KeyCode::Char('k')]);
    assert_eq!(app.reports.unit_list.selected(), Some(0));
    app.receive(Reply::to(&export, Response::Exported { path: path.clone(), result: Ok(1234) }));
    let absolute = std::path::absolute(&path).unwrap();
    assert_eq!(app.status, format!("Đã ghi {} (1.234 dòng)", absolute.display()));
    assert!(app.work.is_empty() && app.reports.exporting.is_empty());

    // XLSX: every unit; an error says what and where.
    press(&mut app, &[KeyCode::Char('x')]);
    let Popup::Form(form) = &app.popup else { panic!("a form") };
    assert_eq!(form.values(), ["bao-cao-nang-luc-theo-don-vi-tat-ca-2026-11-26.xlsx"]);
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    press(&mut app, &[KeyCode::Enter]);
    assert!(app.take_requests().is_empty(), "a path is needed");
    type_text(&mut app, "/khong-co/bc.xlsx");
    press(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.take_requests().len(), 1);
    app.apply(Response::Exported {
        path: "/khong-co/bc.xlsx".into(),
        result: Err("Không ghi được /khong-co/bc.xlsx: No such file or directory (os error 2)".into()),
    });
    assert_eq!(app.status, "Lỗi: Không ghi được /khong-co/bc.xlsx: No such file or directory (os error 2)");

    // A file that exists is overwritten only after a yes.
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("bc.csv");
    std::fs::write(&existing, "cũ").unwrap();
    press(&mut app, &[KeyCode::Char('c')]);
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    type_text(&mut app, existing.to_str().unwrap());
    press(&mut app, &[KeyCode::Enter]);
    assert!(matches!(app.popup, Popup::Confirm(_)));
    assert!(app.take_requests().is_empty());
    press(&mut app, &[KeyCode::Char('n')]);
    assert!(app.take_requests().is_empty());
    press(&mut app, &[KeyCode::Char('c')]);
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    type_text(&mut app, existing.to_str().unwrap());
    press(&mut app, &[KeyCode::Enter, KeyCode::Char('y')]);
    assert!(
        matches!(app.take_requests().as_slice(), [Request::ExportReport { path, .. }] if *path == existing)
    );
}

#[test]
fn reports_use_a_wide_terminal_for_units_and_columns() {
    let mut app = on_report_preview();
    // At 80 columns the table takes the width; at 140 the unit list stays beside it and more columns fit.
    let narrow = render(&mut app).backend().to_string();
    assert!(!narrow.contains("Tỉnh Mẫu") && !narrow.contains("Tỉ lệ có CQS.1"), "{narrow}");
    let wide = render_at(&mut app, 140, 40).backend().to_string();
    assert!(wide.contains("Tỉnh Mẫu") && wide.contains("Tỉ lệ có CQS.1"), "{wide}");
    assert!(wide.contains("Dòng 1–34/42"), "more rows on a taller terminal:\n{wide}");
}

#[test]
fn reports_help_lists_every_key() {
    let mut app = on_reports();
    press(&mut app, &[KeyCode::Char('?')]);
    insta::assert_snapshot!("reports_help", render(&mut app).backend());
}

/// A learner with nothing set but a name, for a person's detail.
pub(super) fn learner() -> user::Model {
    user::Model {
        id: 1,
        username: "mai.bui".into(),
        full_name: "Bùi Thị Mai".into(),
        email: None,
        unit_id: None,
        position: String::new(),
        role: Role::Learner,
        password_hash: String::new(),
        must_change_password: false,
        active: true,
        failed_logins: 0,
        locked_until: None,
        created_at: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        search_key: String::new(),
        sso_provider: None,
        sso_subject: None,
        extra_time_percent: 0,
    }
}
