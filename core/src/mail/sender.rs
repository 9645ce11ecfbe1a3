//! Delivering the outbox to the mail server: claim a few, send each, mark each; several workers at once over
//! lettre's connection pool, so a local relay takes hundreds of messages a second.

use chrono::{Duration, Utc};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::{DatabaseConnection, DbErr};

use super::outbox;
use crate::entities::mail_outbox;
use crate::platform::config::Config;
use crate::platform::group_commit;
use crate::platform::mail_config::{SmtpSecurity, SmtpServer};

/// Messages one claim takes: small, so a slow server never holds a batch past its lease.
const BATCH: u64 = 10;
/// How long a claim lasts: ten messages at lettre's 30 s timeout each stay well inside it.
const LEASE_MINUTES: i64 = 10;
/// Workers sending at once, each over its own pooled connection. Many, because each message waits about
/// 40 ms for nothing: lettre writes the final `.` of a message apart from its body on a socket without
/// TCP_NODELAY, so the server's delayed ACK holds it back (measured in `benches/mail-send`). Thirty-two
/// stay under common limits on connections from one client (Postfix: 50).
const WORKERS: usize = 32;

/// The mail server and the sender's address, ready to send.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// Who claims: this host and process, so a stuck claim can be traced to its sender.
    name: String,
}

/// What one run of the sender did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendReport {
    pub sent: u64,
    /// Attempts that failed this run (each will be retried after its back-off, or was the last).
    pub failed: u64,
    /// The first failure's error, to print.
    pub first_error: Option<String>,
}

impl Mailer {
    /// The mailer `config` describes; none when no mail server is configured. The settings were checked when
    /// the configuration was loaded.
    pub fn from_config(config: &Config) -> Result<Option<Mailer>, String> {
        let Some(server) = config.smtp_url.server()? else {
            return Ok(None);
        };
        let from: Mailbox = config.mail_from.trim().parse().map_err(|e| format!("mail_from: {e}"))?;
        Ok(Some(Mailer { transport: transport(&server)?, from, name: sender_name() }))
    }

    /// Sends what the outbox holds, due now, until it is empty or the mail server cannot be reached; failures
    /// are recorded on their messages (retried later), never returned as errors. Errors are the database's.
    pub async fn send_queued(&self, db: &DatabaseConnection) -> Result<SendReport, DbErr> {
        self.release_the_dead(db).await?;
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..WORKERS {
            let (mailer, db) = (self.clone(), db.clone());
            workers.spawn(async move { mailer.work(&db).await });
        }
        let mut report = SendReport::default();
        while let Some(done) = workers.join_next().await {
            let one = done.map_err(|e| DbErr::Custom(format!("mail worker: {e}")))??;
            report.sent += one.sent;
            report.failed += one.failed;
            report.first_error = report.first_error.or(one.first_error);
        }
        Ok(report)
    }

    /// Gives back the claims of senders on this machine whose process is gone (killed, crashed): their
    /// messages go now rather than when the lease runs out. Other machines' claims wait for their lease.
    async fn release_the_dead(&self, db: &DatabaseConnection) -> Result<(), DbErr> {
        let host = host_name();
        for claimant in outbox::claimants(db, Utc::now()).await? {
            let Some((their_host, pid)) = claimant.rsplit_once(':') else { continue };
            let alive =
                pid.parse::<u32>().map_or(true, |pid| std::path::Path::new(&format!("/proc/{pid}")).exists());
            if their_host == host && cfg!(target_os = "linux") && !alive {
                let n = outbox::release_claims_of(db, &claimant).await?;
                tracing::info!(sender = %claimant, messages = n, "claims of a sender that is gone given back");
            }
        }
        Ok(())
    }

    async fn work(&self, db: &DatabaseConnection) -> Result<SendReport, DbErr> {
        let mut report = SendReport::default();
        loop {
            let batch =
                outbox::claim(db, &self.name, BATCH, Duration::minutes(LEASE_MINUTES), Utc::now()).await?;
            if batch.is_empty() {
                return Ok(report);
            }
            for (i, message) in batch.iter().enumerate() {
                match self.send(message).await {
                    Ok(()) => {
                        // Several workers' marks share one commit (SQLite's fsync), each still on disk
                        // before the next message is sent: a crash repeats at most the messages in flight.
                        let id = message.id;
                        group_commit::write(db, move |txn| Box::pin(outbox::mark_sent(txn, id, Utc::now())))
                            .await?;
                        report.sent += 1;
                    }
                    Err(failure) => {
                        tracing::warn!(id = message.id, kind = %message.kind, error = %failure.error, "mail not sent");
                        outbox::mark_failed(db, message, &failure.error, Utc::now()).await?;
                        report.failed += 1;
                        report.first_error.get_or_insert(failure.error);
                        if failure.server_unreachable {
                            let rest: Vec<i64> = batch[i + 1..].iter().map(|m| m.id).collect();
                            outbox::release(db, &rest).await?;
                            return Ok(report);
                        }
                    }
                }
            }
        }
    }

    async fn send(&self, message: &mail_outbox::Model) -> Result<(), Failure> {
        let to = message.to_address.parse().map_err(|e| Failure {
            error: format!("địa chỉ không hợp lệ / not an address: {} ({e})", message.to_address),
            server_unreachable: false,
        })?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(Some(message.to_name.clone()), to))
            .subject(&message.subject)
            .multipart(MultiPart::alternative_plain_html(
                message.body_text.clone(),
                message.body_html.clone(),
            ))
            .map_err(|e| Failure { error: e.to_string(), server_unreachable: false })?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| Failure { server_unreachable: e.status().is_none(), error: e.to_string() })
    }
}

struct Failure {
    error: String,
    /// Not an answer from the server (refused connection, TLS, timeout): the rest of the batch waits.
    server_unreachable: bool,
}

fn transport(server: &SmtpServer) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let tls = |host: &str| TlsParameters::new(host.into()).map_err(|e| format!("smtp_url: {e}"));
    let security = match server.security {
        SmtpSecurity::Plain => Tls::None,
        SmtpSecurity::StartTls => Tls::Required(tls(&server.host)?),
        SmtpSecurity::Tls => Tls::Wrapper(tls(&server.host)?),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(server.host.as_str())
        .port(server.port)
        .tls(security)
        .timeout(Some(std::time::Duration::from_secs(30)))
        .pool_config(PoolConfig::new().max_size(WORKERS as u32));
    if let Some(user) = &server.user {
        builder =
            builder.credentials(Credentials::new(user.clone(), server.password.clone().unwrap_or_default()));
    }
    Ok(builder.build())
}

/// `host:pid`, unique among the senders running at once.
fn sender_name() -> String {
    format!("{}:{}", host_name(), std::process::id())
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}
