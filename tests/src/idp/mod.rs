//! Real identity providers for the single sign-on tests: django-cas-server for CAS 3.0 ([`cas`]) and
//! panva's oidc-provider for OpenID Connect ([`oidc`]). A test starts one on a free 127.0.0.1 port (the
//! provider binds port 0 and says which port it got, so two tests never race for one), gets it back
//! once it answers, and drives its own login and logout pages over plain HTTP as a browser would. The
//! process is killed when the value is dropped. Never a mock of ours: the tests meet the protocols as
//! real servers speak them. Without the tool, `start` reports the test as skipped (a failure under the
//! tool's require flag, see [`crate::outside`]) and returns `None`.
//!
//! The configuration the harness gives each provider is in `tests/idp/` (tests/README.md, "Identity
//! providers").

pub mod cas;
pub mod oidc;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use regex::Regex;
use reqwest::Url;

/// How long a provider may take to start. Longer than the crate's `PATIENCE`: once, in a full test run
/// on a loaded 2-core machine, oidc-provider took over 30 s to listen (never seen alone, where it takes
/// 0.3-0.5 s). Only a bound on waiting, never a performance check.
const PATIENCE: Duration = Duration::from_secs(90);

/// A client that behaves as a browser does for these flows: it keeps cookies (the providers' sessions
/// live in them) and does not follow redirects, so that a test sees where each step sends it and the
/// redirect back to the service is handed over instead of followed. No proxy: everything is local.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(20))
        .build()
        .expect("build the HTTP client")
}

/// The folder of the providers' configuration in the repository (`tests/idp`).
fn idp_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("idp")
}

/// A provider's process, killed when dropped. Its stdout and stderr go to files in its scratch folder
/// (never to pipes nobody reads, which would block it once full).
pub(crate) struct Process {
    child: Option<Child>,
    what: &'static str,
    stdout: PathBuf,
    log: PathBuf,
}

