//! What every domain module stands on and no domain rule lives in: configuration, the database connection,
//! group commit, the province's clock, the audit trail and paging, and backups of the database.

pub mod audit;
pub mod backup;
pub mod config;
pub mod db;
pub mod group_commit;
pub mod local_time;
pub mod mail_config;
pub mod paging;
pub mod sso_config;
