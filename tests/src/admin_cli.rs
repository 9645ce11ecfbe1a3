//! The real `daotao-admin` binary run as an admin would from a terminal or a script, on a scratch folder
//! with the bundled courses and its own SQLite file: the `admin` and `reminders` suites use it.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::{binary, bundled_courses, copy_dir};

/// A scratch folder like a fresh clone (the bundled courses), with its own database file.
pub struct Admin {
    pub dir: tempfile::TempDir,
    pub url: String,
    /// Variables every command of this admin gets (`DAOTAO_SMTP_URL`, ...).
    env: Vec<(String, String)>,
}

/// What one command did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(self.code, 0, "the command failed: {self:#?}");
        self
    }

    #[track_caller]
    pub fn failed(self) -> Self {
        assert_ne!(self.code, 0, "the command should have failed: {self:#?}");
        assert!(!self.stderr.trim().is_empty(), "a failure says why: {self:#?}");
        self
    }
}

impl Default for Admin {
    fn default() -> Self {
        Self::new()
    }
}

impl Admin {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&bundled_courses(), &dir.path().join("courses"));
        let url = format!("sqlite://{}/data/daotao.sqlite", dir.path().display());
        Admin { dir, url, env: Vec::new() }
    }

    /// Sets `name` to `value` for every later command.
    pub fn set_env(&mut self, name: &str, value: &str) {
        self.env.retain(|(n, _)| n != name);
        self.env.push((name.to_string(), value.to_string()));
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, None)
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: Option<&str>) -> Run {
        self.run_with(args, stdin, None)
    }

    /// Runs with the configuration file `config` (`DAOTAO_CONFIG`).
    pub fn run_with_config(&self, args: &[&str], config: &std::path::Path) -> Run {
        self.run_with(args, None, Some(config))
    }

    /// Runs every later command on `url` (a PostgreSQL database) instead of the scratch SQLite file.
    pub fn use_database(&mut self, url: &str) {
        self.url = url.to_string();
    }

    /// `daotao-admin args...` as [`Admin::run`] runs it, to start without waiting (and kill).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(binary("daotao-admin"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("DAOTAO_CONFIG")
            .env_remove("DAOTAO_COURSES_DIR")
            .env("DAOTAO_DATABASE_URL", &self.url)
            .envs(self.env.iter().map(|(n, v)| (n, v)));
        command
    }

    pub fn run_with(&self, args: &[&str], stdin: Option<&str>, config: Option<&std::path::Path>) -> Run {
        let mut command = self.command(args);
        if let Some(file) = config {
            command.env("DAOTAO_CONFIG", file);
        }
        let mut child = command
            .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start daotao-admin");
        if let Some(text) = stdin {
            child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }

    pub fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    /// The first column of the first row of `sql`, read straight from the database file.
    pub fn scalar(&self, sql: &str) -> i64 {
        use sea_orm::ConnectionTrait;
        on_own_runtime(async {
            let db = sea_orm::Database::connect(&self.url).await.unwrap();
            let row = db.query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), sql)).await;
            row.unwrap().unwrap().try_get_by_index::<i64>(0).unwrap()
        })
    }

    /// Runs one SQL statement straight on the database file.
    pub fn exec(&self, sql: &str) {
        use sea_orm::ConnectionTrait;
        on_own_runtime(async {
            let db = sea_orm::Database::connect(&self.url).await.unwrap();
            db.execute_unprepared(sql).await.unwrap();
        });
    }

    pub fn status(&self) -> String {
        self.run(&["status"]).ok().stdout
    }
}

/// Runs `work` to its end on a runtime of its own, in a thread of its own: callable from plain tests and
/// from async tests alike (a runtime cannot block inside another).
fn on_own_runtime<T: Send>(work: impl std::future::Future<Output = T> + Send) -> T {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(work)
            })
            .join()
            .unwrap()
    })
}
