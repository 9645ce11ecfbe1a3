//! Group commit: the short write transactions of many requests committed together, one `fsync` for all.
//!
//! SQLite runs with `synchronous = FULL`, so a commit returns only once it is on disk (a learner's saved
//! answer survives a power cut). That costs one `fsync` per commit, a few milliseconds on this kind of disk,
//! and SQLite has one writer at a time: in an exam rush (three writes per learner, hundreds of learners a
//! second) the commits alone would take more than the whole time available, and the writers waiting for the
//! lock sleep in SQLite's busy handler instead of queueing.
//!
//! [`write`] queues a unit of work instead. Whoever finds no batch running becomes the leader: it takes
//! every unit queued so far, runs them one after the other in one `BEGIN IMMEDIATE` transaction, each inside
//! its own savepoint (a unit that fails is rolled back alone and gets its error), commits once, and only then
//! answers every caller. Nobody is told "done" before the commit that holds their write is on disk, so the
//! durability promise is exactly that of one commit per write. Units queued while a batch commits form the
//! next batch: there is no timer, a lone write is committed at once.
//!
//! On PostgreSQL, which commits concurrent transactions together by itself, [`write`] is a plain transaction.
//!
//! A unit should only write (its reads done before it is queued), so the lock is held as briefly as possible.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use sea_orm::sqlx::sqlite::SqliteConnectOptions;
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use tokio::sync::oneshot;

/// A boxed future borrowing the transaction it runs in, as [`write`] takes its work.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The most units one transaction takes: a batch is committed in bounded time even if requests keep coming.
const MAX_BATCH: usize = 256;

/// Called with the batch's commit outcome (`None`: committed) to answer the unit's caller.
type Reply = Box<dyn FnOnce(Option<&DbErr>) + Send>;
/// A queued unit: runs in the batch's transaction (or learns that it could not begin) and leaves its reply.
type Job = Box<dyn for<'t> FnOnce(Result<&'t DatabaseTransaction, &'t DbErr>) -> BoxFuture<'t, Reply> + Send>;

/// The queue of one SQLite database.
#[derive(Default)]
struct Queue {
    jobs: Mutex<Vec<Job>>,
    /// Held by the leader while its batch runs; a fair lock, so callers lead in turn.
    leader: Arc<tokio::sync::Mutex<()>>,
}

/// The queue of each open SQLite pool, found by the identity of the pool's connect options (shared by every
/// clone of the pool, freed with it).
static QUEUES: Mutex<Vec<(Weak<SqliteConnectOptions>, Arc<Queue>)>> = Mutex::new(Vec::new());

fn queue_for(db: &DatabaseConnection) -> Option<Arc<Queue>> {
    if !batches(db) {
        return None;
    }
    let options = db.get_sqlite_connection_pool().connect_options();
    let mut queues = QUEUES.lock().unwrap_or_else(PoisonError::into_inner);
    queues.retain(|(pool, _)| pool.strong_count() > 0);
    if let Some((_, queue)) =
        queues.iter().find(|(pool, _)| std::ptr::eq(pool.as_ptr(), Arc::as_ptr(&options)))
    {
        return Some(queue.clone());
    }
    let queue = Arc::new(Queue::default());
    queues.push((Arc::downgrade(&options), queue.clone()));
    Some(queue)
}

/// Whether writes to `db` are committed in groups ([`write`]). When not (PostgreSQL), a write of one
/// statement is best sent as it is: wrapping it in a transaction would only add two round trips.
pub fn batches(db: &DatabaseConnection) -> bool {
    db.get_database_backend() == DbBackend::Sqlite
}

/// An error of the batch (its `BEGIN` or `COMMIT`) as each of its units reports it.
fn batch_error(e: &DbErr) -> DbErr {
    DbErr::Custom(format!("the batched transaction failed: {e}"))
}

fn no_reply() -> Reply {
    Box::new(|_| {})
}

