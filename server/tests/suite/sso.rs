//! Single sign-on rules that need no provider to answer: the login page's button, local passwords off
//! for learners and trainers, and a server with no provider. The sign-ins themselves run against real
//! providers in `tests/tests/sso.rs`.

use daotao_core::entities::user::Role;
use daotao_core::platform::config::{Config, SsoProtocol};
use poem::http::StatusCode;

use crate::helpers::*;

/// CAS at an address nothing answers: these tests never reach it.
fn with_cas(local_login: bool) -> Config {
    let mut config = Config::default();
    config.sso.provider = Some(SsoProtocol::Cas);
    config.sso.cas_url = "http://127.0.0.1:9/cas".into();
    config.sso.label = "Tài khoản Đà Nẵng".into();
    config.sso.local_login = local_login;
    config
}

#[tokio::test]
async fn the_login_page_offers_the_configured_button_and_keeps_where_to_go_back() {
    let app = TestApp::with_config(Fixture::Catalog, with_cas(true)).await;
    let page = text(app.cli.get("/login?next=/courses/attt").send().await).await;
    assert_contains(&page, "Tài khoản Đà Nẵng");
    assert_contains(&page, "href=\"/sso/login?next=/courses/attt\"");
    assert_lacks(&page, "chỉ dành cho quản trị viên");
    // The logout form leads on to the provider: the policy lets forms go there, and nowhere else.
    let resp = app.cli.get("/login").send().await;
    let csp = header(&resp, poem::http::header::CONTENT_SECURITY_POLICY);
    assert!(csp.contains("form-action 'self' http://127.0.0.1:9;"), "{csp}");

    let resp = app.cli.get("/sso/login?next=/courses/attt").send().await;
    assert_status(&resp, StatusCode::SEE_OTHER, "start");
    let to = location(&resp).to_string();
    assert!(to.starts_with("http://127.0.0.1:9/cas/login?service="), "{to}");
    let binding = set_cookie(&resp, "daotao_sso").expect("a cookie binds the sign-in to this browser");
    let attributes = cookie_attributes(binding);
    assert!(attributes.contains(&"HttpOnly") && attributes.contains(&"SameSite=Lax"), "{binding}");
}

#[tokio::test]
async fn with_local_passwords_off_only_admins_use_one() {
    let app = TestApp::with_config(Fixture::Catalog, with_cas(false)).await;
    app.learner("lan").await;
    app.person("quantri", Role::Admin).await;
    let page = text(app.cli.get("/login").send().await).await;
    assert_contains(&page, "Đăng nhập bằng mật khẩu chỉ dành cho quản trị viên.");

    // A learner's right password: refused, told to use the button, no session left behind.
    let form = app.login_form("").await;
    let resp = app.post_login(&form, "lan", PASSWORD).await;
    assert_status(&resp, StatusCode::FORBIDDEN, "learner's password");
    assert!(set_cookie(&resp, SESSION_COOKIE).is_none_or(|c| cookie_value(c).is_empty()));
    let page = text(resp).await;
    assert_eq!(
        alert(&page),
        Some(
            "Học viên và giảng viên đăng nhập bằng nút „Tài khoản Đà Nẵng“; mật khẩu chỉ dành cho quản trị viên."
        )
    );
    let lan = app.learner_id("lan").await;
    assert!(app.open_sessions(lan).await == 0);
    // The API refuses it the same way.
    let resp = app.api_login("lan", PASSWORD).await;
    assert_json_error(&resp, StatusCode::FORBIDDEN);
    assert!(app.open_sessions(lan).await == 0);
    // A wrong password is still the one generic answer (nothing tells whether it was right).
    let resp = app.post_login(&form, "lan", "sai-mat-khau-roi").await;
    assert_status(&resp, StatusCode::UNAUTHORIZED, "wrong password");

    // The admin still gets in, to repair things when the provider is down.
    app.login("quantri").await;
}

