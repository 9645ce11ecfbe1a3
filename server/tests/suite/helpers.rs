//! The one harness of the suite, in the manner of zero2prod's `spawn_app`: a [`TestApp`] serves a copy
//! of a fixture library (`server/tests/fixtures/`) on a fresh database (SQLite, or PostgreSQL with
//! `DAOTAO_TEST_BACKEND=postgres`) through poem's `TestClient`, with typed helpers for what tests do
//! again and again. `TestClient` keeps no cookies and has no remote address: sessions travel as explicit
//! `Cookie` or `Authorization` headers, and the per-address login throttle is tested end to end in
//! `tests/` (crate `daotao-tests`) instead.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use daotao_content::course::Library;
use daotao_core::entities::user::{self, Role};
use daotao_core::people::accounts::{NewUser, add_user};
use daotao_core::people::auth::Policy;
use daotao_core::platform::config::Config;
use daotao_server::state::AppState;
use poem::endpoint::BoxEndpoint;
use poem::http::{Method, StatusCode, header};
use poem::test::{TestClient, TestRequestBuilder, TestResponse};
use poem::{EndpointExt, Response};
use sea_orm::DatabaseConnection;
use serde_json::Value;
use tempfile::TempDir;

pub type Client = TestClient<BoxEndpoint<'static, Response>>;

/// Every account's password but one-time ones.
pub const PASSWORD: &str = "mat-khau-du-dai-2026";
pub const SESSION_COOKIE: &str = "daotao_session";
pub const LOGIN_CSRF_COOKIE: &str = "daotao_login_csrf";

/// The `catalog` fixture's first course: self-enrolment, three lessons (file order differs from id
/// order), two assets and a completion quiz.
pub const C1: &str = "an-toan-so";
pub const C1_TITLE: &str = "An toàn số cho cán bộ, công chức";
pub const C1_SUMMARY: &str =
    "Thói quen an toàn khi làm việc trên môi trường số: mật khẩu, xác thực và báo cáo sự cố.";
pub const FIRST: &str = "gioi-thieu";
pub const MIDDLE: &str = "mat-khau";
pub const LAST: &str = "bao-cao-su-co";
/// The `catalog` fixture's second course: enrolment by an administrator only, one lesson.
pub const C2: &str = "dich-vu-cong";
pub const C2_TITLE: &str = "Dịch vụ công trực tuyến mức độ toàn trình";
pub const C2_LESSON: &str = "tong-quan";

/// The course libraries of `server/tests/fixtures/`.
#[derive(Clone, Copy, Debug)]
pub enum Fixture {
    /// Two courses ([`C1`], [`C2`]): pages, accounts and the API.
    Catalog,
    /// One course with a markdown and a GIFT quiz and a competency.
    Quiz,
    /// Two courses written to be searched (also used by the search index's unit tests).
    Search,
}

impl Fixture {
    pub fn dir(self) -> PathBuf {
        let name = match self {
            Fixture::Catalog => "catalog",
            Fixture::Quiz => "quiz",
            Fixture::Search => "search",
        };
        fixture_file(name)
    }
}

/// A file or folder below `server/tests/fixtures/`.
pub fn fixture_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(path)
}

/// The whole app over a scratch copy of a course library and a fresh database.
pub struct TestApp {
    pub cli: Client,
    pub db: DatabaseConnection,
    pub state: Arc<AppState>,
    /// The library the app serves: a copy tests may edit, then [`TestApp::reload`].
    pub courses: PathBuf,
    _scratch: TempDir,
}

/// A session made as a login makes it: its token (bearer token and cookie value) and CSRF token.
pub struct Session {
    pub token: String,
    pub csrf: String,
}

/// The login form as served: its CSRF cookie and hidden fields.
pub struct LoginForm {
    pub cookie: String,
    pub csrf: String,
    pub next: String,
}

impl TestApp {
    pub async fn spawn(fixture: Fixture) -> TestApp {
        Self::with_config(fixture, Config::default()).await
    }

