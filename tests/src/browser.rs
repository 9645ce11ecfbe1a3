//! A real Chromium for the browser tests: Debian's `chromium` driven through
//! `chromedriver` (WebDriver, with fantoccini), screenshots at phone and
//! desktop widths, and axe-core accessibility checks injected into pages.
//!
//! Without Chromium the tests skip with a message on the terminal, unless
//! `DAOTAO_BROWSER_TESTS=require` (CI sets it) makes a missing browser a failure.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::PATIENCE;

/// The widths every step is photographed at: a phone and a desktop.
pub const WIDTHS: [u32; 2] = [375, 1280];

/// The browser and its driver, found on this machine.
pub struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

/// Finds `chromium` and `chromedriver` (or `DAOTAO_CHROMIUM` / `DAOTAO_CHROMEDRIVER`).
/// Returns `None` after telling the terminal why the test `name` is skipped, or panics when
/// `DAOTAO_BROWSER_TESTS=require`.
pub fn tools_or_skip(name: &str) -> Option<Tools> {
    let find = |var: &str, program: &str| -> Option<PathBuf> {
        if let Ok(path) = std::env::var(var) {
            return Some(PathBuf::from(path));
        }
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths).map(|dir| dir.join(program)).find(|p| p.is_file())
        })
    };
    let chromium = find("DAOTAO_CHROMIUM", "chromium");
    let chromedriver = find("DAOTAO_CHROMEDRIVER", "chromedriver");
    if let (Some(chromium), Some(chromedriver)) = (chromium.clone(), chromedriver.clone()) {
        return Some(Tools { chromium, chromedriver });
    }
    let missing: Vec<&str> = [("chromium", chromium.is_none()), ("chromedriver", chromedriver.is_none())]
        .into_iter()
        .filter_map(|(name, missing)| missing.then_some(name))
        .collect();
    let why = format!(
        "{} not found on PATH (install Debian's packages: apt-get install chromium chromium-driver)",
        missing.join(" and ")
    );
    if std::env::var("DAOTAO_BROWSER_TESTS").is_ok_and(|v| v == "require") {
        panic!("browser test `{name}` cannot run: {why}");
    }
    // Straight to the terminal: the test harness captures `eprintln!` of passing tests.
    let _ = std::io::stderr().write_all(format!("\nSKIPPED browser test `{name}`: {why}.\n").as_bytes());
    None
}

/// A Chromium session on its own driver and profile; the driver is killed when dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
    shots: PathBuf,
    step: u32,
    _profile: tempfile::TempDir,
}

