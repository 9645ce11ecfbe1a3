//! Certificates: `/certificates/{code}`, the printable certificate, for its holder only; and `/verify/{code}`
//! (or `/verify?code=`), where anyone, without logging in, can confirm a certificate is genuine: it shows the
//! holder's name, the course and the date, and nothing else.

use std::sync::Arc;

use askama::Template;
use daotao_core::entities::certificate;
use daotao_core::learning::awards::{Held, certificate_by_code, from_course};
use poem::http::StatusCode;
use poem::web::{Data, Path, Query};
use poem::{Request, handler};
use serde::Deserialize;

use super::{Chrome, PageResult, html, private_html};
use crate::auth::guard::LoggedIn;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage {
    chrome: Chrome,
    cert: certificate::Model,
    /// The address printed on the certificate for checking it.
    verify_url: String,
    /// What completing the course recognised, as awarded then (a later change of mapping changes nothing).
    competencies: Vec<Held>,
    /// The course's length in hours, while the course is still in the library (0: not given).
    hours: u32,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    chrome: Chrome,
    /// What was typed, if anything.
    code: String,
    found: Option<certificate::Model>,
}

/// `GET /certificates/{code}`.
#[handler]
pub async fn show(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path(code): Path<String>,
    lang: Lang,
    me: LoggedIn,
) -> PageResult {
    let user = me.user();
    let cert = certificate_by_code(&state.db, &code).await?;
    let cert = cert
        .filter(|c| c.user_id == user.id)
        .ok_or_else(|| AppError::NotFound(format!("no certificate `{code}`")))?;
    let verify_url = format!("{}/verify/{}", super::site_url(&state, req), cert.code);
    let library = state.library();
    let competencies = from_course(&state.db, user.id, &cert.course_id, &library.competencies).await?;
    let hours = library.courses.get(&cert.course_id).map_or(0, |c| c.meta.hours);
    let page = CertificatePage { chrome: Chrome::new(lang, req), cert, verify_url, competencies, hours };
    Ok(private_html(&page, StatusCode::OK))
}

#[derive(Deserialize)]
pub struct CodeQuery {
    #[serde(default)]
    code: String,
}

/// `GET /verify?code=`: the form, or the answer for a typed code.
#[handler]
pub async fn form(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Query(q): Query<CodeQuery>,
    lang: Lang,
) -> PageResult {
    answer(req, &state, q.code, lang).await
}

/// `GET /verify/{code}`: the link printed on a certificate.
#[handler]
pub async fn verify(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path(code): Path<String>,
    lang: Lang,
) -> PageResult {
    answer(req, &state, code, lang).await
}

async fn answer(req: &Request, state: &AppState, code: String, lang: Lang) -> PageResult {
    let code: String = code.chars().take(64).collect();
    let found = if code.trim().is_empty() { None } else { certificate_by_code(&state.db, &code).await? };
    let status =
        if found.is_none() && !code.trim().is_empty() { StatusCode::NOT_FOUND } else { StatusCode::OK };
    Ok(html(&VerifyPage { chrome: Chrome::for_path(lang, req.uri().path()), code, found }, status))
}
