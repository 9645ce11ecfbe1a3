//! The Tổng quan screen's reads.

use chrono::NaiveDate;
use daotao_core::admin_views::overview;
use daotao_core::platform::db::Db;

use super::Response;

/// The totals, the most overdue enrollments and the latest audited actions.
pub(super) async fn totals(db: &Db, today: NaiveDate) -> anyhow::Result<Response> {
    Ok(Response::Overview(Box::new(overview::overview(db, today, chrono::Utc::now()).await?)))
}

/// The share completed per top unit: apart from the totals because it reads every enrollment.
pub(super) async fn by_unit(db: &Db) -> anyhow::Result<Response> {
    Ok(Response::OverviewByUnit(overview::progress_by_unit(db).await?))
}
