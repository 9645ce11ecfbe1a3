//! End-to-end: accounts, sessions and progress against the real server
//! binary, as a browser would use them (a client with a cookie jar), and two
//! servers sharing one PostgreSQL database.

use daotao_core::entities::user::Role;
use daotao_core::people::accounts::{NewUser, add_user};
use daotao_tests::{Server, bundled_courses, copy_dir};

const COURSE: &str = "an-toan-thong-tin-co-ban";

fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&bundled_courses(), &dir.path().join("courses"));
    dir
}

/// Creates an account in the database at `url` (migrating it first, as the server would).
fn create_user(url: &str, username: &str, password: Option<&str>) -> Option<String> {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = daotao_core::platform::db::connect(url).await.unwrap();
        let (_, one_time) = add_user(
            &db,
            NewUser {
                username: username.into(),
                full_name: format!("Nguyễn Văn {username}"),
                email: None,
                unit_code: None,
                position: "Chuyên viên".into(),
                role: Role::Learner,
                password: password.map(str::to_string),
            },
        )
        .await
        .unwrap();
        one_time
    })
}

fn browser() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .cookie_store(true)
        // Dropping a blocking client with idle pooled connections waits for them to close.
        .pool_max_idle_per_host(0)
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .unwrap()
}

/// The value of a hidden `name="csrf"` field in a page.
fn csrf_field(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a csrf field") + "name=\"csrf\" value=\"".len();
    page[at..at + 64].to_string()
}

/// Logs in through the form, as a person would: returns the page landed on.
fn log_in(
    client: &reqwest::blocking::Client,
    server: &Server,
    username: &str,
    password: &str,
) -> (u16, String) {
    let form = client.get(server.url("/login")).send().unwrap().text().unwrap();
    let resp = client
        .post(server.url("/login"))
        .form(&[
            ("csrf", csrf_field(&form).as_str()),
            ("next", "/me"),
            ("username", username),
            ("password", password),
        ])
        .send()
        .unwrap();
    (resp.status().as_u16(), resp.text().unwrap())
}

