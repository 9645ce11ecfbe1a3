//! The outbox table's operations: queue once, claim, mark sent or failed, and count for the admin.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, FromQueryResult, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};

use crate::entities::mail_outbox;

/// Attempts before a message is given up (`failed_at`); with the back-off below they span about a day, so a
/// mail server down overnight loses nothing.
pub const MAX_ATTEMPTS: i32 = 12;

/// One message to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Unique per person or unit, programme, cycle and kind (or week): queueing it again does nothing.
    pub dedup_key: String,
    pub kind: String,
    pub user_id: Option<i64>,
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

/// Queues `messages`, skipping those whose key is already in the outbox (sent or not); returns how many were
/// new. Safe to run on several servers at once: the unique key decides.
pub async fn queue(
    db: &impl ConnectionTrait,
    messages: &[Outgoing],
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut added = 0;
    // 17 columns a row: 400 rows stay well under SQLite's limit on bound values.
    for chunk in messages.chunks(400) {
        let rows = chunk.iter().map(|m| mail_outbox::ActiveModel {
            dedup_key: Set(m.dedup_key.clone()),
            kind: Set(m.kind.clone()),
            user_id: Set(m.user_id),
            to_address: Set(m.to_address.clone()),
            to_name: Set(m.to_name.clone()),
            subject: Set(m.subject.clone()),
            body_text: Set(m.body_text.clone()),
            body_html: Set(m.body_html.clone()),
            queued_at: Set(now),
            attempts: Set(0),
            next_attempt_at: Set(now),
            claimed_until: Set(None),
            claimed_by: Set(None),
            sent_at: Set(None),
            failed_at: Set(None),
            last_error: Set(None),
            ..Default::default()
        });
        let result = mail_outbox::Entity::insert_many(rows)
            .on_conflict(OnConflict::column(mail_outbox::Column::DedupKey).do_nothing().to_owned())
            .exec_without_returning(db)
            .await?;
        added += result;
    }
    Ok(added)
}

