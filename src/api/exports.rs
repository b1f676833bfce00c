//! Staff exports of every authorization: `.xlsx` and `.csv`.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::csv::{csv_line, with_bom};
use crate::domain::roles::Actor;
use crate::error::ApiError;
use crate::service::exports::{self, Cell, HEADERS};
use crate::service::ServiceState;

fn attachment(name: &str) -> (header::HeaderName, String) {
    (
        header::CONTENT_DISPOSITION,
        format!("attachment; filename=\"{name}\""),
    )
}

/// Every authorization with its holder's contact data, product, basis, status, dates and last
/// usage report; Chinese headers; one row each (staff).
#[utoipa::path(get, path = "/api/v1/exports/authorizations.xlsx", tag = "review", security(("bearer" = [])),
    responses((status = 200, description = "An Excel workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn authorizations_xlsx(
    state: web::Data<ServiceState>,
    actor: Actor,
) -> Result<HttpResponse, ApiError> {
    xlsx_response(exports::authorization_rows(&state, &actor).await?).await
}

/// The rows as a workbook download (also the export page's).
pub async fn xlsx_response(rows: Vec<Vec<Cell>>) -> Result<HttpResponse, ApiError> {
    let bytes = web::block(move || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name("授权企业")?;
        let bold = rust_xlsxwriter::Format::new().set_bold();
        for (column, title) in HEADERS.iter().enumerate() {
            sheet.write_string_with_format(0, column as u16, *title, &bold)?;
        }
        for (index, row) in rows.iter().enumerate() {
            let line = index as u32 + 1;
            for (column, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(text) => sheet.write_string(line, column as u16, text)?,
                    Cell::Number(number) => sheet.write_number(line, column as u16, *number)?,
                    Cell::Empty => sheet,
                };
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        workbook.save_to_buffer()
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("export task failed: {e}")))?
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("cannot write the workbook: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ))
        .insert_header(attachment("authorizations.xlsx"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
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

/// The rows as a CSV download (also the export page's).
pub fn csv_response(rows: &[Vec<Cell>]) -> HttpResponse {
    let mut body = with_bom(&HEADERS);
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| match cell {
                Cell::Text(text) => text.clone(),
                Cell::Number(number) => number.to_string(),
                Cell::Empty => String::new(),
            })
            .collect();
        body.push_str(&csv_line(
            &cells.iter().map(String::as_str).collect::<Vec<_>>(),
        ));
    }
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header(attachment("authorizations.csv"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(body)
}
