//! Where e-mail goes (`smtp_url`, `DAOTAO_SMTP_URL`) and whom it is from (`mail_from`, `DAOTAO_MAIL_FROM`).
//! Both empty: no mail server, so nothing is queued or sent and nothing fails. Checked when the configuration
//! is loaded, so a typo stops the program at start instead of failing the first reminder at night.

use serde::{Deserialize, Serialize};

/// `smtp://host:port`, `smtp+starttls://host:port` or `smtps://host:port`, with `user:password@` when the
/// server asks for it. `Debug` hides the password, so printing the configuration never leaks it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SmtpUrl(pub String);

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// `smtp://`: plain, for a relay on the same machine or network.
    Plain,
    /// `smtp+starttls://`: plain first, then STARTTLS, which is required (never falls back).
    StartTls,
    /// `smtps://`: TLS from the first byte.
    Tls,
}

/// A mail server's address taken apart.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpServer {
    pub security: SmtpSecurity,
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.server() {
            Ok(Some(s)) => write!(f, "{:?}", s),
            Ok(None) => f.write_str("\"\""),
            Err(_) => f.write_str("\"(invalid)\""),
        }
    }
}

impl std::fmt::Debug for SmtpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpServer")
            .field("security", &self.security)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "(hidden)"))
            .finish()
    }
}

impl SmtpUrl {
    /// The server this names; none when the setting is empty.
    pub fn server(&self) -> Result<Option<SmtpServer>, String> {
        let url = self.0.trim();
        if url.is_empty() {
            return Ok(None);
        }
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| "smtp_url must start with smtp://, smtp+starttls:// or smtps://".to_string())?;
        let (security, default_port) = match scheme {
            "smtp" => (SmtpSecurity::Plain, 25),
            "smtp+starttls" => (SmtpSecurity::StartTls, 587),
            "smtps" => (SmtpSecurity::Tls, 465),
            other => {
                return Err(format!("smtp_url: `{other}://` is not smtp://, smtp+starttls:// or smtps://"));
            }
        };
        let rest = rest.trim_end_matches('/');
        let (userinfo, hostport) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || hostport.starts_with('[') => {
                let port = p.parse::<u16>().map_err(|_| format!("smtp_url: `{p}` is not a port number"))?;
                (h, port)
            }
            _ => (hostport, default_port),
        };
        if host.is_empty() || host.contains('/') || host.contains('?') {
            return Err("smtp_url: the host is missing or not a host name".into());
        }
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| "smtp_url: the user or password is not valid UTF-8 once decoded".to_string())
        };
        let (user, password) = match userinfo {
            None => (None, None),
            Some(info) => match info.split_once(':') {
                Some((u, p)) => (Some(decode(u)?), Some(decode(p)?)),
                None => (Some(decode(info)?), None),
            },
        };
        Ok(Some(SmtpServer { security, host: host.to_string(), port, user, password }))
    }
}

/// Problems with the mail settings, each a sentence for the operator; empty when they are usable.
pub fn problems(smtp_url: &SmtpUrl, mail_from: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let server = match smtp_url.server() {
        Ok(server) => server,
        Err(e) => {
            problems.push(e);
            None
        }
    };
    let from = mail_from.trim();
    if server.is_some() && from.is_empty() {
        problems.push("mail_from (DAOTAO_MAIL_FROM) is needed when smtp_url is set".into());
    }
    if !from.is_empty() && from.parse::<lettre::message::Mailbox>().is_err() {
        problems
            .push(format!("mail_from: `{from}` is not an address like `Đào tạo số <daotao@example.gov.vn>`"));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(url: &str) -> SmtpServer {
        SmtpUrl(url.into()).server().unwrap().unwrap()
    }

    #[test]
    fn reads_each_scheme_with_its_default_port() {
        assert_eq!(server("smtp://mail.local").port, 25);
        assert_eq!(server("smtp+starttls://mail.local").security, SmtpSecurity::StartTls);
        assert_eq!(server("smtp+starttls://mail.local").port, 587);
        assert_eq!(server("smtps://mail.local").port, 465);
        assert_eq!(server("smtp://127.0.0.1:2525").port, 2525);
        assert_eq!(SmtpUrl(String::new()).server(), Ok(None));
    }

    #[test]
    fn decodes_credentials_and_never_prints_the_password() {
        let url = SmtpUrl("smtps://daotao%40danang.gov.vn:p%40ss:w0rd@mail.danang.gov.vn:465".into());
        let s = url.server().unwrap().unwrap();
        assert_eq!(s.user.as_deref(), Some("daotao@danang.gov.vn"));
        assert_eq!(s.password.as_deref(), Some("p@ss:w0rd"));
        assert_eq!(s.host, "mail.danang.gov.vn");
        let printed = format!("{url:?}");
        assert!(!printed.contains("w0rd"), "{printed}");
        assert!(printed.contains("mail.danang.gov.vn"), "{printed}");
    }

    #[test]
    fn refuses_what_it_cannot_use() {
        assert!(SmtpUrl("http://mail.local".into()).server().is_err());
        assert!(SmtpUrl("mail.local:25".into()).server().is_err());
        assert!(SmtpUrl("smtp://mail.local:port".into()).server().is_err());
        assert!(SmtpUrl("smtp://".into()).server().is_err());
        let without_from = problems(&SmtpUrl("smtp://127.0.0.1:2525".into()), "");
        assert_eq!(without_from.len(), 1, "{without_from:?}");
        assert_eq!(problems(&SmtpUrl::default(), "not an address").len(), 1);
        assert!(
            problems(&SmtpUrl("smtp://127.0.0.1:2525".into()), "Đào tạo số <daotao@example.gov.vn>")
                .is_empty()
        );
        assert!(problems(&SmtpUrl::default(), "").is_empty());
    }
}
