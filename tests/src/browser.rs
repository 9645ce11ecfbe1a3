//! A real Chromium for the browser tests: Debian's `chromium` driven through
//! `chromedriver` (WebDriver, with fantoccini), screenshots at phone and
//! desktop widths, and axe-core accessibility checks injected into pages.
//!
//! Without Chromium the tests skip with a message on the terminal, unless
//! `DAOTAO_TEST_BROWSER=require` (CI sets it) makes a missing browser a failure
//! (see [`crate::outside`]).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
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
/// Returns `None` after reporting the test as skipped, or panics when `DAOTAO_TEST_BROWSER=require`.
pub fn tools_or_skip() -> Option<Tools> {
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
    crate::outside::BROWSER.missing(&format!("{} not found on PATH", missing.join(" and ")));
    None
}

/// A Chromium session on its own driver and profile; the driver is killed when dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
    shots: PathBuf,
    /// The number of the last step photographed, shared by every session of one test so that
    /// the files of a second visitor ([`Browser::another_visitor`]) sort into the journey's order.
    step: Arc<AtomicU32>,
    /// The height of the browser's UI above the page, as last measured (see `set_viewport`).
    ui_height: AtomicU32,
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

/// The tallest picture taken in one shot; a taller page is taken in parts (`-part1`, `-part2`…).
/// With a GPU, Chromium cannot capture more than its maximum texture size, 16384 px (2^14, the
/// bound Chrome DevTools puts on full-page captures; chromium issue 41347676); with `--disable-gpu`,
/// as here, one shot of 140 000 px came out whole, but parts keep the pictures correct on any
/// Chromium and small enough for an image viewer.
pub const MAX_SHOT_HEIGHT: u32 = 16_384;

