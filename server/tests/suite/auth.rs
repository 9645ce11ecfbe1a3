//! Logins, sessions, CSRF and access control over the `catalog` fixture.

use chrono::{Duration, Utc};
use daotao_core::entities::user::Role;
use daotao_core::entities::{audit_log, enrollment, lesson_progress, session, user};
use daotao_core::people::auth::token::hash_token;
use daotao_core::platform::config::Config;
use poem::http::{StatusCode, header};
use poem::test::TestResponse;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::helpers::*;

const NEW_PASSWORD: &str = "sông-Hồng-mùa-lũ-2024";

const MY_COURSES: &str = "Khoá học của tôi";
const MY_COURSES_EMPTY: &str = "Bạn chưa ghi danh khoá học nào.";
const LOGIN_FAILED: &str = "Tên đăng nhập hoặc mật khẩu không đúng.";
const ENROLLED: &str = "Bạn đã ghi danh khoá học này.";
const NOT_SELF_ENROL: &str = "Khoá học này do quản trị viên ghi danh.";
const MUST_CHANGE: &str = "Bạn đang dùng mật khẩu một lần.";
const PASSWORD_CHANGED: &str = "Đã đổi mật khẩu.";
const PASSWORD_MISMATCH: &str = "Hai lần nhập mật khẩu mới không khớp.";
const PASSWORD_WRONG: &str = "Mật khẩu hiện tại không đúng.";
const PASSWORD_WEAK: &str = "Mật khẩu mới cần ít nhất 8 ký tự";

/// What these tests read and change in the database behind the app.
impl TestApp {
    async fn sessions(&self, user_id: i64) -> Vec<session::Model> {
        session::Entity::find().filter(session::Column::UserId.eq(user_id)).all(&self.db).await.unwrap()
    }

    async fn session_count(&self) -> u64 {
        session::Entity::find().count(&self.db).await.unwrap()
    }

    /// The stored row of the session behind `token`.
    async fn session_row(&self, token: &str) -> Option<session::Model> {
        session::Entity::find()
            .filter(session::Column::TokenHash.eq(hash_token(token)))
            .one(&self.db)
            .await
            .unwrap()
    }

    async fn update_session(&self, token: &str, change: impl FnOnce(&mut session::ActiveModel)) {
        let mut row: session::ActiveModel = self.session_row(token).await.expect("session row").into();
        change(&mut row);
        row.update(&self.db).await.unwrap();
    }

    async fn account(&self, id: i64) -> user::Model {
        user::Entity::find_by_id(id).one(&self.db).await.unwrap().unwrap()
    }

    async fn update_account(&self, id: i64, change: impl FnOnce(&mut user::ActiveModel)) {
        let mut row: user::ActiveModel = self.account(id).await.into();
        change(&mut row);
        row.update(&self.db).await.unwrap();
    }

    async fn audit(&self) -> Vec<audit_log::Model> {
        audit_log::Entity::find().all(&self.db).await.unwrap()
    }

    async fn enrollments(&self) -> u64 {
        enrollment::Entity::find().count(&self.db).await.unwrap()
    }

    async fn lessons_read(&self) -> u64 {
        lesson_progress::Entity::find().count(&self.db).await.unwrap()
    }
}

/// The CSRF fields a change must refuse: none, empty, forged, and the token of another session.
fn wrong_csrf_fields<'a>(
    forged: &'a str,
    other: &'a str,
) -> [(&'static str, Vec<(&'static str, &'a str)>); 4] {
    [
        ("no csrf", vec![]),
        ("empty csrf", vec![("csrf", "")]),
        ("forged csrf", vec![("csrf", forged)]),
        ("another session's csrf", vec![("csrf", other)]),
    ]
}

/// Lan logged in (her session token), and the CSRF token of someone else's session.
async fn lan_and_someone_elses_csrf(app: &TestApp) -> (String, String) {
    app.user("lan.nguyen", "Nguyễn Thị Lan").await;
    app.user("hoa.le", "Lê Thị Hoa").await;
    let token = app.login("lan.nguyen").await;
    let other = app.login("hoa.le").await;
    (token, app.csrf(&other).await)
}

// 1. The login form flow.

#[tokio::test]
async fn login_form_sets_a_csrf_cookie_and_login_sets_a_session_whose_hash_is_stored() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    let lan = app.user("lan.nguyen", "Nguyễn Thị Lan").await;

    let resp = app.cli.get(format!("/login?next=/courses/{C1}")).send().await;
    assert_status(&resp, StatusCode::OK, "GET /login");
    let line = set_cookie(&resp, LOGIN_CSRF_COOKIE).expect("the login CSRF cookie").to_string();
    let attributes = cookie_attributes(&line);
    assert!(attributes.contains(&"HttpOnly"), "{line}");
    assert!(attributes.contains(&"SameSite=Strict"), "{line}");
    assert!(!attributes.contains(&"Secure"), "not Secure by default: {line}");
    let body = text(resp).await;
    let form = LoginForm {
        cookie: cookie_value(&line).to_string(),
        csrf: hidden(&body, "/login", "csrf"),
        next: hidden(&body, "/login", "next"),
    };
    assert!(is_hex64(&form.cookie), "{line}");
    assert_eq!(form.csrf, form.cookie, "the hidden field carries the cookie's token");
    assert_eq!(form.next, format!("/courses/{C1}"));

    let resp = app.post_login(&form, "lan.nguyen", PASSWORD).await;
    assert_redirect(&resp, &format!("/courses/{C1}"), "login goes to next");
    let line = set_cookie(&resp, SESSION_COOKIE).expect("the session cookie").to_string();
    let attributes = cookie_attributes(&line);
    for expected in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(attributes.contains(&expected), "{expected} missing: {line}");
    }
    assert!(!attributes.contains(&"Secure"), "not Secure by default: {line}");
    let token = cookie_value(&line).to_string();
    assert!(is_hex64(&token), "{line}");

    let rows = app.sessions(lan.id).await;
    assert_eq!(rows.len(), 1);
    assert!(is_hex64(&rows[0].token_hash), "{:?}", rows[0].token_hash);
    assert_ne!(rows[0].token_hash, token, "the cookie value is never stored");
    assert_eq!(rows[0].token_hash, hash_token(&token), "the table holds the token's SHA-256");
    assert_ne!(rows[0].csrf_token, token);
    assert_ne!(rows[0].csrf_token, form.csrf, "the session's CSRF token is not the login form's");

    let resp = app.get_as(&token, "/me").await;
    assert_status(&resp, StatusCode::OK, "/me");
    let body = text(resp).await;
    assert_contains(&body, MY_COURSES);
    assert_contains(&body, "Nguyễn Thị Lan");

    // Without ?next the form comes back to /me.
    let form = app.login_form("").await;
    assert_eq!(form.next, "/me");
    assert_redirect(&app.post_login(&form, "lan.nguyen", PASSWORD).await, "/me", "default next");
}

