//! The JSON API under `/api/v1` (issue #3), with its OpenAPI spec at
//! `/api/openapi.json` and browsable docs at `/api/docs`.
//!
//! Who is calling comes from `auth::resolve` (a bearer token from `POST
//! /api/v1/session`, or the site's session cookie plus `X-CSRF-Token` for
//! calls that change something: see [`caller`]). Every error is JSON
//! (`{"error": "..."}`, see [`error`]); every answer is `Cache-Control:
//! no-store` unless it is the same for everyone.

pub mod attempt_models;
pub mod attempts;
pub mod caller;
pub mod courses;
pub mod error;
pub mod me;
pub mod models;
pub mod optional_json;
pub mod quiz_statistics;
pub mod search;
pub mod session;

use std::sync::Arc;

use daotao_core::people::auth::token::random_token;
use poem::endpoint::make_sync;
use poem::http::{HeaderValue, header};
use poem::middleware::Compression;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, get};
use poem_openapi::{OpenApiService, Tags};

use self::error::ApiError;

/// Request bodies larger than this are refused (413) before they are parsed.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Tags)]
pub enum ApiTags {
    /// Logging in and out.
    Session,
    /// The catalog, courses, lessons, enrolment and progress.
    Courses,
    /// The caller's own records.
    Me,
    /// Quiz attempts: start, save answers, submit, review.
    Quizzes,
    /// Searching the lessons of every course.
    Search,
}

type Apis = (
    session::SessionApi,
    courses::CoursesApi,
    attempts::AttemptsApi,
    me::MeApi,
    search::SearchApi,
    quiz_statistics::QuizStatisticsApi,
);

/// The OpenAPI service (operations and document).
pub fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (
            session::SessionApi,
            courses::CoursesApi,
            attempts::AttemptsApi,
            me::MeApi,
            search::SearchApi,
            quiz_statistics::QuizStatisticsApi,
        ),
        "Đào tạo số API",
        "1",
    )
        .description(
            "The learner API of Đào tạo số. Log in with `POST /session` and send the token as \
             `Authorization: Bearer <token>`. A browser logged in on the web site may instead use its session \
             cookie, and then sends the session's CSRF token in `X-CSRF-Token` with every call that changes \
             something. Errors are JSON: `{\"error\": \"...\"}`.",
        )
        .server("/api/v1")
}

/// The API routes, nested under `/api` by the app.
pub fn routes() -> impl Endpoint {
    let service = service();
    let spec = service.spec_endpoint();
    let docs = Arc::new(SwaggerPage::new(service.swagger_ui_html()));
    Route::new()
        .nest("/v1", service.around(v1_defaults))
        .at("/openapi.json", get(spec))
        .at("/docs", get(make_sync(move |_| docs.response())))
        .around(error::json_errors)
        .with(Compression::new())
        .around(vary_accept_encoding)
}

/// A response that is the same for every caller: it may be kept, but is checked again before use.
pub fn public<T>(body: T) -> poem_openapi::payload::Response<T> {
    poem_openapi::payload::Response::new(body).header(header::CACHE_CONTROL, "no-cache")
}

/// Middleware body for `/v1`: a cap on the request body, and `no-store`
/// on every answer that did not say otherwise (most are personal).
async fn v1_defaults<E: Endpoint>(ep: E, mut req: Request) -> poem::Result<Response> {
    let body = req.take_body().into_bytes_limit(MAX_BODY_BYTES).await?;
    req.set_body(body);
    let mut resp = ep.call(req).await?.into_response();
    if !resp.headers().contains_key(header::CACHE_CONTROL) {
        resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(resp)
}

/// Caches must keep compressed and plain copies apart.
async fn vary_accept_encoding<E: Endpoint>(ep: E, req: Request) -> poem::Result<Response> {
    let mut resp = ep.call(req).await?.into_response();
    resp.headers_mut().append(header::VARY, HeaderValue::from_static("accept-encoding"));
    Ok(resp)
}

/// Swagger UI, as poem-openapi embeds it: its script, style and the spec are
/// all inline in one page (nothing is fetched from elsewhere). The site's
/// policy forbids inline code, so this page gets its own policy that allows
/// exactly its own three inline elements, by a fresh nonce per response.
struct SwaggerPage {
    html: String,
    /// Byte offsets just after `<style`, the first `<script` and the second `<script`.
    nonce_at: Option<[usize; 3]>,
}

impl SwaggerPage {
    fn new(html: String) -> Self {
        let nonce_at = Self::find_inline_elements(&html);
        if nonce_at.is_none() {
            tracing::error!("the Swagger UI page does not have the expected shape; /api/docs is disabled");
        }
        Self { html, nonce_at }
    }

    /// The page is `<style>css</style><script>bundle</script> ... <script>start(spec)</script>`.
    fn find_inline_elements(html: &str) -> Option<[usize; 3]> {
        let after = |from: usize, needle: &str| html[from..].find(needle).map(|i| from + i + needle.len());
        let style = after(0, "<style")?;
        let style_end = after(style, "</style")?;
        let bundle = after(style_end, "<script")?;
        let bundle_end = after(bundle, "</script")?;
        let start = after(bundle_end, "<script")?;
        after(start, "</script")?;
        Some([style, bundle, start])
    }

    fn response(&self) -> Response {
        let Some([style, bundle, start]) = self.nonce_at else {
            return ApiError::Internal.into_response();
        };
        let nonce = random_token();
        let attr = format!(" nonce=\"{nonce}\"");
        let html = &self.html;
        let mut page = String::with_capacity(html.len() + 3 * attr.len());
        page.push_str(&html[..style]);
        page.push_str(&attr);
        page.push_str(&html[style..bundle]);
        page.push_str(&attr);
        page.push_str(&html[bundle..start]);
        page.push_str(&attr);
        page.push_str(&html[start..]);
        let csp = format!(
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'nonce-{nonce}'; \
             script-src 'self' 'nonce-{nonce}'; connect-src 'self'; object-src 'none'; base-uri 'self'; \
             form-action 'self'; frame-ancestors 'none'"
        );
        Response::builder()
            .content_type("text/html; charset=utf-8")
            .header(header::CONTENT_SECURITY_POLICY, csp)
            .header(header::CACHE_CONTROL, "no-store")
            .body(page)
    }
}
