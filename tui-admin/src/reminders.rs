//! `reminders queue`, `mail send` and `units set-contact`: the reminders of the training programmes (#18), for
//! cron and for tests, each day played with `--as-of`. The server does the same by itself every few minutes.

use anyhow::Context;
use chrono::{NaiveDate, Utc};
use daotao_content::course::load_library;
use daotao_core::learning::programmes::reminders;
use daotao_core::mail::{Mailer, outbox};
use daotao_core::platform::config::Config;
use daotao_core::platform::local_time;

use crate::output::outln;

/// Queues the reminders due on `as_of` and prints how many of each kind.
pub async fn queue(config: &Config, as_of: Option<NaiveDate>) -> anyhow::Result<()> {
    if config.smtp_url.0.trim().is_empty() {
        outln!(
            "Chưa cấu hình máy chủ thư (DAOTAO_SMTP_URL), không xếp thư nào / no mail server configured (DAOTAO_SMTP_URL): nothing queued"
        )?;
        return Ok(());
    }
    let library = load_library(&config.courses_dir);
    let rules = crate::programmes::rules(&library)?;
    let site_url = config.site_url();
    let context = reminders::Context::new(&rules, &library, &site_url);
    let as_of = as_of.unwrap_or_else(local_time::today);
    let db = crate::connect(config).await?;
    let queued =
        reminders::queue(&db, &context, as_of, Utc::now()).await.context("cơ sở dữ liệu / database")?;
    for (kind, n) in &queued.by_kind {
        outln!("{kind}\t{n}")?;
    }
    if queued.without_address > 0 {
        outln!("Không có địa chỉ thư / no e-mail address: {} reminders not queued", queued.without_address)?;
    }
    let detail = format!("{} queued on {as_of}", queued.total());
    crate::audit(&db, "reminders.queue", "mail_outbox", &detail).await?;
    outln!("Đã xếp {} thư / {} messages queued on {as_of}", queued.total(), queued.total())?;
    Ok(())
}

/// Sends what is queued; fails (non-zero exit) when the mail server refused or could not be reached, after
/// recording each failure for a later retry.
/// With `retry_now`, messages waiting for a retry (or given up) are sent now: for after the mail server was
/// fixed.
pub async fn send(config: &Config, retry_now: bool) -> anyhow::Result<()> {
    let Some(mailer) = Mailer::from_config(config).map_err(anyhow::Error::msg)? else {
        outln!(
            "Chưa cấu hình máy chủ thư (DAOTAO_SMTP_URL), không gửi gì / no mail server configured: nothing sent"
        )?;
        return Ok(());
    };
    let db = crate::connect(config).await?;
    if retry_now {
        let n = outbox::retry_now(&db, Utc::now()).await.context("cơ sở dữ liệu / database")?;
        outln!("Gửi lại ngay {n} thư / {n} messages to retry now")?;
    }
    let report = mailer.send_queued(&db).await.context("cơ sở dữ liệu / database")?;
    let left = outbox::summary(&db).await.context("cơ sở dữ liệu / database")?;
    outln!(
        "Đã gửi {} thư, {} lần gửi lỗi; còn chờ {}, đã bỏ {} / {} sent, {} failed attempts; {} waiting, {} given up",
        report.sent,
        report.failed,
        left.queued,
        left.failed,
        report.sent,
        report.failed,
        left.queued,
        left.failed
    )?;
    if let Some(error) = report.first_error {
        anyhow::bail!(
            "máy chủ thư từ chối hoặc không trả lời / the mail server refused or did not answer: {error}"
        );
    }
    Ok(())
}

/// Makes a person the contact of a unit for the weekly digest.
pub async fn set_contact(config: &Config, unit: &str, username: &str) -> anyhow::Result<()> {
    let db = crate::connect(config).await?;
    daotao_core::people::units::set_contact(&db, unit, username).await?;
    crate::audit(&db, "units.set_contact", unit, username).await?;
    outln!("Đầu mối của đơn vị {unit}: {username} / contact of unit {unit}: {username}")?;
    Ok(())
}
