//! The domain of Đào tạo số, shared by the web server and the admin tool.
//!
//! Knows nothing of HTTP or terminals: configuration, the database, the course
//! library (load, validate, render) and the catalog synced into the database.

pub mod accounts;
pub mod attempts;
pub mod audit;
pub mod auth;
pub mod awards;
pub mod catalog;
pub mod completion;
pub mod config;
pub mod course_enrollments;
pub mod course_stats;
pub mod db;
pub mod demo;
pub mod enrollment;
pub mod entities;
pub mod group_commit;
pub mod import;
pub mod local_time;
pub mod overview;
pub mod progress;
pub mod report;
pub mod roster;
pub mod trainers;
pub mod unit_tree;
pub mod units;
pub mod user_detail;
pub mod user_search;
