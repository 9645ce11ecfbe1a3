//! The server's own programmes pass (#18), so nobody has to set up cron: every `programmes_every_minutes`,
//! and at once after the course files change, it applies `courses/programmes.toml` as of today (assign,
//! enrol, withdraw, complete, renew), then, when a mail server is configured, queues the reminders due
//! today and sends what is queued.
//!
//! Several servers may run it on one database: the pass is one transaction whose rows are unique per person,
//! programme and cycle (a pass that loses the race fails and the next one finds nothing left to do), each
//! reminder is queued once under its key, and a message is claimed by one sender only. A programmes file
//! with a problem is not applied at all (the log says why), as `daotao-admin programmes assign` refuses it.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use daotao_core::learning::programmes::{self, NotApplicable, reminders};
use daotao_core::mail::Mailer;
use daotao_core::platform::local_time;

use crate::state::AppState;

/// Who the audit log names for what the pass changes.
const ACTOR: &str = "daotao-server (programmes)";

/// Runs the pass every `every` and whenever the library is reloaded, until the runtime stops.
pub async fn run(state: Arc<AppState>, every: Duration, mailer: Option<Mailer>, site_url: String) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            () = state.programmes_now.notified() => {}
        }
        match once(&state, mailer.as_ref(), &site_url).await {
            // Each pass's end (its figures are in the metrics), for whoever watches several servers' passes.
            Ok(()) => tracing::debug!("programmes pass done"),
            Err(e) => tracing::error!("programmes pass: {e}"),
        }
    }
}

/// One pass as of today in Viet Nam.
pub async fn once(state: &AppState, mailer: Option<&Mailer>, site_url: &str) -> anyhow::Result<()> {
    let library = state.library();
    let rules = match programmes::rules_of(&library) {
        Ok(rules) => rules,
        Err(NotApplicable::NoFile(_)) => return Ok(()),
        Err(NotApplicable::Problems(problems)) => {
            tracing::warn!(
                problems = problems.len(),
                "programmes not applied until the programmes file is fixed: {}",
                problems.join("; ")
            );
            return Ok(());
        }
    };
    if rules.is_empty() {
        return Ok(());
    }
    let today = local_time::today();
    let quizzes = programmes::completion_quizzes(&library);
    let changes = programmes::assign(&state.db, &rules, &quizzes, today, ACTOR, false).await?;
    if !changes.is_empty() {
        tracing::info!(
            assigned = changes.assigned.len(),
            withdrawn = changes.withdrawn.len(),
            completed = changes.completed.len(),
            renewed = changes.renewed.len(),
            "programmes applied"
        );
    }
    let Some(mailer) = mailer else { return Ok(()) };
    let context = reminders::Context::new(&rules, &library, site_url);
    let queued = reminders::queue(&state.db, &context, today, Utc::now()).await?;
    if queued.total() > 0 {
        tracing::info!(queued = queued.total(), "reminders queued");
    }
    state.metrics.mail(queued.total(), 0, 0);
    let sent = mailer.send_queued(&state.db).await?;
    state.metrics.mail(0, sent.sent, sent.failed);
    if sent.sent > 0 || sent.failed > 0 {
        tracing::info!(sent = sent.sent, failed = sent.failed, "mail sent");
    }
    if let Some(error) = sent.first_error {
        tracing::warn!("the mail server refused or did not answer: {error}");
    }
    Ok(())
}
