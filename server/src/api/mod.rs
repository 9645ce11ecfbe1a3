//! The JSON API under `/api/v1` (issue #3), with its OpenAPI spec at
//! `/api/openapi.json` and browsable docs at `/api/docs`.

use poem::{Endpoint, Route};

/// The API routes, nested under `/api` by the app.
pub fn routes() -> impl Endpoint {
    Route::new()
}