#[test]
fn a_learners_journey_with_a_one_time_password() {
    let dir = scratch();
    let url = format!("sqlite://{}/db.sqlite", dir.path().display());
    let one_time = create_user(&url, "lan.nguyen", None).expect("a one-time password");
    let server = Server::start(dir.path(), &[("DAOTAO_DATABASE_URL", &url)]);
    let client = browser();

    // First login lands on the password page, and nothing else opens before the change.
    let (status, page) = log_in(&client, &server, "Lan.Nguyen", &one_time);
    assert_eq!(status, 200);
    assert!(page.contains("Đổi mật khẩu") && page.contains("mật khẩu một lần"), "{page}");
    let me = client.get(server.url("/me")).send().unwrap();
    assert!(me.url().path().ends_with("/account/password"));
    let resp = client
        .post(server.url("/account/password"))
        .form(&[
            ("csrf", csrf_field(&page).as_str()),
            ("current", one_time.as_str()),
            ("new", "Mật khẩu mới 2026"),
            ("confirm", "Mật khẩu mới 2026"),
        ])
        .send()
        .unwrap();
    assert_eq!(resp.url().path(), "/me");
    let page = resp.text().unwrap();
    assert!(page.contains("Khoá học của tôi") && page.contains("chưa ghi danh"), "{page}");

    // Enrol from the course page, read the first lesson, see the progress.
    let course_page = client.get(server.url(&format!("/courses/{COURSE}"))).send().unwrap().text().unwrap();
    let resp = client
        .post(server.url(&format!("/courses/{COURSE}/enrol")))
        .form(&[("csrf", csrf_field(&course_page).as_str())])
        .send()
        .unwrap();
    let page = resp.text().unwrap();
    assert!(page.contains("Bạn đã ghi danh khoá học này") && page.contains("0/6"), "{page}");
    let lesson = client
        .get(server.url(&format!("/courses/{COURSE}/mat-khau-va-xac-thuc")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let resp = client
        .post(server.url(&format!("/courses/{COURSE}/mat-khau-va-xac-thuc/read")))
        .form(&[("csrf", csrf_field(&lesson).as_str())])
        .send()
        .unwrap();
    assert!(resp.url().path().ends_with("/nhan-dien-lua-dao"), "on to the next lesson: {}", resp.url());
    let me = client.get(server.url("/me")).send().unwrap().text().unwrap();
    assert!(me.contains("1/6"), "{me}");
    assert!(
        me.contains(&format!("/courses/{COURSE}/nhan-dien-lua-dao")),
        "continue where they stopped: {me}"
    );

    // The one-time password no longer works; logging out ends the session.
    let page = client.get(server.url("/me")).send().unwrap().text().unwrap();
    let resp =
        client.post(server.url("/logout")).form(&[("csrf", csrf_field(&page).as_str())]).send().unwrap();
    assert_eq!(resp.url().path(), "/");
    assert!(client.get(server.url("/me")).send().unwrap().url().path().starts_with("/login"));
    assert_eq!(log_in(&browser(), &server, "lan.nguyen", &one_time).0, 401);
    assert_eq!(log_in(&browser(), &server, "lan.nguyen", "Mật khẩu mới 2026").0, 200);
}

/// A server on a fresh SQLite file with the account `thi.sinh` ("mật khẩu đúng"), where `limit` failed logins
/// from one address bring 429 long before the account would lock, with `more` settings.
fn throttling_server(limit: &str, more: &[(&str, &str)]) -> (tempfile::TempDir, String, Server) {
    let dir = scratch();
    let url = format!("sqlite://{}/db.sqlite", dir.path().display());
    create_user(&url, "thi.sinh", Some("mật khẩu đúng"));
    let mut env = vec![
        ("DAOTAO_DATABASE_URL", url.as_str()),
        ("DAOTAO_IP_FAILURE_LIMIT", limit),
        ("DAOTAO_LOCKOUT_FAILURES", "100"),
    ];
    env.extend_from_slice(more);
    let server = Server::start(dir.path(), &env);
    (dir, url, server)
}

#[test]
fn failures_from_one_address_are_throttled_but_successes_never_are() {
    let (_dir, _, server) = throttling_server("3", &[]);
    // A whole exam room behind one address logs in: no limit on successes.
    for _ in 0..20 {
        assert_eq!(log_in(&browser(), &server, "thi.sinh", "mật khẩu đúng").0, 200);
    }
    for _ in 0..3 {
        assert_eq!(log_in(&browser(), &server, "thi.sinh", "sai").0, 401);
    }
    let client = browser();
    let form = client.get(server.url("/login")).send().unwrap().text().unwrap();
    let resp = client
        .post(server.url("/login"))
        .form(&[
            ("csrf", csrf_field(&form).as_str()),
            ("username", "thi.sinh"),
            ("password", "mật khẩu đúng"),
        ])
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 429);
    assert!(resp.headers().contains_key("retry-after"));
    assert!(server.log().contains("login throttled"), "{}", server.log());
}

#[test]
fn behind_a_trusted_proxy_each_client_has_its_own_failure_limit() {
    let (_dir, url, server) = throttling_server("2", &[("DAOTAO_TRUSTED_PROXIES", "127.0.0.1, ::1")]);
    // As a reverse proxy on this machine would send it: the client's address appended to the header.
    let log_in_from = |forwarded_for: &str, password: &str| -> u16 {
        let body = serde_json::json!({"username": "thi.sinh", "password": password});
        let request = browser().post(server.url("/api/v1/session")).header("X-Forwarded-For", forwarded_for);
        request.json(&body).send().unwrap().status().as_u16()
    };
    // One client behind the proxy fails until it is slowed down...
    assert_eq!(log_in_from("203.0.113.7", "sai"), 401);
    assert_eq!(log_in_from("203.0.113.7", "sai"), 401);
    assert_eq!(log_in_from("203.0.113.7", "mật khẩu đúng"), 429);
    // ...and cannot escape by writing its own header: the proxy's entry, on the right, counts.
    assert_eq!(log_in_from("198.51.100.1, 203.0.113.7", "mật khẩu đúng"), 429);
    // A colleague behind the same proxy is not held up by it.
    assert_eq!(log_in_from("203.0.113.8", "mật khẩu đúng"), 201);

    // The audit log says where each attempt came from.
    let addresses = tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sea_orm::EntityTrait;
        let db = daotao_core::platform::db::connect(&url).await.unwrap();
        let rows = daotao_core::entities::audit_log::Entity::find().all(&db).await.unwrap();
        rows.into_iter().map(|r| (r.ip, r.result)).collect::<Vec<_>>()
    });
    assert!(addresses.iter().any(|(ip, _)| ip == "203.0.113.7"), "{addresses:?}");
    assert!(addresses.iter().any(|(ip, _)| ip == "203.0.113.8"), "{addresses:?}");
    assert!(!addresses.iter().any(|(ip, _)| ip == "127.0.0.1" || ip == "198.51.100.1"), "{addresses:?}");
}

#[test]
fn two_servers_on_one_postgres_database_share_sessions_and_enrollments() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(url) = runtime.block_on(daotao_tests::fresh_postgres_database()) else { return };
    create_user(&url, "hai.may", Some("mật khẩu đủ dài"));
    let dir = scratch();
    let one = Server::start(dir.path(), &[("DAOTAO_DATABASE_URL", &url)]);
    let two = Server::start(dir.path(), &[("DAOTAO_DATABASE_URL", &url)]);

    // Log in on one, enrol there...
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::blocking::Client::builder().cookie_provider(jar.clone()).build().unwrap();
    assert_eq!(log_in(&client, &one, "hai.may", "mật khẩu đủ dài").0, 200);
    let course_page = client.get(one.url(&format!("/courses/{COURSE}"))).send().unwrap().text().unwrap();
    client
        .post(one.url(&format!("/courses/{COURSE}/enrol")))
        .form(&[("csrf", csrf_field(&course_page).as_str())])
        .send()
        .unwrap();
    // ...and the other server honours the session cookie and sees the enrollment.
    let session_cookie = {
        use reqwest::cookie::CookieStore;
        let cookies = jar.cookies(&one.url("/").parse().unwrap()).expect("cookies");
        let cookies = cookies.to_str().unwrap().to_string();
        cookies
            .split("; ")
            .find_map(|c| c.strip_prefix("daotao_session="))
            .expect("a session cookie")
            .to_string()
    };
    let me = reqwest::blocking::Client::new()
        .get(two.url("/me"))
        .header("cookie", format!("daotao_session={session_cookie}"))
        .send()
        .unwrap();
    assert_eq!(me.status().as_u16(), 200);
    let me = me.text().unwrap();
    assert!(me.contains("Nguyễn Văn hai.may"), "{me}");
    assert!(me.contains(&format!("/courses/{COURSE}")), "the enrollment made on one is seen on two: {me}");
}
