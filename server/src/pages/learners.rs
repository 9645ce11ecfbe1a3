//! `/courses/{course}/learners`: the course's learners and their progress,
//! for the trainers assigned to the course and for admins only.

use std::sync::Arc;

use askama::Template;
use daotao_content::course::Course;
use daotao_core::learning::roster::{RosterLine, may_view, roster};
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Request, handler};

use super::{Chrome, PageResult, private_html};
use crate::auth::guard::LoggedIn;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::workflows::find;

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
    Path(id): Path<String>,
    lang: Lang,
    me: LoggedIn,
) -> PageResult {
    let course = find::course(&state.library(), &id)?.clone();
    if !may_view(&state.db, me.user(), &id).await? {
        return Err(AppError::Forbidden(format!("not a trainer of course `{id}`")));
    }
    let today = daotao_core::platform::local_time::today();
    let learners = roster(&state.db, &id, today).await?;
    Ok(private_html(&LearnersPage { chrome: Chrome::new(lang, req), course, learners }, StatusCode::OK))
}
