//! `/account/password`: a person changes their password (and must, after
//! logging in with a one-time password).

use std::sync::Arc;

use askama::Template;
use daotao_core::people::accounts::{AccountError, change_password};
use daotao_core::platform::audit::{self, Event};
use poem::http::StatusCode;
use poem::web::{Data, Form};
use poem::{Request, Response, handler};
use serde::Deserialize;

use super::login::internal;
use super::{Chrome, private_html};
use crate::auth::{self, Viewer, csrf};
use crate::i18n::Lang;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    chrome: Chrome,
    must_change: bool,
    error: Option<&'static str>,
    done: bool,
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    current: String,
    new: String,
    confirm: String,
}

/// `GET /account/password`.
#[handler]
pub fn password_form(req: &Request, viewer: Viewer, lang: Lang) -> Response {
    let Some(user) = viewer.user() else {
        return auth::login_redirect(req.uri().path());
    };
    let page = PasswordPage {
        chrome: Chrome::new(lang, req),
        must_change: user.must_change_password,
        error: None,
        done: false,
    };
    private_html(&page, StatusCode::OK)
}

/// `POST /account/password`.
#[handler]
pub async fn change(
    req: &Request,
    state: Data<&Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    Form(form): Form<PasswordForm>,
) -> poem::Result<Response> {
    let (Some(current), Some(user)) = (viewer.current.as_ref(), viewer.user()) else {
        return Ok(auth::login_redirect(req.uri().path()));
    };
    csrf::check(&viewer, &form.csrf)?;
    let t = lang.texts();
    let page = |error: Option<&'static str>, done: bool, status| {
        let must_change = user.must_change_password && !done;
        private_html(&PasswordPage { chrome: Chrome::new(lang, req), must_change, error, done }, status)
    };
    if form.new != form.confirm {
        return Ok(page(Some(t.password_mismatch), false, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let ip = auth::client_ip(req);
    let result = change_password(&state.db, user, &form.current, &form.new, Some(current.session.id)).await;
    let (outcome, detail) = match &result {
        Ok(()) => ("success", String::new()),
        Err(e) => ("failure", e.to_string()),
    };
    let event = Event {
        user_id: Some(user.id),
        actor: &user.username,
        action: "password_change",
        target: &user.username,
        ip: &ip,
        result: outcome,
        detail: &detail,
    };
    audit::record(&state.db, event).await.map_err(internal)?;
    match result {
        Ok(()) if user.must_change_password => Ok(auth::redirect("/me")),
        Ok(()) => Ok(page(None, true, StatusCode::OK)),
        Err(AccountError::WrongPassword) => {
            Ok(page(Some(t.password_wrong), false, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(AccountError::Weak(_)) => {
            Ok(page(Some(t.password_weak), false, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(internal(e)),
    }
}
