//! `/me`: "Khoá học của tôi", the learner's courses with progress, due dates
//! and overdue marks, and where to continue.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use daotao_core::learning::awards::transcript;
use daotao_core::learning::programmes::{Standing, my_programmes};
use daotao_core::learning::progress::{MyCourse, my_courses};
use poem::http::StatusCode;
use poem::web::Data;
use poem::{Request, handler};

use super::{Chrome, PageResult, private_html};
use crate::auth::guard::LoggedIn;
use crate::i18n::Lang;
use crate::state::AppState;

/// A programme as the page shows it: its title, its courses, and one sentence on where the person stands.
struct ProgrammeCard {
    title: String,
    courses: Vec<(String, String)>,
    status: String,
    attention: bool,
}

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    chrome: Chrome,
    programmes: Vec<ProgrammeCard>,
    courses: Vec<MyCourse>,
    /// The latest certificate's code by course, for the completed courses' cards.
    certificates: HashMap<String, String>,
    /// Completed courses whose questionnaire is not answered yet, as (id, title) (#19).
    feedback: Vec<(String, String)>,
}

#[handler]
pub async fn me(req: &Request, state: Data<&Arc<AppState>>, lang: Lang, me: LoggedIn) -> PageResult {
    let user = me.user();
    let today = daotao_core::platform::local_time::today();
    let courses = my_courses(&state.db, user.id, today).await?;
    let programmes = programme_cards(&state, lang, user.id, today).await?;
    let certificates = transcript(&state.db, user.id)
        .await?
        .into_iter()
        .filter_map(|done| Some((done.course_id.clone(), done.latest()?.code.clone())))
        .collect();
    let feedback = super::feedback::awaiting(&state, user.id).await?;
    let page = MePage { chrome: Chrome::new(lang, req), programmes, courses, certificates, feedback };
    Ok(private_html(&page, StatusCode::OK))
}

/// The person's programmes, titled and explained from the library's `programmes.toml` (a programme no
/// longer in the file still shows, under its id).
async fn programme_cards(
    state: &AppState,
    lang: Lang,
    user_id: i64,
    today: chrono::NaiveDate,
) -> Result<Vec<ProgrammeCard>, crate::error::AppError> {
    let t = lang.texts();
    let library = state.library();
    let date = |d: chrono::NaiveDate| d.format("%d/%m/%Y").to_string();
    let mine = my_programmes(&state.db, user_id, today).await?;
    Ok(mine
        .into_iter()
        .map(|p| {
            let known = library.programme(&p.programme_id);
            let courses = known
                .map(|k| {
                    k.courses
                        .iter()
                        .filter_map(|id| library.courses.get(id))
                        .map(|c| (c.id.clone(), c.meta.title.clone()))
                        .collect()
                })
                .unwrap_or_default();
            let until = p.valid_until.map(date);
            let (status, attention) = match p.standing {
                Standing::Due => ((t.programme_due)(&date(p.due_on)), false),
                Standing::Overdue => ((t.programme_overdue)(&date(p.due_on)), true),
                Standing::RenewalOpen => {
                    ((t.programme_renewal_open)(&date(p.due_on), until.as_deref().unwrap_or("")), true)
                }
                Standing::Valid => match &until {
                    Some(until) => ((t.programme_valid_until)(until), false),
                    None => (t.programme_valid_forever.to_string(), false),
                },
                Standing::Expired => ((t.programme_expired)(until.as_deref().unwrap_or("")), true),
            };
            ProgrammeCard {
                title: known.map_or_else(|| p.programme_id.clone(), |k| k.title.clone()),
                courses,
                status,
                attention,
            }
        })
        .collect())
}
