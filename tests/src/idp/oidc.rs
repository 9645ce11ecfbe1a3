//! oidc-provider 9 (npm, by panva; OpenID Certified), a real OpenID Connect provider, for the tests of
//! OpenID Connect single sign-on.
//!
//! Each [`OidcProvider::start`] writes the clients and accounts to a temporary folder and runs
//! `tests/idp/oidc-provider.mjs` with `node` (`DAOTAO_NODE` names another), on an `http://` issuer at
//! 127.0.0.1. The package is installed in `tests/idp/node_modules` by `npm ci`.
//!
//! What the server under test meets:
//! - The login form is oidc-provider's own development form (`devInteractions`): it accepts **any
//!   password**, and the login typed is the subject (`sub`). Logging in as a login that is not one of the
//!   accounts ends at the provider's error page (500, `server_error`), so `sign_in` returns Err. The
//!   consent form follows on a client's first sign-in in a session; [`OidcProvider::sign_in`] confirms it.
//! - Clients are confidential: `client_secret_basic` or `client_secret_post` (the provider takes either),
//!   response type `code`, PKCE required with `S256` only (`plain` is refused), one redirect URI and one
//!   post-logout redirect URI each, exactly as given. A client secret must be printable ASCII (the
//!   provider refuses to start a client with another), and in a Basic header the provider form-decodes
//!   the id and the secret (RFC 6749, 2.3.1): a secret with `+` or `%` must be encoded there.
//! - Scopes: `openid` (`sub`), `profile` (`preferred_username`, `name`, `unit`, `position`), `email`
//!   (`email`, `email_verified`). An account's claims are released as given, under those scopes. In the
//!   Standard layout they come from userinfo only (as OpenID Connect says when an access token is issued;
//!   the ID token holds `sub`, `sid`, `auth_time`, `nonce`, `at_hash` and the usual `iss`, `aud`, `exp`,
//!   `iat`); in the Wso2 layout the ID token carries them too, as WSO2 Identity Server does.
//! - ID tokens are RS256 under the `kid` of the one key in the JWKS. A client with a
//!   `backchannel_logout_uri` gets `sid` in its ID tokens.
//! - Logging out ([`OidcProvider::log_out`], the RP-initiated logout confirmed with "yes, sign me out")
//!   sends, before it answers, a back-channel logout to every client of the session that has a
//!   `backchannel_logout_uri`: a POST, `application/x-www-form-urlencoded`, one field `logout_token`, a JWT
//!   (header `typ: logout+jwt`, RS256, the provider's `kid`) with `iss`, `aud` (the client id), `iat`,
//!   `exp` (`iat` + 120 s), `jti`, `sub`, `sid` and `events: {"http://schemas.openid.net/event/backchannel-logout": {}}`.
//!   The provider waits 2.5 s at most and expects 200 or 204 back; a failure is only logged.
//! - [`OidcProvider::rotate_keys`] restarts it on the same port with a new key: the JWKS then publishes
//!   the new key alone, so tokens signed before no longer verify, and sessions at the provider are lost.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use reqwest::Url;

use super::{Landing, Process, credentials, fails_to_run, idp_dir, walk};
use crate::outside;

/// The shape of the provider's URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// oidc-provider's own: issuer `http://127.0.0.1:PORT`, discovery at
    /// `/.well-known/openid-configuration`, endpoints `/auth`, `/token`, `/jwks`, `/me`, `/session/end`.
    Standard,
    /// WSO2 Identity Server's: issuer `http://127.0.0.1:PORT/oauth2/token`, endpoints `/oauth2/authorize`,
    /// `/oauth2/token`, `/oauth2/jwks`, `/oauth2/userinfo`, `/oidc/logout`, and no discovery document (404
    /// at every `.well-known` path), so a client must be configured endpoint by endpoint.
    Wso2,
}

/// A client (relying party) registered at the provider.
#[derive(Debug, Clone)]
pub struct OidcClient {
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
    pub post_logout_redirect_uri: String,
    /// Where the provider POSTs logout tokens; `sid` is then in the client's ID tokens too.
    pub backchannel_logout_uri: Option<String>,
}

/// An account at the provider: its login (also its `sub`) and its claims, e.g. `preferred_username`,
/// `name`, `email`, `unit`, `position`.
#[derive(Debug, Clone)]
pub struct OidcAccount {
    pub login: String,
    pub claims: serde_json::Value,
}

/// The provider's URLs, as a server would be configured with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub issuer: String,
    /// The discovery document; `None` in the Wso2 layout, which has none.
    pub discovery: Option<String>,
    pub authorization: String,
    pub token: String,
    pub jwks: String,
    pub userinfo: String,
    pub end_session: String,
}

/// A running oidc-provider, killed when dropped.
pub struct OidcProvider {
    // Declared before the folder, so the process ends before its files are removed.
    process: Process,
    port: u16,
    layout: Layout,
    kid: String,
    dir: tempfile::TempDir,
}

