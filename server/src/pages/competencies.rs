//! `/me/competencies` ("Năng lực của tôi"): the competencies a learner holds with their evidence, and the
//! transcript of completed courses with links to their certificates.

use std::sync::Arc;

use askama::Template;
use daotao_core::learning::awards::{self, Completed, Held};
use poem::http::StatusCode;
use poem::web::Data;
use poem::{Request, handler};

use super::{Chrome, PageResult, private_html};
use crate::auth::guard::LoggedIn;
use crate::i18n::Lang;
use crate::state::AppState;

pub struct TranscriptLine {
    pub completed: Completed,
    pub title: String,
}

#[derive(Template)]
#[template(path = "competencies.html")]
struct CompetenciesPage {
    chrome: Chrome,
    held: Vec<Held>,
    /// Course titles of the evidence, by course id.
    titles: std::collections::HashMap<String, String>,
    transcript: Vec<TranscriptLine>,
}

impl CompetenciesPage {
    fn title_of<'a>(&'a self, course_id: &'a str) -> &'a str {
        self.titles.get(course_id).map(String::as_str).unwrap_or(course_id)
    }
}

/// `GET /me/competencies`.
#[handler]
pub async fn competencies(
    req: &Request,
    state: Data<&Arc<AppState>>,
    lang: Lang,
    me: LoggedIn,
) -> PageResult {
    let user = me.user();
    let library = state.library();
    let held = awards::held(&state.db, user.id, &library.competencies).await?;
    let completed = awards::transcript(&state.db, user.id).await?;
    let title = |course_id: &str| -> String {
        library.courses.get(course_id).map(|c| c.meta.title.clone()).unwrap_or_else(|| course_id.to_string())
    };
    let titles = held.iter().map(|h| (h.award.course_id.clone(), title(&h.award.course_id))).collect();
    let transcript = completed
        .into_iter()
        .map(|c| TranscriptLine {
            title: c.latest().map(|cert| cert.course_title.clone()).unwrap_or_else(|| title(&c.course_id)),
            completed: c,
        })
        .collect();
    let page = CompetenciesPage { chrome: Chrome::new(lang, req), held, titles, transcript };
    Ok(private_html(&page, StatusCode::OK))
}
