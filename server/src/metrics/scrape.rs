//! `GET /metrics`: who may read it, and the gauges read at each scrape.
//!
//! Never public by accident: it is served only when `metrics_bind` (a second listener, for a private
//! network) or `metrics_token` (a bearer token) is set. With the token alone it is served on the main
//! address behind the token; with the second listener the main address never serves it (404), and the token,
//! when set too, is asked there as well. With neither, the main address answers 404 as for any unknown page.

use std::sync::Arc;
use std::time::Duration;

use daotao_core::people::auth::token::constant_time_eq;
use daotao_core::platform::config::Config;
use poem::http::{StatusCode, header};
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, get, handler};
use prometheus_client::encoding::prometheus_text;
use sea_orm::DatabaseBackend;

use super::{Metrics, StateLabels};
use crate::state::AppState;

/// The path, on either listener.
pub const PATH: &str = "/metrics";

/// A scrape never waits longer than this for the database (the outbox's counts); the rest is in memory.
const DATABASE_BUDGET: Duration = Duration::from_secs(2);

/// Where `/metrics` is served, from configuration.
#[derive(Clone, Default)]
pub struct Exposure {
    /// The second listener's address, when set.
    pub bind: Option<String>,
    /// The bearer token asked, when set.
    pub token: Option<String>,
}

impl std::fmt::Debug for Exposure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exposure")
            .field("bind", &self.bind)
            .field("token", &self.token.as_ref().map(|_| "(hidden)"))
            .finish()
    }
}

impl Exposure {
    pub fn from_config(config: &Config) -> Self {
        Self {
            bind: Some(config.metrics_bind.trim().to_string()).filter(|b| !b.is_empty()),
            token: config.metrics_token.get().map(str::to_string),
        }
    }

    /// Whether the main address serves `/metrics`: only behind a token, and only without a second listener.
    pub fn on_main_address(&self) -> bool {
        self.bind.is_none() && self.token.is_some()
    }

    /// Whether `req` may read the metrics: no token set (the second listener alone), or the right one.
    fn allows(&self, req: &Request) -> bool {
        let Some(token) = &self.token else { return true };
        let sent = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim());
        sent.is_some_and(|sent| constant_time_eq(sent, token))
    }
}

/// Middleware of the main application: answers `/metrics` itself when the main address serves it, before
/// sessions are looked up (a scrape carries no session, and must work while the database is down); else
/// the request goes on, and `/metrics` finds no route (404).
pub async fn on_main<E: Endpoint>(ep: E, req: Request, state: Arc<AppState>) -> poem::Result<Response> {
    if req.uri().path() == PATH && state.metrics_exposure.on_main_address() {
        return Ok(answer(&state, &req).await);
    }
    ep.call(req).await.map(IntoResponse::into_response)
}

/// The application of the second listener (`metrics_bind`): `/metrics` and nothing else.
pub fn second_listener(state: Arc<AppState>) -> impl Endpoint {
    Route::new().at(PATH, get(scrape_handler)).data(state)
}

#[handler]
async fn scrape_handler(req: &Request, state: poem::web::Data<&Arc<AppState>>) -> Response {
    answer(&state, req).await
}

/// 401 without the right token; else the metrics as text.
async fn answer(state: &AppState, req: &Request) -> Response {
    if !state.metrics_exposure.allows(req) {
        return Response::builder()
            .status(StatusCode::UNAUTHORIZED)
            .header(header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\"")
            .header(header::CACHE_CONTROL, "no-store")
            .body("a bearer token is required (metrics_token)\n");
    }
    state.metrics.refresh(state).await;
    Response::builder()
        .header(header::CONTENT_TYPE, prometheus_text::CONTENT_TYPE)
        .header(header::CACHE_CONTROL, "no-store")
        .body(state.metrics.encode())
}

impl Metrics {
    /// Everything registered, in the Prometheus text format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        prometheus_text::encode(&mut text, &self.registry).expect("writing to a String cannot fail");
        text
    }

    /// Sets the gauges from what the server holds now, and the outbox's counts from the database (left out
    /// when the database does not answer within [`DATABASE_BUDGET`]: better no figure than a stale one).
    async fn refresh(&self, state: &AppState) {
        let (in_use, idle, max) = pool_sizes(&state.db);
        self.db_pool.get_or_create(&StateLabels { state: "in_use" }).set(in_use);
        self.db_pool.get_or_create(&StateLabels { state: "idle" }).set(idle);
        self.db_pool_max.set(max);
        match state.search.current_with_age() {
            Some((index, age)) => {
                self.search_documents.set(index.len() as i64);
                self.search_age.set(age.as_secs_f64());
                self.search_ready.set(1);
            }
            None => {
                self.search_documents.set(0);
                self.search_age.set(0.0);
                self.search_ready.set(0);
            }
        }
        self.library_courses.set(state.library().courses.len() as i64);
        self.library_differs.set(state.fingerprint.differing_servers() as i64);
        let summary =
            tokio::time::timeout(DATABASE_BUDGET, daotao_core::mail::outbox::summary(&state.db)).await;
        self.outbox.clear();
        match summary {
            Ok(Ok(s)) => {
                for (state, n) in
                    [("queued", s.queued), ("retrying", s.retrying), ("sent", s.sent), ("failed", s.failed)]
                {
                    self.outbox.get_or_create(&StateLabels { state }).set(n as i64);
                }
            }
            Ok(Err(e)) => tracing::warn!("metrics: cannot count the mail outbox: {e}"),
            Err(_) => tracing::warn!("metrics: the database did not count the mail outbox within 2 s"),
        }
    }
}

/// (in use, idle, largest size) of the database pool.
fn pool_sizes(db: &sea_orm::DatabaseConnection) -> (i64, i64, i64) {
    let (size, idle, max) = match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle(), pool.options().get_max_connections())
        }
        DatabaseBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle(), pool.options().get_max_connections())
        }
        _ => (0, 0, 0),
    };
    let size = i64::from(size);
    let idle = idle as i64;
    ((size - idle).max(0), idle, i64::from(max))
}
