//! Smoke tests of the identity-provider harness (`daotao_tests::idp`): each provider is started for
//! real, driven through its own forms, and then asked by hand what a single sign-on server would ask
//! (ticket validation, the code exchange with PKCE, userinfo, the JWKS), so a broken harness or a
//! provider configured differently from what `idp`'s notes promise fails here first.

use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use daotao_tests::idp::cas::{CasServer, CasUser};
use daotao_tests::idp::http_client;
use daotao_tests::idp::oidc::{Layout, OidcAccount, OidcClient, OidcProvider};
use reqwest::Url;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A service URL nothing listens on: CAS only redirects the browser there, and the test stops first.
const SERVICE: &str = "http://127.0.0.1:9/sso/callback";

fn hoa() -> CasUser {
    CasUser {
        username: "hoa".into(),
        password: "mật-khẩu-đúng".into(),
        attributes: vec![
            ("name".into(), "Nguyễn Thị Hoa".into()),
            ("unit".into(), "Sở Nội vụ".into()),
            ("position".into(), "Chuyên viên".into()),
            ("group".into(), "can-bo".into()),
            ("group".into(), "giang-vien".into()),
        ],
    }
}

fn login_url(cas: &CasServer, service: &str) -> String {
    let mut url = Url::parse(&format!("{}/login", cas.base_url())).unwrap();
    url.query_pairs_mut().append_pair("service", service);
    url.into()
}

/// The value of query parameter `name` in `url`.
fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs().find(|(n, _)| n == name).map(|(_, v)| v.into_owned())
}

async fn validate(cas: &CasServer, service: &str, ticket: &str) -> String {
    let mut url = Url::parse(&format!("{}/p3/serviceValidate", cas.base_url())).unwrap();
    url.query_pairs_mut().append_pair("service", service).append_pair("ticket", ticket);
    let resp = http_client().get(url).send().await.unwrap();
    assert!(resp.status().is_success());
    resp.text().await.unwrap()
}

#[tokio::test]
async fn cas_issues_a_ticket_that_validates_once_with_the_users_attributes() {
    let Some(cas) = CasServer::start(&[hoa()], None).await else { return };
    let browser = http_client();
    let back = cas.sign_in(&browser, &login_url(&cas, SERVICE), "hoa", "mật-khẩu-đúng").await.unwrap();
    assert!(back.as_str().starts_with(&format!("{SERVICE}?")), "sent back to {back}");
    let ticket = param(&back, "ticket").expect("a ticket");
    assert!(ticket.starts_with("ST-"), "{ticket}");

    let xml = validate(&cas, SERVICE, &ticket).await;
    for expected in [
        "<cas:authenticationSuccess>",
        "<cas:user>hoa</cas:user>",
        "<cas:name>Nguyễn Thị Hoa</cas:name>",
        "<cas:unit>Sở Nội vụ</cas:unit>",
        "<cas:position>Chuyên viên</cas:position>",
        "<cas:group>can-bo</cas:group>",
        "<cas:group>giang-vien</cas:group>",
    ] {
        assert!(xml.contains(expected), "no {expected} in:\n{xml}\n{}", cas.log());
    }
    let again = validate(&cas, SERVICE, &ticket).await;
    assert!(again.contains(r#"<cas:authenticationFailure code="INVALID_TICKET""#), "{again}");

    // Signed in at CAS already: the next service gets a ticket without a form, for its own URL only.
    let other = "http://127.0.0.1:9/other?x=1";
    let back = cas.sign_in(&browser, &login_url(&cas, other), "hoa", "not asked").await.unwrap();
    let ticket = param(&back, "ticket").expect("a ticket");
    let wrong_service = validate(&cas, SERVICE, &ticket).await;
    assert!(wrong_service.contains("<cas:authenticationFailure"), "{wrong_service}");
}

#[tokio::test]
async fn cas_refuses_a_wrong_password_and_an_unknown_user() {
    let Some(cas) = CasServer::start(&[hoa()], None).await else { return };
    let refused = cas.sign_in(&http_client(), &login_url(&cas, SERVICE), "hoa", "sai").await.unwrap_err();
    assert!(
        refused.contains("The credentials you provided cannot be determined to be authentic"),
        "{refused}"
    );
    let unknown = cas.sign_in(&http_client(), &login_url(&cas, SERVICE), "lan", "mật-khẩu-đúng").await;
    assert!(unknown.is_err(), "{unknown:?}");
}

/// One request a provider sent to a test's own listener.
#[derive(Debug, Clone)]
struct Received {
    request_line: String,
    content_type: String,
    body: String,
}

/// A tiny HTTP listener on a free port that records every request and answers 200: where a provider's
/// single-logout or back-channel logout requests land in these tests.
async fn listener() -> (String, Arc<Mutex<Vec<Received>>>) {
    let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", socket.local_addr().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let record = received.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = socket.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                let mut data = Vec::new();
                let mut buf = [0u8; 4096];
                let (head_len, length) = loop {
                    let n = stream.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    data.extend_from_slice(&buf[..n]);
                    if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .map_or(0, |v| v.trim().parse().unwrap());
                        break (end + 4, length);
                    }
                };
                while data.len() < head_len + length {
                    let n = stream.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    data.extend_from_slice(&buf[..n]);
                }
                let head = String::from_utf8_lossy(&data[..head_len]).into_owned();
                let content_type = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase().strip_prefix("content-type:").map(|v| v.trim().to_string())
                    })
                    .unwrap_or_default();
                record.lock().unwrap().push(Received {
                    request_line: head.lines().next().unwrap_or_default().to_string(),
                    content_type,
                    body: String::from_utf8_lossy(&data[head_len..]).into_owned(),
                });
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .await;
            });
        }
    });
    (url, received)
}

