//! `/courses/{course}/learners`: the course's learners and their progress,
//! for the trainers assigned to the course and for admins only.

use std::sync::Arc;

use askama::Template;
use daotao_content::course::Course;
use daotao_core::learning::roster::{RosterLine, may_view, roster};
use poem::error::NotFoundError;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Request, Response, handler};

use super::login::internal;
use super::{Chrome, private_html};
use crate::auth::{self, Viewer};
use crate::i18n::Lang;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "learners.html")]
struct LearnersPage {
    chrome: Chrome,
    course: Arc<Course>,
    learners: Vec<RosterLine>,
}

#[handler]
pub async fn learners(
    req: &Request,
    state: Data<&Arc<AppState>>,
    viewer: Viewer,
    Path(id): Path<String>,
    lang: Lang,
) -> poem::Result<Response> {
    let Some(user) = viewer.user() else {
        return Ok(auth::login_redirect(req.uri().path()));
    };
    let course = state.library().courses.get(&id).cloned().ok_or(NotFoundError)?;
    if !may_view(&state.db, user, &id).await.map_err(internal)? {
        return Err(poem::Error::from_status(StatusCode::FORBIDDEN));
    }
    let today = daotao_core::platform::local_time::today();
    let learners = roster(&state.db, &id, today).await.map_err(internal)?;
    Ok(private_html(&LearnersPage { chrome: Chrome::new(lang, req), course, learners }, StatusCode::OK))
}
