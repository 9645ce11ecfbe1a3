//! django-cas-server 3.1 (PyPI), a real CAS 3.0 server, for the tests of CAS single sign-on.
//!
//! Each [`CasServer::start`] writes a throwaway Django project (`tests/idp/cas/`, copied as the package
//! `daotao_cas`) and the test's users to a temporary folder, and runs `serve.py` there with
//! `python3` (`DAOTAO_PYTHON` names another interpreter). CAS lives at `/cas/`: `/cas/login`,
//! `/cas/logout`, `/cas/p3/serviceValidate` (and the CAS 1 and 2 endpoints beside them).
//!
//! What the server under test meets:
//! - One service pattern, `^.*$`: every service URL is accepted, and every attribute of the user is
//!   released (`ReplaceAttributName` `*`), under its own name. An attribute given several times is
//!   multi-valued. `p3/serviceValidate` lists them as `<cas:NAME>value</cas:NAME>` inside
//!   `<cas:attributes>` (beside `authenticationDate`, `isFromNewLogin` and
//!   `longTermAuthenticationRequestTokenUsed`), one element per value, and again as
//!   `<cas:attribute name="NAME" value="value"/>` after it.
//! - A service ticket is valid once, for 60 seconds, and only for the exact service URL it was issued to.
//! - With single logout on, logging out at CAS POSTs to the given URL, for every ticket the user was
//!   issued (validated or not), a form (`application/x-www-form-urlencoded`) with one field,
//!   `logoutRequest`, holding a SAML 2 `<samlp:LogoutRequest ID=".." Version="2.0" IssueInstant="..">`
//!   whose `<samlp:SessionIndex>` is the service ticket (`ST-...`) and whose `<saml:NameID>` is empty. CAS
//!   sends them while answering the logout (5 seconds at most each) and reports a request that could not
//!   be delivered on its logout page.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use reqwest::Url;

use super::{Landing, Process, credentials, fails_to_run, idp_dir, walk};
use crate::outside;

/// A user CAS knows, with the attributes it releases to services (a name given twice has two values).
#[derive(Debug, Clone)]
pub struct CasUser {
    pub username: String,
    pub password: String,
    pub attributes: Vec<(String, String)>,
}

/// A running django-cas-server, killed when dropped.
pub struct CasServer {
    // Declared before the folder, so the process ends before its files are removed.
    process: Process,
    port: u16,
    _dir: tempfile::TempDir,
}