    pub async fn with_config(fixture: Fixture, config: Config) -> TestApp {
        Self::build(fixture, config, |_| {}).await
    }

    /// `edit` changes the copy of the library before the app loads it.
    pub async fn with_edit(fixture: Fixture, edit: impl FnOnce(&Path)) -> TestApp {
        Self::build(fixture, Config::default(), edit).await
    }

    async fn build(fixture: Fixture, config: Config, edit: impl FnOnce(&Path)) -> TestApp {
        let scratch = tempfile::tempdir().unwrap();
        let courses = scratch.path().join("courses");
        daotao_tests::copy_dir(&fixture.dir(), &courses);
        edit(&courses);
        let library = daotao_content::course::load_library(&courses);
        assert!(library.problems.is_empty(), "the library has problems: {:?}", library.problems);
        Self::serve(scratch, courses, library, &config).await
    }

    /// Serves `library` (loaded from `courses`, left where it is) as it is, problems and all.
    pub async fn serving(courses: &Path, library: Library) -> TestApp {
        Self::serve(tempfile::tempdir().unwrap(), courses.to_path_buf(), library, &Config::default()).await
    }

    async fn serve(scratch: TempDir, courses: PathBuf, library: Library, config: &Config) -> TestApp {
        let url = daotao_tests::test_database_url(scratch.path()).await;
        let db = daotao_core::platform::db::connect(&url).await.unwrap();
        daotao_core::learning::catalog::sync_library(&db, &library).await.unwrap();
        let state = Arc::new(AppState::with_config(library, db.clone(), config));
        let cli = TestClient::new(daotao_server::app::app(state.clone()).map_to_response().boxed());
        TestApp { cli, db, state, courses, _scratch: scratch }
    }

    /// Loads the edited copy of the library again, as the file watcher would.
    pub async fn reload(&self) {
        let library = daotao_content::course::load_library(&self.courses);
        assert!(library.problems.is_empty(), "the library has problems: {:?}", library.problems);
        daotao_core::learning::catalog::sync_library(&self.db, &library).await.unwrap();
        self.state.update_library(|l| *l = library);
    }

    /// Waits for the search index the app builds in the background (a bound, never a speed check).
    pub fn wait_for_search_index(&self) {
        assert!(
            self.state.search.wait_until_current(Duration::from_secs(60)),
            "the search index was not built"
        );
    }

    /// An account with [`PASSWORD`], or a one-time password (returned) when `password` is `None`.
    pub async fn add_user(
        &self,
        username: &str,
        full_name: &str,
        role: Role,
        password: Option<&str>,
    ) -> (user::Model, Option<String>) {
        let new = NewUser {
            username: username.into(),
            full_name: full_name.into(),
            email: None,
            unit_code: None,
            position: "Chuyên viên".into(),
            role,
            password: password.map(Into::into),
        };
        add_user(&self.db, new).await.unwrap()
    }

    /// A learner called `full_name`.
    pub async fn user(&self, username: &str, full_name: &str) -> user::Model {
        self.add_user(username, full_name, Role::Learner, Some(PASSWORD)).await.0
    }

    /// An account of `role` called "Trần Văn {username}".
    pub async fn person(&self, username: &str, role: Role) -> user::Model {
        self.add_user(username, &format!("Trần Văn {username}"), role, Some(PASSWORD)).await.0
    }

    pub async fn learner(&self, username: &str) -> user::Model {
        self.person(username, Role::Learner).await
    }

    /// A learner who must change the one-time password returned.
    pub async fn otp_user(&self, username: &str, full_name: &str) -> (user::Model, String) {
        let (account, otp) = self.add_user(username, full_name, Role::Learner, None).await;
        (account, otp.expect("a one-time password"))
    }

    /// Enrols `user_id` in `course` as an administrator does.
    pub async fn enrol(&self, course: &str, user_id: i64) {
        daotao_core::learning::enrollment::enroll_users(&self.db, course, &[user_id], None, None)
            .await
            .unwrap();
    }