#[tokio::test]
async fn cookies_are_secure_when_configured() {
    let app =
        TestApp::with_config(Fixture::Catalog, Config { secure_cookies: true, ..Config::default() }).await;
    app.user("lan.nguyen", "Nguyễn Thị Lan").await;
    let resp = app.cli.get("/login").send().await;
    let line = set_cookie(&resp, LOGIN_CSRF_COOKIE).expect("the login CSRF cookie").to_string();
    assert!(cookie_attributes(&line).contains(&"Secure"), "{line}");

    let form = app.login_form("").await;
    let resp = app.post_login(&form, "lan.nguyen", PASSWORD).await;
    assert_status(&resp, StatusCode::SEE_OTHER, "login");
    let line = set_cookie(&resp, SESSION_COOKIE).expect("the session cookie").to_string();
    let attributes = cookie_attributes(&line);
    for expected in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(attributes.contains(&expected), "{expected} missing: {line}");
    }

    let token = cookie_value(&line).to_string();
    let csrf = app.csrf(&token).await;
    let resp = app.post_as(&token, "/logout", &[("csrf", &csrf)]).await;
    let line = set_cookie(&resp, SESSION_COOKIE).expect("the cleared session cookie");
    assert!(cookie_attributes(line).contains(&"Secure"), "{line}");
}

#[tokio::test]
async fn login_never_redirects_off_site() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    app.user("lan.nguyen", "Nguyễn Thị Lan").await;
    for next in ["//evil.example/x", "https://evil.example/", "/\\evil.example"] {
        let mut form = app.login_form("").await;
        form.next = next.to_string();
        assert_redirect(&app.post_login(&form, "lan.nguyen", PASSWORD).await, "/", next);
    }
}

// 2. A new session id at each login.

#[tokio::test]
async fn each_login_gets_a_new_session_id() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    let lan = app.user("lan.nguyen", "Nguyễn Thị Lan").await;
    let first = app.login("lan.nguyen").await;
    let second = app.login("lan.nguyen").await;
    assert_ne!(first, second);

    // Logging in while presenting a session cookie (planted or old) still gives a fresh id.
    let form = app.login_form("").await;
    let resp = app
        .cli
        .post("/login")
        .header(header::COOKIE, format!("{LOGIN_CSRF_COOKIE}={}; {SESSION_COOKIE}={first}", form.cookie))
        .form(&[
            ("csrf", form.csrf.as_str()),
            ("next", "/me"),
            ("username", "lan.nguyen"),
            ("password", PASSWORD),
        ])
        .send()
        .await;
    assert_status(&resp, StatusCode::SEE_OTHER, "login over an existing session");
    let third = cookie(&resp, SESSION_COOKIE);
    assert_ne!(third, first);
    assert_ne!(third, second);
    assert_eq!(app.sessions(lan.id).await.len(), 3);

    // Each works until it is logged out; ending one leaves the others.
    assert!(app.logged_in(&first).await);
    assert!(app.logged_in(&second).await);
    let csrf = app.csrf(&first).await;
    assert_status(&app.post_as(&first, "/logout", &[("csrf", &csrf)]).await, StatusCode::SEE_OTHER, "logout");
    assert!(!app.logged_in(&first).await);
    assert!(app.logged_in(&second).await);
    assert!(app.logged_in(&third).await);
}

// 3. One generic error, audited without passwords.

