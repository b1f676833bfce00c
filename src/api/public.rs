//! The public registry (no sign-in): products, authorized users, verification, the counter.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::csv::{csv_line, with_bom};
use super::extract::{CsvText, Json};
use super::openapi::ProblemDocument;
use crate::domain::roles::Actor;
use crate::error::ApiError;
use crate::service::journal::{self, JournalHead};
use crate::service::paging::{Page, PageRequest};
use crate::service::public::{
    self, AuthorizedUser, Goal, GoalInput, ProductView, PublicQuery, Verification, VerifyQuery,
};
use crate::service::ServiceState;

/// The GI products with their protected towns.
#[utoipa::path(get, path = "/api/v1/public/products", tag = "public", responses((status = 200, body = Vec<ProductView>)))]
pub async fn products(state: web::Data<ServiceState>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(public::products(&state).await?))
}

/// Searches the enterprises authorized to use the mark (active rights unless `status` asks).
#[utoipa::path(get, path = "/api/v1/public/authorized-users", tag = "public", params(PublicQuery, PageRequest),
    responses(
        (status = 200, body = Page<AuthorizedUser>),
        (status = 422, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn authorized_users(
    state: web::Data<ServiceState>,
    query: web::Query<PublicQuery>,
    paging: web::Query<PageRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .json(public::authorized_users(&state, query.into_inner(), paging.into_inner()).await?))
}

const CSV_HEADER: [&str; 11] = [
    "企业名称 enterprise_name",
    "统一社会信用代码 uscc",
    "所在镇 town",
    "产品代码 product_code",
    "产品名称 product_name_zh",
    "使用依据 basis",
    "登记编号 registry_no",
    "核准公告号 announcement_no",
    "公告日期 announcement_date",
    "状态 status",
    "授权时间 granted_at",
];

/// The same list as open data: CSV in UTF-8 with a BOM so spreadsheet programs read the Chinese.
#[utoipa::path(get, path = "/api/v1/public/authorized-users.csv", tag = "public", params(PublicQuery),
    responses(
        (status = 200, description = "CSV, UTF-8 with BOM", content_type = "text/csv"),
        (status = 422, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn authorized_users_csv(
    state: web::Data<ServiceState>,
    query: web::Query<PublicQuery>,
) -> Result<HttpResponse, ApiError> {
    let users = public::all_authorized_users(&state, query.into_inner()).await?;
    let mut body = with_bom(&CSV_HEADER);
    for u in &users {
        let granted = u
            .granted_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        body.push_str(&csv_line(&[
            &u.enterprise_name,
            &u.uscc,
            &u.town,
            &u.product_code,
            &u.product_name_zh,
            u.basis.as_str(),
            &u.registry_no,
            &u.announcement_no,
            &u.announcement_date,
            u.status.as_str(),
            &granted,
        ]));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"authorized-users.csv\"",
        ))
        .body(body))
}

/// Verifies a credit code or registry number printed on a mark.
/// With `as_of`, the verdict as it stood at the end of that day (Beijing time).
#[utoipa::path(get, path = "/api/v1/public/verify/{code}", tag = "public",
    params(("code" = String, Path, description = "A unified social credit code or a registry number"), VerifyQuery),
    responses(
        (status = 200, body = Verification),
        (status = 404, description = "No enterprise matches", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "`as_of` is not a date as YYYY-MM-DD", body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn verify(
    state: web::Data<ServiceState>,
    code: web::Path<String>,
    query: web::Query<VerifyQuery>,
) -> Result<HttpResponse, ApiError> {
    let found = public::verify_as_of(&state, code.into_inner(), query.as_of.as_deref()).await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Verifies up to 1,000 codes at once: a `text/csv` body, one credit code or registry number a
/// line (a first line `code` is a header), answered as CSV in input order.
#[utoipa::path(post, path = "/api/v1/public/bulk-verify", tag = "public",
    request_body(content = String, content_type = "text/csv", description = "One credit code or registry number a line, at most 1,000 lines"),
    responses(
        (status = 200, description = "CSV (UTF-8 with BOM): code, found, authorized, enterprise_name, registry_nos, statuses; lists joined by `;`", content_type = "text/csv"),
        (status = 413, description = "The body is over the size cap", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 415, description = "Not text/csv", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "More than 1,000 codes, or not UTF-8", body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn bulk_verify(
    state: web::Data<ServiceState>,
    body: CsvText,
) -> Result<HttpResponse, ApiError> {
    let codes = crate::http::csv::codes_of(&body.0);
    let lines = crate::service::bulk_verify::bulk_verify(&state, codes).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"bulk-verify.csv\"",
        ))
        .body(crate::http::csv::bulk_verify_csv(&lines)))
}

/// The counter toward the goal, with its breakdowns and monthly history.
#[utoipa::path(get, path = "/api/v1/public/goal", tag = "public", responses((status = 200, body = Goal)))]
pub async fn goal(state: web::Data<ServiceState>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(public::goal(&state).await?))
}

/// The journal's head: anyone can record it and later check that history was not rewritten.
#[utoipa::path(get, path = "/api/v1/public/journal/head", tag = "public", responses((status = 200, body = JournalHead)))]
pub async fn journal_head(state: web::Data<ServiceState>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(journal::head(&state).await?))
}

/// Sets the goal's target and deadline (admin only).
#[utoipa::path(put, path = "/api/v1/admin/goal", tag = "admin", security(("bearer" = [])), request_body = GoalInput,
    responses(
        (status = 200, body = Goal),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn set_goal(
    state: web::Data<ServiceState>,
    actor: Actor,
    body: Json<GoalInput>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(public::set_goal(&state, &actor, body.into_inner()).await?))
}
