//! E-mail through an outbox (#18): a message is first a row of `mail_outbox`, queued once under a key that
//! names who, what and which cycle or week; then a sender claims it, hands it to the mail server and marks it
//! sent. Nothing queued is lost when a sender is killed, at most the message in flight is sent again, and
//! several servers on one database never send the same message twice (a claim is one statement: on
//! PostgreSQL with `FOR UPDATE SKIP LOCKED`, on SQLite under its single writer).
//!
//! What to send is decided elsewhere ([`crate::learning::programmes::reminders`]); this module only keeps
//! and delivers. With no mail server configured nothing is queued and nothing fails.

pub mod outbox;
pub mod sender;

pub use outbox::{Outgoing, QueueSummary};
pub use sender::{Mailer, SendReport};
