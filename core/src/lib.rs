//! The domain of Đào tạo số, shared by the web server and the admin tool.
//!
//! Knows nothing of HTTP or terminals: configuration, the database, the course
//! library (load, validate, render) and the catalog synced into the database.

pub mod catalog;
pub mod config;
pub mod course;
pub mod db;
pub mod entities;
pub mod text;
