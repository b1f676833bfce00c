//! Labels: quotas (staff), batches and their codes (holder), the public label check.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::extract::Json;
use super::openapi::ProblemDocument;
use crate::domain::roles::Actor;
use crate::error::ApiError;
use crate::service::labels::issue::{
    self, BatchInput, BatchView, LabelSettings, LabelsOfRight, QuotaInput, QuotaView,
};
use crate::service::labels::lookup::{self, LabelView};
use crate::service::ServiceState;

/// Sets a right's yearly label quota (staff), journalled.
#[utoipa::path(put, path = "/api/v1/authorizations/{id}/label-quota", tag = "labels", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = QuotaInput,
    responses(
        (status = 200, body = QuotaView),
        (status = 422, description = "Out of range, or below the labels issued that year", body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn set_quota(
    state: web::Data<ServiceState>,
    actor: Actor,
    id: web::Path<String>,
    body: Json<QuotaInput>,
) -> Result<HttpResponse, ApiError> {
    let quota = issue::set_quota(&state, &actor, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(quota))
}

/// Orders a batch of labels within this year's quota (the holder, or staff for it).
#[utoipa::path(post, path = "/api/v1/authorizations/{id}/label-batches", tag = "labels", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = BatchInput,
    responses(
        (status = 201, body = BatchView),
        (status = 409, description = "The right is not active", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Beyond the year's quota (or none set), or a quantity out of range", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 503, description = "Other batches are being issued; retry after the Retry-After seconds", body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn order_batch(
    state: web::Data<ServiceState>,
    actor: Actor,
    id: web::Path<String>,
    body: Json<BatchInput>,
) -> Result<HttpResponse, ApiError> {
    let batch = issue::order_batch(&state, &actor, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(batch))
}

/// A right's quota this year and its batches, newest first (holder and staff).
#[utoipa::path(get, path = "/api/v1/authorizations/{id}/label-batches", tag = "labels", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = LabelsOfRight)))]
pub async fn batches(
    state: web::Data<ServiceState>,
    actor: Actor,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(issue::of_right(&state, &actor, id.into_inner()).await?))
}

/// A batch's codes for the printer: `code,url` per label (holder and staff).
#[utoipa::path(get, path = "/api/v1/label-batches/{id}/codes.csv", tag = "labels", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, description = "CSV: code,url", content_type = "text/csv")))]
pub async fn codes_csv(
    state: web::Data<ServiceState>,
    actor: Actor,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let codes = issue::batch_codes(&state, &actor, id.into_inner()).await?;
    Ok(crate::http::download::label_codes_response(&codes))
}

/// What a label's QR code opens: genuine or never issued. Every call counts one scan.
#[utoipa::path(get, path = "/api/v1/public/labels/{code}", tag = "public", params(("code" = String, Path)),
    responses(
        (status = 200, body = LabelView),
        (status = 404, description = "Never issued (or mistyped)", body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn public_label(
    state: web::Data<ServiceState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let label = lookup::scan(&state, &code)?;
    // Each answer counts a scan: never from a cache.
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(label))
}

/// The label settings (admin): `scan_warning` and `watch_codes`.
#[utoipa::path(get, path = "/api/v1/admin/label-settings", tag = "labels", security(("bearer" = [])),
    responses((status = 200, body = LabelSettings)))]
pub async fn settings(
    state: web::Data<ServiceState>,
    actor: Actor,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(issue::settings(&state, &actor)?))
}

/// Sets the label settings (admin), journalled.
#[utoipa::path(put, path = "/api/v1/admin/label-settings", tag = "labels", security(("bearer" = [])),
    request_body = LabelSettings, responses((status = 200, body = LabelSettings)))]
pub async fn set_settings(
    state: web::Data<ServiceState>,
    actor: Actor,
    body: Json<LabelSettings>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(issue::set_settings(&state, &actor, body.into_inner()).await?))
}
