//! The route table and the middleware every response goes through.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::middleware::{CatchPanic, Compression, CookieJarManager};
use poem::web::CompressionLevel;
use poem::{Endpoint, EndpointExt, Route, get, post};

use crate::auth::guard::{Back, personal, reading};
use crate::i18n::Lang;
use crate::pages::{
    account, attempt, catalog, certificate, competencies, course, error, feedback, learners, lesson, login,
    me, quiz, quiz_statistics, search, sso,
};
use crate::state::AppState;
use crate::{api, auth, course_assets, health, lang_switch, metrics, security_headers, static_files};

/// Compression level for pages: brotli 4 is smaller than gzip 6 on lesson HTML
/// (slow links matter) and still cheap; gzip 4 costs less CPU than poem's default.
const COMPRESSION_LEVEL: CompressionLevel = CompressionLevel::Precise(4);

/// Pages, CSS and JSON are compressed; course assets are not (images are
/// compressed already, and byte ranges of a compressed body would be wrong).
fn compressed<E: Endpoint + 'static>(ep: E) -> impl Endpoint {
    ep.with(Compression::new().with_quality(COMPRESSION_LEVEL)).around(vary)
}

/// Caches must keep apart what differs by encoding, language and who is logged in.
async fn vary<E: Endpoint>(ep: E, req: poem::Request) -> poem::Result<poem::Response> {
    use poem::IntoResponse;
    let mut resp = ep.call(req).await?.into_response();
    resp.headers_mut().append(
        poem::http::header::VARY,
        poem::http::HeaderValue::from_static("accept-encoding, accept-language, cookie"),
    );
    Ok(resp)
}

/// Builds the whole web application over `state`.
pub fn app(state: Arc<AppState>) -> impl Endpoint {
    let csp = security_headers::policy(state.sso.as_ref().map_or(&[][..], |sso| sso.origins.as_slice()));
    Route::new()
        .at("/", compressed(get(catalog::catalog)))
        .at("/healthz", compressed(get(health::healthz)))
        .at("/readyz", compressed(get(health::readyz)))
        .at("/lang/:code", get(lang_switch::switch))
        .at("/static/:file", compressed(get(static_files::serve)))
        // The reading group: everyone, unless `anonymous_reading = false`.
        .at("/courses/:course", compressed(get(reading(Back::ThisPage, course::course))))
        .at("/courses/:course/assets/*path", get(reading(Back::ThisPage, course_assets::serve)))
        .at("/courses/:course/:lesson", compressed(get(reading(Back::ThisPage, lesson::lesson))))
        .at("/search", compressed(get(reading(Back::ThisPageAndQuery, search::search))))
        // The personal group: logged in, else to the login page and back.
        .at("/courses/:course/enrol", post(personal(Back::FormPage, course::enrol)))
        .at("/courses/:course/learners", compressed(get(personal(Back::ThisPage, learners::learners))))
        // Course feedback (#19): the questionnaire and its results.
        .at(
            "/courses/:course/feedback",
            compressed(
                get(personal(Back::ThisPage, feedback::form))
                    .post(personal(Back::ThisPage, feedback::submit)),
            ),
        )
        .at(
            "/courses/:course/feedback/results",
            compressed(get(personal(Back::ThisPage, feedback::results_page))),
        )
        .at("/courses/:course/quizzes/:quiz", compressed(get(personal(Back::ThisPage, quiz::show_quiz))))
        .at("/courses/:course/quizzes/:quiz/attempts", post(personal(Back::FormPage, quiz::start)))
        .at(
            "/courses/:course/quizzes/:quiz/statistics",
            compressed(get(personal(Back::ThisPageAndQuery, quiz_statistics::statistics))),
        )
        .at(
            "/attempts/:id",
            compressed(
                get(personal(Back::ThisPage, attempt::show_attempt))
                    .post(personal(Back::ThisPage, attempt::post)),
            ),
        )
        .at("/courses/:course/:lesson/read", post(personal(Back::FormPage, lesson::mark_read)))
        .at("/me", compressed(get(personal(Back::ThisPage, me::me))))
        .at("/me/competencies", compressed(get(personal(Back::ThisPage, competencies::competencies))))
        .at("/certificates/:code", compressed(get(personal(Back::ThisPage, certificate::show))))
        .at(
            "/account/password",
            compressed(
                get(personal(Back::ThisPage, account::password_form))
                    .post(personal(Back::ThisPage, account::change)),
            ),
        )
        // Open to all.
        .at("/login", compressed(get(login::login_form).post(login::login)))
        .at("/logout", post(login::logout))
        .at("/sso/login", get(sso::start))
        // CAS servers send single logout to the service URL unless told otherwise: both routes take it.
        .at("/sso/callback", get(sso::callback).post(sso::provider_logout))
        .at("/sso/logout", post(sso::provider_logout))
        .at("/verify", compressed(get(certificate::form)))
        .at("/verify/:code", compressed(get(certificate::verify)))
        .nest("/api", api::routes())
        .around(metrics::requests::note)
        .around(auth::resolve)
        .data(state.clone())
        .around(error::render_errors)
        .with(
            CatchPanic::new().with_handler(|_| error::page(Lang::Vi, "/", StatusCode::INTERNAL_SERVER_ERROR)),
        )
        .with(CookieJarManager::new())
        .around(move |ep, req| security_headers::add(ep, req, csp.clone()))
        .around({
            let state = state.clone();
            move |ep, req| metrics::requests::observe(ep, req, state.clone())
        })
        // Before sessions are looked up, and not counted as a request: see `metrics::scrape`.
        .around(move |ep, req| metrics::scrape::on_main(ep, req, state.clone()))
}
