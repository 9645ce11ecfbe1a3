//! Single sign-on, the domain part: who a provider's identity is here, and the records that make a ticket, code
//! or state usable once. The protocols themselves (CAS 3.0, OpenID Connect) are the server's; this module
//! knows no HTTP.
//!
//! A person signing on for the first time may already have an account the admin created or imported: the
//! same username is the same person, and the account is linked to the provider's subject from then on.
//! Otherwise an account is created, when the province allows it. Every sign-in refreshes the account from
//! what the provider says, so the provider stays the source of a person's name, e-mail, unit and position.

pub mod pending;
mod sign_in;
mod spent;

use sea_orm::DbErr;

pub use crate::entities::user::Provider;
pub use sign_in::sign_in;
pub use spent::spend_once;

/// A person as a provider vouches for them, after the server has checked the protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub provider: Provider,
    /// The provider's stable id of the person (CAS: the user; OpenID Connect: `sub`).
    pub subject: String,
    /// The username the provider gives (normalised here before use).
    pub username: String,
    /// `None` when the provider did not send it: the account keeps what it has.
    pub full_name: Option<String>,
    pub email: Option<String>,
    /// The code of the person's unit, as in `units.code`.
    pub unit_code: Option<String>,
    pub position: Option<String>,
}

/// What the province allows on sign-in (from configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// Create an account for a person the database does not know; else they are refused.
    pub create_accounts: bool,
    /// The unit of a new account whose provider sends no unit, or one that does not exist.
    pub default_unit: Option<String>,
}

impl Default for Rules {
    /// As documented for `DAOTAO_SSO_CREATE_ACCOUNTS` (true) and `DAOTAO_SSO_DEFAULT_UNIT` (unset).
    fn default() -> Self {
        Self { create_accounts: true, default_unit: None }
    }
}

/// Why a person the provider vouches for is not let in. Each is audited where it is decided.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("the account is deactivated")]
    Deactivated,
    #[error("no account for this person, and sign-in does not create accounts")]
    NotRegistered,
    #[error("{}", unknown_unit(.0.as_deref()))]
    UnknownUnit(Option<String>),
    #[error(
        "username `{0}` is not valid: use 3 to 100 lowercase letters, digits, dots, hyphens or underscores"
    )]
    BadUsername(String),
    #[error("the account with this username is linked to another identity at a provider")]
    LinkedElsewhere,
    #[error(transparent)]
    Db(#[from] DbErr),
}

fn unknown_unit(code: Option<&str>) -> String {
    match code {
        Some(code) => format!("no unit with code `{code}`"),
        None => "the provider sent no unit and no default unit is set".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_read_as_stored_and_as_people_know_them() {
        assert_eq!((Provider::Cas.as_str(), Provider::Cas.label()), ("cas", "CAS"));
        assert_eq!((Provider::Oidc.as_str(), Provider::Oidc.label()), ("oidc", "OpenID Connect"));
        assert_eq!(Provider::parse(" OIDC "), Some(Provider::Oidc));
        assert_eq!(Provider::parse("saml"), None);
    }

    #[test]
    fn refusals_say_what_to_fix() {
        assert_eq!(Refusal::UnknownUnit(Some("SO-X".into())).to_string(), "no unit with code `SO-X`");
        assert!(Refusal::UnknownUnit(None).to_string().contains("no default unit"));
        assert!(Refusal::BadUsername("Lan Nguyễn".into()).to_string().contains("`Lan Nguyễn`"));
    }
}
