//! Full-text search over the course library (issue #5), for `/search` and
//! `GET /api/v1/search`.
//!
//! The index lives in memory and is rebuilt whole from the library on a
//! worker thread: at start-up (pages are served meanwhile) and after every
//! reload. A finished index is swapped in behind an `Arc`, so a search in
//! progress keeps the index it started with and no search ever waits for a
//! build. Bursts of reloads are coalesced: only the newest library is built.

pub mod analyzer;
pub mod index;
pub mod query;
pub mod snippet;

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

use daotao_content::course::Library;

pub use self::index::SearchIndex;
pub use self::query::{Notice, ParsedQuery};

/// One result: a lesson section (or a course), where to go, and why it matched.
#[derive(Debug, Clone)]
pub struct Hit {
    pub course: String,
    pub course_title: String,
    /// `None` when the course itself (title, summary) matched.
    pub lesson: Option<String>,
    /// The lesson's title, or the course's.
    pub title: String,
    /// The heading of the section the match is in; `None` before the first heading.
    pub heading: Option<String>,
    /// The heading's `id` in the lesson page.
    pub anchor: Option<String>,
    /// The page (and anchor) to open.
    pub url: String,
    /// Escaped text around the matches, which are wrapped in `<mark>`.
    pub snippet_html: String,
    pub score: f32,
}

/// The answer to a search.
#[derive(Debug, Clone, Default)]
pub struct Results {
    pub hits: Vec<Hit>,
    /// How many documents match in all (not only those in `hits`).
    pub total: usize,
    pub notices: Vec<Notice>,
    /// False until the first index is built.
    pub ready: bool,
}

/// The search service: the current index, and the worker that rebuilds it.
pub struct Search {
    shared: Arc<Shared>,
    requests: Mutex<Sender<(u64, Arc<Library>)>>,
}

struct Shared {
    /// The index in use and when it was swapped in (its age is a metric, #21).
    current: RwLock<Option<(Arc<SearchIndex>, Instant)>>,
    /// (requested, built) generations.
    progress: Mutex<(u64, u64)>,
    built: Condvar,
    /// Tests hold a finished build here, before it is swapped in, to search while a rebuild is under way.
    #[cfg(test)]
    gate: Mutex<Option<Receiver<()>>>,
}

impl Default for Search {
    fn default() -> Self {
        Self::new()
    }
}

impl Search {
    /// Starts the worker thread; it ends when the service is dropped.
    pub fn new() -> Self {
        let shared = Arc::new(Shared {
            current: RwLock::new(None),
            progress: Mutex::new((0, 0)),
            built: Condvar::new(),
            #[cfg(test)]
            gate: Mutex::new(None),
        });
        let (sender, receiver) = channel();
        let worker = shared.clone();
        std::thread::Builder::new()
            .name("search-index".into())
            .spawn(move || worker.run(receiver))
            .expect("spawn the search index thread");
        Self { shared, requests: Mutex::new(sender) }
    }

    /// Asks for `library` to be indexed; returns at once.
    pub fn rebuild(&self, library: Arc<Library>) {
        let mut progress = self.shared.progress.lock().unwrap_or_else(|e| e.into_inner());
        progress.0 += 1;
        let generation = progress.0;
        // Sent under the lock: generations reach the worker in order.
        let sent = self.requests.lock().unwrap_or_else(|e| e.into_inner()).send((generation, library));
        drop(progress);
        if sent.is_err() {
            tracing::error!("the search index thread has stopped; search results will not change");
        }
    }

    /// The index searches use now; `None` until the first one is built.
    pub fn current(&self) -> Option<Arc<SearchIndex>> {
        self.current_with_age().map(|(index, _)| index)
    }

    /// The index in use and how long ago it was built, for `/metrics`.
    pub fn current_with_age(&self) -> Option<(Arc<SearchIndex>, Duration)> {
        let current = self.shared.current.read().unwrap_or_else(|e| e.into_inner());
        current.as_ref().map(|(index, built)| (index.clone(), built.elapsed()))
    }

