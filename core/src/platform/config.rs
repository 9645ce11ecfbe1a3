//! Configuration: defaults that run the bundled courses on SQLite, overridden
//! by a TOML file (`DAOTAO_CONFIG`) and then by `DAOTAO_*` environment variables.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

pub use super::mail_config::SmtpUrl;
pub use super::sso_config::{SsoConfig, SsoProtocol};

/// Settings shared by the server and the admin tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address the web server listens on.
    pub bind: String,
    /// `sqlite://path` (created if missing) or `postgres://...`.
    pub database_url: String,
    /// The course library folder.
    pub courses_dir: PathBuf,
    /// Log filter in `tracing` `EnvFilter` syntax (`info`, `daotao_server=debug`).
    pub log: String,
    /// Whether visitors who are not logged in may read lessons.
    pub anonymous_reading: bool,
    /// Mark cookies `Secure`: set when the site is served over HTTPS.
    pub secure_cookies: bool,
    /// A session unused this many minutes ends.
    pub session_idle_minutes: u64,
    /// A session ends this many hours after login.
    pub session_max_hours: u64,
    /// Failed logins in a row that lock an account...
    pub lockout_failures: u32,
    /// ...for this many minutes.
    pub lockout_minutes: u64,
    /// Failed logins from one address within `ip_failure_window_seconds` before it gets 429.
    /// Successes never count: a whole office behind one address can log in at 9:00.
    pub ip_failure_limit: u32,
    pub ip_failure_window_seconds: u64,
    /// The address people reach the site at (`https://daotao.tinh.gov.vn`), printed on certificates
    /// for checking them. Empty: taken from each request's `Host` (behind a proxy, set it).
    pub public_url: String,
    /// The reverse proxies in front of the server (addresses or ranges, comma-separated:
    /// `127.0.0.1, 10.0.0.0/8`), whose `X-Forwarded-For` names the real client. Empty: the connection's
    /// address is the client's, and behind a proxy every visitor shares the proxy's for the login limit.
    pub trusted_proxies: String,
    /// What the province's plan asks for, shown against the actual shares in the competency report
    /// (`[[targets]]` in the config file).
    #[serde(default)]
    pub targets: Vec<Target>,
    /// Single sign-on with the city's identity provider (`[sso]`); unset: local passwords only.
    /// The mail server for reminders; empty: no e-mail (see `mail_config`).
    #[serde(default)]
    pub smtp_url: SmtpUrl,
    /// The sender of every e-mail, like `Đào tạo số <daotao@danang.gov.vn>`.
    #[serde(default)]
    pub mail_from: String,
    /// How often the server runs the programmes pass, queues the reminders due and sends the mail queued;
    /// 0: never (cron runs `daotao-admin` instead).
    #[serde(default = "programmes_every_minutes")]
    pub programmes_every_minutes: u64,
    #[serde(default)]
    pub sso: SsoConfig,
    /// The web address of the course files in their git repository, down to the courses folder
    /// (`https://git.example.vn/daotao/courses/-/blob/main/courses`): the quiz statistics (#19) link a
    /// flagged question to `{this}/{course}/{file}#L{line}`, which GitHub, GitLab and Gitea all open at the
    /// line. Empty: the path and line are shown as text.
    #[serde(default)]
    pub course_source_url: String,
    /// A second address that serves only `/metrics` (`127.0.0.1:9100`), for Prometheus on a private network
    /// (#21). Empty: no second listener. When set, the main address never serves `/metrics`.
    #[serde(default)]
    pub metrics_bind: String,
    /// The bearer token `/metrics` asks for (`Authorization: Bearer …`). Alone, `/metrics` is served on the
    /// main address behind it; with `metrics_bind`, the second listener asks for it too. With neither set,
    /// `/metrics` is not served at all: never public by accident.
    #[serde(default)]
    pub metrics_token: MetricsToken,
    /// `text` (the default, for a person at a terminal) or `json` (one object per line, for a log
    /// collector): every request is one line with its id, route, status, latency and user id.
    #[serde(default)]
    pub log_format: LogFormat,
}

/// The token of `/metrics`: `Debug` hides it, so printing the configuration never leaks it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MetricsToken(pub String);

