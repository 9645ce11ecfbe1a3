//! What every request handler shares: the loaded course library, its search
//! index, the database, and the security settings.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use daotao_content::course::Library;
use daotao_core::people::auth::Policy;
use daotao_core::people::auth::address_limit::AddressLimit;
use daotao_core::platform::config::Config;
use sea_orm::DatabaseConnection;

use crate::library_fingerprint::Fingerprints;
use crate::metrics::Metrics;
use crate::metrics::scrape::Exposure;
use crate::search::{Reindex, Search};
use crate::sso::SingleSignOn;

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
    pub throttle: AddressLimit,
    /// Rebuilt in the background whenever the library changes.
    pub search: Search,
    /// `public_url` from configuration, without a trailing `/`; `None` when not set.
    pub public_url: Option<String>,
    /// The reverse proxies whose `X-Forwarded-For` is believed (`trusted_proxies`; checked when the
    /// configuration is loaded).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The city's identity provider, when one is configured (`[sso]`).
    pub sso: Option<SingleSignOn>,
    /// `course_source_url` without a trailing `/`, for the quiz statistics' links to a question's file and
    /// line; `None` when not set.
    pub course_source_url: Option<String>,
    /// Woken after the course files change, so the programmes pass applies an edited `programmes.toml` at once.
    pub programmes_now: tokio::sync::Notify,
    /// The server's metrics (#21), bumped where things happen and read by `/metrics`.
    pub metrics: Metrics,
    /// Where `/metrics` is served and the token it asks (`metrics_bind`, `metrics_token`).
    pub metrics_exposure: Exposure,
    /// The fingerprint of the course files, compared with the other servers' (#21).
    pub fingerprint: Fingerprints,
}

impl AppState {
    /// With the default settings.
    pub fn new(library: Library, db: DatabaseConnection) -> Self {
        Self::with_config(library, db, &Config::default())
    }

    /// Also starts indexing `library` for search, in the background.
    pub fn with_config(library: Library, db: DatabaseConnection, config: &Config) -> Self {
        let library = Arc::new(library);
        let search = Search::new();
        search.rebuild(library.clone());
        Self {
            library: RwLock::new(library),
            db,
            auth: AuthSettings {
                policy: config.auth_policy(),
                secure_cookies: config.secure_cookies,
                anonymous_reading: config.anonymous_reading,
            },
            throttle: AddressLimit::new(
                config.ip_failure_limit,
                Duration::from_secs(config.ip_failure_window_seconds),
            ),
            search,
            public_url: Some(config.public_url.trim_end_matches('/').to_string()).filter(|u| !u.is_empty()),
            trusted_proxies: config.proxy_ranges().unwrap_or_default(),
            sso: SingleSignOn::from_config(&config.sso),
            course_source_url: Some(config.course_source_url.trim().trim_end_matches('/').to_string())
                .filter(|u| !u.is_empty()),
            programmes_now: tokio::sync::Notify::new(),
            metrics: Metrics::new(),
            metrics_exposure: Exposure::from_config(config),
            fingerprint: Fingerprints::new(&config.bind),
        }
    }

    /// The library as it is now; cheap (one `Arc` clone).
    pub fn library(&self) -> Arc<Library> {
        self.library.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Applies `change` to a copy of the library, publishes the copy and has it indexed for search.
    pub fn update_library(&self, change: impl FnOnce(&mut Library)) {
        self.update_library_reindexing(Reindex::Everything, change);
    }

    /// As [`AppState::update_library`], indexing again only what `reindex` names: the courses a reload
    /// changed, so an edited lesson is searchable in milliseconds instead of a rebuild's seconds.
    pub fn update_library_reindexing(&self, reindex: Reindex, change: impl FnOnce(&mut Library)) {
        let mut guard = self.library.write().unwrap_or_else(|e| e.into_inner());
        let mut next = Library::clone(&guard);
        change(&mut next);
        let next = Arc::new(next);
        *guard = next.clone();
        // Still under the lock, so the indexer is asked in the order the library changed.
        self.search.update(next, reindex);
    }
}