impl Process {
    /// Starts `command`, with its output in `dir` (`stdout.txt`, `log.txt`, the latter appended to, so
    /// that a restarted provider's log follows the first one's).
    pub(crate) fn spawn(what: &'static str, mut command: Command, dir: &Path) -> Process {
        let stdout = dir.join("stdout.txt");
        let log = dir.join("log.txt");
        let log_file = std::fs::OpenOptions::new().create(true).append(true).open(&log).unwrap();
        command
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout).unwrap())
            .stderr(log_file)
            .env("NO_COLOR", "1");
        let child = command.spawn().unwrap_or_else(|e| panic!("cannot start {what} ({command:?}): {e}"));
        Process { child: Some(child), what, stdout, log }
    }

    /// Waits until the process prints its `listening on PORT ...` line; returns the words after "on".
    pub(crate) async fn announcement(&mut self) -> Vec<String> {
        match self.announcement_within(PATIENCE).await {
            Ok(words) => words,
            Err(why) => panic!("{why}"),
        }
    }

    /// As [`Process::announcement`], but gives up after `patience` with what is known of the silent
    /// process (its state, CPU time and kernel wait channel, from /proc), so a caller can retry.
    pub(crate) async fn announcement_within(&mut self, patience: Duration) -> Result<Vec<String>, String> {
        let started = Instant::now();
        loop {
            let printed = std::fs::read_to_string(&self.stdout).unwrap_or_default();
            if let Some(line) = printed.lines().find_map(|l| l.strip_prefix("listening on ")) {
                return Ok(line.split_whitespace().map(str::to_string).collect());
            }
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                panic!("{} exited with {status} before it was ready:\n{}", self.what, self.log());
            }
            if started.elapsed() >= patience {
                return Err(format!(
                    "{} did not start in {patience:?}; it printed:\n{printed}\nand logged:\n{}\n{}",
                    self.what,
                    self.log(),
                    self.proc_state()
                ));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// What Linux says of the process and its threads: state, CPU ticks and what each waits on.
    fn proc_state(&self) -> String {
        let Some(pid) = self.pid() else { return String::new() };
        let read = |path: String| std::fs::read_to_string(path).unwrap_or_default();
        let mut state = format!("process {pid}:");
        let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).into_iter().flatten().flatten();
        for task in tasks {
            let dir = task.path().display().to_string();
            // Fields after the command name: state is the 1st, utime and stime the 12th and 13th.
            let stat = read(format!("{dir}/stat"));
            let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
            let name = read(format!("{dir}/comm"));
            let wchan = read(format!("{dir}/wchan"));
            state.push_str(&format!(
                "\n  thread {} ({}): state {}, utime {}, stime {}, waits in {}",
                task.file_name().to_string_lossy(),
                name.trim(),
                fields.first().unwrap_or(&"?"),
                fields.get(11).unwrap_or(&"?"),
                fields.get(12).unwrap_or(&"?"),
                if wchan.is_empty() { "?" } else { &wchan }
            ));
        }
        state
    }

    /// Waits until `url` answers with a success, proof that the provider serves requests.
    async fn wait_until_answers(&self, url: &str) {
        let client = http_client();
        let started = Instant::now();
        loop {
            match client.get(url).send().await {
                Ok(resp) if resp.status().is_success() => return,
                Ok(resp) => assert!(
                    started.elapsed() < PATIENCE,
                    "{} answers {url} with {}:\n{}",
                    self.what,
                    resp.status(),
                    self.log()
                ),
                Err(e) => {
                    assert!(
                        started.elapsed() < PATIENCE,
                        "{} does not answer {url}: {e}\n{}",
                        self.what,
                        self.log()
                    )
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// What the process has written to stderr so far.
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The process id, while it runs.
    pub(crate) fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Kills the process and waits for it to end (its port is free again afterwards).
    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Why `program args...` cannot run (`failing` says what its failure means), or `None` when it runs
/// and succeeds.
pub(crate) fn fails_to_run(program: &str, args: &[&str], failing: &str) -> Option<String> {
    match Command::new(program).args(args).stdin(Stdio::null()).output() {
        Err(e) => Some(format!("`{program}` cannot be run: {e}")),
        Ok(out) if !out.status.success() => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no message");
            Some(format!("`{program}` {failing}: {}", last.trim()))
        }
        Ok(_) => None,
    }
}

/// A form of a page, as a browser would submit it.
#[derive(Debug, Clone)]
struct Form {
    action: Url,
    post: bool,
    fields: Vec<(String, String)>,
}

impl Form {
    /// Sets every field called `name`; whether there was one.
    fn set(&mut self, name: &str, value: &str) -> bool {
        let mut found = false;
        for field in self.fields.iter_mut().filter(|(n, _)| n == name) {
            field.1 = value.to_string();
            found = true;
        }
        found
    }

    fn has(&self, name: &str) -> bool {
        self.fields.iter().any(|(n, _)| n == name)
    }

    /// What identifies this form across pages: where it goes and which fields it has.
    fn signature(&self) -> String {
        let names: Vec<&str> = self.fields.iter().map(|(n, _)| n.as_str()).collect();
        format!("{} {}", self.action, names.join(","))
    }
}

/// The first form of `html` (a page at `page`), with the values it would send: its inputs, checkboxes
/// and radios only when checked, buttons never (a caller adds the one it presses).
fn first_form(html: &str, page: &Url) -> Option<Form> {
    static FORM: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?is)<form\b([^>]*)>(.*?)</form>").unwrap());
    static INPUT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?is)<input\b([^>]*)>").unwrap());
    let form = FORM.captures(html)?;
    let form_attributes = attributes(&form[1]);
    let get = |name: &str| form_attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let action = match get("action").filter(|a| !a.is_empty()) {
        Some(action) => page.join(&action).ok()?,
        None => page.clone(),
    };
    let post = get("method").is_some_and(|m| m.eq_ignore_ascii_case("post"));
    let mut fields = Vec::new();
    for input in INPUT.captures_iter(&form[2]) {
        let input = attributes(&input[1]);
        let get = |name: &str| input.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        let Some(name) = get("name") else { continue };
        let kind = get("type").unwrap_or_default().to_ascii_lowercase();
        let checked = input.iter().any(|(n, _)| n == "checked");
        match kind.as_str() {
            "submit" | "button" | "image" | "reset" | "file" => continue,
            "checkbox" | "radio" if !checked => continue,
            "checkbox" | "radio" => fields.push((name, get("value").unwrap_or_else(|| "on".into()))),
            _ => fields.push((name, get("value").unwrap_or_default())),
        }
    }
    Some(Form { action, post, fields })
}

/// The attributes of a tag, names in lower case, values with their character references decoded.
fn attributes(tag: &str) -> Vec<(String, String)> {
    static ATTRIBUTE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"([A-Za-z_:][-A-Za-z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?"#)
            .unwrap()
    });
    ATTRIBUTE
        .captures_iter(tag)
        .map(|c| {
            let value = c.get(2).or(c.get(3)).or(c.get(4)).map_or("", |m| m.as_str());
            (c[1].to_ascii_lowercase(), decode_entities(value))
        })
        .collect()
}

