//! The one place where a core error becomes an answer (DESIGN.md: errors are `thiserror` types in core,
//! mapped to HTTP statuses in one place in the server). Every core error is first classified as an
//! [`AppError`], with the words the API sends; pages and API then render that class their own way (a styled
//! page or a JSON body), so one refusal always gets one status whichever door it came through.

use std::time::Duration;

use daotao_core::assessment::attempts::AttemptError;
use daotao_core::learning::enrollment::EnrollError;
use daotao_core::learning::progress::ProgressError;
use daotao_core::people::accounts::AccountError;
use daotao_core::people::auth::login::LoginError;
use poem::error::NotFoundError;
use poem::http::StatusCode;
use sea_orm::DbErr;

use crate::api::error::ApiError;

/// What a failed request means to the client, with the words the API sends.
#[derive(Debug)]
pub enum AppError {
    /// No such record, or one the caller may not know of.
    NotFound(String),
    /// Logged in, but not allowed to do this.
    Forbidden(String),
    /// Not possible in the record's state (submitted, out of time, no attempts left).
    Conflict(String),
    /// Understood but refused as given (a bad answer, a weak password).
    Unprocessable(String),
    /// A login that failed: one answer whatever the reason.
    BadCredentials,
    /// Too many failed logins from this address: try again after the delay.
    Throttled(Duration),
    /// A learner's or trainer's local password, where the city turned those off: sign in through the
    /// single sign-on.
    LocalLoginOff,
    /// A failure on our side: the details are logged, never shown.
    Internal(String),
    /// Already an HTTP answer (a CSRF refusal, a body too large): passed on as it is.
    Http(poem::Error),
}

impl AppError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(e.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::LocalLoginOff => StatusCode::FORBIDDEN,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Http(e) => e.status(),
        }
    }
}

impl From<AttemptError> for AppError {
    fn from(e: AttemptError) -> Self {
        match e {
            AttemptError::NotEnrolled(_) => AppError::Forbidden(e.to_string()),
            AttemptError::UnknownQuiz(..) | AttemptError::NotFound => AppError::NotFound(e.to_string()),
            AttemptError::NoAttemptsLeft(_) | AttemptError::Submitted | AttemptError::Expired => {
                AppError::Conflict(e.to_string())
            }
            AttemptError::BadAnswer(_) => AppError::Unprocessable(e.to_string()),
            AttemptError::Corrupt(..) | AttemptError::Db(_) => AppError::internal(e),
        }
    }
}

impl From<EnrollError> for AppError {
    fn from(e: EnrollError) -> Self {
        match e {
            EnrollError::UnknownCourse(id) => AppError::NotFound(format!("no course `{id}`")),
            EnrollError::NotSelfEnrol(id) => AppError::Forbidden(format!(
                "course `{id}` does not allow self-enrolment; ask your training officer"
            )),
            EnrollError::UnknownUnit(_) | EnrollError::Db(_) => AppError::internal(e),
        }
    }
}

impl From<ProgressError> for AppError {
    fn from(e: ProgressError) -> Self {
        match e {
            ProgressError::UnknownLesson(..) => AppError::NotFound(e.to_string()),
            ProgressError::NotEnrolled(_) => AppError::Forbidden(e.to_string()),
            ProgressError::Db(_) => AppError::internal(e),
        }
    }
}

impl From<AccountError> for AppError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::WrongPassword | AccountError::Weak(_) | AccountError::ExtraTimeTooLarge(_) => {
                AppError::Unprocessable(e.to_string())
            }
            AccountError::BadUsername(_)
            | AccountError::Taken(_)
            | AccountError::UnknownUnit(_)
            | AccountError::UnknownUser(_)
            | AccountError::Db(_) => AppError::internal(e),
        }
    }
}

impl From<LoginError> for AppError {
    fn from(e: LoginError) -> Self {
        match e {
            LoginError::Invalid => AppError::BadCredentials,
            LoginError::LocalPasswordsOff => AppError::LocalLoginOff,
            LoginError::Db(_) => AppError::internal(e),
        }
    }
}

impl From<DbErr> for AppError {
    fn from(e: DbErr) -> Self {
        AppError::internal(e)
    }
}

/// The quiz statistics' read: a stored attempt that cannot be decoded is our failure, not the caller's.
impl From<daotao_core::assessment::statistics::read::ReadError> for AppError {
    fn from(e: daotao_core::assessment::statistics::read::ReadError) -> Self {
        AppError::internal(e)
    }
}