/// The value of form field `name` in an `application/x-www-form-urlencoded` body.
fn form_field(body: &str, name: &str) -> Option<String> {
    param(&Url::parse(&format!("http://form.invalid/?{body}")).unwrap(), name)
}

#[tokio::test]
async fn cas_single_logout_posts_a_saml_logout_request_naming_the_ticket() {
    let (listening, received) = listener().await;
    let slo = format!("{listening}/sso/cas/logout");
    let Some(cas) = CasServer::start(&[hoa()], Some(&slo)).await else { return };
    let browser = http_client();
    let back = cas.sign_in(&browser, &login_url(&cas, SERVICE), "hoa", "mật-khẩu-đúng").await.unwrap();
    let ticket = param(&back, "ticket").unwrap();
    assert!(validate(&cas, SERVICE, &ticket).await.contains("<cas:authenticationSuccess>"));

    cas.log_out(&browser).await.unwrap();
    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 1, "{received:?}\n{}", cas.log());
    let request = &received[0];
    assert_eq!(request.request_line, "POST /sso/cas/logout HTTP/1.1");
    assert_eq!(request.content_type, "application/x-www-form-urlencoded");
    let saml = form_field(&request.body, "logoutRequest").expect("a logoutRequest field");
    assert!(saml.starts_with("<samlp:LogoutRequest "), "{saml}");
    assert!(saml.contains(&format!("<samlp:SessionIndex>{ticket}</samlp:SessionIndex>")), "{saml}");

    // Logged out at CAS: signing in to a service asks for the password again.
    let again = cas.sign_in(&browser, &login_url(&cas, SERVICE), "hoa", "sai").await;
    assert!(again.is_err(), "{again:?}");
}

/// A random-looking string for state, nonce and the PKCE verifier (64 hex characters).
fn random_token(salt: &str) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let digest = Sha256::digest(format!("{salt}{now}{}", std::process::id()));
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A JWT's header and payload, unverified (the provider's own signature is not what is tested here).
fn jwt_parts(jwt: &str) -> (Value, Value) {
    let mut parts = jwt.split('.');
    let mut decode =
        || serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap()).unwrap();
    (decode(), decode())
}

fn client(backchannel: Option<String>) -> OidcClient {
    OidcClient {
        client_id: "daotao".into(),
        client_secret: "daotao-secret-0123456789".into(),
        redirect_uri: "http://127.0.0.1:9/sso/oidc/callback".into(),
        post_logout_redirect_uri: "http://127.0.0.1:9/".into(),
        backchannel_logout_uri: backchannel,
    }
}

fn account() -> OidcAccount {
    OidcAccount {
        login: "hoa".into(),
        claims: json!({
            "preferred_username": "hoa",
            "name": "Nguyễn Thị Hoa",
            "email": "hoa@noivu.example.vn",
            "unit": "Sở Nội vụ",
            "position": "Chuyên viên",
        }),
    }
}

/// What a sign-in by hand returns: the token response and the nonce the ID token must carry.
struct SignedIn {
    tokens: Value,
    nonce: String,
}