/// An accessibility problem axe-core found on a page.
#[derive(Debug)]
pub struct Violation {
    pub rule: String,
    pub impact: String,
    pub help: String,
    pub targets: Vec<String>,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile, the page's
    /// JavaScript on or off; screenshots go to `<target>/browser-screenshots/<test>`.
    pub async fn open(tools: &Tools, test: &str, javascript: bool) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().unwrap();
        let mut args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-extensions".into(),
            "--no-first-run".into(),
            "--no-default-browser-check".into(),
            "--hide-scrollbars".into(),
            "--force-device-scale-factor=1".into(),
            "--lang=vi-VN".into(),
            format!("--user-data-dir={}", profile.path().display()),
            "--window-size=1280,900".into(),
        ];
        if !javascript {
            args.push("--blink-settings=scriptEnabled=false".into());
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": tools.chromium,
                "args": args,
                "prefs": { "intl.accept_languages": "vi-VN,vi" },
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(caps.clone()).connect(&url).await {
                Ok(client) => break client,
                Err(e) => {
                    assert!(started.elapsed() < PATIENCE, "no WebDriver session from chromedriver: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        };
        let shots = screenshot_root().join(test);
        let _ = std::fs::remove_dir_all(&shots);
        std::fs::create_dir_all(&shots).unwrap();
        Browser { client, driver, shots, step: 0, _profile: profile }
    }

    /// The folder this session's screenshots are written to.
    pub fn screenshots(&self) -> &Path {
        &self.shots
    }

    /// Opens `url` and waits for the page to load.
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// The path and query of the page shown.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// The one element `css` selects, waiting for it to appear.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        match self.client.wait().at_most(PATIENCE).for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => panic!("no `{css}` on {}: {e}", self.path().await),
        }
    }

    /// Every element `css` selects (none is fine).
    pub async fn find_all(&self, css: &str) -> Vec<fantoccini::elements::Element> {
        self.client.find_all(Locator::Css(css)).await.unwrap()
    }

    /// Clicks the element `css` selects.
    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap_or_else(|e| panic!("click `{css}`: {e}"));
    }

    /// Clicks the link or button `css` selects and waits until the browser has replaced the page
    /// with the one it leads to. A form that posts and redirects back to the same address (enrol,
    /// save) leaves the path unchanged, so waiting on the path alone would race the server.
    pub async fn click_through(&self, css: &str) {
        let page = self.find("html").await;
        self.click(css).await;
        let started = Instant::now();
        // The old page's root element goes stale once the new page has replaced it.
        while page.tag_name().await.is_ok() {
            assert!(started.elapsed() < PATIENCE, "`{css}` led nowhere: still on {}", self.path().await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Types `text` into the field `css` selects, after clearing it.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap_or_else(|e| panic!("type into `{css}`: {e}"));
    }

    /// The visible text of the page's `<main>`.
    pub async fn main_text(&self) -> String {
        self.find("main").await.text().await.unwrap()
    }

    /// Waits until the page's path starts with `prefix` (after a form posts and redirects).
    pub async fn wait_for_path(&self, prefix: &str) -> String {
        let started = Instant::now();
        loop {
            let path = self.path().await;
            if path.starts_with(prefix) {
                return path;
            }
            assert!(started.elapsed() < PATIENCE, "still on {path}, expected {prefix}…");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Photographs the whole page at each of [`WIDTHS`], as `NN-step-WIDTH.png`, and
    /// leaves the window at desktop width.
    pub async fn screenshot(&mut self, step: &str) {
        self.step += 1;
        for width in WIDTHS {
            self.resize(width, 900).await;
            let height = self
                .client
                .execute("return Math.ceil(document.documentElement.scrollHeight);", vec![])
                .await
                .ok()
                .and_then(|h| h.as_u64())
                .unwrap_or(900)
                .clamp(400, 6000) as u32;
            self.resize(width, height).await;
            let png = self.client.screenshot().await.expect("a screenshot");
            let file = self.shots.join(format!("{:02}-{step}-{width}.png", self.step));
            std::fs::write(&file, png).unwrap();
        }
        self.resize(1280, 900).await;
    }

    async fn resize(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.unwrap();
    }

    /// Runs axe-core on the page, at phone and desktop widths, and returns the serious and
    /// critical violations; every violation found is written to `NN-axe-<page>.json`.
    pub async fn accessibility(&self, page: &str) -> Vec<Violation> {
        let mut found = Vec::new();
        let mut report = serde_json::Map::new();
        for width in WIDTHS {
            self.resize(width, 900).await;
            let loaded = self.client.execute("return typeof window.axe === 'object';", vec![]).await;
            if loaded.ok().and_then(|v| v.as_bool()) != Some(true) {
                self.client
                    .execute(&format!("{}\nreturn true;", axe_source()), vec![])
                    .await
                    .expect("inject axe");
            }
            let result = self
                .client
                .execute_async(
                    "const done = arguments[arguments.length - 1];
                     axe.run(document, { resultTypes: ['violations'] })
                        .then(r => done(r.violations))
                        .catch(e => done({ error: String(e) }));",
                    vec![],
                )
                .await
                .expect("run axe");
            if let Some(error) = result.get("error") {
                panic!("axe failed on {page}: {error}");
            }
            let violations = result.as_array().cloned().unwrap_or_default();
            for v in &violations {
                let impact = v["impact"].as_str().unwrap_or_default().to_string();
                let rule = v["id"].as_str().unwrap_or_default().to_string();
                if matches!(impact.as_str(), "serious" | "critical")
                    && !found.iter().any(|f: &Violation| f.rule == rule)
                {
                    found.push(Violation {
                        rule,
                        impact,
                        help: v["help"].as_str().unwrap_or_default().to_string(),
                        targets: v["nodes"]
                            .as_array()
                            .map(|nodes| nodes.iter().map(|n| n["target"].to_string()).take(5).collect())
                            .unwrap_or_default(),
                    });
                }
            }
            report.insert(width.to_string(), Value::Array(violations));
        }
        self.resize(1280, 900).await;
        let file = self.shots.join(format!("axe-{page}.json"));
        std::fs::write(file, serde_json::to_string_pretty(&report).unwrap()).unwrap();
        found
    }

    /// Ends the WebDriver session (closing Chromium) and stops the driver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Where screenshots go: `DAOTAO_SCREENSHOTS`, else `target/browser-screenshots`.
pub fn screenshot_root() -> PathBuf {
    if let Ok(dir) = std::env::var("DAOTAO_SCREENSHOTS") {
        return PathBuf::from(dir);
    }
    let mut dir = std::env::current_exe().expect("test executable path");
    dir.pop();
    if dir.ends_with("deps") {
        dir.pop();
    }
    dir.pop(); // the profile folder (debug)
    dir.join("browser-screenshots")
}

/// axe-core's script, from the npm registry (`tests/browser/package.json`), installed with
/// `npm ci` the first time it is needed.
fn axe_source() -> &'static str {
    static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SOURCE.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("browser");
        let script = dir.join("node_modules/axe-core/axe.min.js");
        if !script.is_file() {
            let status = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--silent"])
                .current_dir(&dir)
                .status()
                .unwrap_or_else(|e| panic!("axe-core is needed: run `npm ci` in {} ({e})", dir.display()));
            assert!(status.success(), "`npm ci` in {} failed", dir.display());
        }
        std::fs::read_to_string(&script).unwrap_or_else(|e| panic!("read {}: {e}", script.display()))
    })
}

/// Fails listing every serious or critical accessibility violation, if there are any.
pub fn assert_accessible(page: &str, violations: &[Violation]) {
    if violations.is_empty() {
        return;
    }
    let list: Vec<String> = violations
        .iter()
        .map(|v| format!("  [{}] {}: {} at {}", v.impact, v.rule, v.help, v.targets.join(", ")))
        .collect();
    panic!("axe found serious problems on the {page} page:\n{}", list.join("\n"));
}
