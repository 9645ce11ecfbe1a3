//! `/login` and `/logout`: the login form (with a double-submit CSRF cookie,
//! the per-address throttle and one generic error), and ending a session.

use std::sync::Arc;
use std::time::Instant;

use askama::Template;
use daotao_core::people::auth::login::{LoginError, login as check_login};
use daotao_core::people::auth::session;
use daotao_core::platform::audit::{self, Event};
use poem::http::{HeaderValue, StatusCode, header};
use poem::web::{Data, Form, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;

use super::{Chrome, private_html};
use crate::auth::{self, Viewer, csrf};
use crate::i18n::Lang;
use crate::lang_switch::local_path;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
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
) -> poem::Result<Response> {
    csrf::check_login(req, &form.csrf)?;
    let t = lang.texts();
    let ip = auth::remote_ip(req);
    let ip_text = auth::client_ip(req);
    if let Some(ip) = ip
        && let Some(wait) = state.throttle.retry_after(ip, Instant::now())
    {
        tracing::warn!(ip = %ip, "login throttled");
        let mut resp = form_page(
            req,
            lang,
            &form.next,
            &form.username,
            Some(t.login_throttled.to_string()),
            StatusCode::TOO_MANY_REQUESTS,
        );
        resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs()));
        return Ok(resp);
    }
    match check_login(&state.db, &form.username, &form.password, &ip_text, &state.auth.policy).await {
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
            Ok(resp)
        }
        Err(LoginError::Invalid) => {
            if let Some(ip) = ip {
                state.throttle.record_failure(ip, Instant::now());
            }
            let policy = &state.auth.policy;
            let message = t
                .login_failed
                .replace("{failures}", &policy.lockout_failures.to_string())
                .replace("{minutes}", &(policy.lockout.as_secs() / 60).to_string());
            Ok(form_page(req, lang, &form.next, &form.username, Some(message), StatusCode::UNAUTHORIZED))
        }
        Err(LoginError::Db(e)) => {
            Err(poem::Error::from_string(e.to_string(), StatusCode::INTERNAL_SERVER_ERROR))
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// `POST /logout`.
#[handler]
pub async fn logout(
    req: &Request,
    state: Data<&Arc<AppState>>,
    viewer: Viewer,
    Form(form): Form<CsrfForm>,
) -> poem::Result<Response> {
    let mut resp = auth::redirect("/");
    if let (Some(user), Some(token)) = (viewer.user(), viewer.token.as_deref()) {
        csrf::check(&viewer, &form.csrf)?;
        session::end(&state.db, token).await.map_err(internal)?;
        let ip = auth::client_ip(req);
        audit::record(
            &state.db,
            Event {
                user_id: Some(user.id),
                actor: &user.username,
                action: "logout",
                target: &user.username,
                ip: &ip,
                result: "success",
                detail: "",
            },
        )
        .await
        .map_err(internal)?;
    }
    resp.headers_mut().append(header::SET_COOKIE, auth::clear_session_cookie(state.auth.secure_cookies));
    Ok(resp)
}

/// A database failure, as a 500 (logged by the error page middleware).
pub fn internal(e: impl std::fmt::Display) -> poem::Error {
    poem::Error::from_string(e.to_string(), StatusCode::INTERNAL_SERVER_ERROR)
}
