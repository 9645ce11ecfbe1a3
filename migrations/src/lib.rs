//! The database schema of Đào tạo số. Migrations are the source of truth for
//! the schema: one file per change, never edited once released.

pub use sea_orm_migration::prelude::*;

mod create_index;
mod m20261126_000001_catalog;
mod m20261126_000002_accounts;
mod m20261126_000003_quiz_attempts;
mod m20261126_000004_admin_queries;
mod m20261126_000005_competencies;
mod m20261203_000006_single_sign_on;
mod m20261203_000007_programmes;
mod m20261203_000008_certificate_validity;
mod m20261203_000009_mail_outbox;
mod m20261204_000010_course_feedback;
mod m20261204_000011_extra_time;
mod m20261204_000012_attempt_items;
mod m20261204_000013_library_fingerprints;
mod m20261204_000014_login_failures;

/// Runs every migration in order; the server calls it on start.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_catalog::Migration),
            Box::new(m20261126_000002_accounts::Migration),
            Box::new(m20261126_000003_quiz_attempts::Migration),
            Box::new(m20261126_000004_admin_queries::Migration),
            Box::new(m20261126_000005_competencies::Migration),
            Box::new(m20261203_000006_single_sign_on::Migration),
            Box::new(m20261203_000007_programmes::Migration),
            Box::new(m20261203_000008_certificate_validity::Migration),
            Box::new(m20261203_000009_mail_outbox::Migration),
            Box::new(m20261204_000010_course_feedback::Migration),
            Box::new(m20261204_000011_extra_time::Migration),
            Box::new(m20261204_000012_attempt_items::Migration),
            Box::new(m20261204_000013_library_fingerprints::Migration),
            Box::new(m20261204_000014_login_failures::Migration),
        ]
    }
}
