//! The signed-in user's messages, and the outbox as admins watch it.

use actix_web::{web, HttpResponse};

use super::openapi::ProblemDocument;
use crate::domain::roles::Actor;
use crate::error::ApiError;
use crate::service::notifications::{self, NotificationView};
use crate::service::outbox::{self, OutboxQuery, OutboxReport};
use crate::service::paging::{Page, PageRequest};
use crate::service::ServiceState;

/// The caller's messages, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "accounts", security(("bearer" = [])), params(PageRequest),
    responses(
        (status = 200, body = Page<NotificationView>),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn list(
    state: web::Data<ServiceState>,
    actor: Actor,
    paging: web::Query<PageRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(notifications::list(&state, &actor, paging.into_inner()).await?))
}

/// Marks one of the caller's messages read.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "accounts", security(("bearer" = [])),
    params(("id" = String, Path, description = "The message's id")),
    responses(
        (status = 204, description = "Read"),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such message of the caller's", body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn mark_read(
    state: web::Data<ServiceState>,
    actor: Actor,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    notifications::mark_read(&state, &actor, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The outbox: counts by state and one page of messages, with each failure's last error.
#[utoipa::path(get, path = "/api/v1/admin/outbox", tag = "admin", security(("bearer" = [])), params(OutboxQuery, PageRequest),
    responses(
        (status = 200, body = OutboxReport),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn outbox_report(
    state: web::Data<ServiceState>,
    actor: Actor,
    query: web::Query<OutboxQuery>,
    paging: web::Query<PageRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .json(outbox::report(&state, &actor, query.into_inner(), paging.into_inner()).await?))
}

/// Tries a given-up or failing message again at once.
#[utoipa::path(post, path = "/api/v1/admin/outbox/{id}/retry", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The message's id")),
    responses(
        (status = 204, description = "It will be tried at once"),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such unsent message", body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn retry(
    state: web::Data<ServiceState>,
    actor: Actor,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    outbox::retry(&state, &actor, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
