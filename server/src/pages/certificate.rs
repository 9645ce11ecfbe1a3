//! Certificates: `/certificates/{code}`, the printable certificate, for its holder only; and `/verify/{code}`
//! (or `/verify?code=`), where anyone, without logging in, can confirm a certificate is genuine: it shows the
//! holder's name, the course, the date and, when it expires, whether it is still valid today (#18), and
//! nothing else.

use std::sync::Arc;

use askama::Template;
use daotao_core::entities::certificate;
use daotao_core::learning::awards::{Held, Validity, certificate_by_code, from_course, validity};
use daotao_core::platform::local_time;
use poem::http::StatusCode;
use poem::web::{Data, Path, Query};
use poem::{Request, handler};
use serde::Deserialize;

use super::{Chrome, PageResult, html, private_html};
use crate::auth::guard::LoggedIn;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;

/// What a certificate's page and `/verify` say of its validity, as of today in Viet Nam.
struct ValidityLine {
    text: String,
    expired: bool,
}

impl ValidityLine {
    /// None for a certificate that does not expire: nothing is said.
    fn of(lang: Lang, cert: &certificate::Model) -> Option<Self> {
        let t = lang.texts();
        let date = |d: chrono::NaiveDate| d.format("%d/%m/%Y").to_string();
        match validity(cert, local_time::today()) {
            Validity::Lasting => None,
            Validity::Until(d) => Some(Self { text: (t.certificate_valid_until)(&date(d)), expired: false }),
            Validity::ExpiredOn(d) => {
                Some(Self { text: (t.certificate_expired_on)(&date(d)), expired: true })
            }
        }
    }
}

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage {
    chrome: Chrome,
    cert: certificate::Model,
    validity: Option<ValidityLine>,
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
    validity: Option<ValidityLine>,
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
    let validity = ValidityLine::of(lang, &cert);
    let page =
        CertificatePage { chrome: Chrome::new(lang, req), cert, validity, verify_url, competencies, hours };
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
    let validity = found.as_ref().and_then(|cert| ValidityLine::of(lang, cert));
    let page = VerifyPage { chrome: Chrome::for_path(lang, req.uri().path()), code, found, validity };
    Ok(html(&page, status))
}