#[tokio::test]
async fn login_failures_give_one_generic_error_and_are_audited_without_passwords() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    let lan = app.user("lan.nguyen", "Nguyễn Thị Lan").await;
    let wrong_password = "doan-bua-mat-khau-0501";
    let other_password = "mat-khau-cua-nguoi-la-77";

    let form = app.login_form("").await;
    let wrong = app.post_login(&form, "lan.nguyen", wrong_password).await;
    let unknown = app.post_login(&form, "khong.co.ai", other_password).await;
    assert_status(&wrong, StatusCode::UNAUTHORIZED, "wrong password");
    assert_status(&unknown, StatusCode::UNAUTHORIZED, "unknown username");
    assert!(set_cookie(&wrong, SESSION_COOKIE).is_none());
    assert!(set_cookie(&unknown, SESSION_COOKIE).is_none());
    let wrong = text(wrong).await;
    let unknown = text(unknown).await;
    let message = alert(&wrong).expect("an error message");
    assert_contains(message, LOGIN_FAILED);
    assert_eq!(alert(&unknown), Some(message), "both failures read the same");
    assert_lacks(&wrong, wrong_password);
    assert_lacks(&unknown, other_password);
    assert_eq!(app.session_count().await, 0);

    let rows = app.audit().await;
    let failures: Vec<_> = rows.iter().filter(|r| r.action == "login" && r.result == "failure").collect();
    assert_eq!(failures.len(), 2, "{rows:#?}");
    assert!(failures.iter().any(|r| r.actor == "lan.nguyen" && r.user_id == Some(lan.id)), "{rows:#?}");
    assert!(failures.iter().any(|r| r.actor == "khong.co.ai" && r.user_id.is_none()), "{rows:#?}");
    for row in &rows {
        for column in [&row.actor, &row.action, &row.target, &row.ip, &row.result, &row.detail] {
            for password in [wrong_password, other_password, PASSWORD] {
                assert!(!column.contains(password), "a password in the audit log: {row:?}");
            }
        }
    }
}

// 4. Login CSRF.

#[tokio::test]
async fn login_without_a_matching_csrf_token_is_refused() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    app.user("lan.nguyen", "Nguyễn Thị Lan").await;
    let form = app.login_form("").await;
    let fields = |csrf: Option<&str>| {
        let mut f = vec![
            ("next", "/me".to_string()),
            ("username", "lan.nguyen".into()),
            ("password", PASSWORD.into()),
        ];
        if let Some(csrf) = csrf {
            f.push(("csrf", csrf.to_string()));
        }
        f
    };
    let with_cookie = format!("{LOGIN_CSRF_COOKIE}={}", form.cookie);
    let forged = forged();
    let cases = [
        ("no csrf field", Some(with_cookie.as_str()), fields(None)),
        ("empty csrf field", Some(with_cookie.as_str()), fields(Some(""))),
        ("forged csrf field", Some(with_cookie.as_str()), fields(Some(forged.as_str()))),
        ("no cookie", None, fields(Some(form.csrf.as_str()))),
    ];
    for (what, cookie, fields) in cases {
        let mut req = app.cli.post("/login");
        if let Some(cookie) = cookie {
            req = req.header(header::COOKIE, cookie);
        }
        let resp = req.form(&fields).send().await;
        assert_status(&resp, StatusCode::FORBIDDEN, what);
        assert!(set_cookie(&resp, SESSION_COOKIE).is_none(), "{what}");
        assert_eq!(app.session_count().await, 0, "{what}");
    }
    // The same request with the matching pair works.
    assert_status(
        &app.post_login(&form, "lan.nguyen", PASSWORD).await,
        StatusCode::SEE_OTHER,
        "matching token",
    );
}

// 5. Lock-out.

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_until_the_lock_ends() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    let lan = app.user("lan.nguyen", "Nguyễn Thị Lan").await;
    let form = app.login_form("").await;
    let mut generic = None;
    for i in 1..=5 {
        let resp = app.post_login(&form, "lan.nguyen", &format!("sai-mat-khau-{i}")).await;
        assert_status(&resp, StatusCode::UNAUTHORIZED, &format!("wrong password {i}"));
        generic.get_or_insert(alert(&text(resp).await).expect("an error").to_string());
    }
    let generic = generic.unwrap();
    let locked = app.account(lan.id).await;
    assert!(locked.locked_until.is_some_and(|t| t > Utc::now()), "{locked:?}");

    let resp = app.post_login(&form, "lan.nguyen", PASSWORD).await;
    assert_status(&resp, StatusCode::UNAUTHORIZED, "right password on a locked account");
    assert!(set_cookie(&resp, SESSION_COOKIE).is_none());
    assert_eq!(alert(&text(resp).await), Some(generic.as_str()), "a lock reads like any failure");
    assert_eq!(app.session_count().await, 0);

    // Once the lock has run out the right password works and the count starts again.
    app.update_account(lan.id, |u| u.locked_until = Set(Some(Utc::now() - Duration::minutes(1)))).await;
    assert_status(
        &app.post_login(&form, "lan.nguyen", "sai-lan-nua").await,
        StatusCode::UNAUTHORIZED,
        "wrong",
    );
    assert_eq!(app.account(lan.id).await.failed_logins, 1);
    assert_status(
        &app.post_login(&form, "lan.nguyen", PASSWORD).await,
        StatusCode::SEE_OTHER,
        "after the lock",
    );
    let after = app.account(lan.id).await;
    assert_eq!(after.failed_logins, 0, "{after:?}");
    assert_eq!(after.locked_until, None, "{after:?}");
}

