//! `/me`: "Khoá học của tôi", the learner's courses with progress, due dates
//! and overdue marks, and where to continue.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use daotao_core::learning::awards::transcript;
use daotao_core::learning::progress::{MyCourse, my_courses};
use poem::http::StatusCode;
use poem::web::Data;
use poem::{Request, handler};

use super::{Chrome, PageResult, private_html};
use crate::auth::guard::LoggedIn;
use crate::i18n::Lang;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    chrome: Chrome,
    courses: Vec<MyCourse>,
    /// Certificate codes by course, for the completed courses' cards.
    certificates: HashMap<String, String>,
}

#[handler]
pub async fn me(req: &Request, state: Data<&Arc<AppState>>, lang: Lang, me: LoggedIn) -> PageResult {
    let user = me.user();
    let today = daotao_core::platform::local_time::today();
    let courses = my_courses(&state.db, user.id, today).await?;
    let certificates = transcript(&state.db, user.id)
        .await?
        .into_iter()
        .filter_map(|done| Some((done.course_id, done.certificate?.code)))
        .collect();
    Ok(private_html(&MePage { chrome: Chrome::new(lang, req), courses, certificates }, StatusCode::OK))
}
