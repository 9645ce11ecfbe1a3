//! `/sso/login`, `/sso/callback` and `/sso/logout`: signing in with the city's identity provider and
//! being signed out by it. The start of a sign-in is kept in the database (`sso_pending`, any server may
//! get the callback) and bound to the browser that started it by a short-lived cookie, so nobody can
//! log a victim into the attacker's account with a crafted callback link. Every failure gets a page in
//! the person's language saying what to do, and a log line for the admin; never a 500.

use std::sync::Arc;

use askama::Template;
use daotao_core::people::auth::token::{constant_time_eq, random_token};
use daotao_core::people::sso::{self, Refusal, pending};
use poem::http::{HeaderValue, StatusCode, header};
use poem::web::cookie::{Cookie, SameSite};
use poem::web::{Data, Form, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;

use super::{Chrome, PageResult, private_html, site_url};
use crate::auth::{self, Viewer};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::lang_switch::local_path;
use crate::sso::{Protocol, SignOnError, SingleSignOn, oidc};
use crate::state::AppState;
use crate::workflows::session as sessions;

/// The cookie that binds a sign-in to the browser that started it; it holds the sign-in's `state`.
const BINDING_COOKIE: &str = "daotao_sso";
/// How long a person has at the provider's login page.
const BINDING_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(600);

#[derive(Template)]
#[template(path = "sso_error.html")]
struct FailedPage {
    chrome: Chrome,
    message: String,
    next: String,
}

#[derive(Deserialize)]
pub struct Start {
    next: Option<String>,
}

/// `GET /sso/login?next=PATH`: to the provider's login page.
#[handler]
pub async fn start(
    req: &Request,
    state: Data<&Arc<AppState>>,
    viewer: Viewer,
    lang: Lang,
    Query(q): Query<Start>,
) -> PageResult {
    let sso =
        state.sso.as_ref().ok_or_else(|| AppError::NotFound("single sign-on is not configured".into()))?;
    let next = local_path(q.next.as_deref().or(Some("/me"))).to_string();
    if viewer.user().is_some() {
        return Ok(auth::redirect(&next));
    }
    let pending = pending::Pending {
        state: random_token(),
        nonce: random_token(),
        code_verifier: random_token(),
        next_path: next.clone(),
    };
    let site = site_url(&state, req);
    let to = match &sso.protocol {
        Protocol::Cas(cas) => Ok(cas.login_url(&cas_service(&site, &pending.state))),
        Protocol::Oidc(oidc) => {
            let challenge = oidc::Challenge {
                state: pending.state.clone(),
                nonce: pending.nonce.clone(),
                code_verifier: pending.code_verifier.clone(),
            };
            oidc.authorization_url(&oidc_redirect_uri(&site), &challenge).await
        }
    };
    let to = match to {
        Ok(to) => to,
        Err(e) => {
            tracing::warn!("single sign-on failed before the provider's page: {e}");
            return Ok(failed(req, lang, &next, &Failure::SignOn(e)));
        }
    };
    pending::save(&state.db, &pending).await.map_err(AppError::from)?;
    let mut resp = Response::builder().status(StatusCode::SEE_OTHER).header(header::LOCATION, to).finish();
    resp.headers_mut().append(header::SET_COOKIE, binding_cookie(&pending.state, state.auth.secure_cookies));
    Ok(resp)
}

#[derive(Deserialize)]
pub struct Callback {
    state: Option<String>,
    /// CAS.
    ticket: Option<String>,
    /// OpenID Connect.
    code: Option<String>,
    error: Option<String>,
    /// OpenID Connect: the issuer of the answer (RFC 9207), where the provider sends it.
    iss: Option<String>,
}

/// `GET /sso/callback`: the provider sends the person back with a CAS ticket or an OIDC code.
#[handler]
pub async fn callback(
    req: &Request,
    state: Data<&Arc<AppState>>,
    lang: Lang,
    Query(q): Query<Callback>,
) -> PageResult {
    let sso =
        state.sso.as_ref().ok_or_else(|| AppError::NotFound("single sign-on is not configured".into()))?;
    let ip = auth::remote_ip(req);
    let (next, outcome) = finish(req, &state, sso, &q).await;
    let next = next.unwrap_or_else(|| "/me".into());
    let mut resp = match outcome {
        Ok((identity, sso_session)) => {
            match sessions::sign_on(&state, sso, &identity, ip, sso_session.as_deref(), bearer(req)).await {
                Ok(new_session) => {
                    let mut resp = auth::redirect(&next);
                    resp.headers_mut().append(
                        header::SET_COOKIE,
                        auth::session_cookie(
                            &new_session.token,
                            state.auth.secure_cookies,
                            state.auth.policy.session_max,
                        ),
                    );
                    resp
                }
                Err(sessions::SignOnFailure::Refused(refusal)) => {
                    failed(req, lang, &next, &Failure::Account(refusal))
                }
                Err(sessions::SignOnFailure::App(e)) => return Err(e),
            }
        }
        Err(failure) => {
            tracing::warn!(ip = %auth::ip_text(ip), "single sign-on failed: {failure}");
            failed(req, lang, &next, &failure)
        }
    };
    resp.headers_mut().append(header::SET_COOKIE, binding_cookie("", state.auth.secure_cookies));
    Ok(resp)
}

/// Why a callback did not sign anyone in.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    SignOn(#[from] SignOnError),
    #[error("the account was refused: {0}")]
    Account(Refusal),
}

