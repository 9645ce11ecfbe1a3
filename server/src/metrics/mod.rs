//! What an operator watches (#21): the one registry of the server's metrics, the counters the code bumps where
//! things happen, and `/metrics` in the Prometheus text format ([`scrape`]).
//!
//! Counters count what *this* process did (Prometheus adds up the servers); gauges that describe the shared
//! database (the mail outbox) are read from it at each scrape. Requests are counted by route *template*
//! (`/courses/:course/:lesson`), never by raw path, so a crawler cannot make the series without bound.

pub mod requests;
pub mod scrape;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use std::sync::atomic::AtomicU64;

/// Latency buckets in seconds: a page is fast under 50 ms, slow over 1 s; a quiz statistics page or an
/// export may take several.
const LATENCY_BUCKETS: [f64; 13] =
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// One route of one method answered with one status.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: &'static str,
    /// The route template; `unmatched` for a path no route knows.
    pub route: String,
    pub status: u16,
}

/// How a password login ended.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum LoginOutcome {
    Succeeded,
    /// Wrong username or password, a locked account, or a password where only single sign-on is allowed.
    Failed,
    /// Refused before checking: the address failed too often lately.
    Throttled,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// The registry and every metric in it; one per server, in [`crate::state::AppState`].
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RequestLabels, Histogram, fn() -> Histogram>,
    logins: Family<OutcomeLabels, Counter>,
    attempts_started: Counter,
    attempts_submitted: Counter,
    attempts_closed_by_server: Counter,
    mail: Family<StateLabels, Counter>,
    db_pool: Family<StateLabels, Gauge>,
    db_pool_max: Gauge,
    search_documents: Gauge,
    search_age: Gauge<f64, AtomicU64>,
    search_ready: Gauge,
    library_courses: Gauge,
    library_differs: Gauge,
    outbox: Family<StateLabels, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric under the `daotao_` prefix.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("daotao");
        let m = Self {
            registry: Registry::default(),
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram as fn() -> Histogram),
            logins: Family::default(),
            attempts_started: Counter::default(),
            attempts_submitted: Counter::default(),
            attempts_closed_by_server: Counter::default(),
            mail: Family::default(),
            db_pool: Family::default(),
            db_pool_max: Gauge::default(),
            search_documents: Gauge::default(),
            search_age: Gauge::default(),
            search_ready: Gauge::default(),
            library_courses: Gauge::default(),
            library_differs: Gauge::default(),
            outbox: Family::default(),
        };
        let r = &mut registry;
        r.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            m.requests.clone(),
        );
        r.register_with_unit(
            "http_request_duration",
            "Time to answer an HTTP request, by method, route template and status",
            Unit::Seconds,
            m.latency.clone(),
        );
        r.register("logins", "Password logins by outcome (succeeded, failed, throttled)", m.logins.clone());
        r.register("quiz_attempts_started", "Quiz attempts started", m.attempts_started.clone());
        r.register(
            "quiz_attempts_submitted",
            "Quiz attempts submitted and graded by the learner",
            m.attempts_submitted.clone(),
        );
        r.register(
            "quiz_attempts_closed_by_server",
            "Quiz attempts past their deadline closed and graded by the server",
            m.attempts_closed_by_server.clone(),
        );
        r.register("mail", "E-mails this server queued, sent, or failed to send (state)", m.mail.clone());
        r.register(
            "mail_outbox_messages",
            "Messages in the shared mail outbox by state (queued, retrying, sent, failed)",
            m.outbox.clone(),
        );
        r.register(
            "db_pool_connections",
            "Database pool connections by state (in_use, idle)",
            m.db_pool.clone(),
        );
        r.register("db_pool_max_connections", "The database pool's largest size", m.db_pool_max.clone());
        r.register(
            "search_index_documents",
            "Documents in the search index in use",
            m.search_documents.clone(),
        );
        r.register_with_unit(
            "search_index_age",
            "Time since the search index in use was built (0 before the first build)",
            Unit::Seconds,
            m.search_age.clone(),
        );
        r.register("search_index_ready", "1 once the first search index is built", m.search_ready.clone());
        r.register("library_courses", "Courses in the library this server loaded", m.library_courses.clone());
        r.register(
            "library_differing_servers",
            "Other running servers whose course files differ from this one's (0: all the same)",
            m.library_differs.clone(),
        );
        Self { registry, ..m }
    }

    /// Counts one answered request and its latency.
    pub fn request(&self, labels: &RequestLabels, seconds: f64) {
        self.requests.get_or_create(labels).inc();
        self.latency.get_or_create(labels).observe(seconds);
    }

    pub fn login(&self, outcome: LoginOutcome) {
        let outcome = match outcome {
            LoginOutcome::Succeeded => "succeeded",
            LoginOutcome::Failed => "failed",
            LoginOutcome::Throttled => "throttled",
        };
        self.logins.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    pub fn attempt_started(&self) {
        self.attempts_started.inc();
    }

    /// `graded_now`: this request graded the attempt (not one already submitted, nor one past its deadline
    /// that the server closed on the answers saved in time).
    pub fn attempt_submitted(&self, graded_now: bool) {
        if graded_now {
            self.attempts_submitted.inc();
        }
    }

    /// Counts `row`, the answer to a learner's submit at `now`, if that submit graded it: core's submit
    /// answers a second submit (or the loser of a race) with the result stored first, and stamps a fresh
    /// grade with `now` to the microsecond, so only the request that graded it finds its own `now` there.
    pub fn submitted(
        &self,
        row: &daotao_core::entities::quiz_attempt::Model,
        now: chrono::DateTime<chrono::Utc>,
    ) {
        use chrono::SubsecRound;
        self.attempt_submitted(!row.closed_by_server && row.submitted_at == Some(now.trunc_subsecs(6)));
    }

    pub fn attempts_closed_by_server(&self, count: usize) {
        self.attempts_closed_by_server.inc_by(count as u64);
    }

    /// What one pass of the mail sender did.
    pub fn mail(&self, queued: u64, sent: u64, failed: u64) {
        for (state, n) in [("queued", queued), ("sent", sent), ("failed", failed)] {
            self.mail.get_or_create(&StateLabels { state }).inc_by(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_names_every_metric_with_its_prefix_suffix_and_labels() {
        let m = Metrics::new();
        m.request(&RequestLabels { method: "GET", route: "/courses/:course".into(), status: 200 }, 0.003);
        m.login(LoginOutcome::Throttled);
        m.attempt_submitted(false);
        m.attempt_submitted(true);
        let text = m.encode();
        for line in [
            "daotao_http_requests_total{method=\"GET\",route=\"/courses/:course\",status=\"200\"} 1",
            "daotao_http_request_duration_seconds_bucket{method=\"GET\",route=\"/courses/:course\",status=\"200\",le=\"0.005\"} 1",
            "daotao_logins_total{outcome=\"throttled\"} 1",
            "daotao_quiz_attempts_submitted_total 1",
            "# TYPE daotao_search_index_age_seconds gauge",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line:?} in:\n{text}");
        }
    }
}
