//! Do all the servers serve the same course files (#21)? Each server reads the courses from its own copy; a
//! copy left behind by a deployment would give learners behind one server other lessons and other quizzes.
//!
//! How, simply: the fingerprint of a library is the SHA-256 of its files (every file under the courses
//! folder, by relative path in sorted order, each path then its length then its bytes; names starting with
//! `.` skipped, as `.git`). Each server publishes its fingerprint in the shared database
//! (`library_fingerprints`, one row per running process) at start-up and every half minute, recomputing it
//! when the library was reloaded since. A server compares its own with the rows other servers refreshed in the
//! last 90 s (a stopped server's row is ignored, then deleted after a day): a difference is logged as a
//! warning when it appears (and when it is gone), shown in `/readyz` and counted by
//! `daotao_library_differing_servers`.
//!
//! A difference is a warning, not "not ready": two servers that differ see each other as different, and
//! turning both away would take the whole site down in the middle of a deployment; which copy is right is
//! for the operator to say.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use daotao_content::course::Library;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::state::AppState;

/// How often a server refreshes its row and compares.
pub const INTERVAL: Duration = Duration::from_secs(30);
/// A row not refreshed for this long belongs to a server that has stopped.
const STALE_SECS: i64 = 90;
/// Rows of servers gone this long are deleted.
const FORGET_SECS: i64 = 24 * 3600;

const TABLE: &str = "library_fingerprints";

/// Another running server whose course files differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OtherServer {
    pub server: String,
    pub fingerprint: String,
}

/// This server's name, its fingerprint and the last comparison.
pub struct Fingerprints {
    /// `host address (pid N)`: tells an operator which process a row is.
    server: String,
    /// The fingerprint of the library last hashed, and that library (to notice a reload).
    current: Mutex<Option<(Arc<Library>, String)>>,
    /// The servers found different at the last comparison.
    differing: Mutex<Vec<OtherServer>>,
}

impl Fingerprints {
    pub fn new(bind: &str) -> Self {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "unknown-host".into());
        let mut server = format!("{host} {bind} (pid {})", std::process::id());
        server.truncate(200);
        Self { server, current: Mutex::default(), differing: Mutex::default() }
    }

    /// This process's name in the table.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The fingerprint last computed; empty before the first.
    pub fn own(&self) -> String {
        self.current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|(_, f)| f.clone())
            .unwrap_or_default()
    }

    /// How many servers differed at the last comparison.
    pub fn differing_servers(&self) -> usize {
        self.differing.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// The fingerprint of `library`, hashed again only when the library changed since the last time.
    async fn of(&self, library: Arc<Library>) -> std::io::Result<String> {
        if let Some((hashed, fingerprint)) = &*self.current.lock().unwrap_or_else(|e| e.into_inner())
            && Arc::ptr_eq(hashed, &library)
        {
            return Ok(fingerprint.clone());
        }
        let root = library.root.clone();
        let fingerprint =
            tokio::task::spawn_blocking(move || of_folder(&root)).await.map_err(std::io::Error::other)??;
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = Some((library, fingerprint.clone()));
        Ok(fingerprint)
    }

    /// Publishes this server's fingerprint and reads the other running servers' that differ.
    async fn publish(
        &self,
        db: &DatabaseConnection,
        fingerprint: &str,
        courses: usize,
    ) -> Result<Vec<OtherServer>, DbErr> {
        let now = chrono::Utc::now().timestamp();
        let upsert = Query::insert()
            .into_table(TABLE)
            .columns(["server", "fingerprint", "courses", "loaded_at", "seen_at"])
            .values_panic([
                self.server.clone().into(),
                fingerprint.into(),
                (courses as i32).into(),
                now.into(),
                now.into(),
            ])
            .on_conflict(
                OnConflict::column("server").update_columns(["fingerprint", "courses", "seen_at"]).to_owned(),
            )
            .to_owned();
        db.execute(&upsert).await?;
        let forget = Query::delete()
            .from_table(TABLE)
            .and_where(Expr::col("seen_at").lt(now - FORGET_SECS))
            .to_owned();
        db.execute(&forget).await?;
        self.others_differing(db, fingerprint).await
    }

    /// The other servers seen lately whose fingerprint is not `fingerprint`.
    pub async fn others_differing(
        &self,
        db: &DatabaseConnection,
        fingerprint: &str,
    ) -> Result<Vec<OtherServer>, DbErr> {
        let since = chrono::Utc::now().timestamp() - STALE_SECS;
        let select = Query::select()
            .columns(["server", "fingerprint"])
            .from(TABLE)
            .and_where(Expr::col("server").ne(self.server.as_str()))
            .and_where(Expr::col("fingerprint").ne(fingerprint))
            .and_where(Expr::col("seen_at").gte(since))
            .order_by("server", sea_orm::Order::Asc)
            .to_owned();
        let rows = db.query_all(&select).await?;
        rows.iter()
            .map(|row| {
                Ok(OtherServer {
                    server: row.try_get("", "server")?,
                    fingerprint: row.try_get("", "fingerprint")?,
                })
            })
            .collect()
    }

    /// One round: hash (if the library changed), publish, compare, and log a difference when it appears or
    /// goes away.
    pub async fn check(&self, state: &AppState) -> anyhow::Result<()> {
        let library = state.library();
        let courses = library.courses.len();
        let fingerprint = self.of(library).await?;
        let differing = self.publish(&state.db, &fingerprint, courses).await?;
        let mut last = self.differing.lock().unwrap_or_else(|e| e.into_inner());
        if *last != differing {
            if differing.is_empty() {
                tracing::info!(fingerprint, "the course files are now the same as every other server's");
            } else {
                let others: Vec<String> =
                    differing.iter().map(|o| format!("{} has {}", o.server, short(&o.fingerprint))).collect();
                tracing::warn!(
                    fingerprint,
                    "the course files of this server ({}) differ from other servers': {}; copy the same courses to every server",
                    short(&fingerprint),
                    others.join(", ")
                );
            }
            *last = differing;
        }
        Ok(())
    }
}