#[tokio::test]
async fn lockout_threshold_comes_from_config() {
    let app =
        TestApp::with_config(Fixture::Catalog, Config { lockout_failures: 2, ..Config::default() }).await;
    let lan = app.user("lan.nguyen", "Nguyễn Thị Lan").await;
    let form = app.login_form("").await;
    assert_status(
        &app.post_login(&form, "lan.nguyen", "sai-mot-lan").await,
        StatusCode::UNAUTHORIZED,
        "wrong",
    );
    assert_status(
        &app.post_login(&form, "lan.nguyen", PASSWORD).await,
        StatusCode::SEE_OTHER,
        "one failure: open",
    );
    for i in 1..=2 {
        let resp = app.post_login(&form, "lan.nguyen", &format!("sai-{i}")).await;
        assert_status(&resp, StatusCode::UNAUTHORIZED, "wrong");
    }
    assert!(app.account(lan.id).await.locked_until.is_some_and(|t| t > Utc::now()));
    let resp = app.post_login(&form, "lan.nguyen", PASSWORD).await;
    assert_status(&resp, StatusCode::UNAUTHORIZED, "two failures: locked");
    assert_contains(alert(&text(resp).await).expect("an error"), LOGIN_FAILED);
}

#[tokio::test]
async fn login_error_states_the_configured_lockout() {
    let app = TestApp::with_config(
        Fixture::Catalog,
        Config { lockout_failures: 3, lockout_minutes: 30, ..Config::default() },
    )
    .await;
    app.user("lan.nguyen", "Nguyễn Thị Lan").await;
    let form = app.login_form("").await;
    let resp = app.post_login(&form, "lan.nguyen", "sai-mat-khau").await;
    let body = text(resp).await;
    let message = alert(&body).expect("an error");
    assert_lacks(message, "5 lần");
    assert_lacks(message, "15 phút");
    assert_contains(message, "3 lần");
    assert_contains(message, "30 phút");
}

// 6. Logout.

#[tokio::test]
async fn logout_needs_the_session_csrf_token_and_ends_the_session() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    let lan = app.user("lan.nguyen", "Nguyễn Thị Lan").await;
    let token = app.login("lan.nguyen").await;
    let other = app.login("lan.nguyen").await;
    let other_csrf = app.csrf(&other).await;

    let forged = forged();
    for (what, fields) in wrong_csrf_fields(&forged, &other_csrf) {
        let resp = app.post_as(&token, "/logout", &fields).await;
        assert_status(&resp, StatusCode::FORBIDDEN, what);
        assert!(set_cookie(&resp, SESSION_COOKIE).is_none(), "{what}");
        assert!(app.logged_in(&token).await, "{what}: the session goes on");
    }
    assert!(app.audit().await.iter().all(|r| r.action != "logout"));

    let csrf = app.csrf(&token).await;
    let resp = app.post_as(&token, "/logout", &[("csrf", &csrf)]).await;
    assert_status(&resp, StatusCode::SEE_OTHER, "logout");
    let line = set_cookie(&resp, SESSION_COOKIE).expect("the session cookie is cleared");
    assert_eq!(cookie_value(line), "", "{line}");
    assert!(cookie_attributes(line).contains(&"Max-Age=0"), "{line}");
    assert!(!app.logged_in(&token).await, "the old cookie no longer opens the session");
    assert!(app.session_row(&token).await.is_none(), "the session row is gone");
    assert!(app.logged_in(&other).await, "other sessions go on");

    let rows = app.audit().await;
    assert!(
        rows.iter().any(|r| r.action == "logout" && r.result == "success" && r.user_id == Some(lan.id)),
        "{rows:#?}"
    );
}

// 7. Session expiry.

#[tokio::test]
async fn idle_sessions_end() {
    let app =
        TestApp::with_config(Fixture::Catalog, Config { session_idle_minutes: 30, ..Config::default() })
            .await;
    app.user("lan.nguyen", "Nguyễn Thị Lan").await;
    let token = app.login("lan.nguyen").await;

    app.update_session(&token, |s| s.last_seen_at = Set(Utc::now() - Duration::minutes(29))).await;
    assert!(app.logged_in(&token).await, "29 idle minutes of 30");
    let seen = app.session_row(&token).await.unwrap().last_seen_at;
    assert!(seen > Utc::now() - Duration::minutes(1), "use moves last_seen_at: {seen}");

    app.update_session(&token, |s| s.last_seen_at = Set(Utc::now() - Duration::minutes(31))).await;
    assert!(!app.logged_in(&token).await, "31 idle minutes of 30");
    assert!(app.session_row(&token).await.is_none(), "the expired session is deleted");
}

#[tokio::test]
async fn sessions_end_at_their_absolute_limit() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    app.user("lan.nguyen", "Nguyễn Thị Lan").await;
    let token = app.login("lan.nguyen").await;
    let row = app.session_row(&token).await.unwrap();
    let max = row.expires_at - row.created_at;
    assert!((max - Duration::hours(12)).num_seconds().abs() < 5, "session_max_hours = 12 by default: {max}");

    app.update_session(&token, |s| s.expires_at = Set(Utc::now() + Duration::minutes(1))).await;
    assert!(app.logged_in(&token).await);
    app.update_session(&token, |s| {
        s.expires_at = Set(Utc::now() - Duration::seconds(1));
        s.last_seen_at = Set(Utc::now());
    })
    .await;
    assert!(!app.logged_in(&token).await, "past expires_at, however recently used");
    assert!(app.session_row(&token).await.is_none());
}

