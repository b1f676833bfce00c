//! Authorizations: the rights granted by approval, and what staff and holders do with them.

use actix_web::{web, HttpResponse};

use super::extract::Json;
use super::openapi::ProblemDocument;
use crate::domain::authorization::AuthorizationAction;
use crate::domain::roles::Actor;
use crate::error::ApiError;
use crate::service::authorizations::{
    self, AuthorizationActionInput, AuthorizationQuery, AuthorizationView,
};
use crate::service::paging::{Page, PageRequest};
use crate::service::ServiceState;

/// Lists authorizations: staff see all, a producer its own. Newest grant first.
#[utoipa::path(get, path = "/api/v1/authorizations", tag = "authorizations", security(("bearer" = [])),
    params(AuthorizationQuery, PageRequest),
    responses(
        (status = 200, body = Page<AuthorizationView>),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn list(
    state: web::Data<ServiceState>,
    actor: Actor,
    query: web::Query<AuthorizationQuery>,
    paging: web::Query<PageRequest>,
) -> Result<HttpResponse, ApiError> {
    let page =
        authorizations::list(&state, &actor, query.into_inner(), paging.into_inner()).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One authorization with its history.
#[utoipa::path(get, path = "/api/v1/authorizations/{id}", tag = "authorizations", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, body = AuthorizationView),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn get(
    state: web::Data<ServiceState>,
    actor: Actor,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(authorizations::get(&state, &actor, path.into_inner()).await?))
}

/// suspend (reviewer, `reason`), reinstate (reviewer), revoke (approver, `ground` and
/// `reason`), surrender (the holder or staff).
#[utoipa::path(post, path = "/api/v1/authorizations/{id}/{action}", tag = "authorizations", security(("bearer" = [])),
    params(("id" = String, Path), ("action" = AuthorizationAction, Path)),
    request_body = AuthorizationActionInput,
    responses(
        (status = 200, body = AuthorizationView),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn act(
    state: web::Data<ServiceState>,
    actor: Actor,
    path: web::Path<(String, String)>,
    body: Json<AuthorizationActionInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, action) = path.into_inner();
    let action: AuthorizationAction = action.parse().map_err(|_| ApiError::NotFound)?;
    Ok(HttpResponse::Ok()
        .json(authorizations::act(&state, &actor, id, action, body.into_inner()).await?))
}
