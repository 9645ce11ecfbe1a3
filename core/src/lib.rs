//! The domain of Đào tạo số over its database, shared by the web server and the admin tool.
//!
//! Knows nothing of HTTP or terminals. Grouped by domain: [`people`], [`learning`], [`assessment`], [`report`]
//! and [`import`] hold the rules; [`admin_views`] the admin screens' read queries; [`entities`] the tables;
//! all of them stand on [`platform`]. The course files themselves (loading, rendering, quiz parsing and
//! grading) are the `daotao-content` crate's.

pub mod admin_views;
pub mod assessment;
pub mod demo;
pub mod entities;
pub mod import;
pub mod learning;
pub mod mail;
pub mod people;
pub mod platform;
pub mod report;