/// Decodes HTML character references (`&amp;`, `&#39;`, `&#x27;`, ...).
fn decode_entities(text: &str) -> String {
    static REFERENCE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z]+);").unwrap());
    REFERENCE
        .replace_all(text, |c: &regex::Captures| {
            let name = &c[1];
            let code = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok()
            } else if let Some(decimal) = name.strip_prefix('#') {
                decimal.parse().ok()
            } else {
                match name {
                    "amp" => Some('&' as u32),
                    "lt" => Some('<' as u32),
                    "gt" => Some('>' as u32),
                    "quot" => Some('"' as u32),
                    "apos" => Some('\'' as u32),
                    "nbsp" => Some(0xa0),
                    "times" => Some(0xd7),
                    _ => None,
                }
            };
            code.and_then(char::from_u32).map_or_else(|| c[0].to_string(), String::from)
        })
        .into_owned()
}

/// The text a person reads on a page: no scripts, styles or tags, spaces collapsed.
fn page_text(html: &str) -> String {
    static HIDDEN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?is)<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->").unwrap());
    static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)<[^>]*>").unwrap());
    let text = TAG.replace_all(&HIDDEN.replace_all(html, " "), " ").into_owned();
    decode_entities(&text).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where a walk through a provider's pages ended.
enum Landing {
    /// A redirect away from the provider (back to a service or client), not followed.
    Left(Url),
    /// A page of the provider with no form to submit; `forms` were submitted on the way.
    Page { url: Url, text: String, forms: usize },
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Walks a browser from `start` through the provider at `provider`'s origin: follows its redirects,
/// submits each form its pages show after `fill` has filled it in, and stops at the first redirect that
/// leaves the provider or at a page without a form. A form that comes back after being submitted (a
/// refused password) ends the walk with an error naming the page's text, as does an error status.
async fn walk(
    client: &reqwest::Client,
    provider: &Url,
    start: &str,
    fill: &dyn Fn(&mut Form),
) -> Result<Landing, String> {
    let mut url = Url::parse(start).map_err(|e| format!("{start} is not a URL: {e}"))?;
    let mut request = client.get(url.clone());
    let mut submitted = HashSet::new();
    for _ in 0..20 {
        let resp = request.send().await.map_err(|e| format!("{url}: {e}"))?;
        let status = resp.status();
        if status.is_redirection() {
            let location = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .ok_or_else(|| format!("{status} without a Location at {url}"))?;
            let next = url.join(location).map_err(|e| format!("bad Location {location} at {url}: {e}"))?;
            if !same_origin(&next, provider) {
                return Ok(Landing::Left(next));
            }
            url = next;
            request = client.get(url.clone());
            continue;
        }
        let html = resp.text().await.map_err(|e| format!("{url}: {e}"))?;
        if !status.is_success() {
            return Err(format!("{status} at {url}: {}", page_text(&html)));
        }
        let Some(mut form) = first_form(&html, &url) else {
            return Ok(Landing::Page { url, text: page_text(&html), forms: submitted.len() });
        };
        if !submitted.insert(form.signature()) {
            return Err(page_text(&html));
        }
        fill(&mut form);
        url = form.action.clone();
        request = if form.post {
            client.post(form.action).form(&form.fields)
        } else {
            let mut target = form.action;
            target.query_pairs_mut().clear().extend_pairs(&form.fields);
            client.get(target)
        };
    }
    Err(format!("more than 20 steps through {provider}, last at {url}"))
}

/// Fills a login form with these credentials (CAS names the field `username`, oidc-provider `login`).
fn credentials<'a>(username: &'a str, password: &'a str) -> impl Fn(&mut Form) + 'a {
    move |form: &mut Form| {
        if !form.set("username", username) {
            form.set("login", username);
        }
        form.set("password", password);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_form_as_a_browser_would_send_it() {
        let page = Url::parse("http://127.0.0.1:1/cas/login?service=x").unwrap();
        let html = r#"<p>x</p><form method="post" id="f"><input type="hidden" name="csrf" value="a&amp;b">
            <input type=text name=username autofocus><input type="checkbox" name="warn">
            <input type="checkbox" name="keep" checked><input type="submit" name="go" value="Go"></form>"#;
        let form = first_form(html, &page).unwrap();
        assert!(form.post);
        assert_eq!(form.action, page);
        let expected = [("csrf", "a&b"), ("username", ""), ("keep", "on")];
        assert_eq!(form.fields, expected.map(|(n, v)| (n.to_string(), v.to_string())));
        let other = first_form(r#"<form action="/x?a=1&#38;b=&#x32;"></form>"#, &page).unwrap();
        assert_eq!(other.action.as_str(), "http://127.0.0.1:1/x?a=1&b=2");
        assert!(!other.post);
    }

    #[test]
    fn page_text_leaves_out_scripts_and_tags() {
        let html = "<style>p{}</style><p>The credentials&nbsp;you <b>provided</b></p><script>x()</script>";
        assert_eq!(page_text(html), "The credentials you provided");
    }
}
