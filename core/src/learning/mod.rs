//! Learning records and their rules: the catalog synced from the course files, enrolment, lessons read,
//! course completion with its competencies and certificate, the roster a course's trainers see, and the
//! training programmes that assign courses by position and unit.

pub mod awards;
pub mod catalog;
pub mod completion;
pub mod enrollment;
pub mod feedback;
pub mod programmes;
pub mod progress;
pub mod roster;
