//! What every request handler shares: the loaded course library, the
//! database, and the security settings.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use daotao_core::auth::Policy;
use daotao_core::config::Config;
use daotao_core::course::Library;
use sea_orm::DatabaseConnection;

use crate::auth::throttle::Throttle;

/// Settings of logins and sessions, from configuration.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub policy: Policy,
    pub secure_cookies: bool,
    pub anonymous_reading: bool,
}

/// Shared by handlers and the course watcher.
pub struct AppState {
    /// Swapped whole on reload, so a request always sees one consistent library.
    library: RwLock<Arc<Library>>,
    pub db: DatabaseConnection,
    pub auth: AuthSettings,
    pub throttle: Throttle,
}

impl AppState {
    /// With the default settings.
    pub fn new(library: Library, db: DatabaseConnection) -> Self {
        Self::with_config(library, db, &Config::default())
    }

    pub fn with_config(library: Library, db: DatabaseConnection, config: &Config) -> Self {
        Self {
            library: RwLock::new(Arc::new(library)),
            db,
            auth: AuthSettings {
                policy: config.auth_policy(),
                secure_cookies: config.secure_cookies,
                anonymous_reading: config.anonymous_reading,
            },
            throttle: Throttle::new(
                config.ip_failure_limit,
                Duration::from_secs(config.ip_failure_window_seconds),
            ),
        }
    }

    /// The library as it is now; cheap (one `Arc` clone).
    pub fn library(&self) -> Arc<Library> {
        self.library.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Applies `change` to a copy of the library and publishes the copy.
    pub fn update_library(&self, change: impl FnOnce(&mut Library)) {
        let mut guard = self.library.write().unwrap_or_else(|e| e.into_inner());
        let mut next = Library::clone(&guard);
        change(&mut next);
        *guard = Arc::new(next);
    }
}
