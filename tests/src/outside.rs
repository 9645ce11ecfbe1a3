//! The outside programs some tests need (a PostgreSQL server, Chromium, tmux, and the identity
//! providers, SMTP server, nginx and promtool of later suites). A newcomer's laptop may lack any
//! of them: a test that cannot find its program says so loudly and passes as *skipped*, so the
//! README's test command stays green there. CI sets each tool's require flag
//! (`DAOTAO_TEST_POSTGRES=require`, ...), which turns the same absence into a failure, so a green
//! CI run never hides a suite that did not run.
//!
//! Every skip is also appended to the file named by `DAOTAO_TEST_SKIP_LOG`, one line
//! `tool<TAB>test<TAB>why`, which `.ci/run` counts and prints at its end.

use std::io::Write;

/// An outside program tests depend on, the flag that makes its absence a failure, and how to get it.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    /// What it is called in messages.
    pub name: &'static str,
    /// The environment variable that, set to `require`, turns a skip into a failure.
    pub require_flag: &'static str,
    /// The one line that provides it on this kind of machine.
    pub how_to_get_it: &'static str,
}

/// The PostgreSQL server at `DAOTAO_TEST_POSTGRES_URL` (default postgres://postgres@127.0.0.1:5432/test).
pub const POSTGRES: Tool = Tool {
    name: "PostgreSQL",
    require_flag: "DAOTAO_TEST_POSTGRES",
    how_to_get_it: "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start \
                    (or point DAOTAO_TEST_POSTGRES_URL at a server with trust auth)",
};

/// Debian's Chromium and its WebDriver.
pub const BROWSER: Tool = Tool {
    name: "Chromium",
    require_flag: "DAOTAO_TEST_BROWSER",
    how_to_get_it: "apt-get install chromium chromium-driver",
};

/// The terminal multiplexer the admin UI's end-to-end test types into.
pub const TMUX: Tool =
    Tool { name: "tmux", require_flag: "DAOTAO_TEST_TMUX", how_to_get_it: "apt-get install tmux" };

/// The CAS server the single sign-on tests sign in at (`crate::idp::cas`), run by `python3`.
pub const CAS: Tool = Tool {
    name: "django-cas-server",
    require_flag: "DAOTAO_TEST_CAS",
    how_to_get_it: "python3 -m pip install django-cas-server==3.1.0",
};

/// The OpenID Connect provider the single sign-on tests sign in at (`crate::idp::oidc`), run by `node`.
pub const OIDC: Tool = Tool {
    name: "oidc-provider (npm)",
    require_flag: "DAOTAO_TEST_OIDC",
    how_to_get_it: "(cd tests/idp && npm ci)",
};

/// The SMTP server the reminder tests send to (`crate::smtp`): aiosmtpd, run by `python3`.
pub const SMTP: Tool = Tool {
    name: "aiosmtpd",
    require_flag: "DAOTAO_TEST_SMTP",
    how_to_get_it: "python3 -m pip install aiosmtpd==1.4.6",
};

/// PostgreSQL's `pg_dump` and `pg_restore`, which `daotao-admin backup` and `restore` run on PostgreSQL (#21).
pub const PG_DUMP: Tool = Tool {
    name: "pg_dump and pg_restore",
    require_flag: "DAOTAO_TEST_PG_DUMP",
    how_to_get_it: "apt-get install postgresql-client (of the server's major version or newer)",
};

/// Prometheus's `promtool`, which checks the server's `/metrics` text as Prometheus would read it.
pub const PROMTOOL: Tool = Tool {
    name: "promtool",
    require_flag: "DAOTAO_TEST_PROMTOOL",
    how_to_get_it: "apt-get install prometheus",
};

/// nginx, the load balancer the several-servers tests put in front of two servers (#21).
pub const NGINX: Tool =
    Tool { name: "nginx", require_flag: "DAOTAO_TEST_NGINX", how_to_get_it: "apt-get install nginx-light" };

impl Tool {
    /// Whether CI asked for this tool to be present (`<require_flag>=require`).
    pub fn required(&self) -> bool {
        std::env::var(self.require_flag).is_ok_and(|v| v == "require")
    }

    /// Called by a test that cannot run because this tool is missing (`why`): fails the test when the
    /// tool is required, else tells the terminal and the skip log that the test was skipped.
    pub fn missing(&self, why: &str) {
        let test = current_test();
        if self.required() {
            panic!(
                "`{test}` needs {}: {why} ({}=require). Get it with: {}",
                self.name, self.require_flag, self.how_to_get_it
            );
        }
        // Straight to the terminal: the test harness captures `eprintln!` of passing tests.
        let _ = std::io::stderr().write_all(
            format!(
                "\nSKIPPED `{test}`: {} is not available: {why}.\n  To run it: {}\n",
                self.name, self.how_to_get_it
            )
            .as_bytes(),
        );
        if let Some(path) = std::env::var_os("DAOTAO_TEST_SKIP_LOG") {
            let line = format!("{}\t{test}\t{}\n", self.name, why.replace(['\t', '\n'], " "));
            if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
                let _ = file.write_all(line.as_bytes());
            }
        }
    }
}

/// The running test, as `binary::test` (the harness names each test's thread after the test).
fn current_test() -> String {
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .map(|stem| stem.rsplit_once('-').map_or(stem.clone(), |(name, _hash)| name.to_string()))
        .unwrap_or_default();
    let thread = std::thread::current();
    format!("{binary}::{}", thread.name().unwrap_or("?"))
}

/// Whether `program` answers `program <version_arg>` (it is installed and runs).
pub fn runs(program: &str, version_arg: &str) -> bool {
    std::process::Command::new(program).arg(version_arg).output().is_ok_and(|o| o.status.success())
}
