//! Helpers for end-to-end and database tests: start the real `daotao-server`
//! binary on a free port with its own database and course folder, and give
//! each test a fresh database on the backend CI asks for.

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
        Self::start_on(free_port(), cwd, env)
    }

    /// As [`Server::start`], on `port`: for a counterpart that must know our address before we start
    /// (an identity provider's single-logout URL).
    pub fn start_on(port: u16, cwd: &Path, env: &[(&str, &str)]) -> Server {
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
            // The bundled programmes would enrol every learner a test makes; a test of the pass sets it.
            .env("DAOTAO_PROGRAMMES_EVERY_MINUTES", "0")
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

    /// The sum of the samples of one series in this server's `/metrics`, read with the bearer `token`
    /// (from this server itself, not through a load balancer).
    pub fn metric(&self, token: &str, series: &str) -> f64 {
        let (status, text) = api::get(&self.url("/metrics"), Some(token));
        assert_eq!(status, 200, "{text}");
        text.lines()
            .filter(|line| line.starts_with(series))
            .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
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

    /// Sends SIGKILL (what `kill -9` sends: no chance to clean up, as in a crash or an OOM kill; std's
    /// `Child::kill` sends it directly, without the delay of starting a `kill` process) and waits for the
    /// process to end; returns the signal that ended it.
    pub fn kill_hard(&mut self) -> Option<i32> {
        use std::os::unix::process::ExitStatusExt;
        self.child.kill().expect("send SIGKILL to daotao-server");
        self.child.wait().unwrap().signal()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `value` percent-encoded for a query string (everything but ASCII letters, digits and `-._~`).
pub fn encode_query(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The PostgreSQL server the tests use (`DAOTAO_TEST_POSTGRES_URL`, a database URL on it).
pub fn postgres_base_url() -> String {
    std::env::var("DAOTAO_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// Whether database tests should run on PostgreSQL (`DAOTAO_TEST_BACKEND=postgres`)
/// rather than SQLite; CI runs the suites both ways.
pub fn on_postgres() -> bool {
    std::env::var("DAOTAO_TEST_BACKEND").is_ok_and(|b| b == "postgres")
}

/// Why the test PostgreSQL server cannot be used, or `None` when it answers. Asked once per test
/// process: a closed port is refused at once, and every later test skips without waiting again.
pub fn postgres_unreachable() -> Option<String> {
    static ANSWER: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    ANSWER
        .get_or_init(|| {
            let base = postgres_base_url();
            let url = reqwest::Url::parse(&base).map_err(|e| format!("{base} is not a database URL: {e}"));
            let address = url.and_then(|url| {
                let host = url.host_str().unwrap_or("127.0.0.1").to_string();
                let port = url.port().unwrap_or(5432);
                std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port))
                    .map_err(|e| format!("{host}:{port} cannot be resolved: {e}"))?
                    .next()
                    .ok_or_else(|| format!("{host}:{port} has no address"))
            });
            match address {
                Err(why) => Some(why),
                Ok(address) => {
                    std::net::TcpStream::connect_timeout(&address, Duration::from_secs(2)).err().map(|e| {
                        format!("nothing answers at {address} ({e}) for DAOTAO_TEST_POSTGRES_URL={base}")
                    })
                }
            }
        })
        .clone()
}

/// A fresh, empty PostgreSQL database on the test server; returns its URL, or `None` after reporting the
/// test as skipped when no server answers (a failure instead under `DAOTAO_TEST_POSTGRES=require`).
/// Databases left by earlier test processes that have ended are dropped first.
pub async fn fresh_postgres_database() -> Option<String> {
    if let Some(why) = postgres_unreachable() {
        outside::POSTGRES.missing(&why);
        return None;
    }
    Some(create_postgres_database().await)
}

/// Creates the database [`fresh_postgres_database`] hands out, on a server known to answer.
async fn create_postgres_database() -> String {
    use sea_orm::{ConnectionTrait, Statement};
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let base = postgres_base_url();
    let admin = sea_orm::Database::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL answers at {base} but refuses the test's connection: {e}"));
    let pid = std::process::id();
    if COUNTER.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        let old = admin
            .query_all_raw(Statement::from_string(
                admin.get_database_backend(),
                format!("SELECT datname FROM pg_database WHERE datname LIKE 'daotao_t\\_%' AND datname NOT LIKE 'daotao_t\\_{pid}\\_%'"),
            ))
            .await
            .unwrap_or_default();
        for row in old {
            let Ok(name) = row.try_get_by_index::<String>(0) else { continue };
            // Only a finished process's databases: another test binary may be running beside this one.
            let owner = name.trim_start_matches("daotao_t_").split('_').next().unwrap_or_default();
            if !owner.is_empty() && Path::new(&format!("/proc/{owner}")).exists() {
                continue;
            }
            let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
        }
    }
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let name = format!("daotao_t_{pid}_{n}");
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.unwrap();
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
    format!("{}/{name}", base.rsplit_once('/').expect("a database URL").0)
}

/// The database URL for a test: a fresh PostgreSQL database when [`on_postgres`],
/// else an SQLite file in `scratch`.
pub async fn test_database_url(scratch: &Path) -> String {
    if on_postgres() {
        // DAOTAO_TEST_BACKEND=postgres asks for PostgreSQL outright: its absence is an error, not a skip.
        if let Some(why) = postgres_unreachable() {
            panic!("DAOTAO_TEST_BACKEND=postgres, but PostgreSQL is not reachable: {why}");
        }
        create_postgres_database().await
    } else {
        format!("sqlite://{}/t.sqlite", scratch.display())
    }
}
pub mod admin_cli;
pub mod api;
pub mod browser;
pub mod idp;
pub mod outside;
pub mod smtp;
