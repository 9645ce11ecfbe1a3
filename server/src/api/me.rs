//! `GET /me`: the caller's account, courses with progress, and competencies. Only ever the
//! caller's own records: everything is looked up by the session's account.

use std::sync::Arc;

use daotao_core::learning::programmes::my_programmes;
use daotao_core::learning::progress::my_courses;
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::payload::Json;

use super::ApiTags;
use super::caller::Caller;
use super::error::ApiError;
use super::models::{Me, MyCompetency, MyEnrollment, MyProgrammeOut, UserInfo};
use crate::state::AppState;

pub struct MeApi;

#[OpenApi(tag = "ApiTags::Me")]
impl MeApi {
    /// My account and courses
    ///
    /// Every course the caller is enrolled in, with due date, lessons read and
    /// where to continue; the training programmes the caller must complete, with
    /// their status, due date and until when the completion is valid.
    #[oai(path = "/me", method = "get")]
    async fn me(&self, state: Data<&Arc<AppState>>, caller: Caller) -> Result<Json<Me>, ApiError> {
        let user = caller.user();
        let today = daotao_core::platform::local_time::today();
        let courses = my_courses(&state.db, user.id, today).await?;
        let library = state.library();
        let programmes = my_programmes(&state.db, user.id, today)
            .await?
            .into_iter()
            .map(|p| MyProgrammeOut {
                title: library
                    .programme(&p.programme_id)
                    .map_or_else(|| p.programme_id.clone(), |known| known.title.clone()),
                id: p.programme_id,
                cycle: p.cycle,
                status: p.standing.as_str().to_string(),
                due_on: p.due_on,
                completed_on: p.completed_on,
                valid_until: p.valid_until,
            })
            .collect();
        let held =
            daotao_core::learning::awards::held(&state.db, user.id, &state.library().competencies).await?;
        Ok(Json(Me {
            user: UserInfo::from(user),
            programmes,
            enrollments: courses.into_iter().map(MyEnrollment::from).collect(),
            competencies: held.into_iter().map(MyCompetency::from).collect(),
        }))
    }
}
