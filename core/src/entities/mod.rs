//! sea-orm entities, one per table; the schema itself lives in `migrations/`.

pub mod course;
pub mod lesson;
pub mod quiz;
