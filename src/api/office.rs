//! The office that runs the registry: read by anyone, set by an admin.

use actix_web::{web, HttpResponse};

use super::extract::Json;
use super::openapi::ProblemDocument;
use crate::domain::roles::Actor;
use crate::error::ApiError;
use crate::service::office::{self, OfficeView, WorkingDays};
use crate::service::ServiceState;

/// The office's name, address, phone, hours, e-mail and complaint line.
#[utoipa::path(get, path = "/api/v1/public/office", tag = "public", responses((status = 200, body = OfficeView)))]
pub async fn office(state: web::Data<ServiceState>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(office::office(&state).await?))
}

/// Sets the office's details, all at once (admin only; journalled).
#[utoipa::path(put, path = "/api/v1/admin/office", tag = "admin", security(("bearer" = [])), request_body = OfficeView,
    responses(
        (status = 200, body = OfficeView),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn set_office(
    state: web::Data<ServiceState>,
    actor: Actor,
    body: Json<OfficeView>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(office::set_office(&state, &actor, body.into_inner()).await?))
}

/// The working-day limits an admin sets (staff read them): today the decision on a change of
/// a holder's details (`change_review_working_days`, default 10).
#[utoipa::path(get, path = "/api/v1/admin/working-days", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, body = WorkingDays),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn working_days(
    state: web::Data<ServiceState>,
    actor: Actor,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(office::working_days(&state, &actor).await?))
}

/// Sets the working-day limits (admin only; journalled): new change requests are due that
/// many working days on, and the guide states it at once.
#[utoipa::path(put, path = "/api/v1/admin/working-days", tag = "admin", security(("bearer" = [])), request_body = WorkingDays,
    responses(
        (status = 200, body = WorkingDays),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Not a whole number of days from 1 to 60", body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn set_working_days(
    state: web::Data<ServiceState>,
    actor: Actor,
    body: Json<WorkingDays>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(office::set_working_days(&state, &actor, body.into_inner()).await?))
}
