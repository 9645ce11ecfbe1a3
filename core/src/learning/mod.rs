//! Learning records and their rules: the catalog synced from the course files, enrolment, lessons read,
//! course completion with its competencies and certificate, and the roster a course's trainers see.

pub mod awards;
pub mod catalog;
pub mod completion;
pub mod enrollment;
pub mod progress;
pub mod roster;
