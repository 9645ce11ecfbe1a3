//! What every request handler shares: the loaded course library and the database.

use std::sync::{Arc, RwLock};

use daotao_core::course::Library;
use sea_orm::DatabaseConnection;

/// Shared by handlers and the course watcher.
pub struct AppState {
    /// Swapped whole on reload, so a request always sees one consistent library.
    library: RwLock<Arc<Library>>,
    pub db: DatabaseConnection,
}

impl AppState {
    pub fn new(library: Library, db: DatabaseConnection) -> Self {
        Self { library: RwLock::new(Arc::new(library)), db }
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