#[tokio::test]
async fn deactivating_an_account_ends_its_sessions_at_once() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    let lan = app.user("lan.nguyen", "Nguyễn Thị Lan").await;
    let token = app.login("lan.nguyen").await;
    assert!(app.logged_in(&token).await);

    app.update_account(lan.id, |u| u.active = Set(false)).await;
    assert!(!app.logged_in(&token).await);
    let form = app.login_form("").await;
    let resp = app.post_login(&form, "lan.nguyen", PASSWORD).await;
    assert_status(&resp, StatusCode::UNAUTHORIZED, "a deactivated account cannot log in");
    assert_contains(alert(&text(resp).await).expect("an error"), LOGIN_FAILED);
    assert_eq!(app.session_count().await, 0);
}

// 8. One-time passwords.

#[tokio::test]
async fn one_time_password_must_be_changed_before_anything_else() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    let (minh, otp) = app.otp_user("minh.tran", "Trần Văn Minh").await;
    assert!(minh.must_change_password);

    let form = app.login_form("?next=/me").await;
    let resp = app.post_login(&form, "minh.tran", &otp).await;
    assert_redirect(&resp, "/account/password", "a one-time password leads to the password page");
    let token = cookie(&resp, SESSION_COOKIE);

    for path in ["/me".to_string(), "/".into(), format!("/courses/{C1}"), format!("/courses/{C1}/{FIRST}")] {
        assert_redirect(&app.get_as(&token, &path).await, "/account/password", &path);
    }
    let csrf = app.csrf(&token).await;
    let resp = app.post_as(&token, &format!("/courses/{C1}/enrol"), &[("csrf", &csrf)]).await;
    assert_redirect(&resp, "/account/password", "enrol before the change");
    assert_eq!(app.enrollments().await, 0);

    let resp = app.get_as(&token, "/account/password").await;
    assert_status(&resp, StatusCode::OK, "the password page");
    assert_contains(&text(resp).await, MUST_CHANGE);

    let resp = app
        .post_as(
            &token,
            "/account/password",
            &[("csrf", &csrf), ("current", &otp), ("new", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
        )
        .await;
    assert_redirect(&resp, "/me", "after the change");
    assert!(!app.account(minh.id).await.must_change_password);
    let resp = app.get_as(&token, "/me").await;
    assert_status(&resp, StatusCode::OK, "/me after the change");
    assert_contains(&text(resp).await, MY_COURSES);

    let form = app.login_form("").await;
    assert_status(
        &app.post_login(&form, "minh.tran", &otp).await,
        StatusCode::UNAUTHORIZED,
        "the OTP is spent",
    );
    assert_redirect(&app.post_login(&form, "minh.tran", NEW_PASSWORD).await, "/me", "the new password");

    let rows = app.audit().await;
    assert!(
        rows.iter()
            .any(|r| r.action == "password_change" && r.result == "success" && r.user_id == Some(minh.id)),
        "{rows:#?}"
    );
    for row in &rows {
        for password in [otp.as_str(), NEW_PASSWORD] {
            assert!(!format!("{row:?}").contains(password), "a password in the audit log: {row:?}");
        }
    }
}

#[tokio::test]
async fn refused_password_changes_change_nothing() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    let (minh, otp) = app.otp_user("minh.tran", "Trần Văn Minh").await;
    let form = app.login_form("").await;
    let login = |resp: TestResponse| cookie(&resp, SESSION_COOKIE);
    let token = login(app.post_login(&form, "minh.tran", &otp).await);
    let other = login(app.post_login(&form, "minh.tran", &otp).await);
    let csrf = app.csrf(&token).await;
    let before = app.account(minh.id).await;

    let cases = [
        ("mismatched confirmation", otp.as_str(), NEW_PASSWORD, "một-mật-khẩu-khác-hẳn", PASSWORD_MISMATCH),
        ("wrong current password", "sai-mat-khau-hien-tai", NEW_PASSWORD, NEW_PASSWORD, PASSWORD_WRONG),
        ("too short", otp.as_str(), "ngắn7", "ngắn7", PASSWORD_WEAK),
        ("same as the old one", otp.as_str(), otp.as_str(), otp.as_str(), PASSWORD_WEAK),
    ];
    for (what, current, new, confirm, message) in cases {
        let resp = app
            .post_as(
                &token,
                "/account/password",
                &[("csrf", &csrf), ("current", current), ("new", new), ("confirm", confirm)],
            )
            .await;
        assert_status(&resp, StatusCode::UNPROCESSABLE_ENTITY, what);
        assert_contains(alert(&text(resp).await).unwrap_or_else(|| panic!("{what}: no message")), message);
        let after = app.account(minh.id).await;
        assert_eq!(after.password_hash, before.password_hash, "{what}");
        assert!(after.must_change_password, "{what}");
        assert!(app.session_row(&other).await.is_some(), "{what}: other sessions are kept");
    }
    assert_redirect(&app.get_as(&token, "/me").await, "/account/password", "still a one-time password");
    assert_redirect(
        &app.post_login(&form, "minh.tran", &otp).await,
        "/account/password",
        "the OTP still works",
    );
}

