//! The admin screens' read models: the queries behind the terminal UI's screens (overview, courses, a course's
//! enrolments, user search, one person's details, the unit tree, the programmes; and the trainers' quiz
//! statistics, which the web page, the JSON API and the export share), each shaped for one screen and cheap at
//! 100,000 accounts. Read-only and kept apart from the domain rules, which they never change.

pub mod course_enrollments;
pub mod course_stats;
pub mod overview;
pub mod programmes;
pub mod quiz_statistics;
pub mod unit_tree;
pub mod user_detail;
pub mod user_search;
