//! Single sign-on with the city's identity provider: CAS 3.0 (`cas.rs`) or OpenID Connect's
//! authorization code flow (`oidc/`). Each protocol turns a callback into a subject and the provider's
//! attributes; this module turns those into the [`Identity`] that core's `people::sso::sign_in` finds or
//! creates an account for, by the attribute names the admin configured. The routes are in
//! `pages/sso.rs`, the session they open in `workflows/session.rs`.

pub mod cas;
pub mod oidc;

use std::collections::BTreeMap;
use std::time::Duration;

use daotao_core::people::sso::{Identity, Provider, Rules};
use daotao_core::platform::config::{SsoConfig, SsoProtocol};

/// A provider's attributes (CAS) or claims (OpenID Connect), as text: the first value of each.
pub type Attributes = BTreeMap<String, String>;

/// Single sign-on as configured: the protocol, and what the admin decided.
pub struct SingleSignOn {
    /// The login page's button.
    pub label: String,
    pub rules: Rules,
    names: AttributeNames,
    pub protocol: Protocol,
    /// The provider's origins (`https://host:port`) our pages' forms may lead to: the button and the
    /// logout form redirect there (the Content-Security-Policy's `form-action`).
    pub origins: Vec<String>,
}

/// The configured protocol's client.
pub enum Protocol {
    Cas(cas::Cas),
    /// Boxed: it caches the provider's endpoints and keys, and there is one per server.
    Oidc(Box<oidc::Oidc>),
}

/// Which attribute holds what; `None` for unit and position: not read.
struct AttributeNames {
    username: Option<String>,
    name: String,
    email: String,
    unit: Option<String>,
    position: Option<String>,
}

/// Why a sign-in with the provider did not finish. The person sees a page saying which kind; the
/// admin's log gets the detail (never a secret, a code or a token).
#[derive(Debug, thiserror::Error)]
pub enum SignOnError {
    #[error("the identity provider cannot be reached: {0}")]
    Unreachable(String),
    #[error("the identity provider's answer cannot be used: {0}")]
    BadAnswer(String),
    #[error("the sign-in was refused: {0}")]
    Refused(String),
    #[error("the sign-in expired or was already used: {0}")]
    Stale(String),
    #[error("the identity provider sent no `{0}`")]
    MissingAttribute(String),
}

impl SingleSignOn {
    /// `None` when no provider is configured (the embedded default: local passwords only).
    pub fn from_config(config: &SsoConfig) -> Option<Self> {
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let mut origins: Vec<String> = [
            &config.cas_url,
            &config.issuer,
            &config.discovery_url,
            &config.authorization_url,
            &config.end_session_url,
        ]
        .into_iter()
        .filter_map(|url| reqwest::Url::parse(url.trim()).ok())
        .map(|url| url.origin().ascii_serialization())
        .filter(|origin| origin != "null")
        .collect();
        origins.sort();
        origins.dedup();
        let protocol = match config.provider? {
            SsoProtocol::Cas => Protocol::Cas(cas::Cas::new(&config.cas_url)),
            SsoProtocol::Oidc => Protocol::Oidc(Box::new(oidc::Oidc::new(config))),
        };
        Some(Self {
            label: text(&config.label).unwrap_or_else(|| "Đăng nhập một lần".into()),
            rules: Rules {
                create_accounts: config.create_accounts,
                default_unit: config.default_unit().map(str::to_string),
            },
            names: AttributeNames {
                username: text(&config.username_attr),
                name: text(&config.name_attr).unwrap_or_else(|| "name".into()),
                email: text(&config.email_attr).unwrap_or_else(|| "email".into()),
                unit: text(&config.unit_attr),
                position: text(&config.position_attr),
            },
            protocol,
            origins,
        })
    }

    /// Which provider this is, as core records it on the account.
    pub fn provider(&self) -> Provider {
        match self.protocol {
            Protocol::Cas(_) => Provider::Cas,
            Protocol::Oidc(_) => Provider::Oidc,
        }
    }

    /// The identity in `attributes` of the person the provider knows as `subject`. The username is the
    /// configured attribute, else `default_username` (the CAS user, or OIDC's `preferred_username`).
    pub fn identity(
        &self,
        subject: &str,
        default_username: Option<&str>,
        attributes: &Attributes,
    ) -> Result<Identity, SignOnError> {
        let get = |name: &str| attributes.get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let username = match &self.names.username {
            Some(name) => get(name).ok_or_else(|| SignOnError::MissingAttribute(name.clone()))?,
            None => default_username
                .map(|u| u.trim().to_string())
                .filter(|u| !u.is_empty())
                .ok_or_else(|| SignOnError::MissingAttribute("preferred_username".into()))?,
        };
        Ok(Identity {
            provider: self.provider(),
            subject: subject.to_string(),
            username,
            full_name: get(&self.names.name),
            email: get(&self.names.email),
            unit_code: self.names.unit.as_deref().and_then(get),
            position: self.names.position.as_deref().and_then(get),
        })
    }
}

/// The HTTP client for talking to the provider over the back channel: redirects are never followed
/// (a redirect there could point anywhere: SSRF), and a provider that hangs does not hang our workers.
pub fn back_channel() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .user_agent(concat!("daotao/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("an HTTP client with rustls")
}

/// A request to the provider failed before it answered. The URL is left out: CAS's carries the ticket.
fn unreachable(what: &str, e: reqwest::Error) -> SignOnError {
    SignOnError::Unreachable(format!("{what}: {}", e.without_url()))
}
