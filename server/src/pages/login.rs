//! `/login` and `/logout`: the login form (with a double-submit CSRF cookie,
//! the per-address throttle and one generic error), and ending a session.

use std::sync::Arc;

use askama::Template;
use poem::http::{HeaderValue, StatusCode, header};
use poem::web::{Data, Form, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;

use super::{Chrome, CsrfForm, PageResult, private_html};
use crate::auth::{self, Viewer, csrf};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::lang_switch::local_path;
use crate::state::AppState;
use crate::workflows::Actor;
use crate::workflows::session::{self, Door};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
    /// The single sign-on button's label, when a provider is configured.
    sso_label: Option<String>,
    /// Whether the password form is for admins only.
    admins_only: bool,
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
    username: String,
    password: String,
}

fn form_page(
    req: &Request,
    lang: Lang,
    next: &str,
    username: &str,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let state = req.data::<Arc<AppState>>().expect("app state");
    let (token, set_cookie) = csrf::login_token(req, state.auth.secure_cookies);
    let page = LoginPage {
        chrome: Chrome::new(lang, req),
        csrf: token,
        next: local_path(Some(next)).to_string(),
        username: username.to_string(),
        error,
        sso_label: state.sso.as_ref().map(|sso| sso.label.clone()),
        admins_only: state.auth.policy.passwords_for_admins_only,
    };
    let mut resp = private_html(&page, status);
    if let Some(cookie) = set_cookie {
        resp.headers_mut().append(header::SET_COOKIE, cookie);
    }
    resp
}

/// `GET /login`.
#[handler]
pub fn login_form(req: &Request, viewer: Viewer, lang: Lang, Query(q): Query<Next>) -> Response {
    let next = q.next.unwrap_or_else(|| "/me".into());
    if viewer.user().is_some() {
        return auth::redirect(local_path(Some(&next)));
    }
    form_page(req, lang, &next, "", None, StatusCode::OK)
}

/// `POST /login`.
#[handler]
pub async fn login(
    req: &Request,
    state: Data<&Arc<AppState>>,
    lang: Lang,
    Form(form): Form<LoginForm>,
) -> PageResult {
    csrf::check_login(req, &form.csrf)?;
    let t = lang.texts();
    let ip = auth::remote_ip(req);
    let error = match session::log_in(&state, Door::Site, ip, &form.username, &form.password).await {
        Ok(logged_in) => {
            let to = if logged_in.user.must_change_password {
                "/account/password"
            } else {
                local_path(Some(&form.next))
            };
            let mut resp = auth::redirect(to);
            resp.headers_mut().append(
                header::SET_COOKIE,
                auth::session_cookie(
                    &logged_in.session.token,
                    state.auth.secure_cookies,
                    state.auth.policy.session_max,
                ),
            );
            return Ok(resp);
        }
        Err(e) => e,
    };
    // Refused: the form again, saying why.
    let message = match &error {
        AppError::Throttled(_) => t.login_throttled.to_string(),
        AppError::LocalLoginOff => {
            (t.login_local_off)(state.sso.as_ref().map_or("", |sso| sso.label.as_str()))
        }
        AppError::BadCredentials => {
            let policy = &state.auth.policy;
            (t.login_failed)(policy.lockout_failures, policy.lockout.as_secs() / 60)
        }
        _ => return Err(error),
    };
    let mut resp = form_page(req, lang, &form.next, &form.username, Some(message), error.status());
    if let AppError::Throttled(wait) = error {
        resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs()));
    }
    Ok(resp)
}

/// `POST /logout`: ends the session, then, for a person who came through the single sign-on, goes on
/// to the provider's logout so the city's session ends too.
#[handler]
pub async fn logout(
    req: &Request,
    state: Data<&Arc<AppState>>,
    viewer: Viewer,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    let mut resp = auth::redirect("/");
    if let (Some(user), Some(token)) = (viewer.user(), viewer.token.as_deref()) {
        csrf::check(viewer.csrf_token().unwrap_or_default(), &form.csrf)?;
        let actor = Actor { user, ip: auth::client_ip(req) };
        session::log_out(&state, Door::Site, &actor, token).await?;
        if user.sso_provider.is_some()
            && let Some(to) = super::sso::provider_logout_url(&state, req).await
        {
            resp = Response::builder().status(StatusCode::SEE_OTHER).header(header::LOCATION, to).finish();
        }
    }
    resp.headers_mut().append(header::SET_COOKIE, auth::clear_session_cookie(state.auth.secure_cookies));
    Ok(resp)
}
