//! The single sign-on settings (`[sso]` in the TOML file, `DAOTAO_SSO_*` and `DAOTAO_LOCAL_LOGIN` in the
//! environment): which provider, where it is, and what the city decided about local passwords and
//! unknown people. Checked when the configuration is loaded, so a server with half a provider never starts.

use serde::{Deserialize, Serialize};

/// Which protocol the city's identity provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SsoProtocol {
    /// Apereo CAS 3.0 (Đà Nẵng's `dangnhap.danang.gov.vn/cas`).
    Cas,
    /// OpenID Connect, authorization code (WSO2 Identity Server and others).
    Oidc,
}

/// `[sso]`. Empty strings mean "not set", so every field can come from an environment variable.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SsoConfig {
    /// `cas` or `oidc`; unset: local passwords only.
    pub provider: Option<SsoProtocol>,
    /// The button on the login page.
    pub label: String,
    /// CAS: the base URL (`https://dangnhap.danang.gov.vn/cas`); `/login`, `/p3/serviceValidate` and
    /// `/logout` are under it.
    pub cas_url: String,
    /// OIDC: the issuer exactly as the provider writes it in its tokens (WSO2: `https://host/oauth2/token`).
    pub issuer: String,
    /// OIDC: the discovery document, when it is not at `<issuer>/.well-known/openid-configuration`.
    pub discovery_url: String,
    /// OIDC endpoints one by one, for providers that publish no discovery document (each overrides
    /// what discovery says).
    pub authorization_url: String,
    pub token_url: String,
    pub jwks_url: String,
    pub userinfo_url: String,
    pub end_session_url: String,
    pub client_id: String,
    /// Never logged, never shown (`Debug` hides it).
    pub client_secret: String,
    pub scopes: String,
    /// OIDC `acr_values` (the national portal asks for `LoA1`).
    pub acr_values: String,
    /// The attribute or claim holding the username; empty: the CAS user, or OIDC `preferred_username`.
    pub username_attr: String,
    pub name_attr: String,
    pub email_attr: String,
    /// Unset: the unit is not read from the provider.
    pub unit_attr: String,
    /// Unset: the position is not read from the provider.
    pub position_attr: String,
    /// The unit code a new person lands in when the provider sends no unit or one we do not know; empty:
    /// such a person is refused with a page saying why.
    pub default_unit: String,
    /// Whether a person the provider knows and we do not gets an account at first sign-in.
    pub create_accounts: bool,
    /// Whether learners and trainers may still log in with a local password; admins always may, to get in
    /// when the provider is down.
    pub local_login: bool,
}

impl Default for SsoConfig {
    fn default() -> Self {
        Self {
            provider: None,
            label: "Đăng nhập một lần".into(),
            cas_url: String::new(),
            issuer: String::new(),
            discovery_url: String::new(),
            authorization_url: String::new(),
            token_url: String::new(),
            jwks_url: String::new(),
            userinfo_url: String::new(),
            end_session_url: String::new(),
            client_id: String::new(),
            client_secret: String::new(),
            scopes: "openid profile email".into(),
            acr_values: String::new(),
            username_attr: String::new(),
            name_attr: "name".into(),
            email_attr: "email".into(),
            unit_attr: String::new(),
            position_attr: String::new(),
            default_unit: String::new(),
            create_accounts: true,
            local_login: true,
        }
    }
}

impl std::fmt::Debug for SsoConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoConfig")
            .field("provider", &self.provider)
            .field("cas_url", &self.cas_url)
            .field("issuer", &self.issuer)
            .field("discovery_url", &self.discovery_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &if self.client_secret.is_empty() { "" } else { "(hidden)" })
            .field("create_accounts", &self.create_accounts)
            .field("local_login", &self.local_login)
            .finish_non_exhaustive()
    }
}

/// The environment variables of `[sso]`, as figment sees them (prefix stripped, lowercase).
pub(super) const ENV_KEYS: &[&str] = &[
    "sso_provider",
    "sso_label",
    "sso_cas_url",
    "sso_issuer",
    "sso_discovery_url",
    "sso_authorization_url",
    "sso_token_url",
    "sso_jwks_url",
    "sso_userinfo_url",
    "sso_end_session_url",
    "sso_client_id",
    "sso_client_secret",
    "sso_scopes",
    "sso_acr_values",
    "sso_username_attr",
    "sso_name_attr",
    "sso_email_attr",
    "sso_unit_attr",
    "sso_position_attr",
    "sso_default_unit",
    "sso_create_accounts",
    "local_login",
];

/// `sso_cas_url` → `sso.cas_url`; `local_login` → `sso.local_login`; other keys unchanged (figment hands
/// the keys over in the environment's case).
pub(super) fn nest_env_key(key: &str) -> String {
    let key = key.to_ascii_lowercase();
    if let Some(rest) = key.strip_prefix("sso_") {
        format!("sso.{rest}")
    } else if key == "local_login" {
        "sso.local_login".into()
    } else {
        key
    }
}

impl SsoConfig {
    /// What is missing or malformed for the chosen provider, in words an operator can act on.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let url_ok = |u: &str| u.starts_with("https://") || u.starts_with("http://");
        let mut need_url = |name: &str, value: &str| {
            if !value.is_empty() && !url_ok(value) {
                problems.push(format!(
                    "sso.{name} (DAOTAO_SSO_{}) must be an http(s) URL, not `{value}`",
                    name.to_uppercase()
                ));
            }
        };
        for (name, value) in [
            ("cas_url", &self.cas_url),
            ("discovery_url", &self.discovery_url),
            ("authorization_url", &self.authorization_url),
            ("token_url", &self.token_url),
            ("jwks_url", &self.jwks_url),
            ("userinfo_url", &self.userinfo_url),
            ("end_session_url", &self.end_session_url),
        ] {
            need_url(name, value);
        }
        let mut require = |name: &str, value: &str, why: &str| {
            if value.trim().is_empty() {
                problems.push(format!("sso.{name} (DAOTAO_SSO_{}) is required {why}", name.to_uppercase()));
            }
        };
        match self.provider {
            None => {}
            Some(SsoProtocol::Cas) => require("cas_url", &self.cas_url, "with provider = \"cas\""),
            Some(SsoProtocol::Oidc) => {
                require("issuer", &self.issuer, "with provider = \"oidc\" (the `iss` of its tokens)");
                require("client_id", &self.client_id, "with provider = \"oidc\"");
                if !self.scopes.split_whitespace().any(|s| s == "openid") {
                    problems.push("sso.scopes (DAOTAO_SSO_SCOPES) must include `openid`".into());
                }
            }
        }
        problems
    }

    /// The unit code for people the provider places nowhere we know, if the admin chose one.
    pub fn default_unit(&self) -> Option<&str> {
        Some(self.default_unit.trim()).filter(|c| !c.is_empty())
    }
}
