//! The people of the province and how they get in: accounts (with the folded search key the admin filters
//! on), the tree of units they belong to, which trainers teach which course, authentication (passwords,
//! login throttling, sessions, API tokens) and single sign-on (accounts from a provider's identity, single-use
//! records).

pub mod accounts;
pub mod auth;
pub mod search_key;
pub mod sso;
pub mod trainers;
pub mod units;
