//! Staff exports of every authorization: `.xlsx` and `.csv`.

use actix_web::{web, HttpResponse};

use crate::domain::roles::Actor;
use crate::error::ApiError;
pub use crate::http::download::{csv_response, xlsx_response};
use crate::service::exports;
use crate::service::ServiceState;

/// Every authorization with its holder's contact data, product, basis, status, dates and last
/// usage report; Chinese headers; one row each (staff).
#[utoipa::path(get, path = "/api/v1/exports/authorizations.xlsx", tag = "review", security(("bearer" = [])),
    responses((status = 200, description = "An Excel workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn authorizations_xlsx(
    state: web::Data<ServiceState>,
    actor: Actor,
) -> Result<HttpResponse, ApiError> {
    Ok(xlsx_response(exports::authorization_rows(&state, &actor).await?).await?)
}

/// The same rows as CSV (UTF-8 with BOM) for staff.
#[utoipa::path(get, path = "/api/v1/exports/authorizations.csv", tag = "review", security(("bearer" = [])),
    responses((status = 200, description = "CSV, UTF-8 with BOM", content_type = "text/csv")))]
pub async fn authorizations_csv(
    state: web::Data<ServiceState>,
    actor: Actor,
) -> Result<HttpResponse, ApiError> {
    Ok(csv_response(
        &exports::authorization_rows(&state, &actor).await?,
    ))
}
