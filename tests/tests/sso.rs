//! End-to-end: single sign-on against real identity providers, started here: django-cas-server (CAS 3.0)
//! and panva's oidc-provider (OpenID Connect, with discovery and in WSO2's layout without it), and the
//! real server binary on a fresh database (SQLite; PostgreSQL with `DAOTAO_TEST_BACKEND=postgres`). A
//! browser is played by an HTTP client with a cookie jar that does not follow redirects, so every hop
//! is checked; the providers' own login forms are filled in by `daotao_tests::idp`.

use daotao_core::entities::{audit_log, user};
use daotao_core::people::accounts::{self, NewUser};
use daotao_tests::idp::cas::{CasServer, CasUser};
use daotao_tests::idp::http_client;
use daotao_tests::idp::oidc::{Layout, OidcAccount, OidcClient, OidcProvider};
use daotao_tests::{Server, bundled_courses, free_port, test_database_url};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use tokio::runtime::Runtime;

const COURSE_PAGE: &str = "/courses/chinh-quyen-so";
const CLIENT_ID: &str = "daotao";
const CLIENT_SECRET: &str = "bi-mat-cua-daotao-khong-duoc-ghi-log";

/// The province the tests sign people into: two units, an admin, and one person imported earlier.
async fn seed(url: &str) -> DatabaseConnection {
    let db = daotao_core::platform::db::connect(url).await.unwrap();
    let units = "code,name,parent_code\nDN,Thành phố Đà Nẵng,\nSO-KHCN,Sở Khoa học và Công nghệ,DN\n";
    daotao_core::import::units::import_units(&db, units.as_bytes(), false).await.unwrap();
    for (username, role, unit) in
        [("quantri", user::Role::Admin, "DN"), ("hoa.nt", user::Role::Learner, "DN")]
    {
        accounts::add_user(
            &db,
            NewUser {
                username: username.into(),
                full_name: format!("Tên cũ của {username}"),
                email: None,
                unit_code: Some(unit.into()),
                position: String::new(),
                role,
                password: Some("Mat-khau-rat-dai-2026".into()),
            },
        )
        .await
        .unwrap();
    }
    db
}

fn cas_user(username: &str, name: &str, unit: &str) -> CasUser {
    CasUser {
        username: username.into(),
        password: format!("cas-{username}"),
        attributes: vec![
            ("name".into(), name.into()),
            ("email".into(), format!("{username}@danang.gov.vn")),
            ("unit".into(), unit.into()),
            ("position".into(), "Chuyên viên".into()),
        ],
    }
}

/// Our server, set up for `provider`'s settings, on `port`, over a seeded database.
fn start_server(
    rt: &Runtime,
    port: u16,
    scratch: &tempfile::TempDir,
    sso: &[(&str, &str)],
) -> (Server, DatabaseConnection) {
    let url = rt.block_on(test_database_url(scratch.path()));
    let db = rt.block_on(seed(&url));
    let courses = bundled_courses();
    let mut env = vec![
        ("DAOTAO_DATABASE_URL", url.as_str()),
        ("DAOTAO_COURSES_DIR", courses.to_str().unwrap()),
        ("DAOTAO_SSO_UNIT_ATTR", "unit"),
        ("DAOTAO_SSO_POSITION_ATTR", "position"),
    ];
    env.extend_from_slice(sso);
    (Server::start_on(port, scratch.path(), &env), db)
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default()
}

/// `GET /sso/login?next=` on our server: the URL of the provider's login page it sends the browser to.
async fn start_sign_in(client: &reqwest::Client, server: &Server, next: &str) -> String {
    let resp = client.get(server.url(&format!("/sso/login?next={next}"))).send().await.unwrap();
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    location(&resp)
}

/// Follows the provider's redirect back to our callback: (status, where it sends the browser, body).
async fn come_back(client: &reqwest::Client, callback: &reqwest::Url) -> (u16, String, String) {
    let resp = client.get(callback.as_str()).send().await.unwrap();
    let status = resp.status().as_u16();
    let to = location(&resp);
    (status, to, resp.text().await.unwrap())
}

