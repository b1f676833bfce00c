//! The approval announcements, public: the list (JSON) and one announcement's rights as CSV.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::csv::{csv_line, with_bom};
use super::openapi::ProblemDocument;
use crate::error::ApiError;
use crate::service::announcements::{self, AnnouncementView};
use crate::service::ServiceState;

/// Every approval announcement, newest first, each with the rights it granted.
#[utoipa::path(get, path = "/api/v1/public/announcements", tag = "public",
    responses((status = 200, body = Vec<AnnouncementView>)))]
pub async fn list(state: web::Data<ServiceState>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(announcements::announcements(&state).await?))
}

const CSV_HEADER: [&str; 8] = [
    "核准公告号 announcement_no",
    "公告日期 announcement_date",
    "登记编号 registry_no",
    "企业名称 enterprise_name",
    "统一社会信用代码 uscc",
    "产品代码 product_code",
    "产品名称 product_name_zh",
    "当前状态 status",
];

/// The rights one announcement granted, as CSV (UTF-8 with a BOM).
#[utoipa::path(get, path = "/api/v1/public/announcements/{announcement_no}/rights.csv", tag = "public",
    params(("announcement_no" = String, Path, description = "The announcement's number, e.g. 英市监公告〔2026〕3号")),
    responses(
        (status = 200, description = "CSV, UTF-8 with BOM", content_type = "text/csv"),
        (status = 404, description = "No right rests on such an announcement", body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn rights_csv(
    state: web::Data<ServiceState>,
    announcement_no: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let announcement = announcements::announcement(&state, announcement_no.into_inner()).await?;
    let mut body = with_bom(&CSV_HEADER);
    for right in &announcement.rights {
        body.push_str(&csv_line(&[
            &announcement.announcement_no,
            &announcement.announcement_date,
            &right.registry_no,
            &right.enterprise_name,
            &right.uscc,
            &right.product_code,
            &right.product_name_zh,
            right.status.as_str(),
        ]));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"announcement-rights.csv\"",
        ))
        .body(body))
}