impl MetricsToken {
    /// The token, when one is set (blank counts as unset).
    pub fn get(&self) -> Option<&str> {
        Some(self.0.trim()).filter(|t| !t.is_empty())
    }
}

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.get().is_some() { "\"(hidden)\"" } else { "\"\"" })
    }
}

/// How the server writes its log (`log_format`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// A target of the reports (`[[targets]]`). A competency target: `percent` of the staff (all, or those whose
/// position contains `position`, compared without diacritics or case) should hold `competency` at `level` or
/// higher. A satisfaction target (#19), `satisfaction = 90` alone: each course's satisfaction rate (the share
/// of feedback respondents whose average is 4 or more) should be at least that percent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    #[serde(default)]
    pub competency: String,
    #[serde(default = "first_level")]
    pub level: u32,
    #[serde(default)]
    pub percent: u32,
    #[serde(default)]
    pub position: Option<String>,
    #[serde(default)]
    pub satisfaction: Option<u32>,
}

impl Target {
    /// A competency target: `percent` of the staff (of `position`, when given) at `level` of `competency`.
    pub fn competency(competency: &str, level: u32, percent: u32, position: Option<&str>) -> Self {
        Self {
            competency: competency.into(),
            level,
            percent,
            position: position.map(Into::into),
            satisfaction: None,
        }
    }

    /// A satisfaction target: every course's satisfaction rate at least `percent`.
    pub fn satisfaction(percent: u32) -> Self {
        Self { competency: String::new(), level: 1, percent: 0, position: None, satisfaction: Some(percent) }
    }

    pub fn is_satisfaction(&self) -> bool {
        self.satisfaction.is_some()
    }
}

fn programmes_every_minutes() -> u64 {
    5
}

fn first_level() -> u32 {
    1
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            database_url: "sqlite://data/daotao.sqlite".into(),
            courses_dir: PathBuf::from("courses"),
            log: "info".into(),
            anonymous_reading: true,
            secure_cookies: false,
            session_idle_minutes: 120,
            session_max_hours: 12,
            lockout_failures: 5,
            lockout_minutes: 15,
            ip_failure_limit: 50,
            ip_failure_window_seconds: 300,
            public_url: String::new(),
            trusted_proxies: String::new(),
            targets: Vec::new(),
            smtp_url: SmtpUrl::default(),
            mail_from: String::new(),
            programmes_every_minutes: programmes_every_minutes(),
            sso: SsoConfig::default(),
            course_source_url: String::new(),
            metrics_bind: String::new(),
            metrics_token: MetricsToken::default(),
            log_format: LogFormat::default(),
        }
    }
}

/// The `DAOTAO_*` variables that are settings; others (`DAOTAO_CONFIG`, test variables) are not.
const ENV_KEYS: &[&str] = &[
    "bind",
    "database_url",
    "courses_dir",
    "log",
    "anonymous_reading",
    "secure_cookies",
    "session_idle_minutes",
    "session_max_hours",
    "lockout_failures",
    "lockout_minutes",
    "ip_failure_limit",
    "ip_failure_window_seconds",
    "public_url",
    "trusted_proxies",
    "smtp_url",
    "mail_from",
    "programmes_every_minutes",
    "course_source_url",
    "metrics_bind",
    "metrics_token",
    "log_format",
];

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {0} (from DAOTAO_CONFIG) does not exist")]
    MissingFile(PathBuf),
    #[error("configuration: {0}")]
    Invalid(#[from] Box<figment::Error>),
    #[error("configuration: {}", .0.join("; "))]
    Sso(Vec<String>),
    #[error("configuration: {}", .0.join("; "))]
    Mail(Vec<String>),
    #[error(
        "configuration: trusted_proxies: `{0}` is not an address or a range (like 10.0.0.1 or 10.0.0.0/8)"
    )]
    Proxy(String),
}

impl Config {
    /// The session and lock-out limits.
    pub fn auth_policy(&self) -> crate::people::auth::Policy {
        use std::time::Duration;
        crate::people::auth::Policy {
            session_idle: Duration::from_secs(self.session_idle_minutes * 60),
            session_max: Duration::from_secs(self.session_max_hours * 3600),
            lockout_failures: self.lockout_failures.max(1),
            lockout: Duration::from_secs(self.lockout_minutes * 60),
            passwords_for_admins_only: self.sso.provider.is_some() && !self.sso.local_login,
        }
    }

