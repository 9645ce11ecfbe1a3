//! sea-orm entities, one per table; the schema itself lives in `migrations/`.

pub mod audit_log;
pub mod certificate;
pub mod competency_award;
pub mod course;
pub mod course_trainer;
pub mod enrollment;
pub mod feedback_answered;
pub mod feedback_pending;
pub mod feedback_response;
pub mod lesson;
pub mod lesson_progress;
pub mod login_failure;
pub mod mail_outbox;
pub mod programme_assignment;
pub mod quiz;
pub mod quiz_attempt;
pub mod quiz_attempt_item;
pub mod session;
pub mod sso_pending;
pub mod sso_spent;
pub mod unit;
pub mod unit_contact;
pub mod user;