    /// A session for `user_id` made directly in the database, for tests about what comes after logging in.
    pub async fn session(&self, user_id: i64) -> Session {
        let session =
            daotao_core::people::auth::session::create(&self.db, user_id, "127.0.0.1", &Policy::default())
                .await
                .unwrap();
        Session { token: session.token, csrf: session.csrf_token }
    }

    /// `GET /login{query}`: the form with its CSRF cookie.
    pub async fn login_form(&self, query: &str) -> LoginForm {
        let resp = self.cli.get(format!("/login{query}")).send().await;
        assert_eq!(resp.0.status(), StatusCode::OK, "GET /login{query}");
        let cookie = cookie(&resp, LOGIN_CSRF_COOKIE);
        let body = text(resp).await;
        LoginForm { cookie, csrf: hidden(&body, "/login", "csrf"), next: hidden(&body, "/login", "next") }
    }

    /// `POST /login` with the form's cookie and fields.
    pub async fn post_login(&self, form: &LoginForm, username: &str, password: &str) -> TestResponse {
        self.cli
            .post("/login")
            .header(header::COOKIE, format!("{LOGIN_CSRF_COOKIE}={}", form.cookie))
            .form(&[
                ("csrf", form.csrf.as_str()),
                ("next", &form.next),
                ("username", username),
                ("password", password),
            ])
            .send()
            .await
    }

    /// Logs `username` in through the form, as a browser would; returns the session cookie's value.
    pub async fn login(&self, username: &str) -> String {
        let form = self.login_form("").await;
        let resp = self.post_login(&form, username, PASSWORD).await;
        assert_eq!(resp.0.status(), StatusCode::SEE_OTHER, "login of {username}");
        cookie(&resp, SESSION_COOKIE)
    }

    /// The session's CSRF token, from the logout form in the page header.
    pub async fn csrf(&self, token: &str) -> String {
        let resp = self.get_as(token, "/account/password").await;
        assert_eq!(resp.0.status(), StatusCode::OK);
        hidden(&text(resp).await, "/logout", "csrf")
    }

    /// Whether `token` opens a session: `/me` is shown, or sends to the login page.
    pub async fn logged_in(&self, token: &str) -> bool {
        let resp = self.get_as(token, "/me").await;
        match resp.0.status() {
            StatusCode::OK => true,
            StatusCode::SEE_OTHER => {
                assert_eq!(location(&resp), "/login?next=/me");
                false
            }
            other => panic!("/me answered {other}"),
        }
    }

    /// A request carrying the session cookie `token`.
    pub fn with_cookie(
        &self,
        method: Method,
        path: &str,
        token: &str,
    ) -> TestRequestBuilder<'_, BoxEndpoint<'static, Response>> {
        self.cli.request(method, path).header(header::COOKIE, format!("{SESSION_COOKIE}={token}"))
    }

    /// A request carrying `token` as a bearer token.
    pub fn with_bearer(
        &self,
        method: Method,
        path: &str,
        token: &str,
    ) -> TestRequestBuilder<'_, BoxEndpoint<'static, Response>> {
        self.cli.request(method, path).header(header::AUTHORIZATION, format!("Bearer {token}"))
    }

    pub async fn get_as(&self, token: &str, path: &str) -> TestResponse {
        self.with_cookie(Method::GET, path, token).send().await
    }

    /// Posts `fields` as a form with the session cookie `token` (the CSRF token is one of the fields).
    pub async fn post_as(&self, token: &str, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        self.with_cookie(Method::POST, path, token).form(&fields).send().await
    }