#[tokio::test]
async fn without_a_provider_there_is_no_button_and_no_sso_route() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    let page = text(app.cli.get("/login").send().await).await;
    assert_lacks(&page, "/sso/login");
    for path in ["/sso/login?next=/", "/sso/callback?state=x&ticket=ST-1"] {
        let resp = app.cli.get(path).send().await;
        assert_status(&resp, StatusCode::NOT_FOUND, path);
    }
    let resp = app.cli.post("/sso/logout").form(&[("logout_token", "x")]).send().await;
    assert_status(&resp, StatusCode::NOT_FOUND, "POST /sso/logout");
}

impl TestApp {
    async fn learner_id(&self, username: &str) -> i64 {
        daotao_core::people::accounts::find_user(&self.db, username).await.unwrap().unwrap().id
    }

    async fn open_sessions(&self, user_id: i64) -> u64 {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        daotao_core::entities::session::Entity::find()
            .filter(daotao_core::entities::session::Column::UserId.eq(user_id))
            .count(&self.db)
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn an_openid_connect_provider_that_is_down_gets_a_page_in_vietnamese_not_a_500() {
    let mut config = Config::default();
    config.sso.provider = Some(SsoProtocol::Oidc);
    // Nothing listens there: discovery fails when the first person presses the button.
    config.sso.issuer = "http://127.0.0.1:9/oauth2/token".into();
    config.sso.client_id = "daotao".into();
    let app = TestApp::with_config(Fixture::Catalog, config).await;
    let resp = app.cli.get("/sso/login?next=/courses/attt").send().await;
    assert_status(&resp, StatusCode::BAD_GATEWAY, "provider down");
    let page = text(resp).await;
    assert_eq!(
        alert(&page),
        Some(
            "Hệ thống đăng nhập một lần của thành phố hiện không phản hồi hoặc trả lời không hợp lệ. \
             Vui lòng thử lại sau ít phút; nếu vẫn không được, hãy báo cho quản trị viên."
        )
    );
    // The way back keeps where the person was going.
    assert_contains(&page, "href=\"/sso/login?next=/courses/attt\"");
}

#[tokio::test]
async fn openid_connect_endpoints_set_one_by_one_need_no_discovery_and_carry_pkce_and_acr_values() {
    let mut config = Config::default();
    config.sso.provider = Some(SsoProtocol::Oidc);
    config.sso.issuer = "https://xacthuc.example.gov.vn/oauth2/token".into();
    config.sso.authorization_url = "https://xacthuc.example.gov.vn/oauth2/authorize".into();
    config.sso.token_url = "https://xacthuc.example.gov.vn/oauth2/token".into();
    config.sso.jwks_url = "https://xacthuc.example.gov.vn/oauth2/jwks".into();
    config.sso.client_id = "daotao".into();
    config.sso.acr_values = "LoA1".into();
    let app = TestApp::with_config(Fixture::Catalog, config).await;
    let resp = app.cli.get("/sso/login").send().await;
    assert_status(&resp, StatusCode::SEE_OTHER, "to the provider");
    let to = location(&resp).to_string();
    assert!(
        to.starts_with("https://xacthuc.example.gov.vn/oauth2/authorize?response_type=code&client_id=daotao"),
        "{to}"
    );
    for part in [
        "acr_values=LoA1",
        "code_challenge_method=S256",
        "scope=openid+profile+email",
        "redirect_uri=http%3A%2F%2Flocalhost%2Fsso%2Fcallback",
    ] {
        assert!(to.contains(part), "{part} in {to}");
    }
    // The state in the URL is the one the cookie binds to this browser, and each sign-in gets its own.
    let state = |url: &str| url.split("state=").nth(1).unwrap().split('&').next().unwrap().to_string();
    let binding = set_cookie(&resp, "daotao_sso").unwrap().to_string();
    assert_eq!(cookie_value(&binding), state(&to));
    let again = app.cli.get("/sso/login").send().await;
    assert_ne!(state(location(&again)), state(&to));
}
