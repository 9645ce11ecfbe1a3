//! Which reminders are due on a day, queued in the mail outbox (#18): when a programme is assigned (or a
//! renewal opens), 7 days before it is due, when it is overdue and every 7 days after, 30 days before a
//! completion expires, and each week to a unit's contact person the people of the unit and its sub-units who
//! are overdue. Every reminder has a key naming its person or unit, programme cycle, kind and (for the
//! repeated ones) its week, so running this any number of times, on any number of servers, queues each once.
//!
//! Only the latest cycle of a person's programme is reminded of; withdrawn cycles never are. People without an
//! e-mail address are counted, not reminded.

mod letter;
mod plan;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use daotao_content::course::Library;
use sea_orm::{ConnectionTrait, DbErr};

use super::Rule;
use crate::mail::outbox;

pub use plan::Reminder;

/// What the reminders need besides the database: the programmes, the courses' titles and where the site is.
pub struct Context<'a> {
    pub rules: &'a [Rule],
    /// Course id → title, for the lists in the letters.
    pub course_titles: HashMap<String, String>,
    /// The site's address as people reach it (`public_url`), for the links.
    pub site_url: &'a str,
}

impl<'a> Context<'a> {
    /// The context of `rules` with the course titles of `library`.
    pub fn new(rules: &'a [Rule], library: &Library, site_url: &'a str) -> Self {
        let course_titles =
            library.courses.iter().map(|(id, c)| (id.clone(), c.meta.title.clone())).collect();
        Context { rules, course_titles, site_url }
    }
}

/// What one run queued.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Queued {
    /// Newly queued, by kind (`assigned`, `renewal`, `due_soon`, `overdue`, `expiring`, `digest`).
    pub by_kind: BTreeMap<&'static str, u64>,
    /// Reminders due to people who have no e-mail address.
    pub without_address: u64,
}

impl Queued {
    pub fn total(&self) -> u64 {
        self.by_kind.values().sum()
    }
}

/// Queues the reminders due on `as_of` (Viet Nam's date) that were never queued before.
pub async fn queue(
    db: &impl ConnectionTrait,
    context: &Context<'_>,
    as_of: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Queued, DbErr> {
    let world = plan::World::load(db, context.rules, as_of).await?;
    let due = world.reminders(context.rules, as_of);
    let mut queued = Queued::default();
    // A slice at a time: the letters of 100,000 people never sit in memory at once.
    for slice in due.chunks(2000) {
        let keys: Vec<String> = slice.iter().map(|r| r.key.clone()).collect();
        let known = outbox::known_keys(db, &keys).await?;
        let mut messages: BTreeMap<&'static str, Vec<outbox::Outgoing>> = BTreeMap::new();
        for reminder in slice.iter().filter(|r| !known.contains(&r.key)) {
            match world.message(reminder, context, as_of) {
                Some(message) => messages.entry(reminder.kind.as_str()).or_default().push(message),
                None => queued.without_address += 1,
            }
        }
        // Counted as the outbox took them: another server queueing the same reminders at the same moment
        // inserts each key once, and only the one that inserted it counts it.
        for (kind, messages) in messages {
            let added = outbox::queue(db, &messages, now).await?;
            if added > 0 {
                *queued.by_kind.entry(kind).or_default() += added;
            }
        }
    }
    Ok(queued)
}