    /// GET `path` anonymously: asserts 200 and an HTML page, returns the body.
    pub async fn page(&self, path: &str) -> String {
        let resp = self.cli.get(path).send().await;
        assert_eq!(resp.0.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&resp, header::CONTENT_TYPE), "text/html; charset=utf-8", "{path}");
        text(resp).await
    }

    /// `POST /api/v1/session`.
    pub async fn api_login(&self, username: &str, password: &str) -> TestResponse {
        let body = serde_json::json!({ "username": username, "password": password });
        self.cli.post("/api/v1/session").body_json(&body).send().await
    }

    /// Logs `username` in through the API; returns the bearer token.
    pub async fn token(&self, username: &str) -> String {
        let resp = self.api_login(username, PASSWORD).await;
        resp.assert_status(StatusCode::CREATED);
        resp.json().await.value().object().get("token").string().to_string()
    }

    pub async fn api_get(&self, path: &str, token: &str) -> TestResponse {
        self.with_bearer(Method::GET, path, token).send().await
    }

    pub async fn api_enrol(&self, course: &str, token: &str) -> TestResponse {
        self.with_bearer(Method::POST, &format!("/api/v1/courses/{course}/enrollment"), token).send().await
    }

    pub async fn api_mark_read(&self, course: &str, lesson: &str, token: &str) -> TestResponse {
        let path = format!("/api/v1/courses/{course}/lessons/{lesson}/progress");
        self.with_bearer(Method::PUT, &path, token).send().await
    }

    /// `method /api/v1{path}` as `token`, with a JSON body: the status and the JSON (or text) answered.
    pub async fn api(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let req = self.with_bearer(method, &format!("/api/v1{path}"), token);
        let resp = match body {
            Some(b) => req.body_json(&b).send().await,
            None => req.send().await,
        };
        let status = resp.0.status();
        let text = text(resp).await;
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }
}

pub fn header(resp: &TestResponse, name: impl header::AsHeaderName) -> &str {
    resp.0.headers().get(name).map(|v| v.to_str().unwrap()).unwrap_or_default()
}

pub fn location(resp: &TestResponse) -> &str {
    header(resp, header::LOCATION)
}

pub async fn text(resp: TestResponse) -> String {
    resp.0.into_body().into_string().await.unwrap()
}

/// The `Set-Cookie` line that sets cookie `name`, if any.
pub fn set_cookie<'a>(resp: &'a TestResponse, name: &str) -> Option<&'a str> {
    resp.0.headers().get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap()).find(|line| {
        line.split(';').next().and_then(|kv| kv.trim().split_once('=')).is_some_and(|(n, _)| n == name)
    })
}

pub fn cookie_value(line: &str) -> &str {
    line.split(';').next().unwrap().trim().split_once('=').unwrap().1
}

/// The value `resp` sets cookie `name` to; panics without one.
pub fn cookie(resp: &TestResponse, name: &str) -> String {
    let line = set_cookie(resp, name).unwrap_or_else(|| panic!("no {name} cookie in {:?}", resp.0.headers()));
    cookie_value(line).to_string()
}

/// A `Set-Cookie` line's attributes, e.g. `["HttpOnly", "SameSite=Lax", "Path=/"]`.
pub fn cookie_attributes(line: &str) -> Vec<&str> {
    line.split(';').skip(1).map(str::trim).collect()
}

fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#47;", "/")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The value of the hidden field `name` in the form posting to `action`.
pub fn hidden(html: &str, action: &str, name: &str) -> String {
    let form = html
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("no form to {action} in:\n{html}"));
    let rest = &html[form..];
    let marker = format!("name=\"{name}\" value=\"");
    let start = rest.find(&marker).unwrap_or_else(|| panic!("no field {name} in the form to {action}"))
        + marker.len();
    unescape(&rest[start..start + rest[start..].find('"').unwrap()])
}

/// The value of the first `attr="..."` after `marker` in `html`.
pub fn attr_after<'a>(html: &'a str, marker: &str, attr: &str) -> &'a str {
    let start = html.find(marker).unwrap_or_else(|| panic!("no {marker:?} in:\n{html}"));
    let rest = &html[start..];
    let open = format!("{attr}=\"");
    let value = &rest[rest.find(&open).unwrap() + open.len()..];
    &value[..value.find('"').unwrap()]
}

