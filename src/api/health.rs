//! Liveness and readiness probes.

use actix_web::{web, HttpResponse};

use crate::error::ApiError;
use crate::service::{self, ServiceState};

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct HealthStatus {
    /// `ok` when the check passed.
    pub status: &'static str,
}

/// The process runs.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = HealthStatus)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(HealthStatus { status: "ok" })
}

/// The database answers.
#[utoipa::path(get, path = "/readyz", tag = "health", responses(
    (status = 200, body = HealthStatus),
    (status = 503, description = "The database does not answer", content_type = "application/problem+json"),
))]
pub async fn readyz(state: web::Data<ServiceState>) -> Result<HttpResponse, ApiError> {
    // The database's own error is logged where it was met, once per probe query.
    service::health::database_answers(&state)
        .await
        .map_err(|_| ApiError::Unavailable)?;
    Ok(HttpResponse::Ok().json(HealthStatus { status: "ok" }))
}
