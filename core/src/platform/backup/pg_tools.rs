//! Running PostgreSQL's own `pg_dump` and `pg_restore`: the connection handed to them without its password
//! on the command line (any user of the machine can read a command line in `ps`; the password goes in
//! `PGPASSWORD`, which only the same user can read), never a password prompt (`--no-password`: a cron job
//! must fail, not hang), their versions checked against the server's, and their errors passed on.

use std::process::Stdio;

use percent_encoding::percent_decode_str;
use tokio::process::Command;

use super::BackupError;

/// Query parameters sqlx reads that libpq would refuse as unknown.
const SQLX_ONLY_PARAMETERS: [&str; 1] = ["statement-cache-capacity"];

/// A database URL split into what may be shown on a command line and the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgTarget {
    /// The URL without any password (`user:password@` becomes `user@`, `password=` is left out).
    pub url: String,
    pub password: Option<String>,
}

impl PgTarget {
    pub fn of(url: &str) -> Self {
        let Some(scheme_end) = url.find("://") else { return Self { url: url.to_string(), password: None } };
        let (head, rest) = url.split_at(scheme_end + 3);
        let (before_query, query) = match rest.find('?') {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let mut out = head.to_string();
        let mut password = None;
        // The user part ends at the last `@` (a password typed without percent-encoding may hold `@`).
        match before_query.rfind('@') {
            Some(at) => {
                let (userinfo, host_and_path) = before_query.split_at(at);
                match userinfo.split_once(':') {
                    Some((user, secret)) => {
                        out.push_str(user);
                        password = Some(decoded(secret));
                    }
                    None => out.push_str(userinfo),
                }
                out.push_str(host_and_path);
            }
            None => out.push_str(before_query),
        }
        if let Some(query) = query {
            let mut kept = Vec::new();
            for pair in query.split('&').filter(|p| !p.is_empty()) {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                if key.eq_ignore_ascii_case("password") {
                    password = Some(decoded(value));
                } else if !SQLX_ONLY_PARAMETERS.contains(&key) {
                    kept.push(pair);
                }
            }
            if !kept.is_empty() {
                out.push('?');
                out.push_str(&kept.join("&"));
            }
        }
        Self { url: out, password }
    }

    /// `program` connecting to this database: `--dbname` without the password, which goes in `PGPASSWORD`.
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.arg("--no-password").arg(format!("--dbname={}", self.url));
        if let Some(password) = &self.password {
            command.env("PGPASSWORD", password);
        }
        command.stdin(Stdio::null()).kill_on_drop(true);
        command
    }
}

fn decoded(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// The major version in a PostgreSQL version (`15.20` -> 15, `16beta2` -> 16).
pub fn major_version(version: &str) -> Option<u32> {
    let digits: String = version.trim().chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The version `program --version` reports: `pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)` is
/// `15.20`.
pub async fn client_version(program: &'static str) -> Result<String, BackupError> {
    let out = Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .await
        .map_err(|e| BackupError::ToolMissing { program, error: e.to_string() })?;
    let text = String::from_utf8_lossy(&out.stdout);
    version_in(&text).ok_or_else(|| BackupError::ToolFailed {
        program,
        status: out.status.to_string(),
        stderr: format!("`{program} --version` printed no version: {}", text.trim()),
    })
}

/// The version number in `pg_dump --version`'s line: the first word that starts with a digit.
fn version_in(line: &str) -> Option<String> {
    line.split_whitespace().find(|w| w.starts_with(|c: char| c.is_ascii_digit())).map(str::to_string)
}

/// Refuses a client older than the server's major version (pg_dump would refuse anyway, less clearly).
pub fn check_not_older(program: &'static str, client: &str, server: &str) -> Result<(), BackupError> {
    match (major_version(client), major_version(server)) {
        (Some(c), Some(s)) if c < s => {
            Err(BackupError::ToolTooOld { program, client: client.to_string(), server: server.to_string() })
        }
        _ => Ok(()),
    }
}

/// Runs `command` (`program`) to its end; its standard output, or its exit status and error output.
pub async fn run(program: &'static str, mut command: Command) -> Result<Vec<u8>, BackupError> {
    let out = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .await
        .map_err(|e| BackupError::ToolMissing { program, error: e.to_string() })?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(BackupError::ToolFailed {
            program,
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url_and_is_decoded() {
        let t = PgTarget::of("postgres://daotao:Mat%40khau!2026@db.tinh.gov.vn:5432/daotao?sslmode=require");
        assert_eq!(t.url, "postgres://daotao@db.tinh.gov.vn:5432/daotao?sslmode=require");
        assert_eq!(t.password.as_deref(), Some("Mat@khau!2026"));
        // Typed without percent-encoding: everything up to the last `@` is the user part.
        let t = PgTarget::of("postgresql://daotao:a@b/c@db/daotao");
        assert_eq!((t.url.as_str(), t.password.as_deref()), ("postgresql://daotao@db/daotao", Some("a@b/c")));
        let t = PgTarget::of("postgres://db/daotao?user=daotao&Password=s%20cret&statement-cache-capacity=0");
        assert_eq!(
            (t.url.as_str(), t.password.as_deref()),
            ("postgres://db/daotao?user=daotao", Some("s cret"))
        );
        let t = PgTarget::of("postgres://postgres@127.0.0.1:5432/test");
        assert_eq!((t.url.as_str(), t.password), ("postgres://postgres@127.0.0.1:5432/test", None));
    }

    #[test]
    fn versions_are_read_and_compared_by_major() {
        assert_eq!(
            version_in("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n").as_deref(),
            Some("15.20")
        );
        assert_eq!(version_in("pg_restore (PostgreSQL) 17.2\n").as_deref(), Some("17.2"));
        assert_eq!(major_version("15.20 (Debian 15.20-0+deb12u1)"), Some(15));
        assert_eq!(major_version("16beta2"), Some(16));
        assert!(check_not_older("pg_dump", "15.20", "15.4").is_ok());
        assert!(check_not_older("pg_dump", "17.2", "15.20").is_ok());
        let err = check_not_older("pg_dump", "15.20", "16.1 (Debian 16.1-1)").unwrap_err().to_string();
        assert!(err.contains("pg_dump 15.20 is older than the PostgreSQL 16.1"), "{err}");
        assert!(err.contains("postgresql-client-16") && err.contains("/usr/lib/postgresql/16/bin"), "{err}");
    }
}
