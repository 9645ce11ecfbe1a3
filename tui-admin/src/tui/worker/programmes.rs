//! The Chương trình screen's jobs: every programme's numbers by unit, the people behind one number, and the
//! mail queue with its latest failures. The programmes come from `<courses>/programmes.toml` through
//! `programmes::rules_of`, the check the server's pass and `programmes assign` share; a missing or broken
//! file is an answer the screen shows, not a failure.

use std::path::PathBuf;
use std::sync::Arc;

use daotao_core::admin_views::programmes::{self, Number, PersonLine};
use daotao_core::entities::mail_outbox;
use daotao_core::learning::programmes::{NotApplicable, Rule, rules_of};
use daotao_core::mail::outbox::{self, QueueSummary};
use daotao_core::platform::paging::Page;

use super::{Job, Response};

/// Rows per page of the people behind a number.
pub const PEOPLE_PER_PAGE: u64 = 100;

/// How many of the latest mail failures the screen lists.
pub const FAILURES_SHOWN: u64 = 50;

/// Why there are no numbers to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// The library has no `programmes.toml`.
    NoFile(PathBuf),
    /// The file has problems, each with its line: nothing is assigned until they are fixed.
    Problems(Vec<String>),
    /// The database or the computation failed.
    Failed(String),
}

/// The mail queue as the screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MailQueue {
    pub summary: QueueSummary,
    /// Newest first.
    pub failures: Vec<mail_outbox::Model>,
}

/// The rules of the library's `programmes.toml`, read off the async threads (it reads the course files).
async fn rules(job: &Job<'_>) -> Result<Vec<Rule>, Unavailable> {
    let dir = job.settings.courses_dir.clone();
    let library = tokio::task::spawn_blocking(move || daotao_content::course::load_library(&dir))
        .await
        .map_err(|e| Unavailable::Failed(e.to_string()))?;
    rules_of(&library).map_err(|e| match e {
        NotApplicable::NoFile(path) => Unavailable::NoFile(path),
        NotApplicable::Problems(problems) => Unavailable::Problems(problems),
    })
}

/// Every programme's numbers by unit on the worker's day.
pub(super) async fn grid(job: &Job<'_>) -> anyhow::Result<Response> {
    let grid = match rules(job).await {
        Ok(rules) => programmes::grid(job.db, &rules, job.today)
            .await
            .map(Arc::new)
            .map_err(|e| Unavailable::Failed(e.to_string())),
        Err(e) => Err(e),
    };
    Ok(Response::ProgrammeGrid(grid))
}

/// A page of the people behind `number`; an error is shown in place of the list.
pub(super) async fn people(job: &Job<'_>, number: Number, page: u64) -> anyhow::Result<Response> {
    let lines: Result<Page<PersonLine>, String> = match rules(job).await {
        Ok(rules) => programmes::people(job.db, &rules, &number, page, PEOPLE_PER_PAGE, job.today)
            .await
            .map_err(|e| e.to_string()),
        Err(Unavailable::NoFile(path)) => Err(format!("không có tệp {}", path.display())),
        Err(Unavailable::Problems(p)) => Err(format!("tệp chương trình có {} lỗi", p.len())),
        Err(Unavailable::Failed(e)) => Err(e),
    };
    Ok(Response::ProgrammePeople { number, page: lines })
}

/// The mail queue's numbers and its latest failures.
pub(super) async fn mail(job: &Job<'_>) -> anyhow::Result<Response> {
    let summary = outbox::summary(job.db).await?;
    let failures = outbox::failures(job.db, FAILURES_SHOWN).await?;
    Ok(Response::MailQueue(MailQueue { summary, failures }))
}
