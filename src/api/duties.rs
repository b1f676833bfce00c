//! After approval and at the review desk: usage reports, the watchlist, review statistics,
//! holidays, and reports of suspected fakes.

use actix_web::{web, HttpRequest, HttpResponse};

use super::extract::Json;
use crate::domain::roles::Actor;
use crate::error::ApiError;
use crate::service::fake_reports::{
    self, CloseInput, FakeReportInput, FakeReportQuery, FakeReportReceipt, FakeReportView,
};
use crate::service::paging::{Page, PageRequest};
use crate::service::review::{self, HolidayList, ReviewStats};
use crate::service::usage::{self, UsageReportInput, UsageReportView, WatchEntry, WatchQuery};
use crate::service::ServiceState;

/// The holder files the usage report of a past year (one per right and year).
#[utoipa::path(post, path = "/api/v1/authorizations/{id}/usage-reports", tag = "authorizations", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = UsageReportInput,
    responses((status = 201, body = UsageReportView), (status = 409, description = "Already filed for that year", body = super::openapi::ProblemDocument, content_type = "application/problem+json")))]
pub async fn file_usage_report(
    state: web::Data<ServiceState>,
    actor: Actor,
    path: web::Path<String>,
    body: Json<UsageReportInput>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created()
        .json(usage::file_report(&state, &actor, path.into_inner(), body.into_inner()).await?))
}

/// The usage reports of a right (its holder and staff).
#[utoipa::path(get, path = "/api/v1/authorizations/{id}/usage-reports", tag = "authorizations", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Vec<UsageReportView>)))]
pub async fn usage_reports(
    state: web::Data<ServiceState>,
    actor: Actor,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(usage::reports(&state, &actor, path.into_inner()).await?))
}

/// Live rights with an overdue usage report or meeting the two-year non-use ground, with the
/// evidence (staff).
#[utoipa::path(get, path = "/api/v1/watchlist", tag = "review", security(("bearer" = [])),
    params(WatchQuery, PageRequest), responses((status = 200, body = Page<WatchEntry>)))]
pub async fn watchlist(
    state: web::Data<ServiceState>,
    actor: Actor,
    query: web::Query<WatchQuery>,
    paging: web::Query<PageRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .json(usage::watchlist(&state, &actor, query.into_inner(), paging.into_inner()).await?))
}

/// Counts by state, median days in state, overdue reviews (staff).
#[utoipa::path(get, path = "/api/v1/stats/review", tag = "review", security(("bearer" = [])),
    responses((status = 200, body = ReviewStats)))]
pub async fn review_stats(
    state: web::Data<ServiceState>,
    actor: Actor,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(review::stats(&state, &actor).await?))
}

/// The holidays that review deadlines skip (staff).
#[utoipa::path(get, path = "/api/v1/admin/holidays", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = HolidayList)))]
pub async fn holidays(
    state: web::Data<ServiceState>,
    actor: Actor,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(review::holiday_list(&state, &actor).await?))
}

/// Replaces the holiday list (admin).
#[utoipa::path(put, path = "/api/v1/admin/holidays", tag = "admin", security(("bearer" = [])),
    request_body = HolidayList, responses((status = 200, body = HolidayList)))]
pub async fn set_holidays(
    state: web::Data<ServiceState>,
    actor: Actor,
    body: Json<HolidayList>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(review::set_holidays(&state, &actor, body.into_inner()).await?))
}

/// Anyone reports a product that claims the mark (ten an hour from one address).
#[utoipa::path(post, path = "/api/v1/public/reports", tag = "public", request_body = FakeReportInput,
    responses((status = 201, body = FakeReportReceipt), (status = 429, description = "Too many reports from this address", body = super::openapi::ProblemDocument, content_type = "application/problem+json")))]
pub async fn report_fake(
    state: web::Data<ServiceState>,
    request: HttpRequest,
    body: Json<FakeReportInput>,
) -> Result<HttpResponse, ApiError> {
    let address = crate::http::client_address(&request);
    Ok(HttpResponse::Created()
        .json(fake_reports::submit(&state, body.into_inner(), address).await?))
}

/// Reports of suspected fakes, newest first (staff).
#[utoipa::path(get, path = "/api/v1/reports", tag = "review", security(("bearer" = [])),
    params(FakeReportQuery, PageRequest), responses((status = 200, body = Page<FakeReportView>)))]
pub async fn fake_report_list(
    state: web::Data<ServiceState>,
    actor: Actor,
    query: web::Query<FakeReportQuery>,
    paging: web::Query<PageRequest>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .json(fake_reports::list(&state, &actor, query.into_inner(), paging.into_inner()).await?))
}

/// Closes a report with what was found (staff).
#[utoipa::path(post, path = "/api/v1/reports/{id}/close", tag = "review", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CloseInput,
    responses((status = 200, body = FakeReportView), (status = 409, description = "Closed already", body = super::openapi::ProblemDocument, content_type = "application/problem+json")))]
pub async fn close_fake_report(
    state: web::Data<ServiceState>,
    actor: Actor,
    path: web::Path<String>,
    body: Json<CloseInput>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .json(fake_reports::close(&state, &actor, path.into_inner(), body.into_inner()).await?))
}