/// Checks the callback against the sign-in this browser started, then asks the provider who it is.
/// Returns where to go afterwards (once the sign-in is known) and the identity with the provider's
/// session handle for single logout.
async fn finish(
    req: &Request,
    state: &AppState,
    sso: &SingleSignOn,
    q: &Callback,
) -> (Option<String>, Result<(sso::Identity, Option<String>), Failure>) {
    let stale = |why: &str| Err(Failure::SignOn(SignOnError::Stale(why.into())));
    let Some(state_param) = q.state.as_deref().filter(|s| !s.is_empty()) else {
        return (None, stale("no state"));
    };
    let bound =
        req.cookie().get(BINDING_COOKIE).is_some_and(|c| constant_time_eq(c.value_str(), state_param));
    if !bound {
        return (None, stale("the state is not the one this browser started"));
    }
    let pending = match pending::take(&state.db, state_param).await {
        Ok(Some(pending)) => pending,
        Ok(None) => return (None, stale("unknown, expired or used state")),
        Err(e) => return (None, Err(Failure::SignOn(SignOnError::BadAnswer(format!("database: {e}"))))),
    };
    let next = Some(pending.next_path.clone());
    let site = site_url(state, req);
    let outcome = match &sso.protocol {
        Protocol::Cas(cas) => {
            let Some(ticket) = q.ticket.as_deref() else {
                return (next, Err(Failure::SignOn(SignOnError::Refused("CAS sent no ticket".into()))));
            };
            if let Err(failure) = spend(state, "cas-ticket", ticket).await {
                return (next, Err(failure));
            }
            match cas.validate(&cas_service(&site, &pending.state), ticket).await {
                Ok(v) => sso
                    .identity(&v.user, Some(&v.user), &v.attributes)
                    .map(|id| (id, Some(ticket.to_string()))),
                Err(e) => Err(e),
            }
        }
        Protocol::Oidc(oidc) => {
            if let Some(error) = &q.error {
                let error: String = error.chars().filter(|c| c.is_ascii_graphic()).take(100).collect();
                return (
                    next,
                    Err(Failure::SignOn(SignOnError::Refused(format!("the provider says {error}")))),
                );
            }
            // RFC 9207: an answer naming another issuer is a mix-up attack (or a misconfiguration).
            if q.iss.as_deref().is_some_and(|iss| iss != oidc.issuer()) {
                let why = "the answer names another issuer (iss)".to_string();
                return (next, Err(Failure::SignOn(SignOnError::Refused(why))));
            }
            let Some(code) = q.code.as_deref() else {
                return (
                    next,
                    Err(Failure::SignOn(SignOnError::Refused("the provider sent no code".into()))),
                );
            };
            if let Err(failure) = spend(state, "oidc-code", code).await {
                return (next, Err(failure));
            }
            match oidc.finish(&oidc_redirect_uri(&site), code, &pending.code_verifier, &pending.nonce).await {
                Ok(done) => {
                    let username = done.claims.get("preferred_username").map(String::as_str);
                    sso.identity(&done.subject, username, &done.claims).map(|id| (id, done.sid))
                }
                Err(e) => Err(e),
            }
        }
    };
    (next, outcome.map_err(Failure::SignOn))
}

/// A ticket or code is good once: the second time (a replay, a reload of the callback) it is refused.
async fn spend(state: &AppState, kind: &str, value: &str) -> Result<(), Failure> {
    match sso::spend_once(&state.db, kind, value).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(Failure::SignOn(SignOnError::Stale(format!("{kind} used twice")))),
        Err(e) => Err(Failure::SignOn(SignOnError::BadAnswer(format!("database: {e}")))),
    }
}

#[derive(Deserialize)]
pub struct ProviderLogout {
    /// CAS single logout: a SAML `LogoutRequest`.
    #[serde(rename = "logoutRequest")]
    logout_request: Option<String>,
    /// OpenID Connect back-channel logout.
    logout_token: Option<String>,
}

