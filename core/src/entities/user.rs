//! An account (`users`). Usernames are stored lowercase.

use sea_orm::entity::prelude::*;

/// What an account may do: learners learn, trainers also see their courses' learners, admins everything.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[sea_orm(string_value = "learner")]
    Learner,
    #[sea_orm(string_value = "trainer")]
    Trainer,
    #[sea_orm(string_value = "admin")]
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Learner => "learner",
            Role::Trainer => "trainer",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "learner" => Some(Role::Learner),
            "trainer" => Some(Role::Trainer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A single sign-on provider that vouches for accounts (`users.sso_provider`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(10))")]
pub enum Provider {
    /// CAS 3.0: the subject is the CAS user.
    #[sea_orm(string_value = "cas")]
    Cas,
    /// OpenID Connect: the subject is the `sub` claim.
    #[sea_orm(string_value = "oidc")]
    Oidc,
}

impl Provider {
    /// As stored and as configured (`DAOTAO_SSO_PROVIDER`).
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Cas => "cas",
            Provider::Oidc => "oidc",
        }
    }

    /// The protocol's name as people know it.
    pub fn label(self) -> &'static str {
        match self {
            Provider::Cas => "CAS",
            Provider::Oidc => "OpenID Connect",
        }
    }

    /// From configuration text, in any case.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cas" => Some(Provider::Cas),
            "oidc" => Some(Provider::Oidc),
            _ => None,
        }
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub unit_id: Option<i64>,
    pub position: String,
    pub role: Role,
    pub password_hash: String,
    pub must_change_password: bool,
    pub active: bool,
    pub failed_logins: i32,
    pub locked_until: Option<ChronoDateTimeUtc>,
    pub created_at: ChronoDateTimeUtc,
    /// Folded name and username for the admin filter ([`crate::people::search_key::search_key`]).
    pub search_key: String,
    /// The provider vouching for this account, if it signs on through one; set and cleared with `sso_subject`.
    pub sso_provider: Option<Provider>,
    /// The account's stable id at `sso_provider` (CAS: the user; OpenID Connect: `sub`).
    pub sso_subject: Option<String>,
    /// Extra time on every timed quiz, as a percentage of its limit (0: none): an accommodation an admin grants
    /// (#19, WCAG 2.2.1), see [`crate::people::accounts::set_extra_time`].
    pub extra_time_percent: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::unit::Entity", from = "Column::UnitId", to = "super::unit::Column::Id")]
    Unit,
}

impl Related<super::unit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Unit.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
