//! Full-text search over the course library (issue #5), for `/search` and
//! `GET /api/v1/search`.
//!
//! The index lives in memory and is kept by a worker thread: built whole from
//! the library at start-up (pages are served meanwhile) and when a reload
//! changed something every course depends on, updated course by course when
//! a reload changed only some courses ([`indexer`]). Each finished index is
//! swapped in behind an `Arc` as a snapshot, so a search in progress keeps the
//! index it started with and no search ever waits for a build or an update.
//! Bursts of reloads are coalesced: the newest library is indexed, once.

pub mod analyzer;
pub mod index;
pub mod indexer;
pub mod query;
pub mod snippet;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

use daotao_content::course::Library;

pub use self::index::SearchIndex;
use self::indexer::Indexer;
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

/// What of a changed library must be indexed again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reindex {
    /// Everything: the index is built anew.
    Everything,
    /// These courses only (changed, added or removed); none when only the library's problems changed.
    Courses(BTreeSet<String>),
}

impl Reindex {
    /// What two changes in a row need.
    fn and(self, next: Reindex) -> Reindex {
        match (self, next) {
            (Reindex::Courses(mut ids), Reindex::Courses(more)) => {
                ids.extend(more);
                Reindex::Courses(ids)
            }
            _ => Reindex::Everything,
        }
    }
}

/// What the worker has done since it started, as counts (the log says the same line by line): tests and
/// the benchmark tell a whole build from a course's update by them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Work {
    /// Whole builds.
    pub builds: u64,
    /// Updates of some courses.
    pub updates: u64,
    /// Documents added by those updates (a whole build's are not counted).
    pub documents_updated: u64,
}

/// A request to the worker: its generation, the library, and what of it to index.
type Request = (u64, Arc<Library>, Reindex);

/// The search service: the current index, and the worker that builds and updates it.
pub struct Search {
    shared: Arc<Shared>,
    requests: Mutex<Sender<Request>>,
}

struct Shared {
    /// The index in use and when it was swapped in (its age is a metric, #21).
    current: RwLock<Option<(Arc<SearchIndex>, Instant)>>,
    /// (requested, built) generations.
    progress: Mutex<(u64, u64)>,
    built: Condvar,
    builds: AtomicU64,
    updates: AtomicU64,
    documents_updated: AtomicU64,
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
            builds: AtomicU64::new(0),
            updates: AtomicU64::new(0),
            documents_updated: AtomicU64::new(0),
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

    /// Asks for `library` to be indexed whole; returns at once.
    pub fn rebuild(&self, library: Arc<Library>) {
        self.update(library, Reindex::Everything);
    }