/// Runs [`Fingerprints::check`] every [`INTERVAL`] until the runtime stops.
pub async fn run(state: Arc<AppState>) {
    let mut ticker = tokio::time::interval(INTERVAL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if let Err(e) = state.fingerprint.check(&state).await {
            tracing::warn!("cannot compare the course files with the other servers': {e:#}");
        }
    }
}

/// The first 12 hex digits: enough for a person to tell two fingerprints apart.
pub fn short(fingerprint: &str) -> &str {
    &fingerprint[..fingerprint.len().min(12)]
}

/// The fingerprint of the files under `root` (see the module's notes), in hex.
pub fn of_folder(root: &Path) -> std::io::Result<String> {
    let mut files = Vec::new();
    collect(root, "", &mut files)?;
    files.sort();
    let mut hasher = Sha256::new();
    for relative in files {
        let bytes = std::fs::read(root.join(&relative))?;
        hasher.update(relative.as_bytes());
        hasher.update([0]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Every file under `dir`, as paths relative to the library root joined with `/`.
fn collect(dir: &Path, prefix: &str, files: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let relative = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        let meta = std::fs::metadata(entry.path())?;
        if meta.is_dir() {
            collect(&entry.path(), &relative, files)?;
        } else if meta.is_file() {
            files.push(relative);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_follows_content_and_names_not_times_or_hidden_files() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        for dir in [a.path(), b.path()] {
            std::fs::create_dir_all(dir.join("khoa/quiz")).unwrap();
            std::fs::write(dir.join("khoa/course.toml"), "title = \"Khoá\"\n").unwrap();
            std::fs::write(dir.join("khoa/quiz/q.md"), "# Câu hỏi\n").unwrap();
        }
        std::fs::create_dir_all(b.path().join(".git")).unwrap();
        std::fs::write(b.path().join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
        let fa = of_folder(a.path()).unwrap();
        assert_eq!(fa.len(), 64);
        assert_eq!(fa, of_folder(b.path()).unwrap(), "same files in another folder, hidden ones aside");
        std::fs::write(b.path().join("khoa/quiz/q.md"), "# Câu hỏi khác\n").unwrap();
        assert_ne!(fa, of_folder(b.path()).unwrap(), "an edited file");
        std::fs::write(b.path().join("khoa/quiz/q.md"), "# Câu hỏi\n").unwrap();
        assert_eq!(fa, of_folder(b.path()).unwrap());
        std::fs::rename(b.path().join("khoa/quiz/q.md"), b.path().join("khoa/quiz/r.md")).unwrap();
        assert_ne!(fa, of_folder(b.path()).unwrap(), "a renamed file");
    }
}
