//! Closes quiz attempts whose time ran out while the learner was away: every half minute, each open attempt
//! past its deadline is graded on the answers saved in time, and a pass may complete its course. Several
//! servers may run this against one database: grading updates only a row not yet submitted.

use std::sync::Arc;
use std::time::Duration;

use daotao_core::assessment::attempts;

use crate::state::AppState;

/// How often to look for attempts past their deadline.
pub const INTERVAL: Duration = Duration::from_secs(30);

/// Runs until the runtime stops.
pub async fn run(state: Arc<AppState>) {
    let mut ticker = tokio::time::interval(INTERVAL);
    loop {
        ticker.tick().await;
        if let Err(e) = close_once(&state).await {
            tracing::error!("closing attempts past their deadline: {e}");
        }
    }
}

/// One pass; returns how many attempts it closed.
pub async fn close_once(state: &AppState) -> anyhow::Result<usize> {
    let now = chrono::Utc::now();
    let closed = attempts::close_expired(&state.db, &state.library(), now).await?;
    state.metrics.attempts_closed_by_server(closed.len());
    if !closed.is_empty() {
        tracing::info!(count = closed.len(), "closed quiz attempts past their deadline");
    }
    // Each pass's end, for whoever checks that several servers' passes together closed each attempt once.
    tracing::debug!(count = closed.len(), "deadline pass done");
    Ok(closed.len())
}
