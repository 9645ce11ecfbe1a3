//! `GET /me`: the caller's account, courses with progress, and competencies. Only ever the
//! caller's own records: everything is looked up by the session's account.

use std::sync::Arc;

use daotao_core::learning::progress::my_courses;
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::payload::Json;

use super::ApiTags;
use super::caller::Caller;
use super::error::ApiError;
use super::models::{Me, MyCompetency, MyEnrollment, UserInfo};
use crate::state::AppState;

pub struct MeApi;

#[OpenApi(tag = "ApiTags::Me")]
impl MeApi {
    /// My account and courses
    ///
    /// Every course the caller is enrolled in, with due date, lessons read and
    /// where to continue.
    #[oai(path = "/me", method = "get")]
    async fn me(&self, state: Data<&Arc<AppState>>, caller: Caller) -> Result<Json<Me>, ApiError> {
        let user = caller.user();
        let today = daotao_core::platform::local_time::today();
        let courses = my_courses(&state.db, user.id, today).await?;
        let held =
            daotao_core::learning::awards::held(&state.db, user.id, &state.library().competencies).await?;
        Ok(Json(Me {
            user: UserInfo::from(user),
            enrollments: courses.into_iter().map(MyEnrollment::from).collect(),
            competencies: held.into_iter().map(MyCompetency::from).collect(),
        }))
    }
}