/// The authorization code flow with PKCE, by hand: authorization URL, the provider's forms, the code
/// exchanged at the token endpoint with the client's secret (in the form when `secret_in_form`, else in
/// a Basic header).
async fn code_flow(provider: &OidcProvider, browser: &reqwest::Client, secret_in_form: bool) -> SignedIn {
    let endpoints = provider.endpoints();
    let oidc = client(None);
    let (state, nonce, verifier) = (random_token("state"), random_token("nonce"), random_token("verifier"));
    let mut authorize = Url::parse(&endpoints.authorization).unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &oidc.client_id)
        .append_pair("redirect_uri", &oidc.redirect_uri)
        .append_pair("scope", "openid profile email")
        .append_pair("state", &state)
        .append_pair("nonce", &nonce)
        .append_pair("code_challenge", &s256(&verifier))
        .append_pair("code_challenge_method", "S256");
    let back = provider.sign_in(browser, authorize.as_str(), "hoa", "any password").await.unwrap();
    assert!(back.as_str().starts_with(&oidc.redirect_uri), "{back}");
    assert_eq!(param(&back, "state").as_deref(), Some(state.as_str()), "{back}");
    assert_eq!(param(&back, "iss").as_deref(), Some(endpoints.issuer.as_str()), "{back}");
    let code = param(&back, "code").unwrap_or_else(|| panic!("no code in {back}\n{}", provider.log()));

    let mut form = vec![
        ("grant_type", "authorization_code".to_string()),
        ("code", code),
        ("redirect_uri", oidc.redirect_uri.clone()),
        ("code_verifier", verifier),
    ];
    let mut request = http_client().post(&endpoints.token);
    if secret_in_form {
        form.extend([("client_id", oidc.client_id.clone()), ("client_secret", oidc.client_secret.clone())]);
    } else {
        request = request.basic_auth(&oidc.client_id, Some(&oidc.client_secret));
    }
    let resp = request.form(&form).send().await.unwrap();
    let status = resp.status();
    let tokens: Value = resp.json().await.unwrap();
    assert!(status.is_success(), "{status}: {tokens}\n{}", provider.log());
    SignedIn { tokens, nonce }
}

async fn userinfo(provider: &OidcProvider, access_token: &str) -> Value {
    let resp =
        http_client().get(provider.endpoints().userinfo).bearer_auth(access_token).send().await.unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    resp.json().await.unwrap()
}

async fn published_kids(provider: &OidcProvider) -> Vec<String> {
    let jwks: Value =
        http_client().get(provider.endpoints().jwks).send().await.unwrap().json().await.unwrap();
    jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_string()).collect()
}

fn assert_claims(claims: &Value) {
    assert_eq!(claims["sub"], "hoa", "{claims}");
    assert_eq!(claims["preferred_username"], "hoa", "{claims}");
    assert_eq!(claims["name"], "Nguyễn Thị Hoa", "{claims}");
    assert_eq!(claims["email"], "hoa@noivu.example.vn", "{claims}");
    assert_eq!(claims["unit"], "Sở Nội vụ", "{claims}");
    assert_eq!(claims["position"], "Chuyên viên", "{claims}");
}

#[tokio::test]
async fn oidc_standard_layout_signs_in_with_pkce_and_logs_out_over_the_back_channel() {
    let (listening, received) = listener().await;
    let backchannel = format!("{listening}/sso/oidc/backchannel");
    let Some(provider) =
        OidcProvider::start(Layout::Standard, &[client(Some(backchannel))], &[account()]).await
    else {
        return;
    };
    let endpoints = provider.endpoints();
    let discovery: Value =
        http_client().get(endpoints.discovery.clone().unwrap()).send().await.unwrap().json().await.unwrap();
    assert_eq!(discovery["issuer"], endpoints.issuer.as_str());
    assert_eq!(discovery["authorization_endpoint"], endpoints.authorization.as_str());
    assert_eq!(discovery["token_endpoint"], endpoints.token.as_str());
    assert_eq!(discovery["jwks_uri"], endpoints.jwks.as_str());
    assert_eq!(discovery["userinfo_endpoint"], endpoints.userinfo.as_str());
    assert_eq!(discovery["end_session_endpoint"], endpoints.end_session.as_str());
    assert_eq!(discovery["backchannel_logout_session_supported"], true);
    assert_eq!(discovery["code_challenge_methods_supported"], json!(["S256"]));

    let browser = http_client();
    let signed_in = code_flow(&provider, &browser, false).await;
    let id_token = signed_in.tokens["id_token"].as_str().expect("an id_token").to_string();
    let (header, claims) = jwt_parts(&id_token);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], provider.kid());
    assert_eq!(published_kids(&provider).await, [provider.kid()]);
    assert_eq!(claims["iss"], endpoints.issuer.as_str());
    assert_eq!(claims["aud"], "daotao");
    assert_eq!(claims["nonce"], signed_in.nonce.as_str());
    assert_eq!(claims["sub"], "hoa");
    let sid = claims["sid"].as_str().expect("sid in the ID token").to_string();
    assert!(claims.get("name").is_none(), "Standard keeps profile claims out of the ID token: {claims}");
    assert_claims(&userinfo(&provider, signed_in.tokens["access_token"].as_str().unwrap()).await);

    let mut end_session = Url::parse(&endpoints.end_session).unwrap();
    end_session
        .query_pairs_mut()
        .append_pair("id_token_hint", &id_token)
        .append_pair("post_logout_redirect_uri", "http://127.0.0.1:9/")
        .append_pair("state", "after-logout");
    let after = provider.log_out(&browser, end_session.as_str()).await.unwrap();
    assert_eq!(after.as_str(), "http://127.0.0.1:9/?state=after-logout");
    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 1, "{received:?}\n{}", provider.log());
    assert_eq!(received[0].request_line, "POST /sso/oidc/backchannel HTTP/1.1");
    assert_eq!(received[0].content_type, "application/x-www-form-urlencoded");
    let logout_token = form_field(&received[0].body, "logout_token").expect("a logout_token field");
    let (header, claims) = jwt_parts(&logout_token);
    assert_eq!(header["typ"], "logout+jwt");
    assert_eq!(header["kid"], provider.kid());
    assert_eq!(claims["iss"], endpoints.issuer.as_str());
    assert_eq!(claims["aud"], "daotao");
    assert_eq!(claims["sub"], "hoa");
    assert_eq!(claims["sid"], sid.as_str());
    assert_eq!(claims["events"], json!({ "http://schemas.openid.net/event/backchannel-logout": {} }));
    assert!(claims.get("nonce").is_none(), "{claims}");
    assert!(claims["jti"].is_string(), "{claims}");
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 120, "{claims}");
}

