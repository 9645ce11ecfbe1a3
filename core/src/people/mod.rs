//! The people of the province and how they get in: accounts (with the folded search key the admin filters
//! on), the tree of units they belong to, which trainers teach which course, and authentication (passwords,
//! login throttling, sessions, API tokens).

pub mod accounts;
pub mod auth;
pub mod search_key;
pub mod trainers;
pub mod units;