    /// Waits until every library asked for so far is indexed (tests, benchmarks); false on timeout.
    pub fn wait_until_current(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut progress = self.shared.progress.lock().unwrap_or_else(|e| e.into_inner());
        let wanted = progress.0;
        while progress.1 < wanted {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return false;
            };
            progress = self.shared.built.wait_timeout(progress, left).unwrap_or_else(|e| e.into_inner()).0;
        }
        true
    }

    /// Searches the current index; `limit` hits from `offset`.
    pub fn search(
        &self,
        input: &str,
        course: Option<&str>,
        limit: usize,
        offset: usize,
    ) -> tantivy::Result<Results> {
        let query = ParsedQuery::parse(input);
        let mut results = Results { notices: query.notices.clone(), ..Results::default() };
        let Some(index) = self.current() else {
            results.notices.push(Notice::Preparing);
            return Ok(results);
        };
        results.ready = true;
        let (mut hits, mut total) = index.search(&query, course, limit, offset)?;
        // Nothing has every word: the sections with the most of them. Not within one course: there the page
        // offers every course first, where all the words may well be.
        if total == 0
            && course.is_none()
            && let Some(some_words) = query.with_some_words()
        {
            (hits, total) = index.search(&some_words, course, limit, offset)?;
            if total > 0 {
                results.notices = some_words.notices;
            }
        }
        results.hits = hits;
        results.total = total;
        Ok(results)
    }
}

impl Shared {
    fn run(&self, requests: Receiver<(u64, Arc<Library>)>) {
        while let Ok(mut request) = requests.recv() {
            // Only the newest library matters.
            while let Ok(newer) = requests.try_recv() {
                request = newer;
            }
            let (generation, library) = request;
            let started = Instant::now();
            match SearchIndex::build(&library) {
                Ok(index) => {
                    #[cfg(test)]
                    if let Some(gate) = self.gate.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
                        let _ = gate.recv();
                    }
                    let documents = index.len();
                    *self.current.write().unwrap_or_else(|e| e.into_inner()) =
                        Some((Arc::new(index), Instant::now()));
                    tracing::info!(
                        documents,
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "search index built"
                    );
                }
                Err(e) => tracing::error!("building the search index failed; the previous one is kept: {e}"),
            }
            let mut progress = self.progress.lock().unwrap_or_else(|e| e.into_inner());
            progress.1 = progress.1.max(generation);
            self.built.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn before_the_first_build_searches_say_preparing() {
        let search = Search::new();
        let results = search.search("chính quyền", None, 20, 0).unwrap();
        assert!(!results.ready);
        assert!(results.hits.is_empty());
        assert_eq!(results.notices, [Notice::Preparing]);
        assert!(search.wait_until_current(Duration::from_secs(1)), "nothing asked, nothing to wait for");
    }

    /// A library of one course whose one lesson says `text`.
    fn library_saying(text: &str) -> (tempfile::TempDir, Arc<Library>) {
        let dir = tempfile::tempdir().unwrap();
        let course = dir.path().join("khoa");
        std::fs::create_dir_all(&course).unwrap();
        std::fs::write(course.join("course.toml"), "title = \"Khoá\"\n").unwrap();
        std::fs::write(course.join("01-bai.md"), format!("# Bài\n\n{text}\n")).unwrap();
        let library = daotao_content::course::load_library(dir.path());
        assert!(library.problems.is_empty(), "{:?}", library.problems);
        (dir, Arc::new(library))
    }

    #[test]
    fn searches_answer_from_the_old_index_while_a_rebuild_is_under_way() {
        let search = Search::new();
        let (_old, old) = library_saying("Hươu cao cổ.");
        search.rebuild(old);
        assert!(search.wait_until_current(Duration::from_secs(60)));
        let (release, gate) = channel();
        *search.shared.gate.lock().unwrap() = Some(gate);
        let (_new, new) = library_saying("Tê giác một sừng.");
        search.rebuild(new);
        // The rebuild is under way (built, held before its swap): searches answer at once, from the old index.
        let during = search.search("huou cao co", None, 20, 0).unwrap();
        assert!(during.ready && during.total == 1, "{during:?}");
        assert_eq!(search.search("te giac", None, 20, 0).unwrap().total, 0, "not swapped in yet");
        assert!(!search.wait_until_current(Duration::from_millis(50)), "the rebuild is still held");
        release.send(()).unwrap();
        assert!(search.wait_until_current(Duration::from_secs(60)));
        assert_eq!(search.search("te giac", None, 20, 0).unwrap().total, 1, "swapped in");
        assert_eq!(search.search("huou cao co", None, 20, 0).unwrap().total, 0);
    }

    #[test]
    fn a_build_is_swapped_in_and_bursts_end_with_the_newest_library() {
        let search = Search::new();
        for _ in 0..5 {
            search.rebuild(Arc::new(Library::default()));
        }
        assert!(search.wait_until_current(Duration::from_secs(60)));
        let index = search.current().expect("built");
        assert!(index.is_empty());
        let results = search.search("x", None, 20, 0).unwrap();
        assert!(results.ready && results.notices.is_empty());
    }
}
