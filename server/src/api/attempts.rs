//! Quiz attempts: start one, save answers any number of times, submit once (a second submit returns the same
//! result), read it back. The rules live in `daotao_core::assessment::attempts`; this maps them to HTTP.

use std::sync::Arc;

use daotao_content::quiz::grade::Answers;
use daotao_core::assessment::attempts;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::ApiTags;
use super::attempt_models::{AttemptOut, GradedOut, attempt_out};
use super::caller::Caller;
use super::error::ApiError;
use super::optional_json::OptionalJson;
use crate::state::AppState;
use crate::workflows::find;

pub struct AttemptsApi;

#[derive(ApiResponse)]
pub enum Started {
    /// A new attempt.
    #[oai(status = 201)]
    Created(Json<AttemptOut>),
    /// The caller's attempt already running (another tab, a reload): continue it.
    #[oai(status = 200)]
    Resumed(Json<AttemptOut>),
}

/// Answers as sent: `{question_id: [option ids] | "text" | number | {left: right}}`.
fn parse_answers(body: serde_json::Value) -> Result<Answers, ApiError> {
    serde_json::from_value(body).map_err(|e| {
        ApiError::Http(
            StatusCode::BAD_REQUEST,
            format!("answers are {{question_id: [option ids] | \"text\" | number | {{left: right}}}}: {e}"),
        )
    })
}

#[OpenApi(tag = "ApiTags::Quizzes")]
impl AttemptsApi {
    /// Start an attempt
    ///
    /// Only for learners enrolled in the course, within the quiz's attempt limit (409 when none is left). If
    /// the caller has an attempt running, that one is returned (200). The questions come without answer keys.
    #[oai(
        path = "/courses/:course/quizzes/:quiz/attempts",
        method = "post",
        request_header(
            name = "X-CSRF-Token",
            ty = "Option<String>",
            description = "Required with the session cookie."
        )
    )]
    async fn start(
        &self,
        state: Data<&Arc<AppState>>,
        caller: Caller,
        course: Path<String>,
        quiz: Path<String>,
    ) -> Result<Started, ApiError> {
        let library = state.library();
        let found = find::course(&library, &course.0)?;
        let q = find::quiz(found, &quiz.0)?;
        let now = chrono::Utc::now();
        let (attempt, created) = attempts::start(&state.db, &library, caller.user(), found, q, now).await?;
        if created {
            state.metrics.attempt_started();
        }
        let body = Json(attempt_out(&attempt));
        Ok(if created { Started::Created(body) } else { Started::Resumed(body) })
    }

    /// An attempt
    ///
    /// Only its owner may read it (404 for anyone else). The result and the review are there once submitted.
    #[oai(path = "/attempts/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&Arc<AppState>>,
        caller: Caller,
        id: Path<i64>,
    ) -> Result<Json<AttemptOut>, ApiError> {
        let now = chrono::Utc::now();
        let attempt = attempts::find_own(&state.db, &state.library(), caller.user().id, id.0, now).await?;
        Ok(Json(attempt_out(&attempt)))
    }

    /// Save answers
    ///
    /// Any number of times before submitting; the answers sent replace those saved for the same questions
    /// (an empty list or text clears one). 409 once submitted or past the deadline.
    #[oai(
        path = "/attempts/:id/answers",
        method = "put",
        request_header(
            name = "X-CSRF-Token",
            ty = "Option<String>",
            description = "Required with the session cookie."
        )
    )]
    async fn save(
        &self,
        state: Data<&Arc<AppState>>,
        caller: Caller,
        id: Path<i64>,
        body: Json<serde_json::Value>,
    ) -> Result<Json<AttemptOut>, ApiError> {
        let answers = parse_answers(body.0)?;
        let attempt = attempts::save_answers(
            &state.db,
            &state.library(),
            caller.user().id,
            id.0,
            answers,
            chrono::Utc::now(),
        )
        .await?;
        Ok(Json(attempt_out(&attempt)))
    }

    /// Submit and grade
    ///
    /// The body carries last answers (as for saving), or nothing (or `{}`) to grade those saved. Grades once:
    /// submitting again returns the same result.
    /// Past the deadline the answers saved in time are graded and any sent now are ignored.
    #[oai(
        path = "/attempts/:id/submit",
        method = "post",
        request_header(
            name = "X-CSRF-Token",
            ty = "Option<String>",
            description = "Required with the session cookie."
        )
    )]
    async fn submit(
        &self,
        state: Data<&Arc<AppState>>,
        caller: Caller,
        id: Path<i64>,
        body: OptionalJson,
    ) -> Result<Json<GradedOut>, ApiError> {
        let answers = match body.0 {
            serde_json::Value::Null => None,
            v => Some(parse_answers(v)?),
        };
        let now = chrono::Utc::now();
        let attempt =
            attempts::submit(&state.db, &state.library(), caller.user().id, id.0, answers, now).await?;
        state.metrics.submitted(&attempt.row, now);
        GradedOut::of(&attempt)
            .map(Json)
            .ok_or_else(|| ApiError::internal("a submitted attempt has no result"))
    }
}
