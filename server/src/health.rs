//! `/healthz`: for load balancers and monitoring; checks the database too.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{IntoResponse, Response, handler};
use serde::Serialize;

use crate::state::AppState;

#[derive(Serialize)]
struct Health {
    status: &'static str,
    database: bool,
    courses: usize,
}

#[handler]
pub async fn healthz(state: Data<&Arc<AppState>>) -> Response {
    let database = state.db.ping().await.is_ok();
    let health = Health {
        status: if database { "ok" } else { "degraded" },
        database,
        courses: state.library().courses.len(),
    };
    let status = if database { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    Json(health).with_status(status).with_header("cache-control", "no-store").into_response()
}