/// The Python interpreter that runs CAS (`DAOTAO_PYTHON`, else `python3`).
fn python() -> String {
    std::env::var("DAOTAO_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Why django-cas-server cannot run here, or `None`; asked once per test process.
fn unavailable() -> Option<String> {
    static ANSWER: OnceLock<Option<String>> = OnceLock::new();
    ANSWER
        .get_or_init(|| fails_to_run(&python(), &["-c", "import cas_server"], "cannot import cas_server"))
        .clone()
}

/// Where serve.py keeps the migrated empty database between runs: beside the test binaries, so
/// `cargo clean` removes it.
fn cache_dir() -> PathBuf {
    let mut dir = std::env::current_exe().expect("test executable path");
    dir.pop();
    if dir.ends_with("deps") {
        dir.pop();
    }
    dir.join("idp-cache")
}

impl CasServer {
    /// Starts django-cas-server with these users. Its service pattern accepts every service URL and
    /// releases all attributes; when `single_logout_url` is Some, single logout is on and the CAS
    /// server POSTs its SAML LogoutRequest there when a user logs out at CAS. `None` after reporting
    /// the test as skipped when django-cas-server is not installed (a failure under
    /// `DAOTAO_TEST_CAS=require`).
    pub async fn start(users: &[CasUser], single_logout_url: Option<&str>) -> Option<CasServer> {
        if let Some(why) = unavailable() {
            outside::CAS.missing(&why);
            return None;
        }
        let dir = tempfile::Builder::new().prefix("daotao-cas-").tempdir().unwrap();
        let package = dir.path().join("daotao_cas");
        std::fs::create_dir(&package).unwrap();
        for entry in std::fs::read_dir(idp_dir().join("cas")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "py") {
                std::fs::copy(&path, package.join(path.file_name().unwrap())).unwrap();
            }
        }
        std::fs::write(dir.path().join("users.json"), users_json(users).to_string()).unwrap();
        let config = serde_json::json!({ "single_logout_url": single_logout_url, "cache_dir": cache_dir() });
        std::fs::write(dir.path().join("config.json"), config.to_string()).unwrap();

        let mut command = Command::new(python());
        let no_proxy = match std::env::var("NO_PROXY") {
            Ok(others) if !others.is_empty() => format!("127.0.0.1,localhost,{others}"),
            _ => "127.0.0.1,localhost".to_string(),
        };
        command
            .arg(package.join("serve.py"))
            .current_dir(dir.path())
            .env("DAOTAO_CAS_DIR", dir.path())
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONUNBUFFERED", "1")
            // Single-logout requests go to a test's server on 127.0.0.1, never through a proxy.
            .env("NO_PROXY", &no_proxy)
            .env("no_proxy", &no_proxy);
        let mut process = Process::spawn("django-cas-server", command, dir.path());
        let words = process.announcement().await;
        let port = words.first().and_then(|p| p.parse().ok()).expect("serve.py prints its port");
        let server = CasServer { process, port, _dir: dir };
        let login = format!("{}/login", server.base_url());
        server.process.wait_until_answers(&login).await;
        Some(server)
    }

    /// The CAS base URL, e.g. http://127.0.0.1:PORT/cas (the server appends /login, /p3/serviceValidate,
    /// /logout).
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/cas", self.port)
    }

    /// Follows a browser to `login_url` (CAS's /login?service=...), fills the login form with these
    /// credentials, submits it, and returns the URL CAS redirects back to (the service with
    /// ?ticket=ST-...), without following it. A browser already signed in at CAS is sent back at once,
    /// without a form. `client` must have a cookie store and redirects disabled (see
    /// [`super::http_client`]). On a wrong password, returns Err with CAS's page text.
    pub async fn sign_in(
        &self,
        client: &reqwest::Client,
        login_url: &str,
        username: &str,
        password: &str,
    ) -> Result<Url, String> {
        let origin = Url::parse(&self.base_url()).unwrap();
        match walk(client, &origin, login_url, &credentials(username, password)).await? {
            Landing::Left(url) => Ok(url),
            Landing::Page { url, text, .. } => {
                Err(format!("CAS did not send the browser back ({url}): {text}"))
            }
        }
    }

    /// Logs out at CAS with the browser's CAS cookie (GET /cas/logout), which makes CAS send its
    /// single-logout requests before it answers. Err with the page's text when CAS says one of them
    /// could not be delivered.
    pub async fn log_out(&self, client: &reqwest::Client) -> Result<(), String> {
        let url = format!("{}/logout", self.base_url());
        let resp = client.get(&url).send().await.map_err(|e| format!("{url}: {e}"))?;
        let status = resp.status();
        let text = super::page_text(&resp.text().await.map_err(|e| format!("{url}: {e}"))?);
        if !status.is_success() {
            return Err(format!("{status} at {url}: {text}"));
        }
        if text.contains("Error during service logout") {
            return Err(text);
        }
        Ok(())
    }

    /// What the server has logged so far (requests, tickets issued, single-logout attempts): for a
    /// failing test's message.
    pub fn log(&self) -> String {
        self.process.log()
    }
}

/// users.json for `daotao_cas.users.JsonFileUser`: an attribute given once is a string, several times
/// a list.
fn users_json(users: &[CasUser]) -> serde_json::Value {
    let mut all = serde_json::Map::new();
    for user in users {
        let mut attributes = serde_json::Map::new();
        for (name, value) in &user.attributes {
            let value = serde_json::Value::String(value.clone());
            match attributes.get_mut(name) {
                None => {
                    attributes.insert(name.clone(), value);
                }
                Some(serde_json::Value::Array(values)) => values.push(value),
                Some(first) => *first = serde_json::Value::Array(vec![first.take(), value]),
            }
        }
        all.insert(
            user.username.clone(),
            serde_json::json!({ "password": user.password, "attributes": attributes }),
        );
    }
    serde_json::Value::Object(all)
}