/// Which of `keys` are already in the outbox, so a caller can skip building messages it would not queue.
pub async fn known_keys(
    db: &impl ConnectionTrait,
    keys: &[String],
) -> Result<std::collections::HashSet<String>, DbErr> {
    let mut known = std::collections::HashSet::new();
    for chunk in keys.chunks(500) {
        let rows: Vec<String> = mail_outbox::Entity::find()
            .select_only()
            .column(mail_outbox::Column::DedupKey)
            .filter(mail_outbox::Column::DedupKey.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        known.extend(rows);
    }
    Ok(known)
}

/// Takes up to `limit` messages due for sending for `sender` until `now + lease`: nobody else takes them
/// meanwhile. A sender that dies leaves them to whoever claims after the lease.
pub async fn claim(
    db: &impl ConnectionTrait,
    sender: &str,
    limit: u64,
    lease: Duration,
    now: DateTime<Utc>,
) -> Result<Vec<mail_outbox::Model>, DbErr> {
    let backend = db.get_database_backend();
    let (p, skip_locked) = match backend {
        DatabaseBackend::Postgres => (["$1", "$2", "$3", "$4"], " FOR UPDATE SKIP LOCKED"),
        _ => (["?", "?", "?", "?"], ""),
    };
    let sql = format!(
        "UPDATE mail_outbox SET claimed_until = {0}, claimed_by = {1} WHERE id IN (\
           SELECT id FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= {2} \
           AND (claimed_until IS NULL OR claimed_until < {2}) ORDER BY id LIMIT {3}{skip_locked}) \
         RETURNING *",
        p[0], p[1], p[2], p[3]
    );
    // Both backends take the placeholders in order; SQLite's `?` needs the repeated `now` bound twice.
    let values: Vec<sea_orm::Value> = match backend {
        DatabaseBackend::Postgres => {
            vec![(now + lease).into(), sender.into(), now.into(), (limit as i64).into()]
        }
        _ => vec![(now + lease).into(), sender.into(), now.into(), now.into(), (limit as i64).into()],
    };
    let mut rows =
        mail_outbox::Model::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
            .all(db)
            .await?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// Marks a claimed message sent.
pub async fn mark_sent(db: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<(), DbErr> {
    mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::SentAt, now.into())
        .col_expr(mail_outbox::Column::ClaimedUntil, Option::<DateTime<Utc>>::None.into())
        .filter(mail_outbox::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a failed attempt: tried again after a back-off that doubles from a minute up to six hours, given
/// up after [`MAX_ATTEMPTS`]. The error is kept for the admin (never a password: lettre's errors carry none).
pub async fn mark_failed(
    db: &impl ConnectionTrait,
    message: &mail_outbox::Model,
    error: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let attempts = message.attempts + 1;
    let minutes = 1i64 << (attempts - 1).clamp(0, 9);
    let next = now + Duration::minutes(minutes.min(360));
    let failed_at = (attempts >= MAX_ATTEMPTS).then_some(now);
    mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::Attempts, attempts.into())
        .col_expr(mail_outbox::Column::NextAttemptAt, next.into())
        .col_expr(mail_outbox::Column::FailedAt, failed_at.into())
        .col_expr(mail_outbox::Column::LastError, Some(error.chars().take(1000).collect::<String>()).into())
        .col_expr(mail_outbox::Column::ClaimedUntil, Option::<DateTime<Utc>>::None.into())
        .filter(mail_outbox::Column::Id.eq(message.id))
        .exec(db)
        .await?;
    Ok(())
}

/// Gives back claimed messages not tried (the mail server went away mid-batch): no attempt is counted.
pub async fn release(db: &impl ConnectionTrait, ids: &[i64]) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::ClaimedUntil, Option::<DateTime<Utc>>::None.into())
        .filter(mail_outbox::Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// Makes every message not yet sent due now, those given up included: after the admin fixed the mail server,
/// nobody waits for the back-off. Returns how many.
pub async fn retry_now(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let result = mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::NextAttemptAt, now.into())
        .col_expr(mail_outbox::Column::FailedAt, Option::<DateTime<Utc>>::None.into())
        .filter(mail_outbox::Column::SentAt.is_null())
        .filter(mail_outbox::Column::Attempts.gt(0))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Senders holding claims that have not run out, as `claimed_by` names them.
pub async fn claimants(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<String>, DbErr> {
    mail_outbox::Entity::find()
        .select_only()
        .column(mail_outbox::Column::ClaimedBy)
        .distinct()
        .filter(mail_outbox::Column::SentAt.is_null())
        .filter(mail_outbox::Column::ClaimedUntil.gt(now))
        .filter(mail_outbox::Column::ClaimedBy.is_not_null())
        .into_tuple::<Option<String>>()
        .all(db)
        .await
        .map(|v| v.into_iter().flatten().collect())
}

/// Gives back every unsent message `sender` claimed (a sender known to be dead).
pub async fn release_claims_of(db: &impl ConnectionTrait, sender: &str) -> Result<u64, DbErr> {
    let result = mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::ClaimedUntil, Option::<DateTime<Utc>>::None.into())
        .filter(mail_outbox::Column::SentAt.is_null())
        .filter(mail_outbox::Column::ClaimedBy.eq(sender))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// The outbox in numbers, for `mail send`, the terminal UI and (later) the metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueSummary {
    /// Waiting to be sent, including those waiting to be retried.
    pub queued: u64,
    /// Of those, how many failed at least once.
    pub retrying: u64,
    pub sent: u64,
    /// Given up after the last attempt.
    pub failed: u64,
}

/// Counts the outbox's messages by state.
pub async fn summary(db: &impl ConnectionTrait) -> Result<QueueSummary, DbErr> {
    let count = |filter: sea_orm::Condition| async move {
        mail_outbox::Entity::find().filter(filter).count(db).await
    };
    use sea_orm::Condition;
    let pending = Condition::all()
        .add(mail_outbox::Column::SentAt.is_null())
        .add(mail_outbox::Column::FailedAt.is_null());
    Ok(QueueSummary {
        queued: count(pending.clone()).await?,
        retrying: count(pending.add(mail_outbox::Column::Attempts.gt(0))).await?,
        sent: count(Condition::all().add(mail_outbox::Column::SentAt.is_not_null())).await?,
        failed: count(Condition::all().add(mail_outbox::Column::FailedAt.is_not_null())).await?,
    })
}

/// The latest messages that failed at least once and are not sent, newest first: what the admin must see.
pub async fn failures(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<mail_outbox::Model>, DbErr> {
    mail_outbox::Entity::find()
        .filter(mail_outbox::Column::SentAt.is_null())
        .filter(mail_outbox::Column::Attempts.gt(0))
        .order_by_desc(mail_outbox::Column::Id)
        .limit(limit)
        .all(db)
        .await
}
