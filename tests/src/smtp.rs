//! aiosmtpd (PyPI), a real SMTP server, for the tests of e-mail reminders (`tests/smtp/smtp_server.py`).
//!
//! [`SmtpServer::start`] runs it on a free port of 127.0.0.1 with `python3` (`DAOTAO_PYTHON` names another
//! interpreter). Every message it accepts is decoded by Python's `email` package and kept as a [`Received`];
//! a recipient whose local part starts with `refuse` is refused with 550. [`SmtpServer::stop`] and
//! [`SmtpServer::restart`] play a mail server going down and coming back on the same port, keeping what it
//! received.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::idp::{Process, fails_to_run};
use crate::outside;

/// One message as the server decoded it.
#[derive(Debug, Clone, Deserialize)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    /// The decoded `From:` header.
    pub from: String,
    pub to: String,
    pub subject: String,
    pub message_id: String,
    pub text: Option<String>,
    pub html: Option<String>,
}

/// A running aiosmtpd, killed when dropped.
pub struct SmtpServer {
    process: Process,
    port: u16,
    dir: tempfile::TempDir,
}

fn python() -> String {
    std::env::var("DAOTAO_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn unavailable() -> Option<String> {
    static ANSWER: OnceLock<Option<String>> = OnceLock::new();
    ANSWER
        .get_or_init(|| fails_to_run(&python(), &["-c", "import aiosmtpd"], "cannot import aiosmtpd"))
        .clone()
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("smtp").join("smtp_server.py")
}

impl SmtpServer {
    /// Starts a server, or `None` (the test reports itself skipped, or fails under `DAOTAO_TEST_SMTP=require`)
    /// when aiosmtpd is not installed.
    pub async fn start() -> Option<SmtpServer> {
        if let Some(why) = unavailable() {
            outside::SMTP.missing(&why);
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let port = crate::free_port();
        let process = Self::spawn(dir.path(), port).await;
        Some(SmtpServer { process, port, dir })
    }

    async fn spawn(dir: &Path, port: u16) -> Process {
        let mut command = Command::new(python());
        command.arg(script()).args(["--port", &port.to_string(), "--out"]).arg(dir.join("received"));
        let mut process = Process::spawn("aiosmtpd", command, dir);
        process.announcement().await;
        process
    }

    /// `smtp://127.0.0.1:PORT`, for `DAOTAO_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Everything received so far, in the order it arrived.
    pub fn received(&self) -> Vec<Received> {
        let folder = self.dir.path().join("received");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "json"));
        files.sort();
        files
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).unwrap();
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", p.display()))
            })
            .collect()
    }

    /// Waits until at least `n` messages have arrived (or fails after a minute, with what the server logged).
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{} of {n} messages arrived; aiosmtpd logged:\n{}",
                received.len(),
                self.process.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops the server: connections to its port are refused until [`SmtpServer::restart`].
    pub fn stop(&mut self) {
        self.process.stop();
    }

    /// Starts it again on the same port, keeping what it received.
    pub async fn restart(&mut self) {
        self.process.stop();
        self.process = Self::spawn(self.dir.path(), self.port).await;
    }
}