#[tokio::test]
async fn password_change_needs_the_csrf_token() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    let lan = app.user("lan.nguyen", "Nguyễn Thị Lan").await;
    let token = app.login("lan.nguyen").await;
    let before = app.account(lan.id).await.password_hash;
    let forged = forged();
    for (what, csrf) in [("no csrf", None), ("forged csrf", Some(forged.as_str()))] {
        let mut fields = vec![("current", PASSWORD), ("new", NEW_PASSWORD), ("confirm", NEW_PASSWORD)];
        fields.extend(csrf.map(|c| ("csrf", c)));
        let resp = app.post_as(&token, "/account/password", &fields).await;
        assert_status(&resp, StatusCode::FORBIDDEN, what);
        assert_eq!(app.account(lan.id).await.password_hash, before, "{what}");
    }
}

// 9. A password change ends the other sessions.

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions_only() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    let lan = app.user("lan.nguyen", "Nguyễn Thị Lan").await;
    app.user("hoa.le", "Lê Thị Hoa").await;
    let here = app.login("lan.nguyen").await;
    let elsewhere = app.login("lan.nguyen").await;
    let someone_else = app.login("hoa.le").await;
    let csrf = app.csrf(&here).await;

    let resp = app
        .post_as(
            &here,
            "/account/password",
            &[("csrf", &csrf), ("current", PASSWORD), ("new", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
        )
        .await;
    assert_status(&resp, StatusCode::OK, "password changed");
    assert_contains(&text(resp).await, PASSWORD_CHANGED);
    assert!(app.logged_in(&here).await, "the session that changed it goes on");
    assert!(!app.logged_in(&elsewhere).await, "the other session ended");
    assert!(app.logged_in(&someone_else).await, "other accounts are not touched");
    assert_eq!(app.sessions(lan.id).await.len(), 1);
}

// 10. CSRF on learner actions.

#[tokio::test]
async fn enrol_needs_the_session_csrf_token() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    let (token, other_csrf) = lan_and_someone_elses_csrf(&app).await;
    let enrol = format!("/courses/{C1}/enrol");

    let forged = forged();
    for (what, fields) in wrong_csrf_fields(&forged, &other_csrf) {
        assert_status(&app.post_as(&token, &enrol, &fields).await, StatusCode::FORBIDDEN, what);
        assert_eq!(app.enrollments().await, 0, "{what}");
    }

    let resp = app.get_as(&token, &format!("/courses/{C1}")).await;
    let csrf = hidden(&text(resp).await, &enrol, "csrf");
    assert_redirect(
        &app.post_as(&token, &enrol, &[("csrf", &csrf)]).await,
        &format!("/courses/{C1}"),
        "enrol",
    );
    assert_eq!(app.enrollments().await, 1);
    let body = text(app.get_as(&token, &format!("/courses/{C1}")).await).await;
    assert_contains(&body, ENROLLED);
    assert_contains(&body, "Tiến độ: 0/3 bài đã đọc");
}

#[tokio::test]
async fn mark_read_needs_the_session_csrf_token() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    let (token, other_csrf) = lan_and_someone_elses_csrf(&app).await;
    let csrf = app.csrf(&token).await;
    let resp = app.post_as(&token, &format!("/courses/{C1}/enrol"), &[("csrf", &csrf)]).await;
    assert_status(&resp, StatusCode::SEE_OTHER, "enrol");
    let read = format!("/courses/{C1}/{FIRST}/read");

    let forged = forged();
    for (what, fields) in wrong_csrf_fields(&forged, &other_csrf) {
        assert_status(&app.post_as(&token, &read, &fields).await, StatusCode::FORBIDDEN, what);
        assert_eq!(app.lessons_read().await, 0, "{what}");
    }

    let lesson = text(app.get_as(&token, &format!("/courses/{C1}/{FIRST}")).await).await;
    let csrf = hidden(&lesson, &read, "csrf");
    assert_redirect(
        &app.post_as(&token, &read, &[("csrf", &csrf)]).await,
        &format!("/courses/{C1}/{MIDDLE}"),
        "read",
    );
    assert_eq!(app.lessons_read().await, 1);
    let body = text(app.get_as(&token, &format!("/courses/{C1}")).await).await;
    assert_contains(&body, "Tiến độ: 1/3 bài đã đọc");
    let resp = app.post_as(&token, &format!("/courses/{C1}/{LAST}/read"), &[("csrf", &csrf)]).await;
    assert_redirect(&resp, &format!("/courses/{C1}"), "the last lesson leads back to the course");
}

// 11. No state change over GET.

#[tokio::test]
async fn get_requests_change_nothing() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    app.user("lan.nguyen", "Nguyễn Thị Lan").await;
    let token = app.login("lan.nguyen").await;
    let csrf = app.csrf(&token).await;
    let refused = |resp: &TestResponse, what: &str| {
        let status = resp.0.status();
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::METHOD_NOT_ALLOWED,
            "{what}: {status}"
        );
    };

    refused(&app.get_as(&token, &format!("/logout?csrf={csrf}")).await, "GET /logout");
    assert!(app.logged_in(&token).await, "GET /logout ends nothing");

    refused(&app.get_as(&token, &format!("/courses/{C1}/enrol?csrf={csrf}")).await, "GET enrol");
    assert_eq!(app.enrollments().await, 0, "GET enrol");

    let resp = app.post_as(&token, &format!("/courses/{C1}/enrol"), &[("csrf", &csrf)]).await;
    assert_status(&resp, StatusCode::SEE_OTHER, "POST enrol");
    refused(&app.get_as(&token, &format!("/courses/{C1}/{FIRST}/read?csrf={csrf}")).await, "GET read");
    assert_eq!(app.lessons_read().await, 0, "GET read");
}

