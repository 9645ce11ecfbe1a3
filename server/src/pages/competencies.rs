//! `/me/competencies` ("Năng lực của tôi"): the competencies a learner holds with their evidence and where
//! each sits in the reference frameworks (#20: the national basic digital skills framework, DigComp), and the
//! transcript of completed courses with links to their certificates.

use std::sync::Arc;

use askama::Template;
use daotao_content::course::competency::{Competency, FrameworkLink};
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

/// A held competency with the places it maps to in the library's reference frameworks.
pub struct HeldRow {
    pub held: Held,
    pub maps: Vec<MapsTo>,
}

/// One line of "Tương ứng": a framework's short name and what of it the competency covers.
pub struct MapsTo {
    pub framework: String,
    /// The area names and the authors' note, `; ` between them; empty when the whole framework is meant.
    pub detail: String,
}

impl MapsTo {
    fn of(link: &FrameworkLink) -> Self {
        let mut parts = link.area_names.clone();
        if !link.note.trim().is_empty() {
            parts.push(link.note.trim().to_string());
        }
        MapsTo { framework: link.framework_short_name.clone(), detail: parts.join("; ") }
    }
}

/// The mapping as the library says it now: a competency no longer in `competencies.toml` maps to nothing.
fn maps_of(code: &str, framework: &[Competency]) -> Vec<MapsTo> {
    framework
        .iter()
        .find(|c| c.code == code)
        .map(|c| c.maps_to.iter().map(MapsTo::of).collect())
        .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "competencies.html")]
struct CompetenciesPage {
    chrome: Chrome,
    held: Vec<HeldRow>,
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
    let held = held
        .into_iter()
        .map(|held| HeldRow { maps: maps_of(&held.code, &library.competencies), held })
        .collect();
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
