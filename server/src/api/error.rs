//! The API's one error type: every failure a handler can report, its HTTP
//! status and its JSON body `{"error": "..."}`, decided here and nowhere else.
//! Errors that poem or poem-openapi raise themselves (an unknown path, a body
//! that is not the expected JSON...) are turned into the same shape by
//! [`json_errors`].

use std::time::Duration;

use poem::http::{HeaderValue, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaResponse, MetaResponses, Registry};
use poem_openapi::{ApiResponse, Object, ResponseContent};

/// The body of every error response.
#[derive(Debug, Clone, Object)]
pub struct ErrorBody {
    /// What went wrong, in words.
    pub error: String,
}

#[derive(Debug)]
pub enum ApiError {
    /// No valid session token (or session cookie) came with a personal call.
    LoginRequired,
    /// Unknown account, wrong password, locked or deactivated: one answer for all.
    BadCredentials,
    /// A call authenticated by the session cookie that changes something came
    /// without the session's `X-CSRF-Token`.
    Csrf,
    /// Logged in, but not allowed to do this.
    Forbidden(String),
    NotFound(String),
    /// Too many failed logins from this address: try again after the delay.
    Throttled(Duration),
    /// An error raised by poem or poem-openapi (bad JSON, unknown path...).
    Http(StatusCode, String),
    /// A failure on our side; the details are logged, never sent.
    Internal,
}

impl ApiError {
    /// A database (or other internal) failure: logged here, answered with a bare 500.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!("API: {e}");
        ApiError::Internal
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::LoginRequired | ApiError::BadCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Csrf | ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Http(status, _) => *status,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn message(&self) -> String {
        match self {
            ApiError::LoginRequired => {
                "login required: send `Authorization: Bearer <token>` from POST /api/v1/session".into()
            }
            ApiError::BadCredentials => "invalid username or password".into(),
            ApiError::Csrf => {
                "CSRF token missing or wrong: send the session's token in `X-CSRF-Token`".into()
            }
            ApiError::Forbidden(why) | ApiError::NotFound(why) | ApiError::Http(_, why) => why.clone(),
            ApiError::Throttled(_) => "too many failed logins from this address; try again later".into(),
            ApiError::Internal => "internal error".into(),
        }
    }

    /// An error poem or poem-openapi raised, in our shape. Server errors keep their details in the log.
    pub fn from_poem(err: poem::Error) -> Self {
        let status = err.status();
        if status.is_server_error() {
            return ApiError::internal(err);
        }
        let message = match status {
            StatusCode::NOT_FOUND => "no such API path".to_string(),
            StatusCode::METHOD_NOT_ALLOWED => "method not allowed on this path".to_string(),
            StatusCode::PAYLOAD_TOO_LARGE => "request body too large".to_string(),
            _ => err.to_string(),
        };
        ApiError::Http(status, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut resp = Json(ErrorBody { error: self.message() }).with_status(status).into_response();
        let headers = resp.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        match self {
            ApiError::LoginRequired => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::Throttled(wait) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs().max(1)));
            }
            _ => {}
        }
        resp
    }
}

impl From<ApiError> for poem::Error {
    fn from(e: ApiError) -> Self {
        poem::Error::from_response(e.into_response())
    }
}

/// In the OpenAPI document every operation gets one `default` response: the error body.
impl ApiResponse for ApiError {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "An error: 400 bad request, 401 not logged in or wrong credentials, 403 not allowed \
                              (or CSRF token missing), 404 no such course or lesson, 429 too many failed logins \
                              (see `Retry-After`), 500 internal error.",
                status: None,
                status_range: None,
                content: <Json<ErrorBody> as ResponseContent>::media_types(),
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        <Json<ErrorBody> as ResponseContent>::register(registry);
    }
}

/// Middleware body: no error leaves the API as anything but JSON (and none
/// reaches the site's HTML error pages).
pub async fn json_errors<E: Endpoint>(ep: E, req: Request) -> poem::Result<Response> {
    match ep.call(req).await {
        Ok(resp) => Ok(resp.into_response()),
        Err(err) if err.is_from_response() => Ok(err.into_response()),
        Err(err) => Ok(ApiError::from_poem(err).into_response()),
    }
}