    /// [`Config::trusted_proxies`], parsed (an address alone is a range of one).
    /// The site's address for links sent outside a request (e-mails): `public_url`, else the bound address.
    pub fn site_url(&self) -> String {
        let url = self.public_url.trim().trim_end_matches('/');
        if url.is_empty() { format!("http://{}", self.bind) } else { url.to_string() }
    }

    pub fn proxy_ranges(&self) -> Result<Vec<IpNet>, ConfigError> {
        let parse = |s: &str| s.parse::<IpNet>().or_else(|_| s.parse::<IpAddr>().map(IpNet::from));
        self.trusted_proxies
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| parse(s).map_err(|_| ConfigError::Proxy(s.to_string())))
            .collect()
    }

    /// Reads defaults, then the file named by `DAOTAO_CONFIG` (if set), then `DAOTAO_*` variables.
    pub fn load() -> Result<Self, ConfigError> {
        let file = std::env::var_os("DAOTAO_CONFIG").map(PathBuf::from);
        Self::load_from(file.as_deref())
    }

    fn load_from(file: Option<&Path>) -> Result<Self, ConfigError> {
        let keys: Vec<&str> = ENV_KEYS.iter().chain(super::sso_config::ENV_KEYS).copied().collect();
        let env = Env::prefixed("DAOTAO_")
            .only(&keys)
            .map(|key| super::sso_config::nest_env_key(key.as_str()).into());
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.is_file() {
                return Err(ConfigError::MissingFile(file.to_path_buf()));
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        let config: Config = figment.merge(env).extract().map_err(|e| ConfigError::Invalid(Box::new(e)))?;
        config.proxy_ranges()?;
        let problems = config.sso.problems();
        if !problems.is_empty() {
            return Err(ConfigError::Sso(problems));
        }
        let problems = super::mail_config::problems(&config.smtp_url, &config.mail_from);
        if !problems.is_empty() {
            return Err(ConfigError::Mail(problems));
        }
        Ok(config)
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return figment::Error
mod tests {
    use super::*;

    #[test]
    fn defaults_run_bundled_courses_on_sqlite() {
        figment::Jail::expect_with(|_| {
            let config = Config::load_from(None).unwrap();
            assert_eq!(config, Config::default());
            assert_eq!(config.database_url, "sqlite://data/daotao.sqlite");
            Ok(())
        });
    }

    #[test]
    fn file_then_environment_override_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("daotao.toml", "bind = \"0.0.0.0:9000\"\ncourses_dir = \"khoa-hoc\"\n")?;
            jail.set_env("DAOTAO_BIND", "127.0.0.1:9999");
            jail.set_env("DAOTAO_TEST_POSTGRES_URL", "postgres://elsewhere/x");
            let config = Config::load_from(Some(Path::new("daotao.toml"))).unwrap();
            assert_eq!(config.bind, "127.0.0.1:9999");
            assert_eq!(config.courses_dir, PathBuf::from("khoa-hoc"));
            assert_eq!(config.database_url, Config::default().database_url);
            Ok(())
        });
    }

    #[test]
    fn targets_are_competencies_or_satisfaction_and_old_files_still_read() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "daotao.toml",
                "[[targets]]\ncompetency = \"ATTT.2\"\npercent = 100\nposition = \"CNTT\"\n\n\
                 [[targets]]\nsatisfaction = 90\n",
            )?;
            let config = Config::load_from(Some(Path::new("daotao.toml"))).unwrap();
            assert_eq!(
                config.targets,
                [Target::competency("ATTT.2", 1, 100, Some("CNTT")), Target::satisfaction(90)]
            );
            assert!(config.targets[1].is_satisfaction() && !config.targets[0].is_satisfaction());
            Ok(())
        });
    }

    #[test]
    fn trusted_proxies_are_addresses_and_ranges() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("DAOTAO_TRUSTED_PROXIES", " 127.0.0.1, 10.0.0.0/8,::1 ");
            let ranges = Config::load_from(None).unwrap().proxy_ranges().unwrap();
            let shown: Vec<String> = ranges.iter().map(ToString::to_string).collect();
            assert_eq!(shown, ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]);
            jail.set_env("DAOTAO_TRUSTED_PROXIES", "10.0.0.1, nginx");
            let err = Config::load_from(None).unwrap_err();
            assert!(err.to_string().contains("trusted_proxies: `nginx`"), "{err}");
            Ok(())
        });
        assert!(Config::default().proxy_ranges().unwrap().is_empty());
    }

    #[test]
    fn single_sign_on_from_the_file_and_the_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "sso.toml",
                "[sso]\nprovider = \"oidc\"\nissuer = \"https://id.example/oauth2/token\"\nclient_id = \"daotao\"\n",
            )?;
            jail.set_env("DAOTAO_SSO_CLIENT_SECRET", "s3cret");
            jail.set_env("DAOTAO_LOCAL_LOGIN", "false");
            jail.set_env("DAOTAO_SSO_ACR_VALUES", "LoA1");
            let config = Config::load_from(Some(Path::new("sso.toml"))).unwrap();
            assert_eq!(config.sso.provider, Some(SsoProtocol::Oidc));
            assert_eq!(config.sso.client_secret, "s3cret");
            assert_eq!(config.sso.acr_values, "LoA1");
            assert!(!config.sso.local_login);
            assert!(config.sso.create_accounts);
            assert_eq!(config.sso.label, "Đăng nhập một lần");
            assert!(!format!("{config:?}").contains("s3cret"), "the secret must never be printed");
            Ok(())
        });
    }

    #[test]
    fn a_provider_without_its_settings_is_refused() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("DAOTAO_SSO_PROVIDER", "cas");
            let err = Config::load_from(None).unwrap_err().to_string();
            assert!(err.contains("sso.cas_url (DAOTAO_SSO_CAS_URL) is required"), "{err}");
            jail.set_env("DAOTAO_SSO_CAS_URL", "dangnhap.danang.gov.vn/cas");
            let err = Config::load_from(None).unwrap_err().to_string();
            assert!(err.contains("must be an http(s) URL"), "{err}");
            jail.set_env("DAOTAO_SSO_PROVIDER", "saml");
            assert!(Config::load_from(None).is_err());
            Ok(())
        });
        assert!(Config::default().sso.problems().is_empty());
    }

    #[test]
    fn metrics_and_log_format_from_the_environment_and_the_token_never_printed() {
        figment::Jail::expect_with(|jail| {
            let config = Config::load_from(None).unwrap();
            assert_eq!(config.metrics_token.get(), None, "no token unless set");
            assert!(config.metrics_bind.is_empty());
            assert_eq!(config.log_format, LogFormat::Text);
            jail.set_env("DAOTAO_METRICS_TOKEN", "bi-mat-do-thi");
            jail.set_env("DAOTAO_METRICS_BIND", "127.0.0.1:9100");
            jail.set_env("DAOTAO_LOG_FORMAT", "json");
            let config = Config::load_from(None).unwrap();
            assert_eq!(config.metrics_token.get(), Some("bi-mat-do-thi"));
            assert_eq!(config.metrics_bind, "127.0.0.1:9100");
            assert_eq!(config.log_format, LogFormat::Json);
            assert!(!format!("{config:?}").contains("bi-mat-do-thi"), "the token must never be printed");
            jail.set_env("DAOTAO_METRICS_TOKEN", "  ");
            assert_eq!(Config::load_from(None).unwrap().metrics_token.get(), None, "blank is unset");
            jail.set_env("DAOTAO_LOG_FORMAT", "xml");
            assert!(Config::load_from(None).is_err());
            Ok(())
        });
    }

    #[test]
    fn missing_file_and_unknown_keys_are_errors() {
        figment::Jail::expect_with(|jail| {
            let err = Config::load_from(Some(Path::new("nope.toml"))).unwrap_err();
            assert!(err.to_string().contains("nope.toml"), "{err}");
            jail.create_file("bad.toml", "bnd = \"x\"\n")?;
            let err = Config::load_from(Some(Path::new("bad.toml"))).unwrap_err();
            assert!(err.to_string().contains("bnd"), "{err}");
            Ok(())
        });
    }
}