impl From<tantivy::TantivyError> for AppError {
    fn from(e: tantivy::TantivyError) -> Self {
        AppError::internal(e)
    }
}

impl From<poem::Error> for AppError {
    fn from(e: poem::Error) -> Self {
        AppError::Http(e)
    }
}

/// As a page: not found is the site's 404 page, a failure on our side its 500 page (both drawn by
/// `pages::error::render_errors`, which also logs the failure); the other refusals are their bare status.
impl From<AppError> for poem::Error {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound(_) => NotFoundError.into(),
            AppError::Internal(details) => {
                poem::Error::from_string(details, StatusCode::INTERNAL_SERVER_ERROR)
            }
            AppError::Http(e) => e,
            other => poem::Error::from_status(other.status()),
        }
    }
}

/// In the API: the same status, with the words in the JSON body.
impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound(why) => ApiError::NotFound(why),
            AppError::Forbidden(why) => ApiError::Forbidden(why),
            AppError::Conflict(why) => ApiError::Http(StatusCode::CONFLICT, why),
            AppError::Unprocessable(why) => ApiError::Http(StatusCode::UNPROCESSABLE_ENTITY, why),
            AppError::BadCredentials => ApiError::BadCredentials,
            AppError::Throttled(wait) => ApiError::Throttled(wait),
            AppError::LocalLoginOff => ApiError::Forbidden(LoginError::LocalPasswordsOff.to_string()),
            AppError::Internal(details) => ApiError::internal(details),
            AppError::Http(e) => ApiError::from_poem(e),
        }
    }
}

/// Core errors reach the API through [`AppError`], so `?` works in API operations as it does in pages.
macro_rules! api_error_through_app_error {
    ($($core:ty),* $(,)?) => {
        $(impl From<$core> for ApiError {
            fn from(e: $core) -> Self {
                AppError::from(e).into()
            }
        })*
    };
}

api_error_through_app_error!(
    AttemptError,
    EnrollError,
    ProgressError,
    LoginError,
    DbErr,
    tantivy::TantivyError,
    daotao_core::assessment::statistics::read::ReadError
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_refusal_gets_one_status_in_pages_and_api() {
        let cases: Vec<(AppError, StatusCode)> = vec![
            (AttemptError::NotFound.into(), StatusCode::NOT_FOUND),
            (AttemptError::NotEnrolled("c".into()).into(), StatusCode::FORBIDDEN),
            (AttemptError::Expired.into(), StatusCode::CONFLICT),
            (AttemptError::BadAnswer("x".into()).into(), StatusCode::UNPROCESSABLE_ENTITY),
            (EnrollError::NotSelfEnrol("c".into()).into(), StatusCode::FORBIDDEN),
            (ProgressError::UnknownLesson("c".into(), "l".into()).into(), StatusCode::NOT_FOUND),
            (LoginError::Invalid.into(), StatusCode::UNAUTHORIZED),
            (LoginError::LocalPasswordsOff.into(), StatusCode::FORBIDDEN),
            (DbErr::Custom("down".into()).into(), StatusCode::INTERNAL_SERVER_ERROR),
        ];
        for (error, status) in cases {
            assert_eq!(error.status(), status, "{error:?}");
            let page_status = poem::Error::from(error_again(&error)).status();
            assert_eq!(page_status, status, "page: {error:?}");
            assert_eq!(ApiError::from(error).status(), status, "API");
        }
    }

    /// The same class again (an `AppError` is consumed by either rendering).
    fn error_again(e: &AppError) -> AppError {
        match e {
            AppError::NotFound(m) => AppError::NotFound(m.clone()),
            AppError::Forbidden(m) => AppError::Forbidden(m.clone()),
            AppError::Conflict(m) => AppError::Conflict(m.clone()),
            AppError::Unprocessable(m) => AppError::Unprocessable(m.clone()),
            AppError::BadCredentials => AppError::BadCredentials,
            AppError::Throttled(d) => AppError::Throttled(*d),
            AppError::LocalLoginOff => AppError::LocalLoginOff,
            AppError::Internal(m) => AppError::Internal(m.clone()),
            AppError::Http(e) => AppError::Http(poem::Error::from_status(e.status())),
        }
    }

    #[test]
    fn the_api_keeps_its_words() {
        let e = ApiError::from(EnrollError::UnknownCourse("attt".into()));
        assert_eq!(e.message(), "no course `attt`");
        let e = ApiError::from(ProgressError::NotEnrolled("attt".into()));
        assert_eq!(e.message(), "not enrolled in course `attt`");
    }
}
