//! Who is calling the API: the session that `auth::resolve` already found
//! (from a bearer token or the site's session cookie), as operation
//! arguments that also describe the two ways to authenticate in the OpenAPI
//! document.
//!
//! CSRF is enforced here, so no operation can forget it: a call that changes
//! something (any method but GET, HEAD, OPTIONS) and is authenticated by the
//! session cookie must carry the session's CSRF token in `X-CSRF-Token`.
//! A bearer token cannot be sent by another site's page, so it needs none.

use std::sync::Arc;

use daotao_core::entities::user;
use daotao_core::people::auth::session::Current;
use daotao_core::people::auth::token::constant_time_eq;
use poem::http::Method;
use poem::{Request, RequestBody};
use poem_openapi::registry::{MetaSecurityScheme, Registry};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

use super::error::ApiError;
use crate::auth::{SESSION_COOKIE, Via, Viewer, csrf};
use crate::state::AppState;

/// Names of the security schemes in the OpenAPI document.
const BEARER: &str = "bearer";
const COOKIE: &str = "session_cookie";

/// A logged-in caller. As an operation argument: the call needs a session (401 without one).
pub struct Caller {
    pub current: Arc<Current>,
    pub via: Via,
    /// The raw session token, to end the session.
    pub token: String,
}

impl Caller {
    pub fn user(&self) -> &user::Model {
        &self.current.user
    }

    /// The caller of `req`, if logged in; `Err` if the call is cookie-authenticated,
    /// changes something and lacks the right CSRF token.
    fn of(req: &Request) -> Result<Option<Caller>, ApiError> {
        let Some(viewer) = req.extensions().get::<Viewer>() else {
            return Ok(None);
        };
        let (Some(current), Some(via), Some(token)) = (&viewer.current, viewer.via, &viewer.token) else {
            return Ok(None);
        };
        if via == Via::Cookie && !is_safe(req.method()) {
            let sent = req.headers().get(csrf::HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
            if sent.is_empty() || !constant_time_eq(&current.session.csrf_token, sent) {
                return Err(ApiError::Csrf);
            }
        }
        Ok(Some(Caller { current: current.clone(), via, token: token.clone() }))
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn register_schemes(registry: &mut Registry) {
    registry.create_security_scheme(
        BEARER,
        MetaSecurityScheme {
            ty: "http",
            description: Some("The `token` returned by `POST /session`, as `Authorization: Bearer <token>`."),
            name: None,
            key_in: None,
            scheme: Some("bearer"),
            bearer_format: None,
            flows: None,
            openid_connect_url: None,
        },
    );
    registry.create_security_scheme(
        COOKIE,
        MetaSecurityScheme {
            ty: "apiKey",
            description: Some(
                "The web site's session cookie (a browser logged in on the site). Calls that change something \
                 must then also send the session's CSRF token in `X-CSRF-Token`.",
            ),
            name: Some(SESSION_COOKIE),
            key_in: Some("cookie"),
            scheme: None,
            bearer_format: None,
            flows: None,
            openid_connect_url: None,
        },
    );
}

impl<'a> ApiExtractor<'a> for Caller {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        register_schemes(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        vec![BEARER, COOKIE]
    }

    async fn from_request(
        req: &'a Request,
        _body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        Ok(Caller::of(req)?.ok_or(ApiError::LoginRequired)?)
    }
}

/// A caller of the reading group (catalog, courses, lessons, search): logged in or not (the response then
/// has personal parts or not), unless reading needs a login (`anonymous_reading = false`: 401 without one).
pub struct Reader(pub Option<Caller>);

impl<'a> ApiExtractor<'a> for Reader {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        register_schemes(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        vec![BEARER, COOKIE]
    }

    fn has_security_fallback() -> bool {
        true
    }

    async fn from_request(
        req: &'a Request,
        _body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let caller = Caller::of(req)?;
        let open = req.data::<Arc<AppState>>().is_some_and(|s| s.auth.anonymous_reading);
        if caller.is_none() && !open {
            return Err(ApiError::LoginRequired.into());
        }
        Ok(Reader(caller))
    }
}
