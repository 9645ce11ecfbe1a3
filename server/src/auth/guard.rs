//! The two route groups of the site, each guarded once in the route table (`app.rs`), in the way
//! zero2prod wraps a scope with a middleware:
//! - the reading group (catalog pages, lessons, course assets, search) is open to everyone unless
//!   `anonymous_reading = false`; then it is like
//! - the personal group (my courses, quizzes, attempts, certificates, password...): logged in, else to the
//!   login page, coming back afterwards.
//!
//! Handlers of the personal group take a [`LoggedIn`] (as atuin's `UserAuth`), which refuses the request
//! on its own should a route ever lose its guard.

use std::sync::Arc;

use daotao_core::entities::user;
use daotao_core::people::auth::session::Current;
use poem::{Endpoint, EndpointExt, FromRequest, IntoResponse, Request, RequestBody};

use super::{Viewer, login_redirect};
use crate::state::AppState;

/// Where a visitor sent to log in comes back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Back {
    /// The page asked for.
    ThisPage,
    /// The page asked for, with its query (a search).
    ThisPageAndQuery,
    /// The page whose form was sent: the address without its last segment (`/courses/c/enrol` → `/courses/c`).
    FormPage,
}

impl Back {
    fn path(self, req: &Request) -> &str {
        let path = req.uri().path();
        match self {
            Back::ThisPage => path,
            Back::ThisPageAndQuery => req.uri().path_and_query().map_or(path, |p| p.as_str()),
            Back::FormPage => path.rsplit_once('/').map_or(path, |(page, _)| page),
        }
    }
}

/// The personal group: only logged-in visitors reach `ep`. The refusal is a response, not an error, so the
/// route's compression and `Vary` apply to it as to the page.
pub fn personal<E: Endpoint + 'static>(back: Back, ep: E) -> impl Endpoint {
    ep.around(move |ep, req| async move {
        if logged_in(&req) {
            ep.call(req).await.map(IntoResponse::into_response)
        } else {
            Ok(login_redirect(back.path(&req)))
        }
    })
}

/// The reading group: everyone reaches `ep`, unless reading needs a login (`anonymous_reading = false`).
pub fn reading<E: Endpoint + 'static>(back: Back, ep: E) -> impl Endpoint {
    ep.around(move |ep, req| async move {
        let open = req.data::<Arc<AppState>>().is_some_and(|s| s.auth.anonymous_reading);
        if open || logged_in(&req) {
            ep.call(req).await.map(IntoResponse::into_response)
        } else {
            Ok(login_redirect(back.path(&req)))
        }
    })
}

fn logged_in(req: &Request) -> bool {
    req.extensions().get::<Viewer>().is_some_and(|v| v.current.is_some())
}

/// The logged-in person behind a request of the personal group.
pub struct LoggedIn {
    pub current: Arc<Current>,
}

impl LoggedIn {
    pub fn user(&self) -> &user::Model {
        &self.current.user
    }

    /// The session's CSRF token, which every form that changes something must carry.
    pub fn csrf_token(&self) -> &str {
        &self.current.session.csrf_token
    }
}

impl<'a> FromRequest<'a> for LoggedIn {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        match req.extensions().get::<Viewer>().and_then(|v| v.current.clone()) {
            Some(current) => Ok(LoggedIn { current }),
            None => Err(poem::Error::from_response(login_redirect(req.uri().path()))),
        }
    }
}
