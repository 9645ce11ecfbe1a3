//! `/account/password`: a person changes their password (and must, after
//! logging in with a one-time password).

use std::sync::Arc;

use askama::Template;
use daotao_core::people::accounts::AccountError;
use poem::http::StatusCode;
use poem::web::{Data, Form};
use poem::{Request, Response, handler};
use serde::Deserialize;

use super::{Chrome, PageResult, private_html};
use crate::auth::guard::LoggedIn;
use crate::auth::{self, csrf};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::workflows::{Actor, account};

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
pub fn password_form(req: &Request, me: LoggedIn, lang: Lang) -> Response {
    let page = PasswordPage {
        chrome: Chrome::new(lang, req),
        must_change: me.user().must_change_password,
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
    lang: Lang,
    Form(form): Form<PasswordForm>,
    me: LoggedIn,
) -> PageResult {
    csrf::check(me.csrf_token(), &form.csrf)?;
    let user = me.user();
    let t = lang.texts();
    let page = |error: Option<&'static str>, done: bool, status| {
        let must_change = user.must_change_password && !done;
        private_html(&PasswordPage { chrome: Chrome::new(lang, req), must_change, error, done }, status)
    };
    if form.new != form.confirm {
        return Ok(page(Some(t.password_mismatch), false, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let actor = Actor { user, ip: auth::client_ip(req) };
    let session = me.current.session.id;
    match account::change_password(&state.db, &actor, &form.current, &form.new, session).await {
        Ok(()) if user.must_change_password => Ok(auth::redirect("/me")),
        Ok(()) => Ok(page(None, true, StatusCode::OK)),
        Err(e) => {
            let notice = match &e {
                AccountError::WrongPassword => Some(t.password_wrong),
                AccountError::Weak(_) => Some(t.password_weak),
                _ => None,
            };
            let e = AppError::from(e);
            match notice {
                Some(notice) => Ok(page(Some(notice), false, e.status())),
                None => Err(e),
            }
        }
    }
}