/// The Node.js that runs the provider (`DAOTAO_NODE`, else `node`).
fn node() -> String {
    std::env::var("DAOTAO_NODE").unwrap_or_else(|_| "node".into())
}

/// Why oidc-provider cannot run here, or `None`; asked once per test process.
fn unavailable() -> Option<String> {
    static ANSWER: OnceLock<Option<String>> = OnceLock::new();
    ANSWER
        .get_or_init(|| {
            fails_to_run(&node(), &["--version"], "does not run").or_else(|| {
                let package = idp_dir().join("node_modules/oidc-provider/package.json");
                (!package.exists()).then(|| format!("{} is missing (npm ci was not run)", package.display()))
            })
        })
        .clone()
}

impl OidcProvider {
    /// Starts oidc-provider with these clients and accounts in `layout`, on a free port, with a fresh
    /// signing key. `None` after reporting the test as skipped when Node.js or the package is missing (a
    /// failure under `DAOTAO_TEST_OIDC=require`).
    pub async fn start(
        layout: Layout,
        clients: &[OidcClient],
        accounts: &[OidcAccount],
    ) -> Option<OidcProvider> {
        if let Some(why) = unavailable() {
            outside::OIDC.missing(&why);
            return None;
        }
        let dir = tempfile::Builder::new().prefix("daotao-oidc-").tempdir().unwrap();
        let clients: Vec<serde_json::Value> = clients
            .iter()
            .map(|c| {
                serde_json::json!({
                    "client_id": c.client_id,
                    "client_secret": c.client_secret,
                    "redirect_uri": c.redirect_uri,
                    "post_logout_redirect_uri": c.post_logout_redirect_uri,
                    "backchannel_logout_uri": c.backchannel_logout_uri,
                })
            })
            .collect();
        let accounts: Vec<serde_json::Value> =
            accounts.iter().map(|a| serde_json::json!({ "login": a.login, "claims": a.claims })).collect();
        let layout_name = match layout {
            Layout::Standard => "standard",
            Layout::Wso2 => "wso2",
        };
        let config =
            serde_json::json!({ "port": 0, "layout": layout_name, "clients": clients, "accounts": accounts });
        std::fs::write(dir.path().join("config.json"), config.to_string()).unwrap();
        let (process, port, kid) = launch(&dir.path().join("config.json"), dir.path()).await;
        let provider = OidcProvider { process, port, layout, kid, dir };
        let jwks = provider.endpoints().jwks;
        provider.process.wait_until_answers(&jwks).await;
        Some(provider)
    }

    /// The provider's URLs in its layout.
    pub fn endpoints(&self) -> Endpoints {
        let origin = format!("http://127.0.0.1:{}", self.port);
        match self.layout {
            Layout::Standard => Endpoints {
                issuer: origin.clone(),
                discovery: Some(format!("{origin}/.well-known/openid-configuration")),
                authorization: format!("{origin}/auth"),
                token: format!("{origin}/token"),
                jwks: format!("{origin}/jwks"),
                userinfo: format!("{origin}/me"),
                end_session: format!("{origin}/session/end"),
            },
            Layout::Wso2 => Endpoints {
                issuer: format!("{origin}/oauth2/token"),
                discovery: None,
                authorization: format!("{origin}/oauth2/authorize"),
                token: format!("{origin}/oauth2/token"),
                jwks: format!("{origin}/oauth2/jwks"),
                userinfo: format!("{origin}/oauth2/userinfo"),
                end_session: format!("{origin}/oidc/logout"),
            },
        }
    }

    /// The `kid` of the key the provider signs with now (it changes with [`OidcProvider::rotate_keys`]).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Follows a browser from `authorization_url` (our server's redirect to the provider) through the
    /// provider's own login (and consent) forms as `login`, and returns the URL the provider redirects
    /// back to (the client's redirect_uri with code and state, or with error), without following it.
    /// Any password is accepted (see the module's notes). Err with the page's text when the provider
    /// shows an error page instead (an unknown client or redirect URI, an unknown login).
    pub async fn sign_in(
        &self,
        client: &reqwest::Client,
        authorization_url: &str,
        login: &str,
        password: &str,
    ) -> Result<Url, String> {
        let origin = Url::parse(&format!("http://127.0.0.1:{}/", self.port)).unwrap();
        match walk(client, &origin, authorization_url, &credentials(login, password)).await? {
            Landing::Left(url) => Ok(url),
            Landing::Page { url, text, .. } => {
                Err(format!("the provider did not send the browser back ({url}): {text}"))
            }
        }
    }

