//! A learner enrols themself in a course that allows it; every try, refused or not, leaves an audit row.

use daotao_core::learning::enrollment::{self, EnrollError};
use sea_orm::DatabaseConnection;

use super::Actor;

/// `true` when enrolled now, `false` when already enrolled (nothing changed).
pub async fn self_enrol(
    db: &DatabaseConnection,
    actor: &Actor<'_>,
    course_id: &str,
) -> Result<bool, EnrollError> {
    let outcome = enrollment::self_enrol(db, course_id, actor.user.id).await;
    actor.record_outcome(db, "enrol", course_id, &outcome).await?;
    outcome
}
