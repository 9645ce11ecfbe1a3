//! Health for load balancers and monitoring (#21), in two questions:
//!
//! - `/healthz`, *does the process live?* Answers at once from memory, never touching the database: a
//!   supervisor restarts a server that stops answering it, and a database outage is no reason to restart.
//! - `/readyz`, *can it serve?* The database answers (a ping bounded by [`DATABASE_BUDGET`], so a database
//!   that hangs makes it say 503 within two seconds instead of after the pool's 30 s wait), a library with
//!   courses is loaded, and the search index is built. 503 with a JSON body naming what is not ready, so a
//!   load balancer stops sending learners to this server. Course files that differ from other servers' are
//!   a warning in the body ([`crate::library_fingerprint`]), not a reason to stop serving.

use std::sync::Arc;
use std::time::Duration;

use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{IntoResponse, Response, handler};
use serde::Serialize;

use crate::library_fingerprint::{OtherServer, short};
use crate::state::AppState;

/// The longest `/readyz` waits for the database.
pub const DATABASE_BUDGET: Duration = Duration::from_secs(2);

#[derive(Serialize)]
struct Health {
    status: &'static str,
    courses: usize,
}

#[handler]
pub async fn healthz(state: Data<&Arc<AppState>>) -> Response {
    let health = Health { status: "ok", courses: state.library().courses.len() };
    Json(health).with_header("cache-control", "no-store").into_response()
}

#[derive(Serialize)]
struct Readiness {
    ready: bool,
    /// What keeps it from serving, one sentence each; empty when ready.
    not_ready: Vec<String>,
    /// What an operator should look at though the server can serve.
    warnings: Vec<String>,
    database: bool,
    courses: usize,
    /// `None` until the first index is built.
    search_documents: Option<usize>,
    /// This server's course files ([`crate::library_fingerprint`]); empty until they are hashed, just after
    /// start-up.
    library_fingerprint: String,
    /// Other running servers whose course files differ.
    library_differs_from: Vec<OtherServer>,
}

#[handler]
pub async fn readyz(state: Data<&Arc<AppState>>) -> Response {
    let mut not_ready = Vec::new();
    let mut warnings = Vec::new();
    let own = state.fingerprint.own();
    let checked = tokio::time::timeout(DATABASE_BUDGET, async {
        state.db.ping().await?;
        // Nothing to compare before this server's own files are hashed (the first seconds after start).
        if own.is_empty() {
            return Ok(Vec::new());
        }
        state.fingerprint.others_differing(&state.db, &own).await
    })
    .await;
    let (database, differing) = match checked {
        Ok(Ok(differing)) => (true, differing),
        Ok(Err(e)) => {
            not_ready.push(format!("database: {e}"));
            (false, Vec::new())
        }
        Err(_) => {
            not_ready.push(format!("database: no answer within {} s", DATABASE_BUDGET.as_secs()));
            (false, Vec::new())
        }
    };
    let library = state.library();
    if library.courses.is_empty() {
        not_ready.push(format!("library: no course loaded from {}", library.root.display()));
    }
    let search_documents = state.search.current().map(|index| index.len());
    if search_documents.is_none() {
        not_ready.push("search: the index is still being built".into());
    }
    for other in &differing {
        warnings.push(format!(
            "library: the course files differ from those of {} ({} here, {} there)",
            other.server,
            short(&own),
            short(&other.fingerprint)
        ));
    }
    let ready = not_ready.is_empty();
    let body = Readiness {
        ready,
        not_ready,
        warnings,
        database,
        courses: library.courses.len(),
        search_documents,
        library_fingerprint: own,
        library_differs_from: differing,
    };
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    Json(body).with_status(status).with_header("cache-control", "no-store").into_response()
}