/// Runs `work` in a write transaction and commits it (on SQLite, together with the writes queued meanwhile)
/// before returning its result. An `Err` from `work` rolls back its writes only.
pub async fn write<T, E, F>(db: &DatabaseConnection, work: F) -> Result<T, E>
where
    T: Send + 'static,
    E: From<DbErr> + Send + 'static,
    F: for<'t> FnOnce(&'t DatabaseTransaction) -> BoxFuture<'t, Result<T, E>> + Send + 'static,
{
    let Some(queue) = queue_for(db) else {
        let txn = db.begin().await?;
        return match work(&txn).await {
            Ok(value) => {
                txn.commit().await?;
                Ok(value)
            }
            Err(e) => {
                // The error that matters is the work's; a failed rollback ends with the connection anyway.
                let _ = txn.rollback().await;
                Err(e)
            }
        };
    };
    let (answer, mut answered) = oneshot::channel::<Result<T, E>>();
    let job: Job = Box::new(move |txn| {
        Box::pin(async move {
            let txn = match txn {
                Ok(txn) => txn,
                Err(e) => {
                    let _ = answer.send(Err(batch_error(e).into()));
                    return no_reply();
                }
            };
            let savepoint = match txn.begin().await {
                Ok(savepoint) => savepoint,
                Err(e) => {
                    let _ = answer.send(Err(e.into()));
                    return no_reply();
                }
            };
            match work(&savepoint).await {
                Ok(value) => match savepoint.commit().await {
                    Ok(()) => Box::new(move |failed: Option<&DbErr>| {
                        let _ = answer.send(match failed {
                            None => Ok(value),
                            Some(e) => Err(batch_error(e).into()),
                        });
                    }),
                    Err(e) => {
                        let _ = answer.send(Err(e.into()));
                        no_reply()
                    }
                },
                Err(e) => {
                    let _ = savepoint.rollback().await;
                    let _ = answer.send(Err(e));
                    no_reply()
                }
            }
        })
    });
    queue.jobs.lock().unwrap_or_else(PoisonError::into_inner).push(job);
    loop {
        let lead = queue.leader.clone().lock_owned().await;
        match answered.try_recv() {
            Ok(result) => return result,
            Err(oneshot::error::TryRecvError::Closed) => {
                return Err(DbErr::Custom("the batched write was abandoned".into()).into());
            }
            Err(oneshot::error::TryRecvError::Empty) => {}
        }
        let batch: Vec<Job> = {
            let mut jobs = queue.jobs.lock().unwrap_or_else(PoisonError::into_inner);
            let n = jobs.len().min(MAX_BATCH);
            jobs.drain(..n).collect()
        };
        // Spawned, so a caller that goes away (a closed connection) does not cancel the others' writes.
        let db = db.clone();
        let run = tokio::spawn(async move {
            run_batch(&db, batch).await;
            drop(lead);
        });
        if run.await.is_err() {
            return Err(DbErr::Custom("the batched write was abandoned".into()).into());
        }
    }
}

async fn run_batch(db: &DatabaseConnection, batch: Vec<Job>) {
    if batch.is_empty() {
        return;
    }
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    match db.begin_with_options(options).await {
        Err(e) => {
            for job in batch {
                let reply = job(Err(&e)).await;
                reply(Some(&e));
            }
        }
        Ok(txn) => {
            let mut replies = Vec::with_capacity(batch.len());
            for job in batch {
                replies.push(job(Ok(&txn)).await);
            }
            let failed = txn.commit().await.err();
            for reply in replies {
                reply(failed.as_ref());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Statement};

    use super::*;

    async fn count(db: &DatabaseConnection) -> i64 {
        let row = db
            .query_one_raw(Statement::from_string(DbBackend::Sqlite, "SELECT COUNT(*) FROM t"))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index(0).unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_all_commit_and_a_failing_one_alone_rolls_back() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/t.sqlite", dir.path().display());
        let db = crate::platform::db::connect(&url).await.unwrap();
        db.execute_unprepared("CREATE TABLE t (n INTEGER PRIMARY KEY)").await.unwrap();
        let mut tasks = Vec::new();
        for n in 0..200i64 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                write(&db, move |txn| {
                    Box::pin(async move {
                        txn.execute_unprepared(&format!("INSERT INTO t (n) VALUES ({})", n % 150)).await?;
                        // A second statement, so a failing unit has something of its own to roll back.
                        txn.execute_unprepared(&format!("INSERT INTO t (n) VALUES ({})", 1000 + n)).await?;
                        Ok::<_, DbErr>(n)
                    })
                })
                .await
            }));
        }
        let mut ok = 0;
        for task in tasks {
            if task.await.unwrap().is_ok() {
                ok += 1;
            }
        }
        // 150 distinct first values: 50 units hit a duplicate key and are rolled back alone, both rows.
        assert_eq!(ok, 150);
        assert_eq!(count(&db).await, 300);
    }
}
