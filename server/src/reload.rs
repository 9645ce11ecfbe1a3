//! Course hot reload: a trainer saves a file and the page shows it within
//! about a second. A course whose new version has errors keeps serving its
//! last good version, and the errors are logged with file and line.
//!
//! Only what changed is done again: a file inside a course reloads that course
//! alone, syncs its catalog rows alone and re-indexes its search documents
//! alone (#21: an edit in a 10,000-lesson library is searchable in well under
//! a second, where rebuilding the index took seconds). A library-level file
//! (`competencies.toml`, `programmes.toml`, `feedback.toml`, `references.md`) reloads and
//! re-indexes everything, since every course and programme is checked against it.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use daotao_content::course::feedback::FEEDBACK_FILE;
use daotao_content::course::loader::{COMPETENCIES_FILE, load_competencies};
use daotao_content::course::references::REFERENCES_FILE;
use daotao_content::course::{Library, load_course, load_library};
use daotao_content::programme::PROGRAMMES_FILE;
use daotao_core::learning::catalog;
use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use tokio::runtime::Handle;

use crate::search::Reindex;
use crate::state::AppState;

/// How long the watcher waits for a burst of saves to settle.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// Keep it alive as long as reloading should happen.
pub type Watcher = Debouncer<notify::RecommendedWatcher, RecommendedCache>;

/// Watches the library folder and reloads what changes, on the watcher's own thread
/// (rendering never blocks the async runtime).
pub fn watch(state: Arc<AppState>, runtime: Handle) -> notify::Result<Watcher> {
    // Watch the absolute path: the watcher reports paths under the path it was given.
    let root = state.library().root.clone();
    let canonical_root = std::fs::canonicalize(&root)?;
    let watched = canonical_root.clone();
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| match result {
        Ok(events) => {
            tracing::debug!(?events, "course folder changed");
            // Reading files (ours included) raises access events; only changes matter.
            let paths = events.iter().filter(|e| !e.kind.is_access()).flat_map(|e| e.paths.iter());
            let changed = changed_courses(&canonical_root, paths);
            if !changed.is_empty() {
                reload(&state, &runtime, changed);
                // A changed programme, or a course a programme waited for: the programmes pass runs now.
                state.programmes_now.notify_one();
            }
        }
        Err(errors) => {
            for e in errors {
                tracing::warn!("course watcher: {e}");
            }
        }
    })?;
    debouncer.watch(&watched, RecursiveMode::Recursive)?;
    Ok(debouncer)
}

/// What a batch of file events touches.
#[derive(Debug, PartialEq, Eq)]
enum Changed {
    /// `competencies.toml`, `programmes.toml`, `references.md` (every course may cite it) or the library's
    /// `feedback.toml` changed: every course and programme is checked again.
    Everything,
    Courses(BTreeSet<String>),
}

impl Changed {
    fn is_empty(&self) -> bool {
        matches!(self, Changed::Courses(ids) if ids.is_empty())
    }
}

fn changed_courses<'a>(root: &Path, paths: impl Iterator<Item = &'a PathBuf>) -> Changed {
    let mut ids = BTreeSet::new();
    for path in paths {
        let Ok(relative) = path.strip_prefix(root) else { continue };
        let mut parts = relative.components();
        let Some(Component::Normal(first)) = parts.next() else { continue };
        let first = first.to_string_lossy();
        if first.starts_with('.') {
            continue;
        }
        let inside_a_course = parts.next().is_some();
        if !inside_a_course
            && (first == COMPETENCIES_FILE
                || first == PROGRAMMES_FILE
                || first == FEEDBACK_FILE
                || first == REFERENCES_FILE)
        {
            return Changed::Everything;
        }
        // A file inside a course folder, or a course folder itself (added or removed);
        // other files at the top of the library are not courses.
        if inside_a_course || path.is_dir() || !path.exists() {
            ids.insert(first.into_owned());
        }
    }
    Changed::Courses(ids)
}

