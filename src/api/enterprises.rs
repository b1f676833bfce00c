//! Staff actions on registered enterprises.

use actix_web::{web, HttpResponse};

use super::extract::Json;
use crate::domain::roles::Actor;
use crate::error::ApiError;
use crate::service::accounts::{self, WindowRegistered, WindowRegistrationInput};
use crate::service::enterprises::{self, ReleasedEnterprise};
use crate::service::ServiceState;

/// Registration at the service window (reviewers, approvers): an enterprise and its applicant
/// account on the producer's behalf, with a password to print. A credit code that fails its
/// check character is accepted only with `uscc_exception_reason`; journalled with who did it.
#[utoipa::path(post, path = "/api/v1/enterprises", tag = "review", security(("bearer" = [])),
    request_body = WindowRegistrationInput,
    responses(
        (status = 201, body = WindowRegistered),
        (status = 401, body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not a reviewer or approver", body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "The username or credit code is taken", body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
        (status = 422, body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
        (status = 503, description = "Password hashing is busy; retry", body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn register_at_window(
    state: web::Data<ServiceState>,
    actor: Actor,
    body: Json<WindowRegistrationInput>,
) -> Result<HttpResponse, ApiError> {
    let registered = accounts::register_at_window(&state, &actor, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(registered))
}

/// Frees a credit code claimed by a registration that holds no right and no application past
/// its draft, so the real enterprise can register (staff; journalled). Its accounts close.
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/release", tag = "review", security(("bearer" = [])),
    params(("id" = String, Path, description = "Enterprise id")),
    responses(
        (status = 200, body = ReleasedEnterprise),
        (status = 401, body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
        (status = 404, body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "It holds a right or an application past its draft, or was released", body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn release(
    state: web::Data<ServiceState>,
    actor: Actor,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let released = enterprises::release(&state, &actor, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(released))
}
