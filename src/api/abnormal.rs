//! The abnormal-use list (使用异常名录): staff list and remove; the public reads it (JSON, CSV).

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::csv::{csv_line, with_bom};
use super::extract::Json;
use super::openapi::ProblemDocument;
use crate::domain::roles::Actor;
use crate::error::ApiError;
use crate::service::abnormal::{self, AbnormalInput, AbnormalQuery, AbnormalUserView, RemoveInput};
use crate::service::paging::{Page, PageRequest};
use crate::service::ServiceState;

/// Lists a right on the abnormal-use list (staff), journalled.
#[utoipa::path(post, path = "/api/v1/abnormal-users", tag = "review", security(("bearer" = [])), request_body = AbnormalInput,
    responses(
        (status = 201, body = AbnormalUserView),
        (status = 409, description = "The right is revoked or surrendered, or listed on this ground already", body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn list_right(
    state: web::Data<ServiceState>,
    actor: Actor,
    body: Json<AbnormalInput>,
) -> Result<HttpResponse, ApiError> {
    Ok(
        HttpResponse::Created()
            .json(abnormal::list_right(&state, &actor, body.into_inner()).await?),
    )
}

/// Removes an entry when corrected (staff), journalled.
#[utoipa::path(post, path = "/api/v1/abnormal-users/{id}/remove", tag = "review", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = RemoveInput,
    responses(
        (status = 200, body = AbnormalUserView),
        (status = 409, description = "Removed already", body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn remove(
    state: web::Data<ServiceState>,
    actor: Actor,
    id: web::Path<String>,
    body: Json<RemoveInput>,
) -> Result<HttpResponse, ApiError> {
    let removed = abnormal::remove(&state, &actor, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(removed))
}

/// The abnormal-use list, newest first: current entries unless `include_removed=true`.
#[utoipa::path(get, path = "/api/v1/public/abnormal-users", tag = "public", params(AbnormalQuery, PageRequest),
    responses((status = 200, body = Page<AbnormalUserView>)))]
pub async fn public_list(
    state: web::Data<ServiceState>,
    query: web::Query<AbnormalQuery>,
    paging: web::Query<PageRequest>,
) -> Result<HttpResponse, ApiError> {
    let page = abnormal::public_list(&state, query.into_inner(), paging.into_inner()).await?;
    Ok(HttpResponse::Ok().json(page))
}

const CSV_HEADER: [&str; 8] = [
    "登记编号 registry_no",
    "企业名称 enterprise_name",
    "统一社会信用代码 uscc",
    "产品代码 product_code",
    "事由 reason",
    "列入时间 listed_at",
    "整改期限 correct_by",
    "移出时间 removed_at",
];

/// The same list as CSV (UTF-8 with BOM).
#[utoipa::path(get, path = "/api/v1/public/abnormal-users.csv", tag = "public", params(AbnormalQuery),
    responses((status = 200, description = "CSV, UTF-8 with BOM", content_type = "text/csv")))]
pub async fn public_csv(
    state: web::Data<ServiceState>,
    query: web::Query<AbnormalQuery>,
) -> Result<HttpResponse, ApiError> {
    let entries = abnormal::public_all(&state, query.into_inner()).await?;
    let mut body = with_bom(&CSV_HEADER);
    let time =
        |at: chrono::DateTime<chrono::Utc>| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    for e in &entries {
        body.push_str(&csv_line(&[
            &e.registry_no,
            &e.enterprise_name,
            &e.uscc,
            &e.product_code,
            e.reason.as_str(),
            &time(e.listed_at),
            &e.correct_by,
            &e.removed_at.map(time).unwrap_or_default(),
        ]));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"abnormal-users.csv\"",
        ))
        .body(body))
}
