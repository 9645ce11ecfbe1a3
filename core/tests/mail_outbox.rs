//! The mail outbox (#18): a message is queued once per key, claimed by one sender at a time (two senders
//! claiming at once on PostgreSQL never share a message), taken again when a sender's lease runs out,
//! retried after a back-off and given up after the last attempt. On a SQLite file and on PostgreSQL.

use std::collections::HashSet;

use chrono::{Duration, TimeZone, Utc};
use daotao_core::mail::outbox::{self, MAX_ATTEMPTS, Outgoing, QueueSummary};
use daotao_core::platform::db;
use sea_orm::DatabaseConnection;

mod support;

fn message(n: u32) -> Outgoing {
    Outgoing {
        dedup_key: format!("assigned:{n}"),
        kind: "assigned".into(),
        user_id: None,
        to_address: format!("nguoi{n}@tinhmau.example"),
        to_name: format!("Người số {n}"),
        subject: "Chương trình bồi dưỡng mới".into(),
        body_text: "Kính gửi".into(),
        body_html: "<p>Kính gửi</p>".into(),
    }
}

async fn story(db: DatabaseConnection) {
    let now = Utc.with_ymd_and_hms(2027, 1, 5, 1, 0, 0).unwrap();
    let lease = Duration::minutes(10);
    let all: Vec<Outgoing> = (1..=40).map(message).collect();
    assert_eq!(outbox::queue(&db, &all[..30], now).await.unwrap(), 30);
    assert_eq!(outbox::queue(&db, &all, now).await.unwrap(), 10, "only the new keys");
    let known = outbox::known_keys(&db, &["assigned:3".into(), "assigned:99".into()]).await.unwrap();
    assert_eq!(known, HashSet::from(["assigned:3".to_string()]));

    // Two senders at once: each message goes to one of them.
    let (a, b) = tokio::join!(drain(&db, "a:1", now), drain(&db, "b:2", now));
    assert_eq!(a.len() + b.len(), 40, "a {a:?} b {b:?}");
    assert!(a.is_disjoint(&b), "a {a:?} b {b:?}");
    assert!(outbox::claim(&db, "c:3", 10, lease, now).await.unwrap().is_empty(), "all claimed");

    // A sender that died: its lease runs out and the messages are taken again.
    let later = now + lease + Duration::seconds(1);
    let again = outbox::claim(&db, "c:3", 100, lease, later).await.unwrap();
    assert_eq!(again.len(), 40);
    for m in &again[..35] {
        outbox::mark_sent(&db, m.id, later).await.unwrap();
    }
    outbox::release(&db, &again[36..].iter().map(|m| m.id).collect::<Vec<_>>()).await.unwrap();
    // One failure: it waits a minute, the next one two; the released ones go at once.
    outbox::mark_failed(&db, &again[35], "Connection refused", later).await.unwrap();
    let now_due = outbox::claim(&db, "c:3", 100, lease, later).await.unwrap();
    assert_eq!(
        now_due.iter().map(|m| m.id).collect::<Vec<_>>(),
        again[36..].iter().map(|m| m.id).collect::<Vec<_>>()
    );
    outbox::release(&db, &now_due.iter().map(|m| m.id).collect::<Vec<_>>()).await.unwrap();
    let summary = outbox::summary(&db).await.unwrap();
    assert_eq!(summary, QueueSummary { queued: 5, retrying: 1, sent: 35, failed: 0 });

    let mut failing = again[35].clone();
    let mut at = later;
    for attempt in 1..MAX_ATTEMPTS {
        // Not before its back-off: 1, 2, 4 ... minutes, at most six hours.
        let wait = Duration::minutes((1i64 << (attempt - 1).min(9)).min(360));
        let early = outbox::claim(&db, "c:3", 100, lease, at + wait - Duration::seconds(1)).await.unwrap();
        assert!(early.iter().all(|m| m.id != failing.id), "attempt {attempt}: not before {wait}");
        outbox::release(&db, &early.iter().map(|m| m.id).collect::<Vec<_>>()).await.unwrap();
        at += wait;
        let due = outbox::claim(&db, "c:3", 100, lease, at).await.unwrap();
        failing = due.iter().find(|m| m.id == failing.id).expect("due after its back-off").clone();
        outbox::release(&db, &due.iter().filter(|m| m.id != failing.id).map(|m| m.id).collect::<Vec<_>>())
            .await
            .unwrap();
        outbox::mark_failed(&db, &failing, "550 mailbox unavailable", at).await.unwrap();
    }
    let summary = outbox::summary(&db).await.unwrap();
    assert_eq!(
        (summary.queued, summary.failed),
        (4, 1),
        "given up after {MAX_ATTEMPTS} attempts: {summary:?}"
    );
    let failures = outbox::failures(&db, 10).await.unwrap();
    assert_eq!(failures[0].last_error.as_deref(), Some("550 mailbox unavailable"));
    assert_eq!(failures[0].attempts, MAX_ATTEMPTS);
    // The admin fixed the mail server: everything unsent goes now, the one given up included.
    assert_eq!(outbox::retry_now(&db, at).await.unwrap(), 1);
    assert_eq!(outbox::claim(&db, "c:3", 100, lease, at).await.unwrap().len(), 5);
}

/// Claims in small batches until nothing is left, as a sender does; the ids it got.
async fn drain(db: &DatabaseConnection, sender: &str, now: chrono::DateTime<Utc>) -> HashSet<i64> {
    let mut got = HashSet::new();
    loop {
        let batch = outbox::claim(db, sender, 3, Duration::minutes(10), now).await.unwrap();
        if batch.is_empty() {
            return got;
        }
        got.extend(batch.iter().map(|m| m.id));
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn outbox_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display())).await.unwrap();
    story(db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbox_on_postgres() {
    let Some(db) = support::fresh_postgres_database().await else { return };
    story(db).await;
}