fn reload(state: &AppState, runtime: &Handle, changed: Changed) {
    let current = state.library();
    match changed {
        Changed::Everything => {
            let fresh = load_library(&current.root);
            for problem in &fresh.problems {
                tracing::warn!("{problem}");
            }
            let kept = keep_last_good(&current, &fresh);
            state.update_library(|library| {
                library.competencies = fresh.competencies.clone();
                library.problems = fresh.problems.clone();
                library.courses = fresh.courses.clone();
                library.courses.extend(kept);
                library.programmes = fresh.programmes.clone();
                library.feedback = fresh.feedback.clone();
            });
            let library = state.library();
            if let Err(e) = runtime.block_on(catalog::sync_library(&state.db, &library)) {
                tracing::error!("catalog sync failed: {e}");
            }
            tracing::info!(courses = library.courses.len(), "course library reloaded");
        }
        Changed::Courses(ids) => {
            let competencies =
                load_competencies(&current.root).unwrap_or_else(|_| current.competencies.clone());
            for id in ids {
                reload_course(state, runtime, &current.root.join(&id), &id, &competencies);
            }
        }
    }
}

fn reload_course(
    state: &AppState,
    runtime: &Handle,
    dir: &Path,
    id: &str,
    competencies: &[daotao_content::course::Competency],
) {
    // Only this course is indexed again for search (#21); the others' documents stay as they are.
    let this_course = || Reindex::Courses(BTreeSet::from([id.to_string()]));
    if !dir.is_dir() {
        state.update_library_reindexing(this_course(), |library| {
            library.courses.remove(id);
        });
        if let Err(e) = runtime.block_on(catalog::deactivate_course(&state.db, id)) {
            tracing::error!(course = id, "catalog update failed: {e}");
        }
        tracing::info!(course = id, "course removed");
        return;
    }
    match load_course(dir, id, competencies) {
        Ok(course) => {
            let course = Arc::new(course);
            state.update_library_reindexing(this_course(), |library| {
                library.courses.insert(id.to_string(), course.clone());
                library.problems.retain(|p| !p.file.starts_with(dir));
            });
            if let Err(e) = runtime.block_on(catalog::sync_course(&state.db, &course)) {
                tracing::error!(course = id, "catalog sync failed: {e}");
            }
            tracing::info!(course = id, lessons = course.lessons.len(), "course reloaded");
        }
        Err(problems) => {
            for problem in &problems {
                tracing::warn!("{problem}");
            }
            let serving = state.library().courses.contains_key(id);
            tracing::warn!(
                course = id,
                problems = problems.len(),
                "course has errors; {}",
                if serving { "still serving its last good version" } else { "not served" }
            );
            // The last good version (or nothing) is served, and searched, as before.
            state.update_library_reindexing(Reindex::Courses(BTreeSet::new()), |library| {
                library.problems.retain(|p| !p.file.starts_with(dir));
                library.problems.extend(problems);
            });
        }
    }
}

/// Courses that loaded before but fail now, while their folder still exists.
fn keep_last_good(current: &Library, fresh: &Library) -> Vec<(String, Arc<daotao_content::course::Course>)> {
    current
        .courses
        .iter()
        .filter(|(id, _)| !fresh.courses.contains_key(*id) && current.root.join(id).is_dir())
        .map(|(id, c)| (id.clone(), c.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_map_to_course_ids() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in ["a/01-x.md", "a/quiz/q.md", "b/assets/img.png", "README.md"] {
            std::fs::create_dir_all(root.join(file).parent().unwrap()).unwrap();
            std::fs::write(root.join(file), "x").unwrap();
        }
        let paths = [root.join("a/01-x.md"), root.join("b/assets/img.png"), root.join("a/quiz/q.md")];
        let changed = changed_courses(root, paths.iter());
        assert_eq!(changed, Changed::Courses(["a".to_string(), "b".to_string()].into()));
        // A course folder added, or removed.
        let paths = [root.join("a"), root.join("gone")];
        assert_eq!(
            changed_courses(root, paths.iter()),
            Changed::Courses(["a".to_string(), "gone".to_string()].into())
        );
        let paths = [root.join("competencies.toml")];
        assert_eq!(changed_courses(root, paths.iter()), Changed::Everything);
        let paths = [root.join("programmes.toml")];
        assert_eq!(changed_courses(root, paths.iter()), Changed::Everything);
        let paths = [root.join("references.md")];
        assert_eq!(changed_courses(root, paths.iter()), Changed::Everything);
        let paths = [root.join("README.md"), root.join(".git/index"), PathBuf::from("/elsewhere/x")];
        assert!(changed_courses(root, paths.iter()).is_empty());
    }
}