    /// Follows a browser to the end-session URL our server redirected to, confirms the provider's
    /// logout form ("yes, sign me out" of every client of the session), and returns the URL it finally
    /// redirects to (the post-logout redirect URI), without following it; when the request named no
    /// post-logout redirect URI, the provider's own "signed out" page. The provider has sent its
    /// back-channel logout tokens to each client's backchannel_logout_uri before it answers.
    pub async fn log_out(&self, client: &reqwest::Client, end_session_url: &str) -> Result<Url, String> {
        let origin = Url::parse(&format!("http://127.0.0.1:{}/", self.port)).unwrap();
        // The confirmation form holds only `xsrf` (the page's "yes" button adds `logout=yes`); without a
        // session the provider sends a form that already says `logout=yes`, which the script submits.
        let confirm = |form: &mut super::Form| {
            if form.has("xsrf") && !form.has("logout") {
                form.fields.push(("logout".into(), "yes".into()));
            }
        };
        match walk(client, &origin, end_session_url, &confirm).await? {
            Landing::Left(url) => Ok(url),
            Landing::Page { url, forms, .. } if forms > 0 => Ok(url),
            Landing::Page { url, text, .. } => Err(format!("no logout form at {url}: {text}")),
        }
    }

    /// Restarts the provider on the same port with a NEW signing key (a new `kid`), keeping clients and
    /// accounts: tests of key rotation. Sessions at the provider are lost (it keeps them in memory).
    pub async fn rotate_keys(&mut self) {
        self.process.stop();
        let config_path = self.dir.path().join("config.json");
        let mut config: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&config_path).unwrap()).unwrap();
        config["port"] = self.port.into();
        std::fs::write(&config_path, config.to_string()).unwrap();
        let (process, port, kid) = launch(&config_path, self.dir.path()).await;
        assert_eq!(port, self.port, "the provider came back on another port");
        assert_ne!(kid, self.kid, "the provider kept its signing key");
        self.process = process;
        self.kid = kid;
        let jwks = self.endpoints().jwks;
        self.process.wait_until_answers(&jwks).await;
    }

    /// What the provider has logged so far (its warnings, server errors, failed back-channel logouts):
    /// for a failing test's message.
    pub fn log(&self) -> String {
        self.process.log()
    }
}

/// Runs oidc-provider.mjs on `config`; returns the process, its port and its key's `kid`.
///
/// Twice in full CI runs (never alone, nor in 36 starts side by side under load) a provider stayed
/// silent for 90 s after loading its modules, before it built its provider. A start that stays silent
/// for [`TRY_PATIENCE`] is reported on stderr with what Linux and Node say of it (its threads'
/// states and its JavaScript stack, from a diagnostic report), then killed and started again, up to
/// [`TRIES`] times; the test fails only when every try stays silent.
async fn launch(config: &Path, dir: &Path) -> (Process, u16, String) {
    let mut silent = Vec::new();
    for attempt in 1..=TRIES {
        let reports = dir.join(format!("reports-{attempt}"));
        std::fs::create_dir_all(&reports).unwrap();
        let mut command = Command::new(node());
        command
            .arg("--report-on-signal")
            .arg("--report-signal=SIGUSR2")
            .arg(format!("--report-directory={}", reports.display()))
            .arg(idp_dir().join("oidc-provider.mjs"))
            .arg(config)
            .current_dir(idp_dir());
        let mut process = Process::spawn("oidc-provider", command, dir);
        match process.announcement_within(TRY_PATIENCE).await {
            Ok(words) => match words.as_slice() {
                [port, key, kid] if key == "kid" => {
                    return (process, port.parse().expect("oidc-provider.mjs prints its port"), kid.clone());
                }
                _ => panic!("oidc-provider.mjs printed `listening on {}`", words.join(" ")),
            },
            Err(why) => {
                let report = javascript_stack(&process, &reports).await;
                let what = format!("try {attempt} of {TRIES}: {why}\n{report}");
                eprintln!("oidc-provider stayed silent, starting it again. {what}");
                silent.push(what);
                process.stop();
            }
        }
    }
    panic!("oidc-provider never started:\n{}", silent.join("\n"))
}

/// How many times [`launch`] starts a provider that stays silent.
const TRIES: u32 = 3;

/// How long one start may stay silent: a loaded 2-core machine once took over 30 s.
const TRY_PATIENCE: Duration = Duration::from_secs(45);

/// Asks the silent Node.js process for a diagnostic report (SIGUSR2, see [`launch`]) and returns the
/// JavaScript stack and the event loop's handles (a listening socket or not) it names, or why there
/// is none.
async fn javascript_stack(process: &Process, reports: &Path) -> String {
    let Some(pid) = process.pid() else { return "no process".into() };
    let _ = Command::new("kill").arg("-USR2").arg(pid.to_string()).status();
    for _ in 0..50 {
        let written = std::fs::read_dir(reports).into_iter().flatten().flatten().next();
        let text = written.and_then(|entry| std::fs::read_to_string(entry.path()).ok());
        if let Some(Ok(report)) = text.map(|t| serde_json::from_str::<serde_json::Value>(&t)) {
            let handles: Vec<String> = report["libuv"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|h| format!("{} {}", h["type"], h["localEndpoint"]))
                .collect();
            return format!(
                "Node's report: JavaScript stack {:#}; libuv handles: {}",
                report["javascriptStack"],
                handles.join(", ")
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    "Node wrote no diagnostic report in 5 s".into()
}