/// The whole CAS round trip for a browser: our `/sso/login?next=`, CAS's form as `username` (password
/// `cas-<username>`), and back to our callback.
async fn through_cas(
    client: &reqwest::Client,
    server: &Server,
    cas: &CasServer,
    username: &str,
    next: &str,
) -> (u16, String, String) {
    let to_cas = start_sign_in(client, server, next).await;
    let callback = cas.sign_in(client, &to_cas, username, &format!("cas-{username}")).await.unwrap();
    come_back(client, &callback).await
}

/// `url` with its query parameter `name` set to `value` (a forged callback).
fn with_param(url: &reqwest::Url, name: &str, value: &str) -> reqwest::Url {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == name { value.to_string() } else { v.into_owned() };
            (k.into_owned(), v)
        })
        .collect();
    let mut forged = url.clone();
    forged.query_pairs_mut().clear().extend_pairs(pairs);
    forged
}

/// The query parameter `name` of `url`.
fn param(url: &reqwest::Url, name: &str) -> Option<String> {
    url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// Waits (a few seconds at most) for the provider's logout to end the browser's session here.
async fn logged_out_soon(client: &reqwest::Client, server: &Server) -> bool {
    for _ in 0..50 {
        if logged_in_as(client, server).await.is_none() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

/// Presses "Đăng xuất" in the header: where our server sends the browser next.
async fn log_out_here(client: &reqwest::Client, server: &Server) -> String {
    let me = client.get(server.url("/me")).send().await.unwrap().text().await.unwrap();
    let csrf = me.split("name=\"csrf\" value=\"").nth(1).unwrap()[..64].to_string();
    let resp = client.post(server.url("/logout")).form(&[("csrf", csrf)]).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    location(&resp)
}

/// Who the browser is logged in as on our server: the header's name, or `None`.
async fn logged_in_as(client: &reqwest::Client, server: &Server) -> Option<String> {
    let resp = client.get(server.url("/me")).send().await.unwrap();
    if resp.status() != 200 {
        return None;
    }
    let page = resp.text().await.unwrap();
    let name = page.split("<span class=\"who\">").nth(1)?.split("</span>").next()?.to_string();
    Some(name)
}

/// Logs in with a password through the form, as a browser would.
async fn password_login(client: &reqwest::Client, server: &Server, username: &str, password: &str) -> u16 {
    let form = client.get(server.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = form.split("name=\"csrf\" value=\"").nth(1).unwrap()[..64].to_string();
    let fields = [("csrf", csrf.as_str()), ("next", "/me"), ("username", username), ("password", password)];
    client.post(server.url("/login")).form(&fields).send().await.unwrap().status().as_u16()
}

async fn sessions_of(db: &DatabaseConnection, username: &str) -> usize {
    use daotao_core::entities::session;
    let id = account(db, username).await.id;
    session::Entity::find().filter(session::Column::UserId.eq(id)).all(db).await.unwrap().len()
}

async fn account(db: &DatabaseConnection, username: &str) -> user::Model {
    accounts::find_user(db, username).await.unwrap().unwrap_or_else(|| panic!("no account {username}"))
}

async fn audit(db: &DatabaseConnection, target: &str) -> Vec<(String, String, String)> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Target.eq(target))
        .order_by_asc(audit_log::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|row| (row.action, row.result, row.detail))
        .collect()
}

#[test]
fn cas_signs_people_in_links_refreshes_and_signs_them_out() {
    let rt = Runtime::new().unwrap();
    let port = free_port();
    let users = [
        cas_user("hoa.nt", "Nguyễn Thị Hoa", "SO-KHCN"),
        cas_user("an.nv", "Nguyễn Văn An", "SO-KHCN"),
        cas_user("khach", "Trần Văn Khách", "KHONG-CO"),
    ];
    let slo = format!("http://127.0.0.1:{port}/sso/logout");
    let Some(cas) = rt.block_on(CasServer::start(&users, Some(&slo))) else { return };
    let scratch = tempfile::tempdir().unwrap();
    let cas_url = cas.base_url();
    let (server, db) = start_server(
        &rt,
        port,
        &scratch,
        &[
            ("DAOTAO_SSO_PROVIDER", "cas"),
            ("DAOTAO_SSO_CAS_URL", &cas_url),
            ("DAOTAO_SSO_LABEL", "Tài khoản Đà Nẵng"),
        ],
    );
    rt.block_on(async {
        // The login page offers the button with the configured label.
        let browser = http_client();
        let login = browser.get(server.url("/login")).send().await.unwrap().text().await.unwrap();
        assert!(login.contains("Tài khoản Đà Nẵng"), "{login}");

        // First sign-in of a person the admin imported earlier: linked, refreshed, back to the course page.
        let to_cas = start_sign_in(&browser, &server, COURSE_PAGE).await;
        assert!(to_cas.starts_with(&format!("{cas_url}/login?service=")), "{to_cas}");
        let callback = cas.sign_in(&browser, &to_cas, "hoa.nt", "cas-hoa.nt").await.unwrap();
        let (status, to, _) = come_back(&browser, &callback).await;
        assert_eq!((status, to.as_str()), (303, COURSE_PAGE));
        assert_eq!(logged_in_as(&browser, &server).await.as_deref(), Some("Nguyễn Thị Hoa"));
        let hoa = account(&db, "hoa.nt").await;
        assert_eq!(hoa.sso_provider, Some(daotao_core::people::sso::Provider::Cas));
        assert_eq!(hoa.sso_subject.as_deref(), Some("hoa.nt"));
        assert_eq!(hoa.email.as_deref(), Some("hoa.nt@danang.gov.vn"));
        assert_eq!(hoa.position, "Chuyên viên");
        let khcn = daotao_core::people::units::find_by_code(&db, "SO-KHCN").await.unwrap().unwrap();
        assert_eq!(hoa.unit_id, Some(khcn.id));
        let trail = audit(&db, "hoa.nt").await;
        assert!(trail.iter().any(|(action, ..)| action == "sso.link"), "{trail:?}");
        let changes: Vec<&String> =
            trail.iter().filter(|(action, ..)| action == "sso.update").map(|(.., detail)| detail).collect();
        assert!(
            changes.iter().any(|d| d.contains("Tên cũ của hoa.nt") && d.contains("Nguyễn Thị Hoa")),
            "{changes:?}"
        );
        assert!(changes.iter().any(|d| d.contains("position")), "{changes:?}");

        // The same callback again (a reload, a replay): refused with a page, the session unharmed.
        let (status, _, page) = come_back(&browser, &callback).await;
        assert_eq!(status, 400, "{page}");
        assert!(page.contains("đã hết hạn hoặc đã được dùng"), "{page}");
        // The same ticket with a fresh sign-in of this browser: refused too (a ticket is good once).
        let replay_browser = http_client();
        let to_cas = reqwest::Url::parse(&start_sign_in(&replay_browser, &server, "/").await).unwrap();
        let service = param(&to_cas, "service").unwrap();
        let ticket = param(&callback, "ticket").unwrap();
        let forged = reqwest::Url::parse(&format!("{service}&ticket={ticket}")).unwrap();
        let (status, _, page) = come_back(&replay_browser, &forged).await;
        assert_eq!(status, 400, "{page}");
        assert!(logged_in_as(&replay_browser, &server).await.is_none());

        // A callback from another browser's sign-in (login CSRF): refused, nobody logged in.
        let victim = http_client();
        let attacker = http_client();
        let to_cas = start_sign_in(&attacker, &server, "/").await;
        let attackers_callback = cas.sign_in(&attacker, &to_cas, "an.nv", "cas-an.nv").await.unwrap();
        let (status, _, _) = come_back(&victim, &attackers_callback).await;
        assert_eq!(status, 400);
        assert!(logged_in_as(&victim, &server).await.is_none());

        // A new person: created in their unit from CAS's attributes, with no password of ours.
        let newcomer = http_client();
        assert_eq!(through_cas(&newcomer, &server, &cas, "an.nv", "/").await.0, 303);
        let an = account(&db, "an.nv").await;
        assert_eq!(
            (an.full_name.as_str(), an.unit_id, an.role),
            ("Nguyễn Văn An", Some(khcn.id), user::Role::Learner)
        );
        assert!(audit(&db, "an.nv").await.iter().any(|(action, ..)| action == "sso.create"));

        // Someone from a unit we do not know, with no default unit: a clear page, no account.
        let (status, _, page) = through_cas(&http_client(), &server, &cas, "khach", "/").await;
        assert_eq!(status, 403);
        assert!(page.contains("KHONG-CO") && page.contains("chưa có trên hệ thống đào tạo"), "{page}");
        assert!(accounts::find_user(&db, "khach").await.unwrap().is_none());

        // Deactivated here stays refused, whatever CAS says.
        accounts::set_active(&db, "an.nv", false).await.unwrap();
        let (status, _, page) = through_cas(&newcomer, &server, &cas, "an.nv", "/").await;
        assert_eq!(status, 403);
        assert!(page.contains("vô hiệu hoá"), "{page}");

        // CAS ends the single sign-on session: its logout request ends ours.
        assert!(logged_in_as(&browser, &server).await.is_some());
        cas.log_out(&browser).await.unwrap();
        assert!(
            logged_out_soon(&browser, &server).await,
            "CAS single logout did not end our session:\n{}",
            server.log()
        );

        // Logging out here goes on to CAS's logout.
        assert_eq!(through_cas(&browser, &server, &cas, "hoa.nt", "/").await.0, 303);
        let to = log_out_here(&browser, &server).await;
        assert!(to.starts_with(&format!("{cas_url}/logout?service=")), "{to}");
        assert!(logged_in_as(&browser, &server).await.is_none());
    });
}

#[test]
fn signing_on_opens_a_new_session_and_unknown_people_are_refused_when_the_city_says_so() {
    let rt = Runtime::new().unwrap();
    let port = free_port();
    let users =
        [cas_user("hoa.nt", "Nguyễn Thị Hoa", "SO-KHCN"), cas_user("an.nv", "Nguyễn Văn An", "SO-KHCN")];
    let Some(cas) = rt.block_on(CasServer::start(&users, None)) else { return };
    let scratch = tempfile::tempdir().unwrap();
    let cas_url = cas.base_url();
    let (server, db) = start_server(
        &rt,
        port,
        &scratch,
        &[
            ("DAOTAO_SSO_PROVIDER", "cas"),
            ("DAOTAO_SSO_CAS_URL", &cas_url),
            ("DAOTAO_SSO_CREATE_ACCOUNTS", "false"),
        ],
    );
    rt.block_on(async {
        // The sign-in starts anonymous; meanwhile someone logs in with a password in this browser. When
        // the sign-in finishes, that session ends and a new one, of the person CAS vouches for, begins.
        let browser = http_client();
        let to_cas = start_sign_in(&browser, &server, "/").await;
        assert_eq!(password_login(&browser, &server, "quantri", "Mat-khau-rat-dai-2026").await, 303);
        assert_eq!(sessions_of(&db, "quantri").await, 1);
        let callback = cas.sign_in(&browser, &to_cas, "hoa.nt", "cas-hoa.nt").await.unwrap();
        assert_eq!(come_back(&browser, &callback).await.0, 303);
        assert_eq!(logged_in_as(&browser, &server).await.as_deref(), Some("Nguyễn Thị Hoa"));
        assert_eq!(sessions_of(&db, "quantri").await, 0, "the earlier session ended");

        // With create_accounts = false, a person we do not know is refused, and nothing is created.
        let (status, _, page) = through_cas(&http_client(), &server, &cas, "an.nv", "/").await;
        assert_eq!(status, 403);
        assert!(page.contains("không tự tạo tài khoản mới"), "{page}");
        assert!(accounts::find_user(&db, "an.nv").await.unwrap().is_none());
        let refused = audit(&db, "an.nv").await;
        assert!(
            refused.iter().any(|(action, result, _)| action == "sso.create" && result == "not_registered"),
            "{refused:?}"
        );
    });
}

#[test]
fn cas_that_is_down_or_answers_garbage_gets_a_clear_page_not_a_500() {
    let rt = Runtime::new().unwrap();
    let port = free_port();
    // "CAS" is a folder of our own server, which answers its 404 page to /p3/serviceValidate: garbage.
    let garbage = format!("http://127.0.0.1:{port}/static");
    let scratch = tempfile::tempdir().unwrap();
    let (server, _db) = start_server(
        &rt,
        port,
        &scratch,
        &[("DAOTAO_SSO_PROVIDER", "cas"), ("DAOTAO_SSO_CAS_URL", &garbage)],
    );
    rt.block_on(async {
        let browser = http_client();
        let to_cas = reqwest::Url::parse(&start_sign_in(&browser, &server, "/").await).unwrap();
        let service = param(&to_cas, "service").unwrap();
        let callback = reqwest::Url::parse(&format!("{service}&ticket=ST-1-abc")).unwrap();
        let (status, _, page) = come_back(&browser, &callback).await;
        assert_eq!(status, 502, "{page}");
        assert!(page.contains("không phản hồi hoặc trả lời không hợp lệ"), "{page}");
    });
    assert!(server.log().contains("single sign-on failed"), "{}", server.log());

    // Nothing listens where CAS should be.
    let port = free_port();
    let down = format!("http://127.0.0.1:{}/cas", free_port());
    let scratch = tempfile::tempdir().unwrap();
    let (server, _db) =
        start_server(&rt, port, &scratch, &[("DAOTAO_SSO_PROVIDER", "cas"), ("DAOTAO_SSO_CAS_URL", &down)]);
    rt.block_on(async {
        let browser = http_client();
        let to_cas = reqwest::Url::parse(&start_sign_in(&browser, &server, "/").await).unwrap();
        let service = param(&to_cas, "service").unwrap();
        let callback = reqwest::Url::parse(&format!("{service}&ticket=ST-1-abc")).unwrap();
        let (status, _, page) = come_back(&browser, &callback).await;
        assert_eq!(status, 502, "{page}");
    });
    assert!(server.log().contains("cannot be reached"), "{}", server.log());
}

fn oidc_setup(port: u16) -> (Vec<OidcClient>, Vec<OidcAccount>) {
    let base = format!("http://127.0.0.1:{port}");
    let clients = vec![OidcClient {
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        redirect_uri: format!("{base}/sso/callback"),
        post_logout_redirect_uri: format!("{base}/"),
        backchannel_logout_uri: Some(format!("{base}/sso/logout")),
    }];
    let accounts = vec![
        OidcAccount {
            login: "binh.lt".into(),
            claims: json!({"preferred_username": "binh.lt", "name": "Lê Thanh Bình", "email": "binh.lt@danang.gov.vn",
                           "unit": "SO-KHCN", "position": "Phó Giám đốc"}),
        },
        OidcAccount {
            login: "hoa.nt".into(),
            claims: json!({"preferred_username": "hoa.nt", "name": "Nguyễn Thị Hoa", "email": "hoa.nt@danang.gov.vn",
                           "unit": "SO-KHCN", "position": "Chuyên viên"}),
        },
    ];
    (clients, accounts)
}

/// The settings of our server for `provider`: by discovery (standard layout) or one by one (WSO2's).
fn oidc_env(provider: &OidcProvider, layout: &Layout) -> Vec<(String, String)> {
    let e = provider.endpoints();
    let mut env = vec![
        ("DAOTAO_SSO_PROVIDER".to_string(), "oidc".to_string()),
        ("DAOTAO_SSO_ISSUER".into(), e.issuer.clone()),
        ("DAOTAO_SSO_CLIENT_ID".into(), CLIENT_ID.into()),
        ("DAOTAO_SSO_CLIENT_SECRET".into(), CLIENT_SECRET.into()),
    ];
    if let Layout::Wso2 = layout {
        env.extend([
            ("DAOTAO_SSO_AUTHORIZATION_URL".into(), e.authorization.clone()),
            ("DAOTAO_SSO_TOKEN_URL".into(), e.token.clone()),
            ("DAOTAO_SSO_JWKS_URL".into(), e.jwks.clone()),
            ("DAOTAO_SSO_USERINFO_URL".into(), e.userinfo.clone()),
            ("DAOTAO_SSO_END_SESSION_URL".into(), e.end_session.clone()),
        ]);
    }
    env
}

fn borrowed(env: &[(String, String)]) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// One whole OpenID Connect story against `layout`.
fn oidc_story(layout: Layout) {
    let rt = Runtime::new().unwrap();
    let port = free_port();
    let (clients, accounts) = oidc_setup(port);
    let wso2 = matches!(layout, Layout::Wso2);
    let Some(mut provider) = rt.block_on(OidcProvider::start(layout, &clients, &accounts)) else { return };
    let env = oidc_env(&provider, if wso2 { &Layout::Wso2 } else { &Layout::Standard });
    let scratch = tempfile::tempdir().unwrap();
    let (server, db) = start_server(&rt, port, &scratch, &borrowed(&env));
    rt.block_on(async {
        // Sign in: created from the claims (name, e-mail, unit, position), back on the page started from.
        let browser = http_client();
        let to_provider = start_sign_in(&browser, &server, COURSE_PAGE).await;
        let authorize = reqwest::Url::parse(&to_provider).unwrap();
        assert_eq!(param(&authorize, "code_challenge_method").as_deref(), Some("S256"));
        assert!(param(&authorize, "nonce").is_some() && param(&authorize, "state").is_some());
        let callback = provider.sign_in(&browser, &to_provider, "binh.lt", "any").await.unwrap();
        let (status, to, page) = come_back(&browser, &callback).await;
        assert_eq!((status, to.as_str()), (303, COURSE_PAGE), "{page}\n{}", server.log());
        assert_eq!(logged_in_as(&browser, &server).await.as_deref(), Some("Lê Thanh Bình"));
        let binh = account(&db, "binh.lt").await;
        assert_eq!(binh.sso_provider, Some(daotao_core::people::sso::Provider::Oidc));
        assert_eq!(binh.position, "Phó Giám đốc");
        assert_eq!(binh.email.as_deref(), Some("binh.lt@danang.gov.vn"));

        // The same code and state again: refused.
        let (status, _, _) = come_back(&browser, &callback).await;
        assert_eq!(status, 400);
        // An answer naming another issuer (RFC 9207's mix-up defence) is refused before its code is used.
        let mixed = http_client();
        let to_provider = start_sign_in(&mixed, &server, "/").await;
        let genuine = provider.sign_in(&mixed, &to_provider, "binh.lt", "any").await.unwrap();
        assert!(param(&genuine, "iss").is_some(), "oidc-provider sends iss: {genuine}");
        let (status, _, _) = come_back(&mixed, &with_param(&genuine, "iss", "https://evil.example")).await;
        assert_eq!(status, 403);
        assert!(logged_in_as(&mixed, &server).await.is_none());

        // The same code with a fresh sign-in of another browser: refused too (a code is good once).
        let other = http_client();
        let fresh = reqwest::Url::parse(&start_sign_in(&other, &server, "/").await).unwrap();
        let replayed = with_param(&callback, "state", &param(&fresh, "state").unwrap());
        let (status, _, page) = come_back(&other, &replayed).await;
        assert_eq!(status, 400, "{page}");
        assert!(logged_in_as(&other, &server).await.is_none());

        // The provider signs its tokens with a new key: the next sign-in fetches the keys again.
        provider.rotate_keys().await;
        let second = http_client();
        let to_provider = start_sign_in(&second, &server, "/").await;
        let callback = provider.sign_in(&second, &to_provider, "hoa.nt", "any").await.unwrap();
        let (status, _, page) = come_back(&second, &callback).await;
        assert_eq!(status, 303, "{page}\n{}", server.log());
        assert_eq!(account(&db, "hoa.nt").await.sso_subject.as_deref(), Some("hoa.nt"));

        // A forged logout token is refused; the session stays.
        let resp = reqwest::Client::new()
            .post(server.url("/sso/logout"))
            .form(&[("logout_token", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJob2EubnQifQ.")])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400);
        assert!(logged_in_as(&second, &server).await.is_some());

        // Logging out here goes on to the provider's end-session endpoint; confirming there sends a
        // back-channel logout token, which ends the session of this provider session.
        let end_session = log_out_here(&second, &server).await;
        assert!(end_session.starts_with(&provider.endpoints().end_session), "{end_session}");
        let back = provider.log_out(&second, &end_session).await.unwrap();
        assert_eq!(back.as_str(), server.url("/"));
    });
    assert!(!server.log().contains(CLIENT_SECRET), "the client secret was logged");
}

#[test]
fn openid_connect_with_discovery() {
    oidc_story(Layout::Standard);
}

#[test]
fn openid_connect_in_wso2s_layout_without_discovery() {
    oidc_story(Layout::Wso2);
}

#[test]
fn openid_connect_back_channel_logout_ends_our_session() {
    let rt = Runtime::new().unwrap();
    let port = free_port();
    let (clients, accounts) = oidc_setup(port);
    let Some(provider) = rt.block_on(OidcProvider::start(Layout::Standard, &clients, &accounts)) else {
        return;
    };
    let env = oidc_env(&provider, &Layout::Standard);
    let scratch = tempfile::tempdir().unwrap();
    let (server, _db) = start_server(&rt, port, &scratch, &borrowed(&env));
    rt.block_on(async {
        let browser = http_client();
        let to_provider = start_sign_in(&browser, &server, "/").await;
        let callback = provider.sign_in(&browser, &to_provider, "binh.lt", "any").await.unwrap();
        assert_eq!(come_back(&browser, &callback).await.0, 303);
        assert!(logged_in_as(&browser, &server).await.is_some());
        // The person logs out at the provider itself (another application of the city, say).
        let e = provider.endpoints();
        let end_session = format!(
            "{}?client_id={CLIENT_ID}&post_logout_redirect_uri={}",
            e.end_session,
            daotao_tests::encode_query(&server.url("/"))
        );
        provider.log_out(&browser, &end_session).await.unwrap();
        assert!(
            logged_out_soon(&browser, &server).await,
            "back-channel logout did not end our session:\n{}",
            server.log()
        );
    });
}

#[test]
fn openid_connect_with_the_wrong_issuer_is_refused_with_a_page() {
    let rt = Runtime::new().unwrap();
    let port = free_port();
    let (clients, accounts) = oidc_setup(port);
    let Some(provider) = rt.block_on(OidcProvider::start(Layout::Wso2, &clients, &accounts)) else { return };
    let mut env = oidc_env(&provider, &Layout::Wso2);
    // The endpoints are right, the expected issuer is not: every ID token is refused.
    env.iter_mut().find(|(k, _)| k == "DAOTAO_SSO_ISSUER").unwrap().1 =
        "https://gia-mao.example/oauth2/token".into();
    let scratch = tempfile::tempdir().unwrap();
    let (server, db) = start_server(&rt, port, &scratch, &borrowed(&env));
    rt.block_on(async {
        let browser = http_client();
        let to_provider = start_sign_in(&browser, &server, "/").await;
        let callback = provider.sign_in(&browser, &to_provider, "binh.lt", "any").await.unwrap();
        let (status, _, page) = come_back(&browser, &callback).await;
        assert_eq!(status, 403, "{page}");
        assert!(page.contains("không xác nhận lần đăng nhập này"), "{page}");
        assert!(accounts::find_user(&db, "binh.lt").await.unwrap().is_none());
    });
    let log = server.log();
    assert!(log.contains("single sign-on failed") && log.contains("iss"), "{log}");
}

#[test]
fn only_paths_of_this_site_are_followed_after_signing_in() {
    let rt = Runtime::new().unwrap();
    let port = free_port();
    let users = [cas_user("hoa.nt", "Nguyễn Thị Hoa", "SO-KHCN")];
    let Some(cas) = rt.block_on(CasServer::start(&users, None)) else { return };
    let scratch = tempfile::tempdir().unwrap();
    let cas_url = cas.base_url();
    let (server, _db) = start_server(
        &rt,
        port,
        &scratch,
        &[("DAOTAO_SSO_PROVIDER", "cas"), ("DAOTAO_SSO_CAS_URL", &cas_url)],
    );
    rt.block_on(async {
        for next in [
            "//evil.example",
            "https://evil.example",
            "/%5Cevil.example",
            "%2F%2Fevil.example",
            "/\\evil.example",
        ] {
            // A fresh browser each time: a logged-in one is sent on at once.
            let browser = http_client();
            let (status, to, _) =
                through_cas(&browser, &server, &cas, "hoa.nt", &daotao_tests::encode_query(next)).await;
            assert_eq!(status, 303);
            assert!(to.starts_with('/') && !to.starts_with("//") && !to.contains('\\'), "{next} led to {to}");
            assert!(!to.contains("evil.example") || to.starts_with("/%5C"), "{next} led to {to}");
        }
    });
}