// 12. Access between learners and to courses.

#[tokio::test]
async fn learners_see_only_their_own_progress() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    let an = app.user("an.pham", "Phạm Văn An").await;
    app.user("binh.vo", "Võ Thị Bình").await;
    let a = app.login("an.pham").await;
    let b = app.login("binh.vo").await;
    let a_csrf = app.csrf(&a).await;
    let b_csrf = app.csrf(&b).await;

    app.post_as(&a, &format!("/courses/{C1}/enrol"), &[("csrf", &a_csrf)]).await;
    for lesson in [FIRST, MIDDLE] {
        let resp = app.post_as(&a, &format!("/courses/{C1}/{lesson}/read"), &[("csrf", &a_csrf)]).await;
        assert_status(&resp, StatusCode::SEE_OTHER, lesson);
    }
    daotao_core::learning::enrollment::enroll_users(&app.db, C2, &[an.id], None, None).await.unwrap();

    let body = text(app.get_as(&a, "/me").await).await;
    assert_contains(&body, C1_TITLE);
    assert_contains(&body, C2_TITLE);
    assert_contains(&body, "Tiến độ: 2/3 bài đã đọc");

    let body = text(app.get_as(&b, "/me").await).await;
    assert_contains(&body, "Võ Thị Bình");
    assert_contains(&body, MY_COURSES_EMPTY);
    assert_lacks(&body, C1_TITLE);
    assert_lacks(&body, C2_TITLE);
    assert_lacks(&body, "Phạm Văn An");

    let resp = app.post_as(&b, &format!("/courses/{C1}/enrol"), &[("csrf", &b_csrf)]).await;
    assert_status(&resp, StatusCode::SEE_OTHER, "B enrols");
    let body = text(app.get_as(&b, "/me").await).await;
    assert_contains(&body, C1_TITLE);
    assert_contains(&body, "Tiến độ: 0/3 bài đã đọc");
    assert_lacks(&body, C2_TITLE);
    assert_lacks(&body, "2/3");

    let body = text(app.get_as(&b, &format!("/courses/{C1}")).await).await;
    assert_contains(&body, "Tiến độ: 0/3 bài đã đọc");
    assert_lacks(&body, "✓");
    let body = text(app.get_as(&b, &format!("/courses/{C1}/{FIRST}")).await).await;
    assert_contains(&body, &format!("action=\"/courses/{C1}/{FIRST}/read\""));
    let body = text(app.get_as(&a, &format!("/courses/{C1}")).await).await;
    assert_contains(&body, "Tiến độ: 2/3 bài đã đọc");
}

#[tokio::test]
async fn marking_read_needs_an_enrolment() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    app.user("lan.nguyen", "Nguyễn Thị Lan").await;
    let token = app.login("lan.nguyen").await;
    let csrf = app.csrf(&token).await;
    for path in [format!("/courses/{C1}/{FIRST}/read"), format!("/courses/{C2}/{C2_LESSON}/read")] {
        assert_status(&app.post_as(&token, &path, &[("csrf", &csrf)]).await, StatusCode::FORBIDDEN, &path);
    }
    assert_eq!(app.lessons_read().await, 0);
}

#[tokio::test]
async fn self_enrol_is_refused_where_the_course_does_not_allow_it() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    app.user("lan.nguyen", "Nguyễn Thị Lan").await;
    let token = app.login("lan.nguyen").await;
    let csrf = app.csrf(&token).await;
    let body = text(app.get_as(&token, &format!("/courses/{C2}")).await).await;
    assert_contains(&body, NOT_SELF_ENROL);
    assert_lacks(&body, &format!("action=\"/courses/{C2}/enrol\""));
    let resp = app.post_as(&token, &format!("/courses/{C2}/enrol"), &[("csrf", &csrf)]).await;
    assert_status(&resp, StatusCode::FORBIDDEN, "self-enrol in an admin-only course");
    assert_eq!(app.enrollments().await, 0);
}

// 13. Cache-Control.

#[tokio::test]
async fn personal_pages_are_never_stored_by_caches() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    app.user("lan.nguyen", "Nguyễn Thị Lan").await;

    let resp = app.cli.get("/login").send().await;
    assert_eq!(header(&resp, header::CACHE_CONTROL), "no-store", "/login");
    let anonymous_lesson = format!("/courses/{C1}/{FIRST}");
    for path in [format!("/courses/{C1}"), anonymous_lesson] {
        let resp = app.cli.get(&path).send().await;
        assert_status(&resp, StatusCode::OK, &path);
        assert_lacks(header(&resp, header::CACHE_CONTROL), "no-store");
    }
    let form = app.login_form("").await;
    let resp = app.post_login(&form, "lan.nguyen", "sai-mat-khau").await;
    assert_eq!(header(&resp, header::CACHE_CONTROL), "no-store", "failed login");

    let token = app.login("lan.nguyen").await;
    for path in [
        "/me".to_string(),
        "/account/password".into(),
        format!("/courses/{C1}"),
        format!("/courses/{C1}/{FIRST}"),
    ] {
        let resp = app.get_as(&token, &path).await;
        assert_status(&resp, StatusCode::OK, &path);
        assert_eq!(header(&resp, header::CACHE_CONTROL), "no-store", "{path} when logged in");
    }
}

