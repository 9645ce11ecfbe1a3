//! Every request, once: counted in the metrics and written as one log line with its id, route template,
//! status, latency and user id. Never the query string, a header, a cookie or a body: the log must not hold a
//! password, a token or an answer.
//!
//! Two middlewares share a slot in the request: [`observe`], the outermost, times the request and writes the
//! line; [`note`], right around the route table, learns the route template poem matched and who is logged in
//! (the session is resolved between the two).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use poem::PathPattern;
use poem::http::{HeaderValue, Method};
use poem::{Endpoint, IntoResponse, Request, Response};
use tracing::Instrument;

use super::RequestLabels;
use crate::auth::Viewer;
use crate::state::AppState;

/// The header that carries the request id, in and out: nginx's `$request_id` can be passed in, so its log
/// and ours name the same request.
pub const REQUEST_ID: &str = "x-request-id";

/// The route label of a request answered before it reached the route table (no route matched, a session
/// lookup that failed, the redirect to change a one-time password).
const NO_ROUTE: &str = "none";

/// What [`note`] learns for [`observe`].
#[derive(Default)]
struct Seen {
    route: Mutex<Option<Arc<str>>>,
    user_id: Mutex<Option<i64>>,
}

/// The outermost middleware: see the module's notes.
pub async fn observe<E: Endpoint>(ep: E, mut req: Request, state: Arc<AppState>) -> poem::Result<Response> {
    let started = Instant::now();
    let request_id = incoming_id(&req).unwrap_or_else(|| format!("{:016x}", rand::random::<u64>()));
    let method = method_label(req.method());
    let seen = Arc::new(Seen::default());
    req.extensions_mut().insert(seen.clone());
    // What is logged while the request is served carries its id (`request{request_id=…}`).
    let span = tracing::info_span!("request", request_id = request_id.as_str());
    let result = ep.call(req).instrument(span).await.map(IntoResponse::into_response);
    let latency = started.elapsed();
    let status = match &result {
        Ok(resp) => resp.status(),
        Err(e) => e.status(),
    };
    let route = seen.route.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let route = route.as_deref().unwrap_or(NO_ROUTE);
    let user_id = *seen.user_id.lock().unwrap_or_else(|e| e.into_inner());
    state.metrics.request(
        &RequestLabels { method, route: route.to_string(), status: status.as_u16() },
        latency.as_secs_f64(),
    );
    tracing::info!(
        target: "daotao_server::request",
        request_id = request_id.as_str(),
        method,
        route,
        status = status.as_u16(),
        latency_ms = (latency.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
        user_id,
        "request"
    );
    let mut resp = result?;
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(resp)
}

/// Right around the route table: records the route template and the logged-in person for [`observe`].
pub async fn note<E: Endpoint>(ep: E, req: Request) -> poem::Result<Response> {
    let seen = req.extensions().get::<Arc<Seen>>().cloned();
    if let Some(seen) = &seen
        && let Some(user) = req.extensions().get::<Viewer>().and_then(Viewer::user)
    {
        *seen.user_id.lock().unwrap_or_else(|e| e.into_inner()) = Some(user.id);
    }
    let result = ep.call(req).await.map(IntoResponse::into_response);
    if let Some(seen) = seen {
        let pattern = match &result {
            Ok(resp) => resp.data::<PathPattern>(),
            Err(e) => e.data::<PathPattern>(),
        };
        if let Some(pattern) = pattern {
            *seen.route.lock().unwrap_or_else(|e| e.into_inner()) = Some(pattern.0.clone());
        }
    }
    result
}

/// The id the client (a proxy) sent, if it is a short token of safe characters; else a new one is made.
fn incoming_id(req: &Request) -> Option<String> {
    let id = req.headers().get(REQUEST_ID)?.to_str().ok()?;
    let safe = !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    safe.then(|| id.to_string())
}

/// The method as a label: the few the site answers, everything else `other` (bounded cardinality).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
