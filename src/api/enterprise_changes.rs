//! Changes of a holder's details (变更): the holder asks, staff approve or reject.

use actix_web::{web, HttpResponse};

use super::extract::Json;
use super::openapi::ProblemDocument;
use crate::domain::roles::Actor;
use crate::error::ApiError;
use crate::service::enterprise_changes::{
    self, ChangeDecisionInput, ChangeQuery, EnterpriseChangeInput, EnterpriseChangeView,
};
use crate::service::paging::{Page, PageRequest};
use crate::service::ServiceState;

/// A holder asks to change its name, address or legal representative, with a reason.
#[utoipa::path(post, path = "/api/v1/enterprise-changes", tag = "accounts", security(("bearer" = [])),
    request_body = EnterpriseChangeInput,
    responses(
        (status = 201, body = EnterpriseChangeView),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "Not an applicant", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Another request is waiting for a decision", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn request(
    state: web::Data<ServiceState>,
    actor: Actor,
    body: Json<EnterpriseChangeInput>,
) -> Result<HttpResponse, ApiError> {
    let change = enterprise_changes::request(&state, &actor, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(change))
}

/// Requests, newest first: staff see every one, a holder its own.
#[utoipa::path(get, path = "/api/v1/enterprise-changes", tag = "accounts", security(("bearer" = [])),
    params(ChangeQuery, PageRequest),
    responses(
        (status = 200, body = Page<EnterpriseChangeView>),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn list(
    state: web::Data<ServiceState>,
    actor: Actor,
    query: web::Query<ChangeQuery>,
    paging: web::Query<PageRequest>,
) -> Result<HttpResponse, ApiError> {
    let page =
        enterprise_changes::list(&state, &actor, query.into_inner(), paging.into_inner()).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Approves a request (reviewers, approvers): the enterprise changes at once, the public
/// register with it.
#[utoipa::path(post, path = "/api/v1/enterprise-changes/{id}/approve", tag = "review", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ChangeDecisionInput,
    responses(
        (status = 200, body = EnterpriseChangeView),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Already decided", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A reason empty once trimmed, too long, or holding a NUL", body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn approve(
    state: web::Data<ServiceState>,
    actor: Actor,
    id: web::Path<String>,
    body: Json<ChangeDecisionInput>,
) -> Result<HttpResponse, ApiError> {
    let change =
        enterprise_changes::decide(&state, &actor, id.into_inner(), true, body.into_inner())
            .await?;
    Ok(HttpResponse::Ok().json(change))
}

/// Rejects a request (reviewers, approvers): nothing of the enterprise changes.
#[utoipa::path(post, path = "/api/v1/enterprise-changes/{id}/reject", tag = "review", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ChangeDecisionInput,
    responses(
        (status = 200, body = EnterpriseChangeView),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Already decided", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A reason empty once trimmed, too long, or holding a NUL", body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn reject(
    state: web::Data<ServiceState>,
    actor: Actor,
    id: web::Path<String>,
    body: Json<ChangeDecisionInput>,
) -> Result<HttpResponse, ApiError> {
    let change =
        enterprise_changes::decide(&state, &actor, id.into_inner(), false, body.into_inner())
            .await?;
    Ok(HttpResponse::Ok().json(change))
}
