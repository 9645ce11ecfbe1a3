//! The web server of Đào tạo số: server-rendered pages over the course
//! library, course assets, hot reload, and the `check` command.

pub mod api;
pub mod app;
pub mod attempt_closer;
pub mod auth;
pub mod check;
pub mod course_assets;
pub mod error;
pub mod health;
pub mod i18n;
pub mod lang_switch;
pub mod library_fingerprint;
pub mod metrics;
pub mod pages;
pub mod programme_jobs;
pub mod reload;
pub mod search;
pub mod security_headers;
pub mod serve;
pub mod sso;
pub mod state;
pub mod static_files;
pub mod workflows;
