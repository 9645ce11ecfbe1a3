//! The course library of Đào tạo số as files, with no database.
//!
//! Loads and validates the trainers' markdown + TOML courses and the province's training programmes, renders lessons to sanitised HTML, parses quizzes
//! (markdown and Moodle GIFT) and grades answers. `daotao-server check` needs nothing else, and the parser tests
//! build without sea-orm. Must never depend on `daotao-core` or on a database crate: `core` builds on this one.

pub mod course;
pub mod html;
pub mod programme;
pub mod quiz;
pub mod text;
