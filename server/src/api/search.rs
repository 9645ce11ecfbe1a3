//! `GET /api/v1/search?q=&course=`: the same search as the `/search` page, as JSON.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::{Json, Response};
use poem_openapi::{Object, OpenApi};

use super::caller::Reader;
use super::error::ApiError;
use super::models::count;
use super::{ApiTags, public};
use crate::search::{Hit, Notice};
use crate::state::AppState;
use crate::workflows::find;

/// Hits per call unless `limit` says otherwise, and the most a call returns.
const DEFAULT_LIMIT: u32 = 20;
const MAX_LIMIT: u32 = 50;
/// Deeper than this nobody pages; it also bounds the work of one call.
const MAX_OFFSET: u32 = 1000;

pub struct SearchApi;

/// One search result: a lesson section, or a course.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SearchHit {
    /// The course id.
    pub course: String,
    pub course_title: String,
    /// The lesson id; absent when the course itself (title, summary) matched.
    pub lesson: Option<String>,
    /// The lesson's title (or the course's).
    pub title: String,
    /// The heading of the section the match is in; absent before the lesson's first heading.
    pub heading: Option<String>,
    /// The heading's `id` in the lesson (link to `#anchor`).
    pub anchor: Option<String>,
    /// The page to open, with the anchor: `/courses/{course}/{lesson}#{anchor}`.
    pub url: String,
    /// Text around the matches, HTML-escaped, with the matched words in `<mark>`.
    pub snippet_html: String,
    /// Relevance; higher is better. Only comparable within one search.
    pub score: f64,
}

impl From<Hit> for SearchHit {
    fn from(h: Hit) -> Self {
        Self {
            course: h.course,
            course_title: h.course_title,
            lesson: h.lesson,
            title: h.title,
            heading: h.heading,
            anchor: h.anchor,
            url: h.url,
            snippet_html: h.snippet_html,
            score: f64::from(h.score),
        }
    }
}

/// Search results, best first.
#[derive(Debug, Object)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    /// How many results there are in all (`hits` is one page of them).
    pub total: u32,
    /// What was done to the query (cut, a quote left open, `some_words` when no result holds every word
    /// and these hold some of them...), or `preparing` while the
    /// index is built after start-up (then there are no hits yet: ask again in a few seconds).
    pub notices: Vec<Notice>,
}

#[OpenApi(tag = "ApiTags::Search")]
impl SearchApi {
    /// Search the lessons
    ///
    /// Words match with or without diacritics ("chinh quyen so" finds "chính
    /// quyền số"), every word must be there (when no section has them all, those
    /// with the most of them come, with the notice `some_words`), "quoted phrases"
    /// must be there in order, the last word also matches as a prefix, and a word
    /// of five letters or more that no lesson has matches the words one typo away.
    /// Quizzes are not searched.
    #[oai(path = "/search", method = "get")]
    async fn search(
        &self,
        state: Data<&Arc<AppState>>,
        /// What to look for.
        q: Query<Option<String>>,
        /// A course id: search only that course.
        course: Query<Option<String>>,
        /// Hits to return (default 20, at most 50).
        limit: Query<Option<u32>>,
        /// Hits to skip, for the next page (at most 1000).
        offset: Query<Option<u32>>,
        _reader: Reader,
    ) -> Result<Response<Json<SearchResults>>, ApiError> {
        let course = course.0.filter(|c| !c.is_empty());
        if let Some(id) = &course {
            find::course(&state.library(), id)?;
        }
        let limit = limit.0.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT);
        let offset = offset.0.unwrap_or(0).min(MAX_OFFSET);
        let results = state.search.search(
            q.0.as_deref().unwrap_or_default(),
            course.as_deref(),
            limit as usize,
            offset as usize,
        )?;
        let body = Json(SearchResults {
            total: count(results.total),
            hits: results.hits.into_iter().map(SearchHit::from).collect(),
            notices: results.notices,
        });
        // The same for every caller, unless reading needs a login (then it is not for shared caches).
        Ok(if state.auth.anonymous_reading { public(body) } else { Response::new(body) })
    }
}
