//! Staff actions on registered enterprises.

use actix_web::{web, HttpResponse};

use crate::domain::roles::Actor;
use crate::error::ApiError;
use crate::service::enterprises::{self, ReleasedEnterprise};
use crate::service::ServiceState;

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
