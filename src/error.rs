//! The JSON API's error type, rendered as RFC 9457 `application/problem+json`.
//!
//! Handlers return [`ApiError`]; its `error_response` stores a [`Problem`] (built in
//! `crate::http`, shared with the pages) in the response extensions. The
//! [`problem_responses`] middleware then renders the body in the language the request prefers,
//! adds the request id, and turns actix's own bare 4xx/5xx answers (unknown route, wrong
//! method, …) into problems too, so every error a client sees has one shape.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::domain::{FieldError, Localized};
use crate::http::upload::UploadError;
use crate::service::ServiceError;

pub use crate::http::problem::{prefers_chinese, problem_responses, Problem, PROBLEM_CONTENT_TYPE};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("bad request: {}", .0.en)]
    BadRequest(Localized),
    #[error("unauthorized")]
    Unauthorized,
    #[error("wrong user name or password")]
    BadCredentials,
    #[error("forbidden")]
    Forbidden,
    /// The account's password was printed for its owner: it must be changed first.
    #[error("password change required")]
    PasswordChangeRequired,
    #[error("not found")]
    NotFound,
    #[error("conflict: {}", .0.en)]
    Conflict(Localized),
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType(Localized),
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("service unavailable")]
    Unavailable,
    #[error("busy")]
    Busy { retry_after_secs: u64 },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound => ApiError::NotFound,
            ServiceError::Unauthorized => ApiError::Unauthorized,
            ServiceError::BadCredentials => ApiError::BadCredentials,
            ServiceError::Forbidden => ApiError::Forbidden,
            ServiceError::Conflict(message) => ApiError::Conflict(message),
            ServiceError::Invalid(errors) => ApiError::Validation(errors),
            ServiceError::PreconditionFailed => ApiError::PreconditionFailed,
            ServiceError::TooManyRequests { retry_after_secs } => {
                ApiError::TooManyRequests { retry_after_secs }
            }
            ServiceError::Unavailable => ApiError::Unavailable,
            ServiceError::Busy { retry_after_secs } => ApiError::Busy { retry_after_secs },
            ServiceError::Internal(error) => ApiError::Internal(error),
        }
    }
}

impl From<UploadError> for ApiError {
    fn from(error: UploadError) -> Self {
        match error {
            UploadError::TooLarge => ApiError::PayloadTooLarge,
            UploadError::Unreadable(message) => ApiError::BadRequest(message),
            UploadError::Invalid(errors) => ApiError::Validation(errors),
        }
    }
}

impl ApiError {
    /// When a refusal says to come back: every 429 and 503 carries `Retry-After`.
    pub fn retry_after_secs(&self) -> Option<u64> {
        self.problem().retry_after_secs
    }

    pub fn problem(&self) -> Problem {
        match self {
            ApiError::BadRequest(detail) => Problem::bad_request(detail.clone()),
            ApiError::Unauthorized => Problem::for_status(StatusCode::UNAUTHORIZED),
            ApiError::BadCredentials => Problem::bad_credentials(),
            ApiError::Forbidden => Problem::for_status(StatusCode::FORBIDDEN),
            ApiError::PasswordChangeRequired => Problem::password_change_required(),
            ApiError::NotFound => Problem::for_status(StatusCode::NOT_FOUND),
            ApiError::Conflict(detail) => Problem::conflict(detail.clone()),
            ApiError::PreconditionFailed => Problem::for_status(StatusCode::PRECONDITION_FAILED),
            ApiError::PayloadTooLarge => Problem::for_status(StatusCode::PAYLOAD_TOO_LARGE),
            ApiError::UnsupportedMediaType(detail) => {
                Problem::unsupported_media_type(detail.clone())
            }
            ApiError::Validation(errors) => Problem::validation(errors.clone()),
            ApiError::TooManyRequests { retry_after_secs } => {
                Problem::too_many_requests(*retry_after_secs)
            }
            ApiError::Unavailable => Problem::unavailable(),
            ApiError::Busy { retry_after_secs } => Problem::busy(*retry_after_secs),
            ApiError::Internal(_) => Problem::for_status(StatusCode::INTERNAL_SERVER_ERROR),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.problem().status
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(error) = self {
            // Logged inside the request's span, so the line carries the request id.
            tracing::error!(error = format!("{error:#}"), "internal error");
        }
        let problem = self.problem();
        let mut response = problem.render(false, None);
        response.extensions_mut().insert(problem);
        response
    }
}
