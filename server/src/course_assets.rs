//! `/courses/{course}/assets/{path}`: images and files lessons link to.
//!
//! Only files the loader found in the course's `assets/` folder are served
//! (never a path built from the URL alone), so `..`, encoded slashes or
//! symlinks cannot reach anything else on disk.

use std::sync::Arc;

use poem::error::NotFoundError;
use poem::http::{HeaderValue, header};
use poem::web::{Data, Path, StaticFileRequest};
use poem::{IntoResponse, Response, handler};

use crate::state::AppState;

/// In the reading group (`auth::guard::reading`): with `anonymous_reading = false`, for logged-in readers only.
#[handler]
pub fn serve(
    state: Data<&Arc<AppState>>,
    Path((course_id, asset)): Path<(String, String)>,
    request: StaticFileRequest,
) -> poem::Result<Response> {
    let library = state.library();
    let course = library.courses.get(&course_id).ok_or(NotFoundError)?;
    if !course.assets.contains(&asset) {
        return Err(NotFoundError.into());
    }
    let path = course.dir.join("assets").join(&asset);
    let mut response = request.create_response(&path, true, false)?.into_response();
    let headers = response.headers_mut();
    // Shared caches may keep assets only when anyone may read them.
    let cache = if state.auth.anonymous_reading { "public, max-age=300" } else { "private, max-age=300" };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(crate::security_headers::ASSET_CONTENT_SECURITY_POLICY),
    );
    Ok(response)
}