/// The text of the page's alert, if it has one.
pub fn alert(html: &str) -> Option<&str> {
    let marker = "<p class=\"alert\" role=\"alert\">";
    let start = html.find(marker)? + marker.len();
    Some(&html[start..start + html[start..].find("</p>").unwrap()])
}

pub fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A token of the right shape that no one was given.
pub fn forged() -> String {
    daotao_core::people::auth::token::random_token()
}

/// `s` percent-encoded as a query value.
pub fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[track_caller]
pub fn assert_contains(body: &str, needle: &str) {
    assert!(body.contains(needle), "expected {needle:?} in:\n{body}");
}

#[track_caller]
pub fn assert_lacks(body: &str, needle: &str) {
    assert!(!body.contains(needle), "did not expect {needle:?} in:\n{body}");
}

#[track_caller]
pub fn assert_status(resp: &TestResponse, status: StatusCode, what: &str) {
    assert_eq!(resp.0.status(), status, "{what}");
}

#[track_caller]
pub fn assert_redirect(resp: &TestResponse, to: &str, what: &str) {
    assert_eq!(resp.0.status(), StatusCode::SEE_OTHER, "{what}");
    assert_eq!(location(resp), to, "{what}");
}

/// The headers every response has; course assets are sandboxed (nothing runs, only images are fetched).
#[track_caller]
pub fn assert_security_headers(resp: &TestResponse, what: &str) {
    let csp = header(resp, header::CONTENT_SECURITY_POLICY);
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: content-security-policy {csp:?}");
    if csp.contains("sandbox") {
        assert!(csp.contains("default-src 'none'"), "{what}: content-security-policy {csp:?}");
        assert!(!csp.contains("script-src"), "{what}: content-security-policy {csp:?}");
    } else {
        assert!(csp.contains("default-src 'self'"), "{what}: content-security-policy {csp:?}");
        assert!(!csp.contains("unsafe-inline"), "{what}: content-security-policy {csp:?}");
    }
    assert!(!csp.contains("unsafe-eval"), "{what}: content-security-policy {csp:?}");
    assert_eq!(header(resp, header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{what}");
    assert!(!header(resp, header::REFERRER_POLICY).is_empty(), "{what}: no referrer-policy");
}

/// Asserts a JSON error with `status`.
#[track_caller]
pub fn assert_json_error(resp: &TestResponse, status: StatusCode) {
    resp.assert_status(status);
    assert_eq!(header(resp, header::CONTENT_TYPE), "application/json; charset=utf-8");
}

/// What a snapshot of a page holds: its `<main>` element (the frame around it is the same on every page
/// and tested once), with what changes from run to run replaced: tokens, attempt ids, certificate codes,
/// dates and times.
pub fn main_of(html: &str) -> String {
    let start = html.find("<main").unwrap_or_else(|| panic!("no <main> in:\n{html}"));
    let end = html.find("</main>").expect("</main>") + "</main>".len();
    let mut main = html[start..end].to_string();
    for (pattern, placeholder) in [
        (r"\b[0-9a-f]{64}\b", "[token]"),
        (r"/attempts/\d+", "/attempts/[id]"),
        (r"(?i)\b[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}\b", "[code]"),
        (r"\b\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2})?)?", "[date]"),
        (r"\b\d{1,2}/\d{1,2}/\d{4}\b", "[date]"),
        (r"\b\d{1,2}:\d{2}(:\d{2})?\b", "[time]"),
    ] {
        main = regex::Regex::new(pattern).unwrap().replace_all(&main, placeholder).into_owned();
    }
    main
}

/// The message of a JSON error, its only field.
pub async fn error_message(resp: TestResponse) -> String {
    let json = resp.json().await;
    let object = json.value().object();
    object.assert_len(1);
    object.get("error").string().to_string()
}