/// `POST /sso/logout`: the provider ends its session, and ours for it end too. Not a person's form, so
/// no CSRF token: CAS's request is trusted because only CAS and we know the ticket it names; an OIDC
/// logout token is verified like an ID token.
#[handler]
pub async fn provider_logout(
    state: Data<&Arc<AppState>>,
    Form(form): Form<ProviderLogout>,
) -> poem::Result<Response> {
    let sso =
        state.sso.as_ref().ok_or_else(|| AppError::NotFound("single sign-on is not configured".into()))?;
    let ended = match (&sso.protocol, form.logout_request, form.logout_token) {
        (Protocol::Cas(_), Some(request), _) => match crate::sso::cas::parse_logout_request(&request) {
            Some(ticket) => sessions::end_for_provider_session(&state, &ticket).await,
            None => Err("a CAS logout request without a service ticket".to_string()),
        },
        (Protocol::Oidc(oidc), _, Some(token)) => match oidc.verify_logout_token(&token).await {
            Ok(claims) => sessions::end_for_logout_token(&state, &claims).await,
            Err(e) => Err(e.to_string()),
        },
        _ => Err("no logoutRequest (CAS) or logout_token (OpenID Connect)".to_string()),
    };
    let (status, body) = match ended {
        Ok(count) => {
            tracing::info!(sessions = count, "single logout from the identity provider");
            (StatusCode::OK, String::new())
        }
        Err(why) => {
            tracing::warn!("single logout refused: {why}");
            (StatusCode::BAD_REQUEST, serde_json::json!({"error": "invalid_request"}).to_string())
        }
    };
    Ok(Response::builder()
        .status(status)
        .header(header::CACHE_CONTROL, "no-store")
        .content_type("application/json")
        .body(body))
}

/// Where our session's person goes after `/logout`: the provider's logout when they came through it.
pub async fn provider_logout_url(state: &AppState, req: &Request) -> Option<String> {
    let sso = state.sso.as_ref()?;
    let back_to = format!("{}/", site_url(state, req));
    match &sso.protocol {
        Protocol::Cas(cas) => Some(cas.logout_url(&back_to)),
        Protocol::Oidc(oidc) => oidc.end_session_url(&back_to).await,
    }
}

/// The service URL CAS validates the ticket against: the same string at login and at validation.
fn cas_service(site: &str, state: &str) -> String {
    format!("{site}/sso/callback?state={state}")
}

/// The redirect URI registered with the OpenID Connect provider.
fn oidc_redirect_uri(site: &str) -> String {
    format!("{site}/sso/callback")
}

/// The session cookie of whoever was logged in before, to end it at a new sign-in.
fn bearer(req: &Request) -> Option<String> {
    req.extensions().get::<Viewer>().and_then(|v| v.token.clone())
}

fn binding_cookie(state: &str, secure: bool) -> HeaderValue {
    let mut cookie = Cookie::new_with_str(BINDING_COOKIE, state);
    cookie.set_path("/sso/");
    cookie.set_http_only(true);
    // Lax: the provider's redirect back is a top-level GET from another site.
    cookie.set_same_site(SameSite::Lax);
    cookie.set_secure(secure);
    cookie.set_max_age(if state.is_empty() { std::time::Duration::ZERO } else { BINDING_MAX_AGE });
    HeaderValue::from_str(&cookie.to_string()).expect("cookie header")
}

/// The page that says why, with a way to try again (and to the password form where it still works).
fn failed(req: &Request, lang: Lang, next: &str, failure: &Failure) -> Response {
    let t = lang.texts();
    let (message, status) = match failure {
        Failure::SignOn(SignOnError::Unreachable(_) | SignOnError::BadAnswer(_)) => {
            (t.sso_unreachable.to_string(), StatusCode::BAD_GATEWAY)
        }
        Failure::SignOn(SignOnError::Refused(_)) => (t.sso_refused.to_string(), StatusCode::FORBIDDEN),
        Failure::SignOn(SignOnError::Stale(_)) => (t.sso_stale.to_string(), StatusCode::BAD_REQUEST),
        Failure::SignOn(SignOnError::MissingAttribute(a)) => {
            ((t.sso_missing_attribute)(a), StatusCode::BAD_GATEWAY)
        }
        Failure::Account(Refusal::Deactivated) => (t.sso_deactivated.to_string(), StatusCode::FORBIDDEN),
        Failure::Account(Refusal::NotRegistered) => (t.sso_not_registered.to_string(), StatusCode::FORBIDDEN),
        Failure::Account(Refusal::UnknownUnit(code)) => {
            ((t.sso_unknown_unit)(code.as_deref()), StatusCode::FORBIDDEN)
        }
        Failure::Account(Refusal::BadUsername(u)) => ((t.sso_bad_username)(u), StatusCode::FORBIDDEN),
        Failure::Account(Refusal::LinkedElsewhere) => {
            (t.sso_linked_elsewhere.to_string(), StatusCode::FORBIDDEN)
        }
        Failure::Account(Refusal::Db(_)) => (t.error_body.to_string(), StatusCode::INTERNAL_SERVER_ERROR),
    };
    let page = FailedPage { chrome: Chrome::new(lang, req), message, next: next.to_string() };
    private_html(&page, status)
}
