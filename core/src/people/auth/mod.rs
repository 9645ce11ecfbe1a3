//! Accounts' security: password hashing, sessions stored in the database,
//! login with per-account lock-out, and the audit trail of it all.

pub mod address_limit;
pub mod login;
pub mod password;
pub mod session;
pub mod token;

use std::time::Duration;

/// The limits of sessions and logins (from configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// A session unused this long ends.
    pub session_idle: Duration,
    /// A session ends this long after login, used or not.
    pub session_max: Duration,
    /// Failed logins in a row that lock an account.
    pub lockout_failures: u32,
    /// How long a locked account stays locked.
    pub lockout: Duration,
    /// The city signs people in with its identity provider and turned local passwords off: only admins
    /// may use one (to get in when the provider is down).
    pub passwords_for_admins_only: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            session_idle: Duration::from_secs(2 * 3600),
            session_max: Duration::from_secs(12 * 3600),
            lockout_failures: 5,
            lockout: Duration::from_secs(15 * 60),
            passwords_for_admins_only: false,
        }
    }
}
