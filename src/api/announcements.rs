//! The approval announcements, public: the list (JSON), and one announcement's rights and its
//! changes of holders' details as CSV.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::csv::{csv_line, with_bom};
use super::openapi::ProblemDocument;
use crate::error::ApiError;
use crate::service::announcements::{self, AnnouncementView};
use crate::service::ServiceState;

/// Every approval announcement, newest first, each with the rights it granted and the
/// approved changes of holders' details it recorded (`changes`).
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
        (status = 404, description = "Neither a right nor a change rests on such an announcement", body = ProblemDocument, content_type = "application/problem+json"),
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

const CHANGES_CSV_HEADER: [&str; 11] = [
    "公告号 announcement_no",
    "公告日期 announcement_date",
    "统一社会信用代码 uscc",
    "原名称 former_name",
    "新名称 new_name",
    "原住所 former_address",
    "新住所 new_address",
    "原法定代表人 former_legal_representative",
    "新法定代表人 new_legal_representative",
    "登记编号 registry_nos",
    "核准时间 approved_at",
];

/// The changes of holders' details one announcement recorded, as CSV (UTF-8 with a BOM): one
/// line per change, an unchanged detail left empty, the holder's registry numbers joined by
/// spaces.
#[utoipa::path(get, path = "/api/v1/public/announcements/{announcement_no}/changes.csv", tag = "public",
    params(("announcement_no" = String, Path, description = "The announcement's number, e.g. 英市监公告〔2026〕12号")),
    responses(
        (status = 200, description = "CSV, UTF-8 with BOM", content_type = "text/csv"),
        (status = 404, description = "Neither a right nor a change rests on such an announcement", body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn changes_csv(
    state: web::Data<ServiceState>,
    announcement_no: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let announcement = announcements::announcement(&state, announcement_no.into_inner()).await?;
    let mut body = with_bom(&CHANGES_CSV_HEADER);
    for change in &announcement.changes {
        let (name, address, representative) =
            (&change.name, &change.address, &change.legal_representative);
        let from = |d: &Option<announcements::ChangedDetail>| {
            d.as_ref().map_or("", |d| d.from.as_str()).to_owned()
        };
        let to = |d: &Option<announcements::ChangedDetail>| {
            d.as_ref().map_or("", |d| d.to.as_str()).to_owned()
        };
        let registry_nos = change.registry_nos.join(" ");
        let approved_at = change
            .approved_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        body.push_str(&csv_line(&[
            &announcement.announcement_no,
            &announcement.announcement_date,
            &change.uscc,
            &from(name),
            &to(name),
            &from(address),
            &to(address),
            &from(representative),
            &to(representative),
            &registry_nos,
            &approved_at,
        ]));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"announcement-changes.csv\"",
        ))
        .body(body))
}