#[tokio::test]
async fn oidc_requires_pkce_the_right_verifier_and_a_known_login() {
    let Some(provider) = OidcProvider::start(Layout::Standard, &[client(None)], &[account()]).await else {
        return;
    };
    let oidc = client(None);
    let mut authorize = Url::parse(&provider.endpoints().authorization).unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &oidc.client_id)
        .append_pair("redirect_uri", &oidc.redirect_uri)
        .append_pair("scope", "openid")
        .append_pair("state", "s");
    let back = provider.sign_in(&http_client(), authorize.as_str(), "hoa", "x").await.unwrap();
    assert_eq!(param(&back, "error").as_deref(), Some("invalid_request"), "{back}");

    let browser = http_client();
    authorize
        .query_pairs_mut()
        .append_pair("code_challenge", &s256("the-verifier-the-client-kept-0123456789abcdef"));
    authorize.query_pairs_mut().append_pair("code_challenge_method", "S256");
    let unknown = provider.sign_in(&http_client(), authorize.as_str(), "lan", "x").await;
    assert!(unknown.as_ref().is_err_and(|e| e.contains("server_error")), "{unknown:?}");
    let back = provider.sign_in(&browser, authorize.as_str(), "hoa", "x").await.unwrap();
    let code = param(&back, "code").unwrap_or_else(|| panic!("no code in {back}"));
    let resp = http_client()
        .post(provider.endpoints().token)
        .basic_auth(&oidc.client_id, Some(&oidc.client_secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &oidc.redirect_uri),
            ("code_verifier", "another-verifier-than-the-one-hashed-0123456789abcdef"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant", "{body}");
}

#[tokio::test]
async fn oidc_wso2_layout_has_no_discovery_and_rotates_its_keys() {
    let Some(mut provider) = OidcProvider::start(Layout::Wso2, &[client(None)], &[account()]).await else {
        return;
    };
    let endpoints = provider.endpoints();
    let origin = endpoints.authorization.trim_end_matches("/oauth2/authorize").to_string();
    assert_eq!(endpoints.issuer, format!("{origin}/oauth2/token"));
    assert_eq!(endpoints.discovery, None);
    for path in [
        "/.well-known/openid-configuration",
        "/oauth2/token/.well-known/openid-configuration",
        "/oauth2/oidcdiscovery/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        let resp = http_client().get(format!("{origin}{path}")).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{path}");
    }

    let signed_in = code_flow(&provider, &http_client(), true).await;
    let (header, claims) = jwt_parts(signed_in.tokens["id_token"].as_str().expect("an id_token"));
    assert_eq!(header["kid"], provider.kid());
    assert_eq!(claims["iss"], endpoints.issuer.as_str());
    assert_claims(&claims);
    assert_claims(&userinfo(&provider, signed_in.tokens["access_token"].as_str().unwrap()).await);

    let before = provider.kid().to_string();
    assert_eq!(published_kids(&provider).await, [before.as_str()]);
    provider.rotate_keys().await;
    assert_ne!(provider.kid(), before);
    assert_eq!(published_kids(&provider).await, [provider.kid()]);
    assert_eq!(provider.endpoints(), endpoints, "same port, same URLs");

    let browser = http_client();
    let signed_in = code_flow(&provider, &browser, false).await;
    let (header, _) = jwt_parts(signed_in.tokens["id_token"].as_str().unwrap());
    assert_eq!(header["kid"], provider.kid(), "signed with the new key");

    // Without a post-logout redirect URI the walk ends on the provider's own page.
    let after = provider.log_out(&browser, &endpoints.end_session).await.unwrap();
    assert_eq!(after.as_str(), format!("{origin}/oidc/logout/success"));
}