    /// Asks for what `reindex` names of `library` to be indexed again (the rest is as the previous library
    /// had it); returns at once.
    pub fn update(&self, library: Arc<Library>, reindex: Reindex) {
        let mut progress = self.shared.progress.lock().unwrap_or_else(|e| e.into_inner());
        progress.0 += 1;
        let generation = progress.0;
        // Sent under the lock: generations reach the worker in order.
        let sent =
            self.requests.lock().unwrap_or_else(|e| e.into_inner()).send((generation, library, reindex));
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

    /// What the worker has done so far.
    pub fn work(&self) -> Work {
        Work {
            builds: self.shared.builds.load(Ordering::Relaxed),
            updates: self.shared.updates.load(Ordering::Relaxed),
            documents_updated: self.shared.documents_updated.load(Ordering::Relaxed),
        }
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
    fn run(&self, requests: Receiver<Request>) {
        let mut indexer: Option<Indexer> = None;
        while let Ok((mut generation, mut library, mut reindex)) = requests.recv() {
            // Only the newest library matters, with everything the burst changed.
            while let Ok((newer, newest, more)) = requests.try_recv() {
                (generation, library) = (newer, newest);
                reindex = reindex.and(more);
            }
            let started = Instant::now();
            let anew = match (indexer.as_mut(), &reindex) {
                (Some(_), Reindex::Courses(ids)) if ids.is_empty() => false,
                (Some(current), Reindex::Courses(ids)) => !self.update(current, &library, ids, started),
                _ => true,
            };
            if anew {
                indexer = self.build(&library, started);
            }
            let mut progress = self.progress.lock().unwrap_or_else(|e| e.into_inner());
            progress.1 = progress.1.max(generation);
            self.built.notify_all();
        }
    }

    /// Re-indexes the courses `ids` of `library` and swaps the result in; false if that failed (then the
    /// indexer is half updated and must be built anew).
    fn update(
        &self,
        indexer: &mut Indexer,
        library: &Library,
        ids: &BTreeSet<String>,
        started: Instant,
    ) -> bool {
        match indexer.update(library, ids) {
            Ok(update) => {
                self.publish(indexer);
                self.updates.fetch_add(1, Ordering::Relaxed);
                self.documents_updated.fetch_add(update.added as u64, Ordering::Relaxed);
                tracing::info!(
                    courses = ids.len(),
                    course = ids.iter().next().map(String::as_str).unwrap_or_default(),
                    removed = update.removed,
                    added = update.added,
                    documents = indexer.len(),
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "search index updated"
                );
                true
            }
            Err(e) => {
                tracing::error!("updating the search index failed; it is built anew: {e}");
                false
            }
        }
    }

    /// Builds the index of `library` and swaps it in; `None` if that failed (the previous index is kept in
    /// use, and the next change builds anew).
    fn build(&self, library: &Library, started: Instant) -> Option<Indexer> {
        match Indexer::build(library) {
            Ok(built) => {
                self.publish(&built);
                self.builds.fetch_add(1, Ordering::Relaxed);
                tracing::info!(
                    documents = built.len(),
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "search index built"
                );
                Some(built)
            }
            Err(e) => {
                tracing::error!("building the search index failed; the previous one is kept: {e}");
                None
            }
        }
    }

    /// Swaps in a snapshot of `indexer` for searches.
    fn publish(&self, indexer: &Indexer) {
        let index = indexer.snapshot();
        #[cfg(test)]
        if let Some(gate) = self.gate.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            let _ = gate.recv();
        }
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some((Arc::new(index), Instant::now()));
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

    /// A library of courses `a` and `b`, each with one lesson of one line.
    fn two_courses(dir: &std::path::Path, a: &str, b: &str) -> Library {
        for (id, text) in [("a", a), ("b", b)] {
            let course = dir.join(id);
            std::fs::create_dir_all(&course).unwrap();
            std::fs::write(course.join("course.toml"), format!("title = \"Khoá {id}\"\n")).unwrap();
            std::fs::write(course.join("01-bai.md"), format!("# Bài\n\n{text}\n")).unwrap();
        }
        let library = daotao_content::course::load_library(dir);
        assert!(library.problems.is_empty(), "{:?}", library.problems);
        library
    }

    fn total(search: &Search, q: &str) -> usize {
        search.search(q, None, 20, 0).unwrap().total
    }

    #[test]
    fn a_changed_course_alone_is_indexed_again() {
        let dir = tempfile::tempdir().unwrap();
        let library = Arc::new(two_courses(dir.path(), "Hươu cao cổ.", "Tê giác một sừng."));
        let search = Search::new();
        search.rebuild(library.clone());
        assert!(search.wait_until_current(Duration::from_secs(60)));
        assert_eq!(search.work(), Work { builds: 1, updates: 0, documents_updated: 0 });
        let documents = search.current().unwrap().len();

        // Course `a`'s lesson is edited and `a` alone loaded again, as the reload does.
        std::fs::write(dir.path().join("a/01-bai.md"), "# Bài\n\nKhỉ đột lông bạc.\n").unwrap();
        let course = daotao_content::course::load_course(&dir.path().join("a"), "a", &[]).unwrap();
        let mut edited = Library::clone(&library);
        edited.courses.insert("a".into(), Arc::new(course));
        search.update(Arc::new(edited.clone()), Reindex::Courses(["a".to_string()].into()));
        assert!(search.wait_until_current(Duration::from_secs(60)));
        // Its two documents (the course, the lesson's one section), not the library's.
        assert_eq!(search.work(), Work { builds: 1, updates: 1, documents_updated: 2 });
        assert_eq!((total(&search, "khi dot"), total(&search, "huou cao co")), (1, 0));
        assert_eq!(total(&search, "te giac"), 1, "the other course is searched as before");
        assert_eq!(search.current().unwrap().len(), documents);
        // The vocabulary follows: a typo and a prefix find the new words, and no longer the old ones.
        assert_eq!((total(&search, "khi dot loong"), total(&search, "khi dot lô")), (1, 1));
        assert_eq!(total(&search, "huouu"), 0);

        // Removed, the course is gone from search; only problems changed, nothing is indexed.
        let mut removed = edited;
        removed.courses.remove("a");
        search.update(Arc::new(removed.clone()), Reindex::Courses(["a".to_string()].into()));
        search.update(Arc::new(removed), Reindex::Courses(BTreeSet::new()));
        assert!(search.wait_until_current(Duration::from_secs(60)));
        assert_eq!(search.work(), Work { builds: 1, updates: 2, documents_updated: 2 });
        assert_eq!((total(&search, "khi dot"), total(&search, "te giac")), (0, 1));
        assert_eq!(search.current().unwrap().len(), documents - 2);
    }

    #[test]
    fn a_burst_of_changes_is_one_update_and_everything_is_one_build() {
        assert_eq!(
            Reindex::Courses(["a".to_string()].into()).and(Reindex::Courses(["b".to_string()].into())),
            Reindex::Courses(["a".to_string(), "b".to_string()].into())
        );
        assert_eq!(Reindex::Courses(BTreeSet::new()).and(Reindex::Everything), Reindex::Everything);
        assert_eq!(Reindex::Everything.and(Reindex::Courses(BTreeSet::new())), Reindex::Everything);
    }
}