// 14. Anonymous reading.

#[tokio::test]
async fn anonymous_reading_off_sends_visitors_to_login() {
    let app =
        TestApp::with_config(Fixture::Catalog, Config { anonymous_reading: false, ..Config::default() })
            .await;
    app.user("lan.nguyen", "Nguyễn Thị Lan").await;
    let course = format!("/courses/{C1}");
    let lesson = format!("/courses/{C1}/{FIRST}");
    for path in [&course, &lesson] {
        let resp = app.cli.get(path).send().await;
        assert_redirect(&resp, &format!("/login?next={path}"), path);
    }
    let token = app.login("lan.nguyen").await;
    for path in [&course, &lesson] {
        assert_status(&app.get_as(&token, path).await, StatusCode::OK, path);
    }
}

#[tokio::test]
async fn anonymous_reading_is_on_by_default() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    for path in [format!("/courses/{C1}"), format!("/courses/{C1}/{FIRST}")] {
        assert_status(&app.cli.get(&path).send().await, StatusCode::OK, &path);
    }
}

#[tokio::test]
async fn anonymous_reading_off_covers_course_assets() {
    let app =
        TestApp::with_config(Fixture::Catalog, Config { anonymous_reading: false, ..Config::default() })
            .await;
    let resp = app.cli.get(format!("/courses/{C1}/assets/hinh.svg")).send().await;
    assert_ne!(resp.0.status(), StatusCode::OK, "an anonymous visitor got a course asset");
}

// 15. Security headers.

#[tokio::test]
async fn security_headers_are_on_login_me_and_csrf_refusals() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    app.user("lan.nguyen", "Nguyễn Thị Lan").await;

    let resp = app.cli.get("/login").send().await;
    assert_status(&resp, StatusCode::OK, "/login");
    assert_security_headers(&resp, "/login");

    let resp =
        app.cli.post("/login").form(&[("username", "lan.nguyen"), ("password", PASSWORD)]).send().await;
    assert_status(&resp, StatusCode::FORBIDDEN, "login without csrf");
    assert_security_headers(&resp, "login CSRF refusal");

    let token = app.login("lan.nguyen").await;
    let resp = app.get_as(&token, "/me").await;
    assert_status(&resp, StatusCode::OK, "/me");
    assert_security_headers(&resp, "/me");

    let resp = app.post_as(&token, "/logout", &[]).await;
    assert_status(&resp, StatusCode::FORBIDDEN, "logout without csrf");
    assert_security_headers(&resp, "logout CSRF refusal");

    let resp = app.post_as(&token, &format!("/courses/{C1}/enrol"), &[("csrf", &forged())]).await;
    assert_status(&resp, StatusCode::FORBIDDEN, "enrol with a forged csrf");
    assert_security_headers(&resp, "enrol CSRF refusal");
}

// 12b. Trainers see the learners of the courses they are assigned; admins all; learners none.
#[tokio::test]
async fn trainers_see_learners_of_their_assigned_courses_only() {
    use daotao_core::entities::course_trainer;

    let app = TestApp::spawn(Fixture::Catalog).await;
    let an = app.user("an.pham", "Phạm Văn An").await;
    let trainer = app.user("giang.vien", "Trần Giảng Viên").await;
    let other_trainer = app.user("giang.vien2", "Lê Giảng Viên").await;
    let admin = app.user("quan.tri", "Quản Trị").await;
    for (id, role) in
        [(trainer.id, Role::Trainer), (other_trainer.id, Role::Trainer), (admin.id, Role::Admin)]
    {
        app.update_account(id, |u| u.role = Set(role)).await;
    }
    course_trainer::Entity::insert(course_trainer::ActiveModel {
        course_id: Set(C1.into()),
        user_id: Set(trainer.id),
    })
    .exec(&app.db)
    .await
    .unwrap();
    daotao_core::learning::enrollment::enroll_users(&app.db, C1, &[an.id], None, None).await.unwrap();
    daotao_core::learning::progress::mark_read(&app.db, an.id, C1, FIRST).await.unwrap();

    let path = format!("/courses/{C1}/learners");
    let a = app.login("an.pham").await;
    assert_status(&app.get_as(&a, &path).await, StatusCode::FORBIDDEN, "a learner");
    let other = app.login("giang.vien2").await;
    assert_status(&app.get_as(&other, &path).await, StatusCode::FORBIDDEN, "a trainer of other courses");
    for username in ["giang.vien", "quan.tri"] {
        let token = app.login(username).await;
        let resp = app.get_as(&token, &path).await;
        assert_status(&resp, StatusCode::OK, username);
        assert_eq!(header(&resp, header::CACHE_CONTROL), "no-store");
        let body = text(resp).await;
        assert_contains(&body, "Phạm Văn An");
        assert_contains(&body, "1/3");
        assert_lacks(&body, "Quản Trị</td>");
    }
    let resp = app.cli.get(&path).send().await;
    assert_status(&resp, StatusCode::SEE_OTHER, "anonymous");
    assert!(location(&resp).starts_with("/login"));
}