/// The viewport height a page is first measured at, and the desktop viewport the session is left in.
const PROBE_HEIGHT: u32 = 600;
const DESKTOP: (u32, u32) = (1280, 800);

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile, the page's
    /// JavaScript on or off; screenshots go to `<target>/browser-screenshots/<test>`,
    /// emptied first.
    pub async fn open(tools: &Tools, test: &str, javascript: bool) -> Browser {
        let shots = screenshot_root().join(test);
        let _ = std::fs::remove_dir_all(&shots);
        std::fs::create_dir_all(&shots).unwrap();
        Browser::launch(tools, javascript, shots, Arc::new(AtomicU32::new(0))).await
    }

    /// A second person at another computer: a new Chromium with its own fresh profile (no
    /// cookie, so truly anonymous), JavaScript on, while this session stays open and logged in.
    /// Its screenshots go to the same folder, numbered on from this session's.
    pub async fn another_visitor(&self, tools: &Tools) -> Browser {
        Browser::launch(tools, true, self.shots.clone(), self.step.clone()).await
    }

    async fn launch(tools: &Tools, javascript: bool, shots: PathBuf, step: Arc<AtomicU32>) -> Browser {
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
        let browser =
            Browser { client, driver, shots, step, ui_height: AtomicU32::new(0), _profile: profile };
        browser.set_viewport(DESKTOP.0, DESKTOP.1).await;
        browser
    }

    /// The folder this session's screenshots are written to.
    pub fn screenshots(&self) -> &Path {
        &self.shots
    }

    /// Opens `url` and waits for the page to load.
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// The whole address of the page shown (on another site too: an identity provider's).
    pub async fn url(&self) -> String {
        self.client.current_url().await.unwrap().to_string()
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

    /// Photographs the whole page at each of [`WIDTHS`], as `NN-step-WIDTH.png` (or
    /// `NN-step-WIDTH-partK.png` for a page taller than [`MAX_SHOT_HEIGHT`]), and leaves the
    /// viewport at desktop size.
    pub async fn screenshot(&self, step: &str) {
        let number = self.step.fetch_add(1, Ordering::SeqCst) + 1;
        for width in WIDTHS {
            let parts = self.photograph(width).await;
            for (k, png) in parts.iter().enumerate() {
                let part = if parts.len() == 1 { String::new() } else { format!("-part{}", k + 1) };
                let file = self.shots.join(format!("{number:02}-{step}-{width}{part}.png"));
                std::fs::write(&file, png).unwrap();
            }
        }
        self.set_viewport(DESKTOP.0, DESKTOP.1).await;
    }

    /// The rendered width in CSS px of the first element matching `css` when the viewport is
    /// `viewport_width` px wide (a phone's, say); leaves the viewport at desktop size.
    pub async fn width_at(&self, viewport_width: u32, css: &str) -> f64 {
        self.set_viewport(viewport_width, DESKTOP.1).await;
        let script = format!(
            "return document.querySelector({}).getBoundingClientRect().width;",
            serde_json::to_string(css).unwrap()
        );
        let width = self.run(&script).await;
        self.set_viewport(DESKTOP.0, DESKTOP.1).await;
        match width.as_f64() {
            Some(width) => width,
            None => panic!("no `{css}` on {}: {width}", self.path().await),
        }
    }

    /// The whole page at `width`, in one picture or, past [`MAX_SHOT_HEIGHT`], in parts from the
    /// top (the last part scrolled to the bottom, so it may repeat the end of the one before).
    async fn photograph(&self, width: u32) -> Vec<Vec<u8>> {
        // Lazy images load only near the viewport; a photograph shows them all.
        self.run("document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager');").await;
        self.set_viewport(width, PROBE_HEIGHT).await;
        let mut height = self.page_height().await;
        // A taller viewport can change the page (images arriving, heights in vh): measure again
        // until the picture fits the page.
        for _ in 0..5 {
            self.set_viewport(width, height.min(MAX_SHOT_HEIGHT)).await;
            self.wait_for_images().await;
            let now = self.page_height().await;
            if now == height {
                break;
            }
            height = now;
        }
        let mut parts = Vec::new();
        let mut top = 0;
        loop {
            self.run(&format!("window.scrollTo(0, {top});")).await;
            parts.push(self.client.screenshot().await.expect("a screenshot"));
            top += MAX_SHOT_HEIGHT;
            if top >= height {
                break;
            }
        }
        self.run("window.scrollTo(0, 0);").await;
        parts
    }

    /// The height of the page's content, at least the viewport's.
    async fn page_height(&self) -> u32 {
        let height = self
            .run("return Math.ceil(Math.max(document.documentElement.scrollHeight, document.body.scrollHeight));")
            .await;
        height.as_u64().unwrap_or_else(|| panic!("page height: {height}")) as u32
    }

    /// Waits until every image of the page has loaded (or failed to).
    async fn wait_for_images(&self) {
        let started = Instant::now();
        while self.run("return Array.from(document.images).every(i => i.complete);").await != json!(true) {
            assert!(started.elapsed() < PATIENCE, "images still loading on {}", self.path().await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs a script in the page (WebDriver's scripts run even with the page's JavaScript off).
    async fn run(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("run `{script}`: {e}"))
    }

    /// Makes the viewport, the part of the window that shows the page, `width` × `height` CSS px.
    /// WebDriver sizes the whole window, which even headless has browser UI above the page (143
    /// px in Chromium 156), so the window is made that much taller, as the page measured it; the
    /// page learns its new size a moment after the window has it, hence the polling. The width
    /// must come out exactly, or the screenshots would not be at the widths they are named after.
    async fn set_viewport(&self, width: u32, height: u32) {
        let started = Instant::now();
        let mut window = height + self.ui_height.load(Ordering::Relaxed);
        loop {
            self.client.set_window_size(width, window).await.unwrap();
            let asked = Instant::now();
            let seen = loop {
                let seen = self.run("return [innerWidth, innerHeight, outerHeight];").await;
                let seen: Vec<u32> = (0..3).map(|i| seen[i].as_u64().unwrap_or(0) as u32).collect();
                if seen[2] == window || asked.elapsed() > Duration::from_secs(2) {
                    break seen;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            };
            let (w, h, outer) = (seen[0], seen[1], seen[2]);
            if outer == window {
                assert_eq!(w, width, "the viewport is {w} px wide, not the {width} px asked for");
                if h == height {
                    return;
                }
                let ui = outer.saturating_sub(h);
                self.ui_height.store(ui, Ordering::Relaxed);
                window = height + ui;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "could not make the viewport {width}×{height} px: it is {w}×{h} in a window {outer} px tall"
            );
        }
    }

    /// Runs axe-core on the page, at phone and desktop widths, and returns the serious and
    /// critical violations. Everything axe reports, whatever its impact, is written to
    /// `axe-<page>.json` next to the screenshots: per width, the `violations` and the `incomplete`
    /// results (what axe could not decide and a person should review, such as contrast over a
    /// background image).
    pub async fn accessibility(&self, page: &str) -> Vec<Violation> {
        let mut found = Vec::new();
        let mut report = serde_json::Map::new();
        for width in WIDTHS {
            self.set_viewport(width, DESKTOP.1).await;
            if self.run("return typeof window.axe === 'object';").await != json!(true) {
                self.run(&format!("{}\nreturn true;", axe_source())).await;
            }
            let result = self
                .client
                .execute_async(
                    "const done = arguments[arguments.length - 1];
                     axe.run(document, { resultTypes: ['violations', 'incomplete'] })
                        .then(r => done({ violations: r.violations, incomplete: r.incomplete }))
                        .catch(e => done({ error: String(e) }));",
                    vec![],
                )
                .await
                .expect("run axe");
            if let Some(error) = result.get("error") {
                panic!("axe failed on {page}: {error}");
            }
            for v in result["violations"].as_array().into_iter().flatten() {
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
            report.insert(width.to_string(), result);
        }
        self.set_viewport(DESKTOP.0, DESKTOP.1).await;
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

/// The serious and critical accessibility problems found on the pages checked so far, by page.
/// Checking every page before failing shows all of them in one run, not only the first.
#[derive(Default)]
pub struct Audit {
    pages: Vec<(String, Vec<Violation>)>,
}

impl Audit {
    /// Runs axe on the page `b` shows, keeping what it found under the name `page`.
    pub async fn check(&mut self, b: &Browser, page: &str) {
        let violations = b.accessibility(page).await;
        if !violations.is_empty() {
            self.pages.push((page.to_string(), violations));
        }
    }

    /// Fails listing every serious or critical violation on every page, if there are any.
    pub fn assert_clean(&self) {
        if self.pages.is_empty() {
            return;
        }
        let list: Vec<String> = self
            .pages
            .iter()
            .map(|(page, violations)| {
                let lines: Vec<String> = violations
                    .iter()
                    .map(|v| format!("  [{}] {}: {} at {}", v.impact, v.rule, v.help, v.targets.join(", ")))
                    .collect();
                format!("the {page} page:\n{}", lines.join("\n"))
            })
            .collect();
        panic!("axe found serious problems on {} page(s):\n{}", self.pages.len(), list.join("\n"));
    }
}
