//! A way back in: a password reset by e-mail, and the one-time reset staff issue at the
//! service window.

use actix_web::{web, HttpRequest, HttpResponse};

use super::extract::Json;
use super::openapi::ProblemDocument;
use crate::domain::roles::Actor;
use crate::error::ApiError;
use crate::service::accounts::{self, PasswordResetConfirm, PasswordResetRequest, WindowReset};
use crate::service::ServiceState;

/// Asks for a password reset. Always 202, whether or not the account exists; when it does
/// and has an e-mail address, a single-use link valid for 30 minutes is sent there.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "accounts", request_body = PasswordResetRequest, responses(
    (status = 202, description = "Accepted: a link is e-mailed if the account exists and has an address"),
    (status = 422, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn request_reset(
    state: web::Data<ServiceState>,
    request: HttpRequest,
    body: Json<PasswordResetRequest>,
) -> Result<HttpResponse, ApiError> {
    let address = crate::http::client_address(&request);
    accounts::request_reset(&state, body.into_inner(), address).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Sets a new password with a reset token, once; every older session ends.
#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "accounts", request_body = PasswordResetConfirm, responses(
    (status = 204, description = "The password is set"),
    (status = 422, description = "A used or expired token (`token`) or a weak password (`new_password`)", body = ProblemDocument, content_type = "application/problem+json"),
    (status = 503, description = "Password hashing is busy; see Retry-After", body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn confirm_reset(
    state: web::Data<ServiceState>,
    body: Json<PasswordResetConfirm>,
) -> Result<HttpResponse, ApiError> {
    accounts::confirm_reset(&state, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Staff at the service window issue a one-time reset for a producer without e-mail; the
/// token is shown once, to hand over (journalled).
#[utoipa::path(post, path = "/api/v1/users/{id}/password-reset", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The user's id")),
    responses(
        (status = 201, body = WindowReset),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "The account is deactivated", body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn issue_at_window(
    state: web::Data<ServiceState>,
    actor: Actor,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reset = accounts::issue_at_window(&state, &actor, id.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(reset))
}
