//! `/search?q=&course=&page=`: ranked results across all courses (or one),
//! each linking to the section its match is in, with the matched words
//! highlighted. Whatever is typed gets a page: empty, no results, a query that
//! was cut or had a stray quote, and the moments after start-up when the
//! index is still being built.

use std::sync::Arc;

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Query};
use poem::{Request, handler};

use super::{Chrome, PageResult, encode_query_value, html, private_html};
use crate::auth::Viewer;
use crate::i18n::Lang;
use crate::search::{Hit, Notice, Results};
use crate::state::AppState;

/// Results per page.
pub const PER_PAGE: usize = 20;
/// Pages beyond this are not offered (nobody reads page 50 of a search).
const MAX_PAGE: usize = 50;

/// A course to narrow the search to.
struct CourseOption {
    id: String,
    title: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    courses: Vec<CourseOption>,
    /// The chosen course's title, when the search is narrowed.
    course_title: Option<String>,
    results: Results,
    /// Notices in words.
    notices: Vec<&'static str>,
    page: usize,
    first: usize,
    last: usize,
    previous_url: Option<String>,
    next_url: Option<String>,
    /// The same query in every course.
    everywhere_url: String,
}

impl SearchPage {
    fn hits(&self) -> &[Hit] {
        &self.results.hits
    }
}

#[handler]
pub async fn search(
    req: &Request,
    state: Data<&Arc<AppState>>,
    viewer: Viewer,
    Query(params): Query<Vec<(String, String)>>,
    lang: Lang,
) -> PageResult {
    let here = req.uri().path_and_query().map_or("/search", |p| p.as_str());
    // The first of each parameter; a repeated or unknown one is no error.
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim());
    let q = param("q").unwrap_or_default().to_string();
    let course = param("course").filter(|c| !c.is_empty()).map(str::to_string);
    let page = param("page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1).clamp(1, MAX_PAGE);

    let library = state.library();
    let known_course = course.as_deref().and_then(|c| library.courses.get(c));
    let results =
        state.search.search(&q, known_course.map(|c| c.id.as_str()), PER_PAGE, (page - 1) * PER_PAGE)?;
    let t = lang.texts();
    let notices = results
        .notices
        .iter()
        .map(|n| match n {
            Notice::Truncated => t.search_truncated,
            Notice::UnclosedQuote => t.search_unclosed_quote,
            Notice::OperatorsIgnored => t.search_operators,
            Notice::Preparing => t.search_preparing,
            Notice::SomeWords => t.search_some_words,
        })
        .collect();
    let link = |page: usize| {
        let mut url = format!("/search?q={}", encode_query_value(&q));
        if let Some(c) = known_course {
            url.push_str(&format!("&course={}", encode_query_value(&c.id)));
        }
        format!("{url}&page={page}")
    };
    let first = (page - 1) * PER_PAGE + 1;
    let last = (page - 1) * PER_PAGE + results.hits.len();
    let more = results.total > last && page < MAX_PAGE;
    let mut chrome = Chrome::new(lang, req);
    chrome.path = encode_query_value(here);
    let personal = viewer.user().is_some();
    let view = SearchPage {
        chrome,
        courses: library
            .courses
            .values()
            .map(|c| CourseOption {
                id: c.id.clone(),
                title: c.meta.title.clone(),
                selected: known_course.is_some_and(|k| k.id == c.id),
            })
            .collect(),
        course_title: known_course.map(|c| c.meta.title.clone()),
        notices,
        page,
        first,
        last,
        previous_url: (page > 1).then(|| link(page - 1)),
        next_url: more.then(|| link(page + 1)),
        everywhere_url: format!("/search?q={}", encode_query_value(&q)),
        results,
        q,
    };
    Ok(if personal { private_html(&view, StatusCode::OK) } else { html(&view, StatusCode::OK) })
}
