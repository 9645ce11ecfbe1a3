//! Helpers for end-to-end tests: start the real `daotao-server` binary on a
//! free port with its own database and course folder, and stop it again.

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long to wait for something that should happen in about a second
/// (a start, a reload). Only a bound on waiting, never a performance check.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// The path of a workspace binary, built first so a test never runs a stale one
/// (`cargo test -p daotao-tests` alone would not rebuild the server).
pub fn binary(name: &str) -> PathBuf {
    static BUILD: std::sync::Once = std::sync::Once::new();
    BUILD.call_once(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--quiet", "-p", "daotao-server", "-p", "daotao-admin"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("run cargo build");
        assert!(status.success(), "cargo build of the binaries failed");
    });
    let mut dir = std::env::current_exe().expect("test executable path");
    dir.pop();
    if dir.ends_with("deps") {
        dir.pop();
    }
    dir.join(name)
}

/// Copies a folder tree (the bundled courses into a scratch folder the test may edit).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The bundled course library of the repository.
pub fn bundled_courses() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../courses")
}

/// A running `daotao-server`, killed when dropped.
pub struct Server {
    child: Child,
    pub base_url: String,
    log: PathBuf,
    _scratch: tempfile::TempDir,
    pub http: reqwest::blocking::Client,
}

impl Server {
    /// Starts the server in `cwd` with `env` (plus a free `DAOTAO_BIND`) and waits until `/healthz` answers.
    pub fn start(cwd: &Path, env: &[(&str, &str)]) -> Server {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let scratch = tempfile::tempdir().unwrap();
        let log = scratch.path().join("server.log");
        let mut command = Command::new(binary("daotao-server"));
        command
            .current_dir(cwd)
            .env_remove("DAOTAO_CONFIG")
            .env_remove("DAOTAO_DATABASE_URL")
            .env_remove("DAOTAO_COURSES_DIR")
            .env("DAOTAO_BIND", format!("127.0.0.1:{port}"))
            .env("DAOTAO_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.spawn().expect("start daotao-server");
        let http =
            reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let mut server =
            Server { child, base_url: format!("http://127.0.0.1:{port}"), log, _scratch: scratch, http };
        let started = Instant::now();
        loop {
            if let Ok(resp) = server.http.get(server.url("/healthz")).send()
                && resp.status().is_success()
            {
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("daotao-server exited with {status} before it was ready:\n{}", server.log());
            }
            assert!(started.elapsed() < PATIENCE, "daotao-server not ready:\n{}", server.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// GET `path`: (status, body).
    pub fn get(&self, path: &str) -> (u16, String) {
        let resp = self.http.get(self.url(path)).send().unwrap();
        (resp.status().as_u16(), resp.text().unwrap())
    }

    /// What the server has logged so far.
    pub fn log(&self) -> String {
        let mut text = String::new();
        std::fs::File::open(&self.log).unwrap().read_to_string(&mut text).unwrap();
        text
    }

    /// Waits until `ready` holds, or panics with `what` and the log.
    pub fn wait_for(&self, what: &str, mut ready: impl FnMut(&Server) -> bool) -> Duration {
        let started = Instant::now();
        while !ready(self) {
            assert!(
                started.elapsed() < PATIENCE,
                "timed out waiting for {what}; server log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        started.elapsed()
    }

    /// Sends SIGTERM and waits for the process to end.
    pub fn terminate(mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(started.elapsed() < PATIENCE, "server ignored SIGTERM:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
